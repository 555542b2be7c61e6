import { describe, expect, it } from 'vitest';
import { coerceString } from '../../src/coercion/coerce-string.js';
import type { Cell } from '../../src/sources/source.js';

describe('coerceString', () => {
  it.each<[string, Cell, string]>([
    ['text as written', 'Paris', 'Paris'],
    ['inner and outer spaces are kept (no trimming)', '  a  b ', '  a  b '],
    ['a number-looking text stays text', '0012', '0012'],
    ['"false" stays text', 'false', 'false'],
    ['Parquet number', 12.5, '12.5'],
    ['Parquet -0 keeps its sign', -0, '-0'],
    ['Parquet bigint', 9007199254740993n, '9007199254740993'],
    ['Parquet boolean', true, 'true'],
    ['N/A is a value for a string key', 'N/A', 'N/A'],
    ['emoji', '🙂', '🙂'],
  ])('%s: %o', (_what, cell, expected) => {
    expect(coerceString(cell, 8192)).toEqual({ kind: 'value', value: expected });
  });

  it.each<[string, Cell]>([
    ['empty', ''],
    ['blanks only', ' \t '],
    ['NULL', null],
  ])('%s is empty', (_what, cell) => {
    expect(coerceString(cell, 8192)).toEqual({ kind: 'empty' });
  });

  it.each<[string, Cell]>([
    ['NaN (how pandas and DuckDB mark a missing float)', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('refuses a Parquet %s instead of writing its name as text', (_what, cell) => {
    const r = coerceString(cell, 8192);
    expect(r).toMatchObject({ kind: 'error', code: 'INVALID_STRING' });
    expect(r.kind === 'error' && r.message).toMatch(/not text/);
  });

  it('refuses a list', () => {
    expect(coerceString(['a'], 8192)).toMatchObject({ kind: 'error', code: 'INVALID_STRING' });
  });

  it('varchar: at most maxLength characters, counted as code points', () => {
    expect(coerceString('x'.repeat(8192), 8192)).toMatchObject({ kind: 'value' });
    // 8192 emoji are 16384 UTF-16 units but 8192 characters, as the SDK counts them.
    expect(coerceString('🙂'.repeat(8192), 8192)).toMatchObject({ kind: 'value' });
    const long = coerceString('x'.repeat(8193), 8192);
    expect(long).toMatchObject({ kind: 'error', code: 'INVALID_STRING_TOO_LONG', expected: 'at most 8192 characters' });
    // The value is quoted but cut, so a report line stays readable.
    expect(long.kind === 'error' && long.message).toMatch(/^Value too long: expected at most 8192 characters, got 8193 characters: "x{80}…" \(8193 characters\)$/);
    expect(coerceString('abcd', 3)).toMatchObject({ kind: 'error', code: 'INVALID_STRING_TOO_LONG' });
  });

  it('text: unbounded', () => {
    expect(coerceString('x'.repeat(100_000), Number.POSITIVE_INFINITY)).toMatchObject({ kind: 'value' });
  });
});
