/**
 * The dataset index (issue 10 §2): what it keeps of a listing is enough to resolve every key kind and to
 * say "unchanged" only when `wouldChange` says so, without holding the units' metadata.
 */
import { describe, expect, it } from 'vitest';
import type { DataUnit } from '../../src/encord/metadata-store.js';
import type { JsonValue, Metadata } from '../../src/encord/protocol/types.js';
import { DatasetIndex, uuidBytes, uuidText } from '../../src/mapping/dataset-index.js';
import { metadataFingerprint, type FingerprintSpec } from '../../src/mapping/fingerprint.js';
import { DELETE, rowFingerprint, wouldChange, type UpdateEntry } from '../../src/pipeline/merge.js';

const unit = (index: number, dataHash: string, title: string, backingItemUuid: string | null, metadata: Metadata | null = {}): DataUnit => ({
  index,
  dataHash,
  title,
  dataType: 'IMAGE',
  backingItemUuid,
  metadata,
});

describe('the index keeps identities exactly, in a few bytes per unit', () => {
  it('uuids round-trip through their 16 bytes; other spellings are kept as written', () => {
    const bytes = new Uint8Array(16);
    expect(uuidBytes('3fa85f64-5717-4562-b3fc-2c963f66afa6', bytes, 0)).toBe(true);
    expect(uuidText(bytes, 0)).toBe('3fa85f64-5717-4562-b3fc-2c963f66afa6');
    expect(uuidBytes('3FA85F64-5717-4562-B3FC-2C963F66AFA6', bytes, 0)).toBe(false);
    const index = new DatasetIndex({ replace: false, fields: [], keep: [] });
    index.add(unit(0, '3FA85F64-5717-4562-B3FC-2C963F66AFA6', 'a', null));
    index.add(unit(1, 'legacy-hash-1', 'b', 'ITEM-not-a-uuid'));
    expect(index.dataHash(0)).toBe('3FA85F64-5717-4562-B3FC-2C963F66AFA6');
    expect(index.dataHash(1)).toBe('legacy-hash-1');
    expect(index.item(1)).toBe('ITEM-not-a-uuid');
    expect(index.findHash('legacy-hash-1')).toBe(1);
    expect(index.findItem('ITEM-not-a-uuid')).toBe(1);
  });

  it('titles: any text, found exactly; two units with one title are both found (the key is ambiguous)', () => {
    const index = new DatasetIndex({ replace: false, fields: [], keep: [] });
    const titles = ['cam/ünïcödé 🎥.jpg', 'dup.jpg', '', 'dup.jpg', 'dup.jpg ', 'x'.repeat(500)];
    titles.forEach((t, i) => index.add(unit(i, `d0000000-0000-4000-8000-${String(i).padStart(12, '0')}`, t, null)));
    titles.forEach((t, i) => expect(index.title(i)).toBe(t));
    expect(index.findTitle('dup.jpg')).toEqual([1, 3]);
    expect(index.findTitle('cam/ünïcödé 🎥.jpg')).toEqual([0]);
    expect(index.findTitle('nope')).toEqual([]);
  });

  it('units of one storage item share one write target, the first of them', () => {
    const item = 'aaaaaaaa-0000-4000-8000-00000000beef';
    const index = new DatasetIndex({ replace: false, fields: [], keep: [] });
    for (let i = 0; i < 5000; i += 1) {
      const own = `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, '0')}`;
      index.add(unit(i, `d0000000-0000-4000-8000-${String(i).padStart(12, '0')}`, `t${i}`, i % 1000 === 7 ? item : own));
    }
    expect(index.unitsOfItemOf(4007)).toEqual([7, 1007, 2007, 3007, 4007]);
    expect(index.canonical(3007)).toBe(7);
    expect(index.isShared(7)).toBe(true);
    expect(index.isShared(8)).toBe(false);
    expect(index.findItem('bbbbbbbb-0000-4000-8000-000000004999')).toBe(4999);
    expect(index.findHash('d0000000-0000-4000-8000-000000002500')).toBe(2500);
  });


  it('a listing large enough for its arrays to grow in place keeps every unit, compacted or not, and keeps growing after compact', () => {
    // 100k units: the 16-byte hash and item arrays pass 1 MiB, where they move to resizable buffers.
    const n = 100_000;
    const id = (prefix: string, i: number): string => `${prefix}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const spec: FingerprintSpec = { replace: false, fields: [{ key: 'k', type: 'number' }] };
    const index = new DatasetIndex({ ...spec, keep: [], backed: true });
    for (let i = 0; i < n; i += 1) index.add(unit(i, id('d0000000', i), `cam/frame-${i}.jpg`, id('bbbbbbbb', i % 10 === 3 ? i - 3 : i), { k: i }), i);
    const check = (): void => {
      for (const i of [0, 1, 65_535, 65_536, 99_990, n - 1]) {
        expect(index.dataHash(i)).toBe(id('d0000000', i));
        expect(index.title(i)).toBe(`cam/frame-${i}.jpg`);
        expect(index.findHash(id('d0000000', i))).toBe(i);
        expect(index.findTitle(`cam/frame-${i}.jpg`)).toEqual([i]);
        expect(index.fingerprintIs(i, metadataFingerprint({ k: i }, spec))).toBe(true);
        expect(index.backed(i)).toBe(i);
      }
      expect(index.canonical(99_993)).toBe(99_990);
      expect(index.findItem(id('bbbbbbbb', n - 1))).toBe(n - 1);
    };
    check();
    index.compact();
    expect(index.unitCount).toBe(n);
    check();
    index.add(unit(n, id('d0000000', n), `cam/frame-${n}.jpg`, id('bbbbbbbb', n - 10), { k: n }), n);
    expect(index.dataHash(n)).toBe(id('d0000000', n));
    expect(index.title(n)).toBe(`cam/frame-${n}.jpg`);
    expect(index.canonical(n)).toBe(n - 10);
    expect(index.title(n - 1)).toBe(`cam/frame-${n - 1}.jpg`);
  });
  it('a listing retried from its start replaces what was indexed (no unit counted twice)', () => {
    const index = new DatasetIndex({ replace: false, fields: [], keep: [] });
    index.add(unit(0, 'd0000000-0000-4000-8000-000000000000', 'a', 'aaaaaaaa-0000-4000-8000-000000000000'));
    index.add(unit(1, 'd0000000-0000-4000-8000-000000000001', 'b', null));
    index.add(unit(0, 'd0000000-0000-4000-8000-000000000000', 'a', 'aaaaaaaa-0000-4000-8000-000000000000'));
    expect(index.unitCount).toBe(1);
    expect(index.isShared(0)).toBe(false);
  });

  it('holds no metadata: a unit view carries only the keys a cell is read against', () => {
    const index = new DatasetIndex({ replace: false, fields: [{ key: 'city', type: 'string' }], keep: ['notes'] });
    index.add(unit(0, 'd0000000-0000-4000-8000-000000000000', 'a', null, { city: 'Paris', notes: '5', secret: 'x'.repeat(1000) }));
    index.add(unit(1, 'd0000000-0000-4000-8000-000000000001', 'b', null, null));
    expect(index.unit(0).metadata).toEqual({ notes: '5' });
    expect(index.unit(1).metadata).toBeNull(); // unknown stays unknown, never "empty"
  });
});

const spec = (replace: boolean, fields: [string, string][]): FingerprintSpec => ({ replace, fields: fields.map(([key, type]) => ({ key, type })) });
const e = (key: string, value: JsonValue | typeof DELETE, type = 'string'): UpdateEntry => ({ key, value, type });

describe('same-or-refused: the fingerprint says "unchanged" only when wouldChange says so', () => {
  const cases: [string, Metadata, UpdateEntry[], FingerprintSpec, boolean][] = [
    // [what, current, update, spec, fingerprint must say unchanged]
    ['equal text', { city: 'Paris', other: 1 }, [e('city', 'Paris')], spec(false, [['city', 'string']]), true],
    ['different text', { city: 'Paris' }, [e('city', 'Lyon')], spec(false, [['city', 'string']]), false],
    ['the number 1 is not the text "1"', { n: '1' }, [e('n', 1, 'number')], spec(false, [['n', 'number']]), false],
    ['objects equal whatever their key order', { gps: { longitude: 2, latitude: 1 } }, [e('gps', { latitude: 1, longitude: 2 }, 'geospatial')], spec(false, [['gps', 'geospatial']]), true],
    ['null is not an absent key', {}, [e('city', null)], spec(false, [['city', 'string']]), false],
    ['removing an absent key changes nothing', {}, [e('city', DELETE)], spec(false, [['city', 'string']]), true],
    ['removing a present key changes it', { city: 'x' }, [e('city', DELETE)], spec(false, [['city', 'string']]), false],
    ['a datetime with a zone, spelt otherwise, is the same instant', { t: '2026-11-28T10:00:00Z' }, [e('t', '2026-11-28T10:00:00.000Z', 'datetime')], spec(false, [['t', 'datetime']]), true],
    ['a stored datetime without a zone is never taken as equal by instant', { t: '2026-11-28T10:00:00' }, [e('t', '2026-11-28T10:00:00.000Z', 'datetime')], spec(false, [['t', 'datetime']]), false],
    ['a text key is compared as text, never as an instant', { t: '2026-11-28T10:00:00Z' }, [e('t', '2026-11-28T10:00:00.000Z')], spec(false, [['t', 'string']]), false],
    ['replace: another key the unit holds would be removed', { city: 'Paris', other: 1 }, [e('city', 'Paris')], spec(true, [['city', 'string']]), false],
    ['replace: keyframes are kept, so they change nothing', { city: 'Paris', keyframes: [1] }, [e('city', 'Paris')], spec(true, [['city', 'string']]), true],
    ['a key named __proto__ is a key like any other', JSON.parse('{"__proto__":"a"}') as Metadata, [e('__proto__', 'b')], spec(false, [['__proto__', 'string']]), false],
  ];
  it.each(cases)('%s', (_what, current, update, s, skip) => {
    const fp = rowFingerprint(update, s);
    const held = metadataFingerprint(current, s);
    const equal = fp !== undefined && fp.hi === held.hi && fp.lo === held.lo;
    expect(equal).toBe(skip);
    if (equal) expect(wouldChange(current, update, s.replace ? 'replace' : 'merge')).toBe(false);
  });

  it('merge mode: a row that leaves a file key out has no fingerprint (the fresh read decides)', () => {
    expect(rowFingerprint([e('city', 'Paris')], spec(false, [['city', 'string'], ['speed', 'number']]))).toBeUndefined();
  });
});
