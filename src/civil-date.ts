/** Days in `month` (1–12) of `year`, proleptic Gregorian. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The decimal value of the `n` ASCII digits of `s` at `at`; -1 if any is not a digit. */
export function asciiDigits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i += 1) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The date and time fields of `YYYY-MM-DDTHH:MM:SS…` (the separators are the caller's to check), each in
 * range (a day its month has; hours 0–23; no leap second); `undefined` when any is not.
 */
export function isoFields(s: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } | undefined {
  const year = asciiDigits(s, 0, 4);
  const month = asciiDigits(s, 5, 2);
  const day = asciiDigits(s, 8, 2);
  const hour = asciiDigits(s, 11, 2);
  const minute = asciiDigits(s, 14, 2);
  const second = asciiDigits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  return { year, month, day, hour, minute, second };
}

/**
 * Days since 1970-01-01 → proleptic Gregorian year, month, day (Howard Hinnant's civil_from_days).
 * Shared by the datetime coercer and the Parquet cell formatter, both of which avoid `Date` on the per-cell
 * hot path.
 */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
