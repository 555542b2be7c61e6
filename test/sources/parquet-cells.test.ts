import { describe, expect, it } from 'vitest';
import {
  cellConverter,
  cellJson,
  formatDate,
  formatTimestamp,
  safeInteger,
  shortestFloat32,
  unsupportedParts,
  type TimestampField,
} from '../../src/sources/parquet/parquet-cells.js';

describe('formatDate', () => {
  it.each([
    [0, '1970-01-01'],
    [-1, '1969-12-31'],
    [11016, '2000-02-29'],
    [20785, '2026-11-28'],
    [2932896, '9999-12-31'],
    [2932897, '+010000-01-01'],
    [-719528, '0000-01-01'],
    [-719529, '-000001-12-31'],
    [2 ** 31 - 1, 'infinity'],
    [-(2 ** 31 - 1), '-infinity'],
  ])('%i days -> %s', (days, text) => {
    expect(formatDate(days)).toBe(text);
  });
});

describe('formatTimestamp', () => {
  it.each<[bigint, TimestampField, number, boolean, string]>([
    [1795860000123456n, 'micros', 6, false, '2026-11-28T10:00:00.123456'],
    [1795860000123456n, 'micros', 6, true, '2026-11-28T10:00:00.123456Z'],
    [1795860000123000n, 'micros', 3, false, '2026-11-28T10:00:00.123'], // MILLIS read as micros
    [1795860000123n, 'millis', 3, false, '2026-11-28T10:00:00.123'],
    [1795860000123456789n, 'nanos', 9, false, '2026-11-28T10:00:00.123456789'],
    [1795860000n, 'seconds', 0, false, '2026-11-28T10:00:00'],
    [0n, 'micros', 6, true, '1970-01-01T00:00:00.000000Z'],
    [-1n, 'micros', 6, false, '1969-12-31T23:59:59.999999'], // floors, not truncates
    [-1n, 'nanos', 9, false, '1969-12-31T23:59:59.999999999'],
    [-2208988799999999n, 'micros', 6, false, '1900-01-01T00:00:00.000001'],
    [2n ** 63n - 1n, 'micros', 6, false, 'infinity'],
    [-(2n ** 63n - 1n), 'micros', 6, false, '-infinity'],
  ])('%s %s -> %s', (count, field, digits, utc, text) => {
    expect(formatTimestamp(count, field, digits, utc)).toBe(text);
  });

  it('splits seconds and fraction as BigInt arithmetic does, near 2^53 and across the range', () => {
    // The reference split, in BigInt (what formatTimestamp computes in doubles for safe counts).
    const PER: Record<TimestampField, bigint> = { seconds: 1n, millis: 1000n, micros: 1_000_000n, nanos: 1_000_000_000n };
    const DIGITS: Record<TimestampField, number> = { seconds: 0, millis: 3, micros: 6, nanos: 9 };
    const expected = (count: bigint, field: TimestampField): string => {
      let seconds = count / PER[field];
      let fraction = count % PER[field];
      if (fraction < 0n) {
        fraction += PER[field];
        seconds -= 1n;
      }
      const frac = DIGITS[field] > 0 ? `.${fraction.toString().padStart(DIGITS[field], '0')}` : '';
      return `${formatTimestamp(seconds, 'seconds', 0, false)}${frac}`;
    };
    const safe = BigInt(Number.MAX_SAFE_INTEGER);
    const counts: bigint[] = [];
    for (const edge of [safe, -safe, safe + 1n, -safe - 1n, 0n, 1n, -1n]) for (let d = -3n; d <= 3n; d += 1n) counts.push(edge + d);
    for (const field of ['millis', 'micros', 'nanos'] as const) for (const k of [-9007199254n, 9007199254n, 1795860000n]) for (const d of [-1n, 0n, 1n]) counts.push(k * PER[field] + d);
    let seed = 3;
    for (let i = 0; i < 20_000; i += 1) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const big = (BigInt(seed) << 21n) ^ BigInt(Math.imul(seed, 2654435761) >>> 11);
      counts.push(i % 2 === 0 ? big : -big);
    }
    const differ: string[] = [];
    for (const field of ['seconds', 'millis', 'micros', 'nanos'] as const) {
      for (const count of counts) {
        const days = Number((count < 0n ? -count : count) / PER[field]) / 86400;
        if (days > 2_900_000) continue; // past year 9999 either way: another spelling, not this split
        if (formatTimestamp(count, field, DIGITS[field], false) !== expected(count, field)) differ.push(`${count} ${field}`);
      }
    }
    expect(differ).toEqual([]);
  });
});

describe('numbers', () => {
  it.each([
    [Math.fround(1.1), 1.1],
    [Math.fround(0.3), 0.3],
    [Math.fround(-0.5), -0.5],
    [Math.fround(3.4028235e38), 3.4028235e38],
    [Math.fround(1e-7), 1e-7],
    [Math.fround(16777217), 16777216],
    [Math.fround(0.1 + 0.2), 0.3],
    [Number.NaN, Number.NaN],
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
    [0, 0],
  ])('shortestFloat32(%d) = %d', (value, expected) => {
    expect(shortestFloat32(value)).toBe(expected);
    if (Number.isFinite(value)) expect(Math.fround(shortestFloat32(value))).toBe(value);
  });

  it('keeps INT64 as a number only while exact', () => {
    expect(safeInteger(9007199254740991n)).toBe(9007199254740991);
    expect(safeInteger(-9007199254740991n)).toBe(-9007199254740991);
    expect(safeInteger(9007199254740992n)).toBe(9007199254740992n);
    expect(safeInteger(-9223372036854775808n)).toBe(-9223372036854775808n);
  });
});

describe('nested values', () => {
  it('turns a STRUCT into JSON text, nested lists and maps included', () => {
    const convert = cellConverter({
      kind: 'struct',
      fields: [
        { name: 'a', type: { kind: 'bigint' } },
        { name: 'b "q"', type: { kind: 'text' } },
        { name: 'l', type: { kind: 'list', element: { kind: 'double' } } },
        { name: 'm', type: { kind: 'map', key: { kind: 'int' }, value: { kind: 'text' } } },
        { name: 'n', type: { kind: 'float' } },
      ],
    });
    const value = {
      entries: {
        a: 9007199254740993n,
        'b "q"': 'x',
        l: { items: [1.5, null, Number.NaN] },
        m: { entries: [{ key: 1, value: 'one' }] },
        n: null,
      },
    };
    // NaN stays a bare word (no JSON reader takes it, so a JSON key refuses it), never the string "NaN".
    expect(convert(value)).toBe('{"a":9007199254740993,"b \\"q\\"":"x","l":[1.5,null,NaN],"m":{"1":"one"},"n":null}');
  });

  it('turns a LIST into an array of cells', () => {
    expect(cellConverter({ kind: 'list', element: { kind: 'bigint' } })({ items: [1n, null, 2n ** 60n] })).toEqual([1, null, 2n ** 60n]);
  });

  it('names the unsupported parts of a type', () => {
    expect(
      unsupportedParts('c', {
        kind: 'struct',
        fields: [
          { name: 'ok', type: { kind: 'int' } },
          { name: 'bin', type: { kind: 'list', element: { kind: 'unsupported', sqlType: 'BLOB' } } },
        ],
      }),
    ).toEqual([{ path: 'c.bin[]', sqlType: 'BLOB' }]);
  });

  it('writes cells as JSON', () => {
    expect(cellJson([1, 2n, 'a', true, null, Number.POSITIVE_INFINITY])).toBe('[1,2,"a",true,null,Infinity]');
  });

  it('writes a DECIMAL inside a STRUCT as its exact number, and a LIST holding DECIMALs or STRUCTs as JSON text', () => {
    const decimal = { kind: 'text', decimal: true } as const;
    expect(cellConverter({ kind: 'struct', fields: [{ name: 'd', type: decimal }] })({ entries: { d: '12.50' } })).toBe('{"d":12.50}');
    expect(cellConverter({ kind: 'list', element: decimal })({ items: ['1.50', null] })).toBe('[1.50,null]');
    expect(cellConverter({ kind: 'list', element: { kind: 'struct', fields: [{ name: 'a', type: { kind: 'int' } }] } })({ items: [{ entries: { a: 1 } }] })).toBe('[{"a":1}]');
    expect(cellConverter({ kind: 'list', element: { kind: 'text' } })({ items: ['x', null] })).toEqual(['x', null]);
  });
});
