/**
 * The fingerprint is defined by a canonical text (mapping/fingerprint.ts); the hot path hashes the same
 * code units without building it. These tests hold the two to the same 64 bits for every kind of value,
 * so "unchanged" is decided exactly as the text form decides it.
 */
import { describe, expect, it } from 'vitest';
import type { JsonValue, Metadata } from '../../src/encord/protocol/types.js';
import {
  entriesFingerprint,
  entriesFingerprintText,
  hash64,
  isoMillis,
  metadataFingerprint,
  metadataFingerprintText,
  numberText,
  type Fingerprint64,
  type FingerprintEntry,
  type FingerprintSpec,
} from '../../src/mapping/fingerprint.js';

/** A small deterministic generator (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Both undefined, or the same 64 bits. */
function sameFingerprint(a: Fingerprint64 | undefined, b: Fingerprint64 | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.hi === b.hi && a.lo === b.lo;
}

const ODD_UNITS = [0, 1, 7, 8, 9, 10, 12, 13, 0x1f, 0x20, 0x22, 0x27, 0x2f, 0x5c, 0x7f, 0xa0, 0x2028, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfeff, 0xffff];

function randomString(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 12);
  for (let i = 0; i < n; i += 1) {
    const pick = r();
    if (pick < 0.4) s += String.fromCharCode(0x61 + Math.floor(r() * 26));
    else if (pick < 0.6) s += String.fromCharCode(ODD_UNITS[Math.floor(r() * ODD_UNITS.length)]!);
    else if (pick < 0.7) s += '😀'; // a surrogate pair
    else if (pick < 0.8) s += 'Zürich東京';
    else s += String.fromCharCode(Math.floor(r() * 0x10000));
  }
  return s;
}

const NUMBERS = [0, -0, 1, -1, 7, 42, 1e21, 1e-7, 123456789012345680000, 2 ** 53, 2 ** 53 - 1, -(2 ** 53) + 1, 0.1, -0.5, 3.14159, 1.7976931348623157e308, 5e-324, 65.123456];

function randomValue(r: () => number, depth = 0): JsonValue {
  const pick = r();
  if (pick < 0.25) return randomString(r);
  if (pick < 0.45) return r() < 0.5 ? NUMBERS[Math.floor(r() * NUMBERS.length)]! : (r() - 0.5) * 10 ** Math.floor(r() * 12);
  if (pick < 0.5) return r() < 0.5;
  if (pick < 0.55) return null;
  if (depth > 2) return 'leaf';
  if (pick < 0.75) return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
  const out: Record<string, JsonValue> = {};
  for (let i = Math.floor(r() * 4); i > 0; i -= 1) out[randomString(r)] = randomValue(r, depth + 1);
  return out;
}

const DATETIMES = [
  '2026-01-01T00:00:00.865Z',
  '2024-02-29T23:59:59.999Z',
  '2023-02-29T00:00:00.000Z', // no such day
  '2026-04-31T00:00:00.000Z',
  '2026-13-01T00:00:00.000Z',
  '2026-01-01T24:00:00.000Z',
  '2026-01-01T23:60:00.000Z',
  '0999-01-01T00:00:00.000Z',
  '0050-06-15T12:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '2026-01-01T00:00:00.000z',
  '2026-01-01T00:00:00.000+01:00',
  '2026-01-01T00:00:00Z',
  '2026-01-01 00:00:00.000Z',
  '2026-01-01T00:00:00',
  '2026-1-01T00:00:00.000Z',
  '2026-0a-01T00:00:00.000Z',
  '+02026-01-01T00:00:00.000Z',
  'Zürich',
  'not a date',
  '',
];

describe('isoMillis is Date.parse', () => {
  it('for every listed spelling, and for random in-range and out-of-range fields', () => {
    for (const s of DATETIMES) expect(Object.is(isoMillis(s), Date.parse(s)), s).toBe(true);
    const r = rng(7);
    const pad = (n: number, w: number): string => String(n).padStart(w, '0');
    const differ: string[] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const s = `${pad(Math.floor(r() * 10_000), 4)}-${pad(Math.floor(r() * 14), 2)}-${pad(Math.floor(r() * 33), 2)}T${pad(Math.floor(r() * 26), 2)}:${pad(Math.floor(r() * 61), 2)}:${pad(Math.floor(r() * 61), 2)}.${pad(Math.floor(r() * 1000), 3)}Z`;
      if (!Object.is(isoMillis(s), Date.parse(s))) differ.push(s);
    }
    expect(differ).toEqual([]);
  });
});

describe('a number is spelled by its bits', () => {
  it('two numbers have one spelling exactly when their JSON texts are equal (so "unchanged" is decided as before)', () => {
    const r = rng(99);
    const pool = [...NUMBERS, Number.NaN, Infinity, -Infinity, 0.1 + 0.2, 0.3, 1 / 3, Number.MIN_VALUE, -Number.MAX_VALUE];
    for (let i = 0; i < 200; i += 1) pool.push((r() - 0.5) * 10 ** Math.floor(r() * 40 - 20), Number((r() * 100).toFixed(6)));
    const differ: string[] = [];
    for (const a of pool) {
      for (const b of pool) if ((numberText(a) === numberText(b)) !== (JSON.stringify(a) === JSON.stringify(b))) differ.push(`${a} ${b}`);
      // A stored number comes back from JSON text: the same spelling as the value that was written.
      if (Number.isFinite(a) && numberText(JSON.parse(JSON.stringify(a)) as number) !== numberText(a)) differ.push(`${a} round trip`);
    }
    expect(differ).toEqual([]);
    expect(numberText(-0)).toBe(numberText(0));
    expect(numberText(Number.NaN)).toBe('null');
  });
});

describe('the streamed fingerprint is the hash of the canonical text', () => {
  it('pins the text: a file key and its value, as "key"=VALUE; and @<ms> for a datetime', () => {
    const spec: FingerprintSpec = { replace: false, fields: [{ key: 'city', type: 'string' }, { key: 'at', type: 'datetime' }] };
    const text = `"at"=@${Date.parse('2026-01-01T00:00:00.865Z')};"city"="Z\\"ü\\n";`;
    expect(metadataFingerprint({ city: 'Z"ü\n', at: '2026-01-01T00:00:00.865Z' }, spec)).toEqual(hash64(text));
    const gps: FingerprintSpec = { replace: false, fields: [{ key: 'gps', type: 'geospatial' }] };
    expect(metadataFingerprint({ gps: { longitude: 2.5, latitude: -1 } }, gps)).toEqual(hash64(`"gps"={"latitude":${numberText(-1)},"longitude":${numberText(2.5)}};`));
    const entries: FingerprintEntry[] = [
      { key: 'city', value: 'Z"ü\n', type: 'string' },
      { key: 'at', value: '2026-01-01T00:00:00.865Z', type: 'datetime' },
    ];
    expect(entriesFingerprint(entries, spec)).toEqual(hash64(text));
  });

  it('every single code unit in a value and in a key (escapes, lone surrogates)', () => {
    const spec: FingerprintSpec = { replace: true, fields: [{ key: 'k', type: 'string' }] };
    const differ: number[] = [];
    for (let c = 0; c < 0x10000; c += 1) {
      const s = `a${String.fromCharCode(c)}`;
      const metadata: Metadata = { k: s, [s]: [s, { [s]: s }] };
      const fast = metadataFingerprint(metadata, spec);
      const slow = metadataFingerprintText(metadata, spec);
      if (fast.hi !== slow.hi || fast.lo !== slow.lo) differ.push(c);
    }
    expect(differ).toEqual([]);
  });

  it('random metadata, both modes, datetimes in and out of the fast form', () => {
    const r = rng(42);
    const keys = ['a', 'b', 'city', 'at', 'keyframes', 'émoji😀', 'x"y'];
    const differ: string[] = [];
    for (let i = 0; i < 3000; i += 1) {
      const fields = keys.filter(() => r() < 0.6).map((key) => ({ key, type: r() < 0.4 ? 'datetime' : 'string' }));
      const spec: FingerprintSpec = { replace: r() < 0.5, fields };
      const metadata: Metadata = {};
      for (const key of keys) {
        if (r() < 0.3) continue;
        metadata[key] = r() < 0.3 ? DATETIMES[Math.floor(r() * DATETIMES.length)]! : randomValue(r);
      }
      // Compared here, one expect at the end: a message built for each of 3000 cases cost more than the cases.
      if (!sameFingerprint(metadataFingerprint(metadata, spec), metadataFingerprintText(metadata, spec))) differ.push(JSON.stringify({ metadata, spec }));
    }
    expect(differ).toEqual([]);
  });

  it('random rows: missing keys, removals, keys outside the spec, a key twice, reserved keys', () => {
    const r = rng(1234);
    const keys = ['a', 'b', 'city', 'at', 'keyframes', 'z'];
    const DEL = Symbol('delete');
    const differ: string[] = [];
    let decided = 0;
    for (let i = 0; i < 5000; i += 1) {
      const fields = keys.filter((k) => k !== 'z' && r() < 0.8).map((key) => ({ key, type: r() < 0.4 ? 'datetime' : 'string' }));
      const spec: FingerprintSpec = { replace: r() < 0.5, fields };
      const entries: FingerprintEntry[] = [];
      for (const f of [...fields, ...(r() < 0.1 ? [{ key: 'z', type: 'string' }] : []), ...(r() < 0.1 && fields.length > 0 ? [fields[0]!] : [])]) {
        if (r() < 0.1) continue;
        const pick = r();
        const value = pick < 0.1 ? DEL : pick < 0.15 ? undefined : pick < 0.4 ? DATETIMES[Math.floor(r() * DATETIMES.length)]! : randomValue(r);
        entries.push({ key: f.key, value, type: f.type });
      }
      const fast = entriesFingerprint(entries, spec, DEL);
      if (!sameFingerprint(fast, entriesFingerprintText(entries, spec, DEL))) differ.push(JSON.stringify({ entries, spec }));
      if (fast !== undefined) decided += 1;
    }
    expect(differ).toEqual([]);
    expect(decided).toBeGreaterThan(1000); // the comparison covered rows that have a fingerprint
  });

  it('a spec naming one key twice keeps the text rules', () => {
    const spec: FingerprintSpec = { replace: false, fields: [{ key: 'a', type: 'string' }, { key: 'a', type: 'datetime' }] };
    const metadata: Metadata = { a: '2026-01-01T00:00:00.000Z' };
    expect(metadataFingerprint(metadata, spec)).toEqual(metadataFingerprintText(metadata, spec));
    const entries: FingerprintEntry[] = [{ key: 'a', value: '2026-01-01T00:00:00.000Z', type: 'datetime' }];
    expect(entriesFingerprint(entries, spec)).toEqual(entriesFingerprintText(entries, spec));
  });

  it('a row unchanged from its stored value has the stored fingerprint (datetime spellings by instant)', () => {
    const spec: FingerprintSpec = { replace: false, fields: [{ key: 'at', type: 'datetime' }, { key: 'gps', type: 'geospatial' }, { key: 'e', type: 'embedding' }] };
    const stored: Metadata = { at: '2026-01-01T01:00:00.000+01:00', gps: { longitude: 2.5, latitude: -1 }, e: [0.1, -0.25, 3] };
    const row: FingerprintEntry[] = [
      { key: 'at', value: '2026-01-01T00:00:00.000Z', type: 'datetime' },
      { key: 'gps', value: { latitude: -1, longitude: 2.5 }, type: 'geospatial' },
      { key: 'e', value: [0.1, -0.25, 3], type: 'embedding' },
    ];
    expect(entriesFingerprint(row, spec)).toEqual(metadataFingerprint(stored, spec));
    expect(entriesFingerprint([...row.slice(0, 2), { key: 'e', value: [0.1, -0.25, 3.0000001], type: 'embedding' }], spec)).not.toEqual(metadataFingerprint(stored, spec));
  });
});
