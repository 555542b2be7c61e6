import { describe, expect, it } from 'vitest';
import { JsonEncodeError, encodeAsciiJson, jsonEqual, toAsciiJson } from '../../src/encord/json-codec.js';

describe('toAsciiJson (Python json.dumps parity)', () => {
  it.each([
    [{ a: 1, b: [1, 'x', null], c: { d: true } }, '{"a": 1, "b": [1, "x", null], "c": {"d": true}}'],
    [{ z: 1, a: 2 }, '{"z": 1, "a": 2}'],
    [{ 'ä': 'Zürich' }, '{"\\u00e4": "Z\\u00fcrich"}'],
    ['😀', '"\\ud83d\\ude00"'],
    ['\u007f', '"\u007f"'],
    ['line\nbreak "q" \\', '"line\\nbreak \\"q\\" \\\\"'],
    [[], '[]'],
    [{}, '{}'],
    [{ skip: undefined, keep: null }, '{"keep": null}'],
    [1.5e-7, '1.5e-7'],
    [-0, '0'],
  ])('%j -> %s', (value, expected) => {
    expect(toAsciiJson(value)).toBe(expected);
  });

  it('produces pure ASCII bytes that parse back to the same value', () => {
    const v = { 'ключ': ['値', { e: 'é\u2028' }], n: 12.5 };
    const bytes = encodeAsciiJson(v);
    expect([...bytes].every((b) => b < 0x80)).toBe(true);
    expect(JSON.parse(bytes.toString())).toEqual(v);
  });

  it('refuses values JSON cannot carry instead of changing them', () => {
    expect(() => toAsciiJson({ a: Number.NaN })).toThrow(JsonEncodeError);
    expect(() => toAsciiJson({ a: Number.POSITIVE_INFINITY })).toThrow(/at \$\.a/);
    expect(() => toAsciiJson({ a: 1n })).toThrow(JsonEncodeError);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => toAsciiJson(cyclic)).toThrow(/cyclic/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(toAsciiJson({ a: shared, b: shared })).toBe('{"a": {"x": 1}, "b": {"x": 1}}');
  });
});

describe('jsonEqual', () => {
  it.each([
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [{ a: null }, {}, false],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ n: { x: [1, { y: 'z' }] } }, { n: { x: [1, { y: 'z' }] } }, true],
    [[], {}, false],
    [1, 1.0, true],
    ['1', 1, false],
  ])('%j vs %j -> %s', (a, b, expected) => {
    expect(jsonEqual(a, b)).toBe(expected);
  });
});
