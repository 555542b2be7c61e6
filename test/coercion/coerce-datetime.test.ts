import { describe, expect, it } from 'vitest';
import { coerceDatetime } from '../../src/coercion/coerce-datetime.js';
import { resolveCoercionOptions } from '../../src/coercion/coercion-options.js';
import type { Cell } from '../../src/sources/source.js';

const utc = resolveCoercionOptions();
const paris = resolveCoercionOptions({ timezone: 'Europe/Paris' });
const dmy = resolveCoercionOptions({ dateFormat: 'dd/mm/yyyy' });
const mdy = resolveCoercionOptions({ dateFormat: 'mm/dd/yyyy' });

describe('coerceDatetime: accepted, output is YYYY-MM-DDTHH:mm:ss.sssZ', () => {
  it.each<[string, Cell, string]>([
    ['ISO with offset', '2026-11-28T10:00:00+01:00', '2026-11-28T09:00:00.000Z'],
    ['ISO with Z', '2026-11-28T10:00:00Z', '2026-11-28T10:00:00.000Z'],
    ['ISO with lower-case z', '2026-11-28t10:00:00z', '2026-11-28T10:00:00.000Z'],
    ['offset without colon', '2026-11-28T10:00:00-0530', '2026-11-28T15:30:00.000Z'],
    ['offset hours only', '2026-11-28T10:00+02', '2026-11-28T08:00:00.000Z'],
    ['space separator and UTC suffix', '2026-11-28 10:00:00 UTC', '2026-11-28T10:00:00.000Z'],
    ['offset crossing midnight', '2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000Z'],
    ['yyyymmdd', '20261128', '2026-11-28T00:00:00.000Z'],
    ['Parquet INT yyyymmdd', 20261128, '2026-11-28T00:00:00.000Z'],
    ['yyyy-mm-dd (a Parquet DATE too)', '2026-11-28', '2026-11-28T00:00:00.000Z'],
    ['yyyy/mm/dd is not ambiguous', '2026/11/28', '2026-11-28T00:00:00.000Z'],
    ['yyyy-mm-dd hh:mm', '2026-11-28 10:05', '2026-11-28T10:05:00.000Z'],
    ['yyyy-mm-dd hh:mm:ss', '2026-11-28 10:05:07', '2026-11-28T10:05:07.000Z'],
    ['fraction of 1 digit', '2026-11-28T10:05:07.5', '2026-11-28T10:05:07.500Z'],
    ['fraction of 3 digits', '2026-11-28T10:05:07.123', '2026-11-28T10:05:07.123Z'],
    ['microseconds are truncated, not rounded', '2026-11-28T10:05:07.123999', '2026-11-28T10:05:07.123Z'],
    ['Parquet nanoseconds truncated', '2026-12-31T23:59:59.999999999Z', '2026-12-31T23:59:59.999Z'],
    ['trimmed', '  2026-11-28  ', '2026-11-28T00:00:00.000Z'],
    ['leap day in a leap year', '2028-02-29', '2028-02-29T00:00:00.000Z'],
    ['2000 is a leap year', '2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['year 0099 is not 1999', '0099-01-01', '0099-01-01T00:00:00.000Z'],
  ])('%s: %o → %s', (_what, cell, expected) => {
    expect(coerceDatetime(cell, utc)).toEqual({ kind: 'value', value: expected });
  });

  it.each<[string, Cell]>([
    ['empty', ''],
    ['blanks', '  '],
    ['NULL', null],
  ])('%s is empty', (_what, cell) => {
    expect(coerceDatetime(cell, utc)).toEqual({ kind: 'empty' });
  });
});

describe('coerceDatetime: calendar and format errors', () => {
  it.each<[string, Cell, string, string]>([
    ['2026 is not a leap year', '2026-02-29', 'INVALID_DATETIME', '2026 is not a leap year'],
    ['no 30 February', '2026-02-30', 'INVALID_DATETIME', 'February 2026 has 28 days'],
    ['no month 13', '2026-13-01', 'INVALID_DATETIME', 'month 13 does not exist'],
    ['no 31 April', '2026-04-31', 'INVALID_DATETIME', 'April 2026 has 30 days'],
    ['no day 0', '2026-01-00', 'INVALID_DATETIME', 'January 2026 has 31 days'],
    ['hour 24', '2026-11-28T24:00:00Z', 'INVALID_DATETIME', 'time of day out of range'],
    ['leap second', '2026-12-31T23:59:60Z', 'INVALID_DATETIME', 'time of day out of range'],
    ['compact with bad day', '20260231', 'INVALID_DATETIME', 'February 2026 has 28 days'],
    ['a zone on a bare date', '2026-11-28Z', 'INVALID_DATETIME', 'a zone needs a time of day'],
    ['offset out of range', '2026-11-28T10:00:00+25:00', 'INVALID_DATETIME', 'offset +25:00 out of range'],
    ['a city name', 'Paris', 'INVALID_DATETIME', 'expected an ISO 8601 date or date-time such as 2026-11-28 or 2026-11-28T10:00:00Z, got "Paris"'],
    ['N/A', 'N/A', 'INVALID_DATETIME', 'for a missing value leave the cell empty'],
    ['epoch seconds are not dates', 1764324000, 'INVALID_DATETIME', 'got number 1764324000'],
    ['a non-integer number', 2026.5, 'INVALID_DATETIME', 'got number 2026.5'],
    ['a boolean', false, 'INVALID_DATETIME', 'got boolean false'],
    ['slash date without --date-format', '28/11/2026', 'AMBIGUOUS_DATE', 'pass --date-format dd/mm/yyyy or mm/dd/yyyy (looks like dd/mm/yyyy)'],
    ['slash date that could be either', '03/04/2026', 'AMBIGUOUS_DATE', 'Ambiguous date: expected an ISO 8601 date such as 2026-11-28, got "03/04/2026"; pass --date-format'],
    ['31/02/2026 without --date-format', '31/02/2026', 'AMBIGUOUS_DATE', 'pass --date-format'],
  ])('%s: %o', (_what, cell, code, message) => {
    const result = coerceDatetime(cell, utc);
    expect(result).toMatchObject({ kind: 'error', code });
    expect(result.kind === 'error' && result.message).toContain(message);
  });
});

describe('coerceDatetime: --date-format', () => {
  it.each<[string, string, ReturnType<typeof resolveCoercionOptions>, string]>([
    ['dd/mm/yyyy', '28/11/2026', dmy, '2026-11-28T00:00:00.000Z'],
    ['dd.mm.yyyy', '28.11.2026', dmy, '2026-11-28T00:00:00.000Z'],
    ['dd-mm-yyyy with time', '28-11-2026 10:30', dmy, '2026-11-28T10:30:00.000Z'],
    ['d/m/yyyy', '3/4/2026', dmy, '2026-04-03T00:00:00.000Z'],
    ['mm/dd/yyyy', '11/28/2026', mdy, '2026-11-28T00:00:00.000Z'],
    ['mm/dd/yyyy with offset', '11/28/2026 10:00:00+01:00', mdy, '2026-11-28T09:00:00.000Z'],
    ['ISO still works with a date format', '2026-11-28', dmy, '2026-11-28T00:00:00.000Z'],
  ])('%s: %s', (_what, cell, options, expected) => {
    expect(coerceDatetime(cell, options)).toEqual({ kind: 'value', value: expected });
  });

  it.each<[string, string, ReturnType<typeof resolveCoercionOptions>, string]>([
    ['31/02/2026 as dd/mm', '31/02/2026', dmy, 'February 2026 has 28 days'],
    ['28/11/2026 as mm/dd', '28/11/2026', mdy, 'month 28 does not exist'],
  ])('%s: %s is refused', (_what, cell, options, message) => {
    const result = coerceDatetime(cell, options);
    expect(result).toMatchObject({ kind: 'error', code: 'INVALID_DATETIME' });
    expect(result.kind === 'error' && result.message).toContain(message);
  });
});

describe('coerceDatetime: naive times in --timezone Europe/Paris', () => {
  it.each<[string, string, string]>([
    ['winter (UTC+1)', '2026-01-15 10:00', '2026-01-15T09:00:00.000Z'],
    ['summer (UTC+2)', '2026-07-15 10:00', '2026-07-15T08:00:00.000Z'],
    ['a bare date is local midnight', '2026-07-15', '2026-07-14T22:00:00.000Z'],
    ['Parquet naive TIMESTAMP', '2026-07-15T10:00:00.250000', '2026-07-15T08:00:00.250Z'],
    // 2026-10-25: 03:00 CEST → 02:00 CET, so 02:30 happens twice. We take the first (CEST, +02:00),
    // like Temporal's 'compatible', java.time and Python's fold=0.
    ['DST-ambiguous 02:30 on 2026-10-25 → the earlier instant', '2026-10-25 02:30', '2026-10-25T00:30:00.000Z'],
    ['just after the repeated hour', '2026-10-25 03:00', '2026-10-25T02:00:00.000Z'],
    // 2026-03-29: 02:00 CET → 03:00 CEST, so 02:30 does not exist. It moves forward by the gap (→ 03:30 CEST).
    ['DST-skipped 02:30 on 2026-03-29 → shifted forward', '2026-03-29 02:30', '2026-03-29T01:30:00.000Z'],
    ['just before the gap', '2026-03-29 01:59', '2026-03-29T00:59:00.000Z'],
    ['an explicit offset ignores --timezone', '2026-07-15T10:00:00Z', '2026-07-15T10:00:00.000Z'],
  ])('%s: %s', (_what, cell, expected) => {
    expect(coerceDatetime(cell, paris)).toEqual({ kind: 'value', value: expected });
  });

  it('other zones: New York (UTC-5 in winter), Kolkata (UTC+5:30, no DST)', () => {
    const ny = resolveCoercionOptions({ timezone: 'America/New_York' });
    const kolkata = resolveCoercionOptions({ timezone: 'Asia/Kolkata' });
    expect(coerceDatetime('2026-01-15 10:00', ny)).toEqual({ kind: 'value', value: '2026-01-15T15:00:00.000Z' });
    expect(coerceDatetime('2026-01-15 10:00', kolkata)).toEqual({ kind: 'value', value: '2026-01-15T04:30:00.000Z' });
  });
});

describe('datetime years are 0001 to 9999 (exact or refused)', () => {
  const utc = resolveCoercionOptions();
  it.each<[string, Cell]>([
    ['year 0000', '0000-01-01'],
    ['year 0000 with a time', '0000-12-31T23:59:59Z'],
    ['year 0001 that is year 0000 in UTC', '0001-01-01T00:30:00+01:00'],
    ['a five-digit year', '10000-01-01'],
    ['a Parquet DATE past 9999', '+010000-01-01'],
    ['9999 that is 10000 in UTC', '9999-12-31T23:00:00-02:00'],
  ])('%s is refused with INVALID_DATETIME', (_what, cell) => {
    expect(coerceDatetime(cell, utc)).toMatchObject({ kind: 'error', code: 'INVALID_DATETIME' });
  });

  it('the first and last instants of the range import', () => {
    expect(coerceDatetime('0001-01-01', utc)).toEqual({ kind: 'value', value: '0001-01-01T00:00:00.000Z' });
    expect(coerceDatetime('9999-12-31T23:59:59.999Z', utc)).toEqual({ kind: 'value', value: '9999-12-31T23:59:59.999Z' });
  });
});

describe('12-hour clock times as US spreadsheets write them (with --date-format)', () => {
  const us = resolveCoercionOptions({ dateFormat: 'mm/dd/yyyy' });
  it.each([
    ['11/13/2026 8:19:40 AM', '2026-11-13T08:19:40.000Z'],
    ['11/13/2026 8:19:40 PM', '2026-11-13T20:19:40.000Z'],
    ['11/13/2026 12:05 AM', '2026-11-13T00:05:00.000Z'],
    ['11/13/2026 12:05 PM', '2026-11-13T12:05:00.000Z'],
    ['11/13/2026 1:00:00 p.m.', '2026-11-13T13:00:00.000Z'],
    ['11/13/2026 11:59:59.5pm', '2026-11-13T23:59:59.500Z'],
  ])('%s → %s', (text, iso) => {
    expect(coerceDatetime(text, us)).toEqual({ kind: 'value', value: iso });
  });
  it.each(['11/13/2026 0:10 AM', '11/13/2026 13:10 PM', '11/13/2026 8:61 AM'])('%s is refused', (text) => {
    expect(coerceDatetime(text, us)).toMatchObject({ kind: 'error', code: 'INVALID_DATETIME' });
  });
  it('without --date-format the date is still ambiguous', () => {
    expect(coerceDatetime('11/13/2026 8:19:40 AM', resolveCoercionOptions({}))).toMatchObject({ kind: 'error', code: 'AMBIGUOUS_DATE' });
  });
});

describe('coerceDatetime: text already in the canonical form (any number of fraction digits)', () => {
  it('reads as the same instant as its other spellings, and the same cells fail, for random fields in and out of range', () => {
    // The canonical form is read without the general parser; `T` → ` ` (and `Z` → ` UTC`) sends the same
    // moment through it, so both must give one value or both fail with one reason.
    let seed = 11;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const pad = (n: number, w: number): string => String(n).padStart(w, '0');
    const differ: string[] = [];
    const cases = ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z', '2024-02-29T12:00:00.000Z', '2023-02-29T12:00:00.000Z', '0099-03-01T00:00:00.000Z'];
    for (let i = 0; i < 20_000; i += 1) {
      const fraction = String(next(10 ** 9)).padStart(9, '0').slice(0, 1 + next(9)); // 1 to 9 digits (Parquet writes 6)
      cases.push(`${pad(next(10_000), 4)}-${pad(next(14), 2)}-${pad(next(33), 2)}T${pad(next(26), 2)}:${pad(next(62), 2)}:${pad(next(62), 2)}.${next(20) === 0 ? `${fraction}x` : fraction}Z`);
    }
    for (const text of cases) {
      const canonical = coerceDatetime(text, paris);
      const spelled = `${text.slice(0, 10)} ${text.slice(11, -1)} UTC`;
      const general = coerceDatetime(spelled, paris);
      const same = canonical.kind === 'value' ? general.kind === 'value' && general.value === canonical.value : canonical.kind === general.kind && JSON.stringify(canonical).replaceAll(text, '') === JSON.stringify(general).replaceAll(spelled, '');
      if (!same) differ.push(text);
    }
    expect(differ).toEqual([]);
    expect(coerceDatetime('2026-01-01T00:00:00.865000Z', paris)).toEqual({ kind: 'value', value: '2026-01-01T00:00:00.865Z' });
    expect(coerceDatetime('2026-01-01T00:00:00.8Z', paris)).toEqual({ kind: 'value', value: '2026-01-01T00:00:00.800Z' });
  });
});
