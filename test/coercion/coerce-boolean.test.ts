import { describe, expect, it } from 'vitest';
import { coerceBoolean } from '../../src/coercion/coerce-boolean.js';
import { resolveCoercionOptions } from '../../src/coercion/coercion-options.js';
import type { Cell } from '../../src/sources/source.js';

const defaults = resolveCoercionOptions();

describe('coerceBoolean', () => {
  it.each<[Cell, boolean]>([
    ['true', true],
    ['false', false],
    ['TRUE', true],
    ['False', false],
    [' yes ', true],
    ['No', false],
    ['y', true],
    ['N', false],
    ['1', true],
    ['0', false],
    ['on', true],
    ['OFF', false],
    ['t', true],
    ['f', false],
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    [1n, true],
  ])('%o → %s', (cell, expected) => {
    expect(coerceBoolean(cell, defaults)).toEqual({ kind: 'value', value: expected });
  });

  it.each<[Cell]>([[''], ['  '], [null]])('%o is empty', (cell) => {
    expect(coerceBoolean(cell, defaults)).toEqual({ kind: 'empty' });
  });

  it.each<[string, Cell, string]>([
    ['a word', 'maybe', 'Invalid boolean: expected one of true/yes/y/1/on/t or false/no/n/0/off/f, got "maybe"'],
    ['2 is not a boolean', '2', 'got "2"'],
    ['N/A', 'N/A', 'for a missing value leave the cell empty'],
    ['a Parquet number other than 0/1', 2, 'got number 2'],
    ['a list', [true], 'got a list of 1 value'],
  ])('refuses %s', (_what, cell, message) => {
    const result = coerceBoolean(cell, defaults);
    expect(result).toMatchObject({ kind: 'error', code: 'INVALID_BOOLEAN' });
    expect(result.kind === 'error' && result.message).toContain(message);
  });

  it('uses configured words, case-insensitively, and only those', () => {
    const french = resolveCoercionOptions({ trueValues: ['oui', 'Vrai'], falseValues: ['non', 'faux'] });
    expect(coerceBoolean('OUI', french)).toEqual({ kind: 'value', value: true });
    expect(coerceBoolean('vrai', french)).toEqual({ kind: 'value', value: true });
    expect(coerceBoolean('Faux', french)).toEqual({ kind: 'value', value: false });
    expect(coerceBoolean('yes', french)).toMatchObject({ kind: 'error', expected: 'one of oui/vrai or non/faux' });
    expect(coerceBoolean(true, french)).toEqual({ kind: 'value', value: true });
  });
});
