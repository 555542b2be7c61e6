import { describe, expect, it } from 'vitest';
import { coerceUuid } from '../../src/coercion/coerce-uuid.js';
import type { Cell } from '../../src/sources/source.js';

const canonical = '123e4567-e89b-12d3-a456-426614174000';

describe('coerceUuid', () => {
  it.each<[string, Cell]>([
    ['canonical', canonical],
    ['upper case', canonical.toUpperCase()],
    ['braces', `{${canonical}}`],
    ['braces and upper case, trimmed', ` {${canonical.toUpperCase()}} `],
  ])('%s: %o → canonical lower case', (_what, cell) => {
    expect(coerceUuid(cell)).toEqual({ kind: 'value', value: canonical });
  });

  it.each<[Cell]>([[''], ['  '], [null]])('%o is empty', (cell) => {
    expect(coerceUuid(cell)).toEqual({ kind: 'empty' });
  });

  it.each<[string, Cell]>([
    ['no dashes', canonical.replaceAll('-', '')],
    ['urn prefix', `urn:uuid:${canonical}`],
    ['one brace', `{${canonical}`],
    ['short group', '123e4567-e89b-12d3-a456-42661417400'],
    ['not hex', '123e4567-e89b-12d3-a456-42661417400g'],
    ['a number', 12],
  ])('refuses %s', (_what, cell) => {
    expect(coerceUuid(cell)).toMatchObject({ kind: 'error', code: 'INVALID_UUID' });
  });
});
