/**
 * number: a finite JSON number. Text is a decimal (`12`, `-0.5`, `.5`, `+5`, `1e3`), trimmed; a decimal
 * comma and thousands separators only when configured. Refused with a hint: `12,5`, `1,234`, `N/A`, `NaN`,
 * `Infinity`, hex, units. Parquet numbers pass if finite; a bigint only within ±2^53 (beyond, a JSON number
 * would silently lose digits). Booleans are not numbers.
 */
import type { NumberFormat } from '../schema/field-spec.js';
import type { Cell } from '../sources/source.js';
import type { ResolvedCoercionOptions, ThousandsSeparator } from './coercion-options.js';
import { type CoerceResult, describeCell, EMPTY, fail, missingValueHint, quote, value } from './coerce-result.js';

const EXPECTED = 'a decimal';
const F32_MAX = 3.4028234663852886e38;

const POINT_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const COMMA_DECIMAL = /^[+-]?(?:\d+(?:,\d*)?|,\d+)(?:[eE][+-]?\d+)?$/;
/** Spreadsheets write a no-break or narrow no-break space for the "space" thousands separator. */
const SPACE_CLASS = '[ \\u00A0\\u202F]';
const GROUPED: ReadonlyMap<string, RegExp> = new Map(
  (['.', ',', ' '] as const).flatMap((sep) =>
    [false, true].map((comma): [string, RegExp] => {
      const s = sep === ' ' ? SPACE_CLASS : `\\${sep}`;
      const d = comma ? ',' : '\\.';
      return [`${sep}|${comma}`, new RegExp(`^[+-]?\\d{1,3}(?:${s}\\d{3})+(?:${d}\\d+)?$`)];
    }),
  ),
);
const GROUP_SEPARATORS = /[,. \u00A0\u202F]/g;

// Failure diagnosis only (never on the success path).
const COMMA_PAIR = /^[+-]?\d+,\d+$/;
const COMMA_GROUPS = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const SPACE_GROUPS = /^[+-]?\d{1,3}(?:[ \u00A0\u202F]\d{3})+(?:[.,]\d+)?$/;
const DOT_GROUPS = /^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$/;
const POINT_NUMBER = /^[+-]?\d*\.\d+$/;
const HEX = /^[+-]?0x[0-9a-f]+$/i;
const NON_FINITE = /^[+-]?(?:inf|infinity|nan)$/i;
const WITH_UNIT = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)\s*(?:%|‰|°[a-z]?|[a-zµ]{1,4})$/i;

/** Coerce a cell to a number. `format: 'F32'` also checks the F32 range. */
export function coerceNumber(cell: Cell, options: ResolvedCoercionOptions, format: NumberFormat = 'F64'): CoerceResult {
  if (typeof cell === 'string') {
    const text = cell.trim();
    if (text === '') return EMPTY;
    const n = parseDecimal(text, options.decimalComma, options.thousandsSeparator);
    if (n === null) return fail('INVALID_NUMBER', EXPECTED, quote(cell), numberHint(text, options));
    return checkRange(n, cell, format);
  }
  if (typeof cell === 'number') return checkRange(cell, cell, format);
  if (typeof cell === 'bigint') {
    if (cell >= -BigInt(Number.MAX_SAFE_INTEGER) && cell <= BigInt(Number.MAX_SAFE_INTEGER)) return value(Number(cell));
    return fail(
      'INVALID_NUMBER',
      'an integer within ±2^53',
      describeCell(cell),
      'a JSON number would lose digits; store it in a string key',
    );
  }
  if (cell === null) return EMPTY;
  if (typeof cell === 'boolean') return fail('INVALID_NUMBER', EXPECTED, describeCell(cell), 'booleans are not numbers');
  return fail('INVALID_NUMBER', EXPECTED, describeCell(cell));
}

/**
 * The number written in `text` (already trimmed), or `null`. Does not check finiteness.
 * Exported for `combineGeo` and inference.
 */
export function parseDecimal(text: string, decimalComma: boolean, thousands: ThousandsSeparator): number | null {
  if (!decimalComma) {
    if (POINT_DECIMAL.test(text)) return Number(text);
  } else if (COMMA_DECIMAL.test(text)) {
    return Number(text.replace(',', '.'));
  }
  if (thousands === 'none') return null;
  const grouped = GROUPED.get(`${thousands}|${decimalComma}`)!;
  if (!grouped.test(text)) return null;
  // Remove the group separators, keep the decimal part (the last `,` or `.` when it is the decimal mark).
  const decimalMark = decimalComma ? ',' : '.';
  const at = text.lastIndexOf(decimalMark);
  const integer = (at < 0 ? text : text.slice(0, at)).replace(GROUP_SEPARATORS, '');
  return Number(at < 0 ? integer : `${integer}.${text.slice(at + 1)}`);
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
