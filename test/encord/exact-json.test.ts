import { describe, expect, it } from 'vitest';
import { inexactStoredKeys, parseEncordJson } from '../../src/encord/exact-json.js';

describe('parseEncordJson: JSON.parse that knows which stored numbers it rounded', () => {
  it('reads like JSON.parse and marks nothing when every number is exact', () => {
    const text = '{"a": 9007199254740991, "b": 0.30000000000000004, "c": "12345678901234567890", "d": [1e21, -0.5]}';
    const v = parseEncordJson(text) as Record<string, unknown>;
    expect(v).toEqual(JSON.parse(text));
    expect(inexactStoredKeys(v)).toBeUndefined();
  });

  it('marks the top-level key that holds an inexact number, at any depth, and every object on the way', () => {
    const text = '{"response": [{"client_metadata": {"ok": 1, "id": 12345678901234567890, "deep": {"x": [1, 1e400]}, "s": "9007199254740993"}}]}';
    const v = parseEncordJson(text) as { response: [{ client_metadata: Record<string, unknown> }] };
    const meta = v.response[0].client_metadata;
    expect(meta).toEqual({ ok: 1, id: 12345678901234567000, deep: { x: [1, Number.POSITIVE_INFINITY] }, s: '9007199254740993' });
    expect([...inexactStoredKeys(meta)!]).toEqual([
      ['id', '12345678901234567890'],
      ['deep', '1e400'],
    ]);
    expect(inexactStoredKeys(meta['deep'] as object)).toEqual(new Map([['x', '1e400']]));
    expect(inexactStoredKeys(v.response[0])).toEqual(new Map([['client_metadata', '12345678901234567890']]));
  });

  it('keeps a key named __proto__ as an own key', () => {
    const v = parseEncordJson('{"__proto__": 12345678901234567890}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(inexactStoredKeys(v)?.get('__proto__')).toBe('12345678901234567890');
  });

  it('a long digit run inside a string is not a number', () => {
    const v = parseEncordJson('{"title": "frame_12345678901234567890.jpg", "n": 2}') as object;
    expect(inexactStoredKeys(v)).toBeUndefined();
  });
});
