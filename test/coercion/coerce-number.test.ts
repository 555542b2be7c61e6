import { describe, expect, it } from 'vitest';
import { coerceNumber } from '../../src/coercion/coerce-number.js';
import { resolveCoercionOptions } from '../../src/coercion/coercion-options.js';
import type { Cell } from '../../src/sources/source.js';

const plain = resolveCoercionOptions();
const comma = resolveCoercionOptions({ decimalComma: true });
const thousandsComma = resolveCoercionOptions({ thousandsSeparator: ',' });
const european = resolveCoercionOptions({ decimalComma: true, thousandsSeparator: '.' });
const spaced = resolveCoercionOptions({ decimalComma: true, thousandsSeparator: ' ' });

describe('coerceNumber: accepted', () => {
  it.each<[string, Cell, number]>([
    ['integer', '12', 12],
    ['spaces around are trimmed', ' 12 ', 12],
    ['tab and newline trimmed', '\t12\n', 12],
    ['exponent', '1e3', 1000],
    ['upper-case exponent with sign', '2.5E-2', 0.025],
    ['explicit plus', '+5', 5],
    ['negative fraction', '-0.5', -0.5],
    ['leading dot', '.5', 0.5],
    ['trailing dot', '5.', 5],
    ['negative zero is plain zero', '-0', 0],
    ['Parquet DECIMAL text', '123.4500', 123.45],
    ['zero', '0', 0],
    ['Parquet DOUBLE', 12.5, 12.5],
    ['Parquet INT64 as bigint within 2^53', 9007199254740991n, 9007199254740991],
    ['negative bigint within 2^53', -42n, -42],
  ])('%s: %o → %o', (_what, cell, expected) => {
    expect(coerceNumber(cell, plain)).toEqual({ kind: 'value', value: expected });
  });

  it.each<[string, Cell]>([
    ['empty string', ''],
    ['blanks only', '   '],
    ['NULL', null],
  ])('%s is empty', (_what, cell) => {
    expect(coerceNumber(cell, plain)).toEqual({ kind: 'empty' });
  });
});

describe('coerceNumber: refused, with the reason in the message', () => {
  it.each<[string, Cell, string]>([
    ['decimal comma without --decimal-comma', '12,5', 'Invalid number: expected a decimal, got "12,5"; decimal comma? use --decimal-comma'],
    ['thousands separator without --thousands', '1,234', `Invalid number: expected a decimal, got "1,234"; thousands separator? use --thousands ','`],
    ['grouped with decimals', '1,234.5', "thousands separator? use --thousands ','"],
    ['space thousands', '1 234', "thousands separator? use --thousands ' '"],
    ['N/A placeholder', 'N/A', 'Invalid number: expected a decimal, got "N/A"; for a missing value leave the cell empty'],
    ['NaN text', 'NaN', 'got "NaN"'],
    ['Infinity text', 'Infinity', 'not a finite number'],
    ['-inf', '-inf', 'not a finite number'],
    ['hex', '0x1F', 'hexadecimal is not accepted'],
    ['unit', '12 kg', 'remove the unit'],
    ['percent', '12%', 'remove the unit'],
    ['word', 'false', 'got "false"'],
    ['two dots', '1.2.3', 'got "1.2.3"'],
    ['overflow', '1e400', 'out of range'],
    ['Parquet boolean', true, 'booleans are not numbers'],
    ['Parquet NaN', Number.NaN, 'expected a finite decimal, got number NaN'],
    ['Parquet Infinity', Number.POSITIVE_INFINITY, 'got number Infinity'],
    ['bigint a double cannot hold', 9007199254740993n, 'got integer 9007199254740993; a JSON number cannot hold it exactly (it would be written as 9007199254740992); to keep every digit, store it in a string key'],
    ['list', [1, 2], 'got a list of 2 values'],
  ])('%s: %o', (_what, cell, message) => {
    const result = coerceNumber(cell, plain);
    expect(result.kind).toBe('error');
    if (result.kind === 'error') {
      expect(result.code).toBe('INVALID_NUMBER');
      expect(result.message).toContain(message);
    }
  });

  it('F32 keys refuse values beyond the F32 range', () => {
    expect(coerceNumber('1e39', plain, 'F32')).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    expect(coerceNumber('1e38', plain, 'F32')).toEqual({ kind: 'value', value: 1e38 });
  });
});

describe('coerceNumber: separators when configured', () => {
  it.each<[string, string, ReturnType<typeof resolveCoercionOptions>, number | 'error']>([
    ['decimal comma', '12,5', comma, 12.5],
    ['decimal comma, leading comma', ',5', comma, 0.5],
    ['decimal comma refuses a point', '12.5', comma, 'error'],
    ['decimal comma, integer', '12', comma, 12],
    ['thousands ,', '1,234', thousandsComma, 1234],
    ['thousands , with decimals', '1,234,567.25', thousandsComma, 1234567.25],
    ['thousands , with a bad group', '1,23', thousandsComma, 'error'],
    ['thousands , still takes plain numbers', '1234.5', thousandsComma, 1234.5],
    ['european 1.234,5', '1.234,5', european, 1234.5],
    ['european groups only', '-1.234.567', european, -1234567],
    ['space groups', '1 234,5', spaced, 1234.5],
    ['no-break space groups (spreadsheets)', '1\u00a0234', spaced, 1234],
    ['narrow no-break space groups', '1\u202f234\u202f567', spaced, 1234567],
    // A first group that starts with 0 is no grouped number: "0,123" is 0.123 with a decimal comma, never 123.
    ['thousands , refuses a first group 0: 0,123', '0,123', thousandsComma, 'error'],
    ['thousands , refuses -0,500', '-0,500', thousandsComma, 'error'],
    ['thousands , refuses 000,001', '000,001', thousandsComma, 'error'],
    ['thousands , refuses 0,123.5', '0,123.5', thousandsComma, 'error'],
    ['european refuses 0.123 (a decimal point, not a group)', '0.123', european, 'error'],
    ['european refuses 01.234', '01.234', european, 'error'],
    ['space groups refuse 0 123', '0 123', spaced, 'error'],
    ['european still takes 0,123', '0,123', european, 0.123],
  ])('%s: %o', (_what, cell, options, expected) => {
    const result = coerceNumber(cell, options);
    if (expected === 'error') expect(result).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    else expect(result).toEqual({ kind: 'value', value: expected });
  });

  it('with --decimal-comma a point is explained', () => {
    const result = coerceNumber('12.5', comma);
    expect(result.kind === 'error' && result.message).toContain("with --decimal-comma the decimal separator is ','");
  });
});

describe('numbers are exact or refused: a cell a JSON number cannot hold exactly fails with INVALID_NUMBER', () => {
  const STRING_KEY_HINT = 'store it in a string key';
  it.each<[string, Cell, ReturnType<typeof resolveCoercionOptions>, number]>([
    ['0.1 is exact (its shortest form is itself)', '0.1', plain, 0.1],
    ['trailing zeros do not matter: 1.10', '1.10', plain, 1.1],
    ['12.5', '12.5', plain, 12.5],
    ['2^53 + 2 is held exactly', '9007199254740994', plain, 9007199254740994],
    ['2^53 − 1', '9007199254740991', plain, 9007199254740991],
    ['17 significant digits that are the shortest form', '0.30000000000000004', plain, 0.30000000000000004],
    ['exponent form', '12345e-4', plain, 1.2345],
    ['exponent form of the shortest digits', '12345678901234567e-16', plain, 1.2345678901234567],
    ['1e21', '1e21', plain, 1e21],
    ['1.7e308 is in range', '1.7e308', plain, 1.7e308],
    ['smallest subnormal written as itself', '5e-324', plain, 5e-324],
    ['zero with an exponent', '0e-400', plain, 0],
    ['negative zero with decimals', '-0.000', plain, 0],
    ['leading zeros', '000012.50', plain, 12.5],
    ['decimal comma', '12,50', comma, 12.5],
    ['thousands and decimal comma', '1.234.567,891', european, 1234567.891],
    ['Parquet DECIMAL(38,2) that fits', '12345678.90', plain, 12345678.9],
    ['Parquet bigint 2^53 + 2', 9007199254740994n, plain, 9007199254740994],
  ])('imported: %s (%o)', (_what, cell, options, expected) => {
    expect(coerceNumber(cell, options)).toEqual({ kind: 'value', value: expected });
  });

  it.each<[string, Cell, ReturnType<typeof resolveCoercionOptions>, string]>([
    ['2^63 from CSV', '9223372036854775808', plain, 'would be written as 9223372036854776000'],
    ['2^53 + 1 from CSV', '9007199254740993', plain, 'would be written as 9007199254740992'],
    ['Parquet DECIMAL(38,2)', '12345678901234567.89', plain, 'would be written as 12345678901234568'],
    ['17 digits that are not the shortest form', '0.10000000000000001', plain, 'would be written as 0.1'],
    ['DECIMAL(38,0) holding a HUGEINT', '170141183460469231731687303715884105727', plain, 'would be written as 1.7014118346046923e+38'],
    ['a non-zero that underflows', '1e-400', plain, 'it would be written as 0'],
    ['a subnormal with more digits than it holds', '4.9406564584124654e-324', plain, 'would be written as 5e-324'],
    ['overflow', '1e400', plain, 'out of range'],
    ['decimal comma, too many digits', '9007199254740993,5', comma, 'would be written as 9007199254740994'],
    ['grouped, too many digits', '9.007.199.254.740.993', european, 'would be written as 9007199254740992'],
    ['Parquet UBIGINT max', 18446744073709551615n, plain, 'would be written as 18446744073709552000'],
    ['Parquet HUGEINT', 170141183460469231731687303715884105727n, plain, 'would be written as 1.7014118346046923e+38'],
    ['Parquet BIGINT 2^60 (its shortest form is not its digits)', 2n ** 60n, plain, 'would be written as 1152921504606847000'],
  ])('refused: %s (%o)', (_what, cell, options, detail) => {
    const result = coerceNumber(cell, options);
    expect(result).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    if (result.kind === 'error') {
      expect(result.message).toContain(detail);
      expect(result.message).toContain(STRING_KEY_HINT);
    }
  });
});
