import { describe, expect, it } from 'vitest';
import { timeZoneFor, utcFields } from '../../src/coercion/time-zone.js';

describe('TimeZone', () => {
  it('is cached per name and null for unknown zones', () => {
    expect(timeZoneFor('Europe/Paris')).toBe(timeZoneFor('Europe/Paris'));
    expect(timeZoneFor('Mars/Base')).toBeNull();
  });

  it('offsets across a year in Paris', () => {
    const paris = timeZoneFor('Europe/Paris')!;
    expect(paris.offsetAt(Date.UTC(2026, 0, 1))).toBe(3_600_000);
    expect(paris.offsetAt(Date.UTC(2026, 6, 1))).toBe(7_200_000);
    // The transition instant itself: 2026-03-29T01:00Z.
    expect(paris.offsetAt(Date.UTC(2026, 2, 29, 0, 59, 59))).toBe(3_600_000);
    expect(paris.offsetAt(Date.UTC(2026, 2, 29, 1, 0, 0))).toBe(7_200_000);
  });

  it('a historical offset with seconds (Paris mean time before 1911) and a transition inside an hour', () => {
    const paris = timeZoneFor('Europe/Paris')!;
    expect(paris.offsetAt(Date.UTC(1900, 0, 1))).toBe((9 * 60 + 21) * 1000);
  });

  it('utcFields keeps years below 100', () => {
    expect(new Date(utcFields(99, 12, 31, 0, 0, 0, 0)).toISOString()).toBe('0099-12-31T00:00:00.000Z');
  });

  it('UTC is the identity', () => {
    const utc = timeZoneFor('UTC')!;
    expect(utc.localToUtc(123456)).toBe(123456);
    expect(utc.offsetAt(123456)).toBe(0);
  });
});
