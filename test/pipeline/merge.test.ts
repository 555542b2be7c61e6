import { describe, expect, it } from 'vitest';
import type { Metadata } from '../../src/encord/protocol/types.js';
import { DELETE, applyUpdate, jsonEqual, wouldChange, type UpdateEntry } from '../../src/pipeline/merge.js';

const cases: [string, Metadata, UpdateEntry[]][] = [
  ['same value', { a: 1 }, [{ key: 'a', value: 1, type: 'number' }]],
  ['new key', { a: 1 }, [{ key: 'b', value: 1, type: 'number' }]],
  ['changed value', { a: 1 }, [{ key: 'a', value: 2, type: 'number' }]],
  ['delete absent key', { a: 1 }, [{ key: 'b', value: DELETE, type: 'number' }]],
  ['delete present key', { a: 1 }, [{ key: 'a', value: DELETE, type: 'number' }]],
  ['same instant, other spelling', { t: '2026-11-28T10:00:00Z' }, [{ key: 't', value: '2026-11-28T10:00:00.000Z', type: 'datetime' }]],
  ['other instant', { t: '2026-11-28T10:00:00Z' }, [{ key: 't', value: '2026-11-28T11:00:00.000Z', type: 'datetime' }]],
  ['nested equal, key order differs', { g: { latitude: 1, longitude: 2 } }, [{ key: 'g', value: { longitude: 2, latitude: 1 }, type: 'geospatial' }]],
  ['array differs', { e: [1, 2] }, [{ key: 'e', value: [1, 3], type: 'embedding' }]],
  ['null stays null', { n: null }, [{ key: 'n', value: null, type: 'string' }]],
  ['keyframes kept', { keyframes: [1], a: 1 }, [{ key: 'a', value: 1, type: 'number' }]],
];

describe('merge', () => {
  for (const mode of ['merge', 'replace'] as const) {
    for (const [name, current, update] of cases) {
      it(`wouldChange agrees with applying the update (${mode}: ${name})`, () => {
        expect(wouldChange(current, update, mode)).toBe(!jsonEqual(applyUpdate(current, update, mode), current));
      });
    }
  }

  it('merge keeps keys the update does not mention; replace keeps only keyframes of them', () => {
    const current = { keyframes: [0, 3], source: 'legacy', a: 1 };
    const update: UpdateEntry[] = [{ key: 'a', value: 2, type: 'number' }];
    expect(applyUpdate(current, update, 'merge')).toEqual({ keyframes: [0, 3], source: 'legacy', a: 2 });
    expect(applyUpdate(current, update, 'replace')).toEqual({ keyframes: [0, 3], a: 2 });
  });
});
