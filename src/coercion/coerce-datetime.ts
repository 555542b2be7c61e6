/**
 * datetime → one canonical text: `YYYY-MM-DDTHH:mm:ss.sssZ` (UTC, milliseconds; `Date#toISOString`).
 *
 * Accepted (trimmed):
 * - ISO 8601 with `Z`, `UTC` or an offset: `2026-11-28T10:00:00+01:00`, `2026-11-28 10:00Z`;
 * - naive ISO: `2026-11-28`, `2026-11-28 10:00`, `2026-11-28T10:00:00.123456` — read in `options.timezone`
 *   (see `time-zone.ts` for repeated and skipped DST hours); a date alone is midnight there;
 * - `yyyymmdd` (also a Parquet integer `20261128`), `yyyy/mm/dd`;
 * - `dd/mm/yyyy` or `mm/dd/yyyy` (`/`, `.` or `-`, optional time, 24-hour or 12-hour with AM/PM as US
 *   spreadsheets write it: `11/13/2026 8:19:40 AM`) only with `dateFormat`; without it they are `AMBIGUOUS_DATE`.
 * Fractions may have any number of digits; they are **truncated** to milliseconds (rounding could carry
 * into the next day). Dates are checked against the calendar (`2026-02-29`, `2026-13-01` fail); hours
 * 00–23, no leap second; years 0001–9999 in UTC (`0000-01-01` and `10000-01-01` fail). Parquet TIMESTAMP cells are ISO text and take the same path; DATE cells are
 * `yyyy-mm-dd`.
 */
import type { Cell } from '../sources/source.js';
import type { ResolvedCoercionOptions } from './coercion-options.js';
import { type CoerceResult, describeCell, EMPTY, fail, missingValueHint, quote, value } from './coerce-result.js';
import { timeZoneFor, utcFields } from './time-zone.js';
import { civilFromDays, daysInMonth, isoFields } from '../civil-date.js';

const EXPECTED = 'an ISO 8601 date or date-time such as 2026-11-28 or 2026-11-28T10:00:00Z';

const TIME = String.raw`(?:[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?`;
const ZONE = String.raw`(?:\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?`;
/**
 * yyyy-mm-dd and yyyy/mm/dd, optional time, optional zone. Groups: y, m, d, H, M, S, frac, zone. Two
 * regexes rather than one with a back-reference: that one is twice as slow on the hot path.
 */
const YMD = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})${TIME}${ZONE}$`);
const YMD_SLASH = new RegExp(String.raw`^(\d{4})/(\d{1,2})/(\d{1,2})${TIME}${ZONE}$`);
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
/** a/b/yyyy. Groups: a, b, y, H, M, S, frac, zone. */
const DMY = new RegExp(String.raw`^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})${TIME}${ZONE}$`);
/** a/b/yyyy with a 12-hour clock, as US spreadsheets write it (`11/13/2026 8:19:40 AM`). Groups: a, b, y, H, M, S, frac, am/pm, zone. */
const DMY12 = new RegExp(String.raw`^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([AaPp])\.?[Mm]\.?${ZONE}$`);
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Years 0001–9999 in UTC: year 0000 is not an ISO 8601 calendar year without agreement, nor one most readers take. */
const MIN_MS = utcFields(1, 1, 1, 0, 0, 0, 0);
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Coerce a cell to a UTC ISO datetime string. */
export function coerceDatetime(cell: Cell, options: ResolvedCoercionOptions): CoerceResult {
  let text: string;
  if (typeof cell === 'string') {
    text = cell.trim();
    if (text === '') return EMPTY;
  } else if (typeof cell === 'number' && Number.isInteger(cell)) {
    text = String(cell); // a Parquet INT like 20261128
  } else if (cell === null) {
    return EMPTY;
  } else {
    return fail('INVALID_DATETIME', EXPECTED, describeCell(cell));
  }

  const canonical = canonicalUtc(text);
  if (canonical !== undefined) return value(canonical);
  let m = YMD.exec(text) ?? YMD_SLASH.exec(text);
  if (m !== null) return build(options, cell, +m[1]!, +m[2]!, +m[3]!, m[4], m[5], m[6], m[7], m[8]);
  m = COMPACT.exec(text);
  if (m !== null) return build(options, cell, +m[1]!, +m[2]!, +m[3]!, undefined, undefined, undefined, undefined, undefined);
  m = DMY.exec(text);
  const twelve = m === null ? DMY12.exec(text) : null;
  if (m !== null || twelve !== null) {
    const g = (m ?? twelve)!;
    const a = +g[1]!;
    const b = +g[3]!;
    if (options.dateFormat === 'iso') {
      const looks = a > 12 && b <= 12 ? ' (looks like dd/mm/yyyy)' : b > 12 && a <= 12 ? ' (looks like mm/dd/yyyy)' : '';
      return fail('AMBIGUOUS_DATE', 'an ISO 8601 date such as 2026-11-28', gotOf(cell), `pass --date-format dd/mm/yyyy or mm/dd/yyyy${looks}`);
    }
    const [day, month] = options.dateFormat === 'dd/mm/yyyy' ? [a, b] : [b, a];
    if (m !== null) return build(options, cell, +m[4]!, month, day, m[5], m[6], m[7], m[8], m[9]);
    // 12-hour clock: 12:xx AM is 00:xx, 12:xx PM is 12:xx, 1–11 PM add 12; an hour 0 or over 12 is refused.
    const hour12 = +twelve![5]!;
    if (hour12 < 1 || hour12 > 12) return fail('INVALID_DATETIME', EXPECTED, gotOf(cell), `hour ${hour12} does not exist on a 12-hour clock (1 to 12 AM/PM)`);
    const pm = twelve![9]!.toLowerCase() === 'p';
    const hour24 = (hour12 % 12) + (pm ? 12 : 0);
    return build(options, cell, +twelve![4]!, month, day, String(hour24), twelve![6], twelve![7], twelve![8], twelve![10]);
  }
  return fail('INVALID_DATETIME', EXPECTED, gotOf(cell), missingValueHint(text));
}

/**
 * `YYYY-MM-DDTHH:mm:ss.<fraction>Z` naming a real instant (year 0001–9999, a day of its month,
 * 00:00:00–23:59:59), as the general path writes it: the fraction truncated or padded to milliseconds,
 * so the canonical form is returned as it stands. Machine-written text is like this (a Parquet TIMESTAMP
 * cell has six fraction digits); it is read here without the regexes, the calendar and the Date.
 * `undefined` for anything else (the general path decides).
 */
function canonicalUtc(t: string): string | undefined {
  const n = t.length;
  if (n < 22 || t.charCodeAt(n - 1) !== 90 /* Z */ || t.charCodeAt(10) !== 84 /* T */) return undefined;
  if (t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58 || t.charCodeAt(19) !== 46) return undefined;
  const f = isoFields(t);
  if (f === undefined || f.year < 1) return undefined;
  for (let i = 20; i < n - 1; i += 1) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const digits = n - 21;
  if (digits === 3) return t;
  return `${t.slice(0, 20)}${digits > 3 ? t.slice(20, 23) : t.slice(20, n - 1).padEnd(3, '0')}Z`;
}


/** Described only on failure: quoting every cell would cost more than parsing it. */
function gotOf(cell: Cell): string {
  return typeof cell === 'string' ? quote(cell) : describeCell(cell);
}

function build(
  options: ResolvedCoercionOptions,
  cell: Cell,
  year: number,
  month: number,
  day: number,
  hourText: string | undefined,
  minuteText: string | undefined,
  secondText: string | undefined,
  fraction: string | undefined,
  zone: string | undefined,
): CoerceResult {
  if (month < 1 || month > 12) return fail('INVALID_DATETIME', EXPECTED, gotOf(cell), `month ${month} does not exist`);
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) {
    const why =
      month === 2 && day === 29 ? `${year} is not a leap year` : `${MONTHS[month - 1]} ${year} has ${days} days`;
    return fail('INVALID_DATETIME', EXPECTED, gotOf(cell), why);
  }
  const hour = hourText === undefined ? 0 : +hourText;
  const minute = minuteText === undefined ? 0 : +minuteText;
  const second = secondText === undefined ? 0 : +secondText;
  if (hour > 23 || minute > 59 || second > 59) {
    return fail('INVALID_DATETIME', EXPECTED, gotOf(cell), 'time of day out of range (00:00:00 to 23:59:59)');
  }
  if (zone !== undefined && hourText === undefined) {
    return fail('INVALID_DATETIME', EXPECTED, gotOf(cell), 'a zone needs a time of day');
  }
  const ms = fraction === undefined ? 0 : Number(fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0'));
  const local = utcFields(year, month, day, hour, minute, second, ms);
  let instant: number;
  if (zone === undefined) {
    instant = timeZoneFor(options.timezone)!.localToUtc(local);
  } else {
    const offset = offsetMinutes(zone);
    if (offset === null) return fail('INVALID_DATETIME', EXPECTED, gotOf(cell), `offset ${zone} out of range`);
    instant = local - offset * 60_000;
  }
  if (instant < MIN_MS || instant > MAX_MS) return fail('INVALID_DATETIME', EXPECTED, gotOf(cell), 'year out of range: 0001 to 9999 in UTC');
  return value(formatIso(instant));
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `new Date(ms).toISOString()` for years 0000–9999, without the Date: that call alone costs ~0.5 µs, more
 * than the rest of the coercion. Civil-from-days is Howard Hinnant's algorithm.
 */
export function formatIso(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  const { year, month, day } = civilFromDays(days);
  const yyyy = year >= 1000 ? String(year) : String(year).padStart(4, '0');
  return `${yyyy}-${PAD2[month]}-${PAD2[day]}T${PAD2[hour]}:${PAD2[minute]}:${PAD2[second]}.${PAD3[milli]}Z`;
}

function offsetMinutes(zone: string): number | null {
  const c = zone.charCodeAt(0);
  if (c !== 43 && c !== 45) return 0; // Z, z, UTC, GMT
  const hours = Number(zone.slice(1, 3));
  const minutes = zone.length > 3 ? Number(zone.slice(zone.length - 2)) : 0;
  if (hours > 23 || minutes > 59) return null;
  const total = hours * 60 + minutes;
  return c === 45 ? -total : total;
}

