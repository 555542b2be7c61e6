/**
 * Exact or refused, for numbers: a decimal becomes a JSON number only when the double it reads as is
 * written back (shortest round-trip form, `String(n)`) as the same decimal value. `0.1`, `1.10`, `12.5`,
 * `1e21` and `9007199254740994` pass; `9007199254740993` (would be written `9007199254740992`),
 * `12345678901234567.89`, `1e400` (overflow) and `1e-400` (a non-zero that underflows to 0) do not.
 *
 * Comparison is on decimal strings (sign, significant digits, exponent), never on floats. The one place every
 * number path asks: CSV and Parquet cells (`coerceNumber`), bigints, embedding and geospatial elements, and
 * JSON text (`set --json`, job configs, embedding and GeoJSON text, and the metadata Encord answers with:
 * `encord/exact-json.ts`) through `inexactJsonNumber`.
 */

/** Why a decimal cannot be a JSON number exactly. */
export type InexactReason = 'inexact' | 'overflow' | 'underflow';

export type ExactDouble =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly reason: InexactReason; /** What would have been written (inexact only). */ readonly written?: number };

const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * The double `text` means exactly, or why there is none. `text` is a plain decimal with a point
 * (`[+-]digits[.digits][e[+-]digits]`, as `Number` reads it); comma and thousands forms are normalised by the
 * caller first. Returns `0` (never `-0`) for zero.
 */
export function exactDouble(text: string): ExactDouble {
  const n = Number(text);
  if (!Number.isFinite(n)) return { ok: false, reason: 'overflow' };
  if (n === 0) return isZeroText(text) ? { ok: true, value: 0 } : { ok: false, reason: 'underflow' };
  // Fast paths: at most 15 significant digits in the normal range (every such decimal survives decimal →
  // double → shortest decimal; a text of 15 characters has at most 15 digits), or the text is the shortest
  // form itself.
  const normal = n >= MIN_NORMAL || n <= -MIN_NORMAL;
  if (normal && text.length <= 15) return { ok: true, value: n };
  const written = String(n);
  if (written === text) return { ok: true, value: n };
  if (normal && significantDigits(text) <= 15) return { ok: true, value: n };
  return sameDecimal(canonical(text), canonical(written)) ? { ok: true, value: n } : { ok: false, reason: 'inexact', written: n };
}

/** The same check for an integer (a Parquet INT64/UINT64/HUGEINT cell, an embedding element). */
export function exactDoubleOfBigint(value: bigint): ExactDouble {
  if (value >= -9007199254740991n && value <= 9007199254740991n) return { ok: true, value: Number(value) };
  return exactDouble(value.toString());
}

/** What a user is told when a number is refused: the reason, and how to keep it (a string key). */
export function inexactHint(result: Extract<ExactDouble, { ok: false }>): string {
  switch (result.reason) {
    case 'overflow':
      return 'out of range for a JSON number (±1.8e308); to keep it, store it in a string key';
    case 'underflow':
      return 'too small for a JSON number (it would be written as 0); to keep it, store it in a string key';
    case 'inexact':
      return `a JSON number cannot hold it exactly (it would be written as ${String(result.written)}); to keep every digit, store it in a string key`;
  }
}

/** A number literal of JSON text that a double cannot hold exactly: `text.slice(start, end) === literal`. */
export interface InexactLiteral {
  readonly literal: string;
  readonly result: Extract<ExactDouble, { ok: false }>;
  readonly start: number;
  readonly end: number;
}

/**
 * The first number literal of JSON `text` (already known to parse) that a double cannot hold exactly, with
 * why and where; `undefined` when every number is exact. `JSON.parse` rounds silently, so typed JSON input is
 * checked on its source text. `from` must be outside any string (0, or the `end` of a previous answer).
 */
export function inexactJsonNumber(text: string, from = 0): InexactLiteral | undefined {
  const length = text.length;
  let i = from;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < length) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1;
      let exponent = false;
      for (; j < length; j++) {
        const d = text.charCodeAt(j);
        if (!isNumberChar(d)) break;
        if (d === 101 || d === 69) exponent = true;
      }
      // At most 15 characters and no exponent: exact without asking (`exactDouble`'s first fast path; a
      // zero or a normal double, since the smallest such non-zero is 1e-13). Most embedding elements.
      if (!exponent && j - i <= 15) {
        i = j;
        continue;
      }
      const literal = text.slice(i, j);
      const result = exactDouble(literal);
      if (!result.ok) return { literal, result, start: i, end: j };
      i = j;
    } else {
      i++;
    }
  }
  return undefined;
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46 /* . */ || c === 101 /* e */ || c === 69 /* E */ || c === 43 /* + */ || c === 45; /* - */
}

/** Whether a decimal's mantissa has only zeros (`0`, `-0.000`, `0e5`, `.0`). */
function isZeroText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) return true;
    if (c >= 49 && c <= 57) return false;
  }
  return true;
}

/** Digits of the mantissa from the first non-zero one to the last non-zero one (an upper bound is enough). */
function significantDigits(text: string): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) break;
    if (c < 48 || c > 57) continue;
    if (first < 0 && c === 48) continue;
    if (first < 0) first = count;
    if (c !== 48) last = count;
    count++;
  }
  return first < 0 ? 0 : last - first + 1;
}

interface Decimal {
  readonly negative: boolean;
  /** Significant digits, no leading or trailing zeros ('' for zero). */
  readonly digits: string;
  /** The value is `0.digits × 10^exponent`. */
  readonly exponent: number;
}

/** `text` (a plain decimal, or `String(n)`'s `1.7e+38` form) as sign, digits and exponent. */
function canonical(text: string): Decimal {
  let i = 0;
  let negative = false;
  if (text[0] === '-' || text[0] === '+') {
    negative = text[0] === '-';
    i = 1;
  }
  const e = text.search(/[eE]/);
  const mantissa = text.slice(i, e < 0 ? text.length : e);
  const exponent = e < 0 ? 0 : Number(text.slice(e + 1));
  const point = mantissa.indexOf('.');
  const intPart = point < 0 ? mantissa : mantissa.slice(0, point);
  const fraction = point < 0 ? '' : mantissa.slice(point + 1);
  const all = intPart + fraction;
  let start = 0;
  while (start < all.length && all.charCodeAt(start) === 48) start++;
  let end = all.length;
  while (end > start && all.charCodeAt(end - 1) === 48) end--;
  // value = 0.all × 10^(intPart.length + exponent); dropping `start` leading zeros lowers the exponent.
  return { negative, digits: all.slice(start, end), exponent: intPart.length + exponent - start };
}

function sameDecimal(a: Decimal, b: Decimal): boolean {
  return a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}
