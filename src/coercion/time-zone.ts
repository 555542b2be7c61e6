/**
 * Naive local time → UTC in an IANA zone, with `Intl` only (no dependency). One `Intl.DateTimeFormat` per
 * zone, created once; offsets are memoised per UTC hour, so the per-cell cost is two map lookups.
 *
 * Local times that occur twice (the hour repeated when DST ends) resolve to the **earlier** instant;
 * local times that do not exist (the hour skipped when DST starts) move **forward** by the gap
 * (`2026-03-29 02:30` in Europe/Paris → `03:30+02:00`). This is Temporal's `disambiguation: 'compatible'`,
 * the same rule as `java.time` and Python's `fold=0`.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Bound the memo: about 11 years of distinct hours per zone. */
const MAX_MEMO = 100_000;

export class TimeZone {
  readonly name: string;
  readonly #format: Intl.DateTimeFormat | null;
  readonly #byHour = new Map<number, number>();

  constructor(name: string, format: Intl.DateTimeFormat | null) {
    this.name = name;
    this.#format = format;
  }

  /** Offset from UTC, in ms, at the UTC instant `utcMs` (positive east of Greenwich). */
  offsetAt(utcMs: number): number {
    if (this.#format === null) return 0;
    const hour = Math.floor(utcMs / HOUR_MS);
    const memo = this.#byHour.get(hour);
    if (memo !== undefined) return memo;
    const start = this.#rawOffset(hour * HOUR_MS);
    const end = this.#rawOffset(hour * HOUR_MS + HOUR_MS - 1000);
    if (start !== end) return this.#rawOffset(utcMs); // a transition inside this hour: no memo
    if (this.#byHour.size >= MAX_MEMO) this.#byHour.clear();
    this.#byHour.set(hour, start);
    return start;
  }

  /** The UTC instant of a wall-clock time given as if it were UTC (`Date.UTC(y, m, d, h, …)`). */
  localToUtc(localMs: number): number {
    if (this.#format === null) return localMs;
    const before = this.offsetAt(localMs - DAY_MS);
    const after = this.offsetAt(localMs + DAY_MS);
    if (before === after) return localMs - before;
    const early = localMs - before;
    const late = localMs - after;
    const earlyOk = this.offsetAt(early) === before;
    const lateOk = this.offsetAt(late) === after;
    if (earlyOk && lateOk) return Math.min(early, late); // repeated hour: the first one
    if (earlyOk) return early;
    if (lateOk) return late;
    return localMs - before; // skipped hour: shift forward by the gap
  }

  #rawOffset(utcMs: number): number {
    const t = Math.floor(utcMs / 1000) * 1000;
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const part of this.#format!.formatToParts(t)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        case 'era':
          bc = part.value === 'B' || part.value.startsWith('BC');
          break;
        default:
          break;
      }
    }
    if (bc) year = 1 - year;
    return utcFields(year, month, day, hour, minute, second, 0) - t;
  }
}

/** `Date.UTC` without its two-digit-year trap (`Date.UTC(99, …)` is 1999). */
export function utcFields(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year >= 100) return t;
  const d = new Date(t);
  d.setUTCFullYear(year);
  return d.getTime();
}

const ZONES = new Map<string, TimeZone | null>();
const UTC = new TimeZone('UTC', null);

/**
 * The zone named `name` (any spelling `Intl` accepts; `name` on the result is canonical), or `null` when
 * `Intl` does not know it. Cached: every call with the same name returns the same object.
 */
export function timeZoneFor(name: string): TimeZone | null {
  const cached = ZONES.get(name);
  if (cached !== undefined) return cached;
  // The default needs no Intl: a process's first DateTimeFormat loads ICU's zone data (~25 ms of CPU at
  // every start of the CLI, which resolves the default zone even when no cell is a date).
  if (name === 'UTC' || name === 'Etc/UTC') return UTC;
  let zone: TimeZone | null;
  try {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    const canonical = format.resolvedOptions().timeZone;
    zone = canonical === 'UTC' || canonical === 'Etc/UTC' ? UTC : new TimeZone(canonical, format);
  } catch {
    zone = null;
  }
  ZONES.set(name, zone);
  return zone;
}
