import { describe, expect, it } from 'vitest';
import { coerceNumber } from '../../src/coercion/coerce-number.js';
import { describeCell, formatCellError, isBlank, quote } from '../../src/coercion/coerce-result.js';
import { COERCION_ERROR_CODES } from '../../src/coercion/coercion-codes.js';
import { resolveCoercionOptions } from '../../src/coercion/coercion-options.js';

describe('messages', () => {
  it('formatCellError adds file, line and column', () => {
    const result = coerceNumber('12,5', resolveCoercionOptions());
    if (result.kind !== 'error') throw new Error('expected an error');
    expect(result.expected).toBe('a decimal');
    expect(formatCellError(result, { file: 'weather.csv', line: 418, column: 'temperature' })).toBe(
      'Invalid number: expected a decimal, got "12,5"; decimal comma? use --decimal-comma (weather.csv line 418, column temperature)',
    );
    expect(formatCellError(result, { file: 'w.parquet', column: 't' })).toMatch(/ \(w\.parquet, column t\)$/);
  });

  it('quote escapes and cuts long values to ~80 characters', () => {
    expect(quote('a"b')).toBe('"a\\"b"');
    expect(quote('x'.repeat(200))).toBe(`"${'x'.repeat(80)}…" (200 characters)`);
  });

  it('describeCell names non-strings', () => {
    expect(describeCell(null)).toBe('null');
    expect(describeCell(1.5)).toBe('number 1.5');
    expect(describeCell(10n)).toBe('integer 10');
    expect(describeCell(true)).toBe('boolean true');
    expect(describeCell([1, 2])).toBe('a list of 2 values');
  });

  it('isBlank: only blanks', () => {
    expect(isBlank('')).toBe(true);
    expect(isBlank(' \t\u00a0\n')).toBe(true);
    expect(isBlank('\ufeff')).toBe(true);
    expect(isBlank(' a')).toBe(false);
    expect(isBlank('N/A')).toBe(false);
  });

  it('every code has a title and a description', () => {
    for (const [code, entry] of Object.entries(COERCION_ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z_]+$/);
      expect(entry.title.length).toBeGreaterThan(0);
      expect(entry.description.length).toBeGreaterThan(0);
    }
  });
});
