import { describe, expect, it } from 'vitest';
import { isListedStamp, listedStamp } from '../../src/listed-stamp.js';

describe('listedStamp (the _listed column of a listing)', () => {
  it('is the same for the same metadata whatever the key order, at every level', () => {
    const a = listedStamp({ city: 'Oslo', gps: { latitude: 1, longitude: 2 }, tags: [1, 2] });
    const b = listedStamp({ tags: [1, 2], gps: { longitude: 2, latitude: 1 }, city: 'Oslo' });
    expect(a).toBe(b);
    expect(isListedStamp(a)).toBe(true);
  });

  it('changes with any value, type or array order', () => {
    const base = listedStamp({ n: 5, tags: [1, 2] });
    expect(listedStamp({ n: '5', tags: [1, 2] })).not.toBe(base);
    expect(listedStamp({ n: 5, tags: [2, 1] })).not.toBe(base);
    expect(listedStamp({ n: 6, tags: [1, 2] })).not.toBe(base);
    expect(listedStamp({ n: 5, tags: [1, 2], extra: true })).not.toBe(base);
  });

  it('a top-level key holding null counts as absent (reads that drop null fields stamp alike)', () => {
    expect(listedStamp({ a: 1, b: null })).toBe(listedStamp({ a: 1 }));
    expect(listedStamp({ a: { b: null } })).not.toBe(listedStamp({ a: {} }));
  });

  it('a key named __proto__ is an ordinary key', () => {
    const withProto = JSON.parse('{"__proto__": 1, "a": 2}') as Record<string, number>;
    expect(listedStamp(withProto)).not.toBe(listedStamp({ a: 2 }));
  });

  it('no stamp for a unit whose metadata the listing did not know; user text in the column is not a stamp', () => {
    expect(listedStamp(null)).toBe('');
    expect(isListedStamp('')).toBe(false);
    expect(isListedStamp('yesterday')).toBe(false);
    expect(isListedStamp(undefined)).toBe(false);
  });
});
