/**
 * How one .xlsx cell becomes a `Cell`. Pure functions; `xlsx-source.ts` feeds them the cell's `t` and `s`
 * attributes and its `<v>` / `<is>` text.
 *
 * | cell in the file                              | Cell                                                            |
 * |-----------------------------------------------|-----------------------------------------------------------------|
 * | absent, or no value (`<c r="B2"/>`)           | `null` (an empty cell; so are the cells a merge covers)         |
 * | shared string `t="s"`, inline `t="inlineStr"`, formula text `t="str"` | `string`, rich-text runs joined, phonetic runs left out, `_xHHHH_` escapes decoded |
 * | boolean `t="b"`                               | `boolean`                                                       |
 * | number (no `t`, or `t="n"`), General or a number format | `number` when the text is the double's own round-trip form (`0.1`) or its 17-digit form (`2.2000000000000002`, what Excel writes for 2.2); else the exact `string` the file holds (`9007199254740993`), which a number key refuses as inexact and a string key keeps digit for digit |
 * | number with a date or date-time format        | `string` naive ISO: `2026-11-28` (date only: midnight) or `2026-11-28T10:30:00[.fff]`, read in `--timezone` by the datetime key; 1900 system with its 1900-02-29 (serial 60, given as `1900-02-29`, which no calendar has: it fails), or the 1904 system when the workbook says so |
 * | number with a time-only format, 0 ≤ serial < 1 | `string` `HH:MM:SS[.fff]` (a time of day)                      |
 * | ISO date `t="d"` (strict OOXML)               | `string` as written                                             |
 * | error `t="e"` (`#N/A`, `#DIV/0!`, …)          | the record fails: `XLSX_ERROR_CELL`                             |
 * | formula with no cached value                  | the record fails: `XLSX_FORMULA_NO_VALUE`                       |
 */
import { civilFromDays } from '../../civil-date.js';

/** 0-based column of a cell reference's letters (`A1` → 0, `AA10` → 26); -1 when there are none. */
export function columnIndex(ref: string): number {
  let col = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
  }
  return i === 0 ? -1 : col - 1;
}

/** `A`, `B`, …, `Z`, `AA` for a 0-based column. */
export function columnLetters(col: number): string {
  let s = '';
  for (let n = col + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

const X_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/** OOXML string escapes: `_x000D_` is a carriage return, `_x005F_` an underscore (so `_x005F_x000D_` is the text `_x000D_`). */
export function decodeXString(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(X_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const MIN_NORMAL = 2.2250738585072014e-308;
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A number cell's `<v>` text as a cell: the JS number when the text is a faithful rendering of one double
 * (its shortest round-trip form, its 17-significant-digit form as Excel and openpyxl write, or a longer
 * print that rounds to its shortest form at 18 digits, as Gnumeric writes), else the
 * text itself, for the exactness check of coercion to judge (`exact-number.ts`). `undefined`: not a number.
 */
export function numberCell(text: string): number | string | undefined {
  if (!NUMBER_TEXT.test(text)) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  // A zero is 0 (never -0); a non-zero that underflows to 0 (`1e-400`) keeps its text: coercion refuses it.
  if (n === 0) return /^[^eE]*[1-9]/.test(text) ? text : 0;
  // At most 15 characters, hence at most 15 significant digits: every such decimal in the normal range is
  // exactly the double it reads as (`exact-number.ts` takes the same fast path). `1.10` → 1.1.
  if (text.length <= 15 && Math.abs(n) >= MIN_NORMAL) return n;
  if (String(n) === text) return n;
  if (n !== 0 && sameDigits(text, n.toPrecision(17))) return n;
  // More digits than a double needs are a print of the double at a higher precision when, rounded to 18
  // significant digits, they are the double's own shortest form: Gnumeric writes 408.123456789012 (a long
  // double inside) as `408.123456789011999996`. A decimal the double cannot hold (`12345678901234567.89`,
  // 18 digits `123456789012345679` against the double's `12345678901234568`) keeps its text.
  // A printf("%.20g")-style print of the double's exact value at that length is one too.
  const parts = decimalParts(text);
  if (parts.digits.length > 17 && parts.digits.length <= 100 && sameParts(parts, decimalParts(n.toPrecision(parts.digits.length)))) return n;
  if (parts.digits.length > 17 && sameParts(roundDigits(parts, 18), decimalParts(String(n)))) return n;
  return text;
}

/** Whether two decimals in plain or exponent form have the same sign, significant digits and exponent. */
function sameDigits(a: string, b: string): boolean {
  return sameParts(decimalParts(a), decimalParts(b));
}

type DecimalParts = { negative: boolean; digits: string; exponent: number };

function sameParts(x: DecimalParts, y: DecimalParts): boolean {
  return x.negative === y.negative && x.digits === y.digits && x.exponent === y.exponent;
}

/** `p` rounded half up to `k` significant digits (trailing zeros dropped, as `decimalParts` gives them). */
function roundDigits(p: DecimalParts, k: number): DecimalParts {
  if (p.digits.length <= k) return p;
  const head = Array.from(p.digits.slice(0, k), Number);
  let exponent = p.exponent;
  if (p.digits.charCodeAt(k) >= 53) {
    let i = k - 1;
    while (i >= 0 && head[i] === 9) head[i--] = 0;
    if (i >= 0) head[i]! += 1;
    else {
      head.unshift(1);
      exponent += 1;
    }
  }
  return { negative: p.negative, digits: head.join('').replace(/0+$/, ''), exponent };
}

function decimalParts(text: string): DecimalParts {
  let i = 0;
  const negative = text[0] === '-';
  if (text[0] === '-' || text[0] === '+') i = 1;
  const e = text.search(/[eE]/);
  const mantissa = text.slice(i, e < 0 ? text.length : e);
  const exponent = e < 0 ? 0 : Number(text.slice(e + 1));
  const point = mantissa.indexOf('.');
  const intPart = point < 0 ? mantissa : mantissa.slice(0, point);
  const all = intPart + (point < 0 ? '' : mantissa.slice(point + 1));
  let start = 0;
  while (start < all.length && all.charCodeAt(start) === 48) start++;
  let end = all.length;
  while (end > start && all.charCodeAt(end - 1) === 48) end--;
  return { negative, digits: all.slice(start, end), exponent: intPart.length + exponent - start };
}

/** What a cell's number format makes of its number. */
export type NumberKind = 'number' | 'date' | 'time';

/** Built-in number formats that show a date (with or without a time) or only a time. */
const BUILTIN: ReadonlyMap<number, NumberKind> = new Map<number, NumberKind>([
  ...[14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58].map((id): [number, NumberKind] => [id, 'date']),
  ...[18, 19, 20, 21, 32, 33, 45, 46, 47, 55, 56].map((id): [number, NumberKind] => [id, 'time']),
]);

/** The kind of a built-in format id, or of a custom format code. */
export function numberKind(numFmtId: number, formatCode: string | undefined): NumberKind {
  if (formatCode === undefined) return BUILTIN.get(numFmtId) ?? 'number';
  // Only the first section (positive numbers) decides; quoted text, escapes and [colour]/[$-locale] go.
  const section = formatCode
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/_.|\*./g, '')
    .split(';')[0]!
    .replace(/\[(?:h+|m+|s+)\]/gi, 'h')
    .replace(/\[[^\]]*\]/g, '')
    .toLowerCase();
  if (section === 'general' || section.trim() === '') return 'number';
  // `m` is a minute next to an hour or a second, else a month.
  const rest = section.replace(/am\/pm|a\/p/g, '').replace(/h+[: ]*m+/g, 'h').replace(/m+[: ]*s+/g, 's');
  if (/[ydm]/.test(rest)) return 'date';
  return /[hs]/.test(rest) ? 'time' : 'number';
}

const MS_PER_DAY = 86_400_000;
/** 1899-12-30 (serial 0 of the 1900 system, counting Lotus' 1900-02-29) and 1904-01-01, in days since 1970. */
const EPOCH_1900 = -25_569;
const EPOCH_1904 = -24_107;

/**
 * A date serial as naive ISO text: `yyyy-mm-dd` when it falls on midnight, else `yyyy-mm-ddTHH:MM:SS`
 * with `.fff` when there are milliseconds (rounded to the millisecond, Excel's own resolution). The 1900
 * system's serial 60 is `1900-02-29` (Lotus' day that never was: coercion refuses it) and serials 1–59 are
 * one day later than a plain count from 1899-12-30 would give; serial 0 is `1900-01-00`, as Excel shows it
 * (also refused). `undefined` for a serial no date has (negative in the 1900 system, past 9999).
 */
export function serialToIso(serial: number, date1904: boolean): string | undefined {
  const total = Math.round(serial * MS_PER_DAY);
  let days = Math.floor(total / MS_PER_DAY);
  const inDay = total - days * MS_PER_DAY;
  if (date1904) {
    days += EPOCH_1904;
  } else {
    if (days < 0) return undefined;
    if (days === 0) return `1900-01-00${timeText(inDay, true)}`;
    if (days === 60) return `1900-02-29${timeText(inDay, true)}`;
    days += days < 60 ? EPOCH_1900 + 1 : EPOCH_1900;
  }
  const { year, month, day } = civilFromDays(days);
  if (year < 1 || year > 9999) return undefined;
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}${timeText(inDay, true)}`;
}

/** A serial's time of day as `HH:MM:SS[.fff]` (0 ≤ serial < 1), else `undefined`. */
export function serialToTime(serial: number): string | undefined {
  const total = Math.round(serial * MS_PER_DAY);
  if (total < 0 || total >= MS_PER_DAY) return undefined;
  return timeText(total, false);
}

function timeText(ms: number, withT: boolean): string {
  if (withT && ms === 0) return '';
  const hour = Math.floor(ms / 3_600_000);
  const minute = Math.floor((ms % 3_600_000) / 60_000);
  const second = Math.floor((ms % 60_000) / 1000);
  const milli = ms % 1000;
  const frac = milli === 0 ? '' : `.${String(milli).padStart(3, '0')}`;
  return `${withT ? 'T' : ''}${pad2(hour)}:${pad2(minute)}:${pad2(second)}${frac}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
