/**
 * number: a finite JSON number, exact or refused. Text is a decimal (`12`, `-0.5`, `.5`, `+5`, `1e3`),
 * trimmed; a decimal comma and thousands separators only when configured. Refused with a hint: `12,5`,
 * `1,234`, `N/A`, `NaN`, `Infinity`, hex, units — and any decimal a JSON number (a double) cannot hold
 * exactly (`9007199254740993`, `12345678901234567.89`, `1e400`, `1e-400`; see `exact-number.ts`), with the
 * hint to keep it in a string key. Parquet DOUBLE/FLOAT/INT cells pass if finite; a bigint (INT64, UINT64,
 * HUGEINT) only when the double holds it exactly; a DECIMAL arrives as its exact text and takes the text
 * path. Booleans are not numbers.
 */
import type { NumberFormat } from '../schema/field-spec.js';
import type { Cell } from '../sources/source.js';
import type { ResolvedCoercionOptions, ThousandsSeparator } from './coercion-options.js';
import { type CoerceResult, describeCell, EMPTY, fail, missingValueHint, quote, value } from './coerce-result.js';
import { exactDouble, exactDoubleOfBigint, inexactHint } from '../exact-number.js';

const EXPECTED = 'a decimal';
/** What an inexact number is told it should have been. */
export const EXACT = 'a decimal a JSON number holds exactly';
const F32_MAX = 3.4028234663852886e38;

const POINT_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const COMMA_DECIMAL = /^[+-]?(?:\d+(?:,\d*)?|,\d+)(?:[eE][+-]?\d+)?$/;
/**
 * Spreadsheets write a no-break or narrow no-break space for the "space" thousands separator. A grouped
 * number's first group never starts with 0: `0,123` is 0.123 written with a decimal comma, not 123.
 */
const SPACE_CLASS = '[ \\u00A0\\u202F]';
const GROUPED: ReadonlyMap<string, RegExp> = new Map(
  (['.', ',', ' '] as const).flatMap((sep) =>
    [false, true].map((comma): [string, RegExp] => {
      const s = sep === ' ' ? SPACE_CLASS : `\\${sep}`;
      const d = comma ? ',' : '\\.';
      return [`${sep}|${comma}`, new RegExp(`^[+-]?[1-9]\\d{0,2}(?:${s}\\d{3})+(?:${d}\\d+)?$`)];
    }),
  ),
);
const GROUP_SEPARATORS = /[,. \u00A0\u202F]/g;

// Failure diagnosis only (never on the success path).
const COMMA_PAIR = /^[+-]?\d+,\d+$/;
const COMMA_GROUPS = /^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$/;
const SPACE_GROUPS = /^[+-]?[1-9]\d{0,2}(?:[ \u00A0\u202F]\d{3})+(?:[.,]\d+)?$/;
const DOT_GROUPS = /^[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$/;
const POINT_NUMBER = /^[+-]?\d*\.\d+$/;
const HEX = /^[+-]?0x[0-9a-f]+$/i;
const NON_FINITE = /^[+-]?(?:inf|infinity|nan)$/i;
const WITH_UNIT = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)\s*(?:%|‰|°[a-z]?|[a-zµ]{1,4})$/i;

/** Coerce a cell to a number. `format: 'F32'` also checks the F32 range. */
export function coerceNumber(cell: Cell, options: ResolvedCoercionOptions, format: NumberFormat = 'F64'): CoerceResult {
  if (typeof cell === 'string') {
    const text = cell.trim();
    if (text === '') return EMPTY;
    const decimal = decimalText(text, options.decimalComma, options.thousandsSeparator);
    if (decimal === null) return fail('INVALID_NUMBER', EXPECTED, quote(cell), numberHint(text, options));
    const exact = exactDouble(decimal);
    if (!exact.ok) return fail('INVALID_NUMBER', EXACT, quote(cell), inexactHint(exact));
    return checkRange(exact.value, cell, format);
  }
  if (typeof cell === 'number') return checkRange(cell, cell, format);
  if (typeof cell === 'bigint') {
    const exact = exactDoubleOfBigint(cell);
    if (!exact.ok) return fail('INVALID_NUMBER', EXACT, describeCell(cell), inexactHint(exact));
    return checkRange(exact.value, cell, format);
  }
  if (cell === null) return EMPTY;
  if (typeof cell === 'boolean') return fail('INVALID_NUMBER', EXPECTED, describeCell(cell), 'booleans are not numbers');
  return fail('INVALID_NUMBER', EXPECTED, describeCell(cell));
}

/**
 * The number written in `text` (already trimmed), or `null`. Does not check finiteness nor exactness.
 * Exported for inference.
 */
export function parseDecimal(text: string, decimalComma: boolean, thousands: ThousandsSeparator): number | null {
  const decimal = decimalText(text, decimalComma, thousands);
  return decimal === null ? null : Number(decimal);
}

/**
 * `text` (already trimmed) as a plain decimal with a point and no separators (`1.234,5` → `1234.5` with a
 * decimal comma and `.` thousands), or `null` when it is not a decimal in this format.
 */
export function decimalText(text: string, decimalComma: boolean, thousands: ThousandsSeparator): string | null {
  if (!decimalComma) {
    if (POINT_DECIMAL.test(text)) return text;
  } else if (COMMA_DECIMAL.test(text)) {
    return text.replace(',', '.');
  }
  if (thousands === 'none') return null;
  const grouped = GROUPED.get(`${thousands}|${decimalComma}`)!;
  if (!grouped.test(text)) return null;
  // Remove the group separators, keep the decimal part (the last `,` or `.` when it is the decimal mark).
  const decimalMark = decimalComma ? ',' : '.';
  const at = text.lastIndexOf(decimalMark);
  const integer = (at < 0 ? text : text.slice(0, at)).replace(GROUP_SEPARATORS, '');
  return at < 0 ? integer : `${integer}.${text.slice(at + 1)}`;
}

function checkRange(n: number, original: Cell, format: NumberFormat): CoerceResult {
  if (!Number.isFinite(n)) {
    return fail('INVALID_NUMBER', 'a finite decimal', describeCell(original), typeof original === 'string' ? 'out of range' : undefined);
  }
  if (format === 'F32' && Math.abs(n) > F32_MAX) {
    return fail('INVALID_NUMBER', 'a decimal within the F32 range (±3.4e38)', describeCell(original));
  }
  return value(n === 0 ? 0 : n); // -0 is not JSON
}

function numberHint(text: string, options: ResolvedCoercionOptions): string | undefined {
  const missing = missingValueHint(text);
  if (missing !== undefined) return missing;
  if (NON_FINITE.test(text)) return 'not a finite number';
  if (HEX.test(text)) return 'hexadecimal is not accepted';
  if (!options.decimalComma) {
    if (COMMA_GROUPS.test(text) && options.thousandsSeparator !== ',') return "thousands separator? use --thousands ','";
    if (COMMA_PAIR.test(text)) return 'decimal comma? use --decimal-comma';
  } else if (POINT_NUMBER.test(text)) {
    return "with --decimal-comma the decimal separator is ','";
  } else if (DOT_GROUPS.test(text) && options.thousandsSeparator !== '.') {
    return "thousands separator? use --thousands '.'";
  }
  if (SPACE_GROUPS.test(text) && options.thousandsSeparator !== ' ') return "thousands separator? use --thousands ' '";
  if (WITH_UNIT.test(text)) return 'remove the unit';
  return undefined;
}
