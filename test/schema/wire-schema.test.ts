import { describe, expect, it } from 'vitest';
import { MetaError } from '../../src/errors.js';
import { adoptRawOptions, createMetaSchema, withField } from '../../src/schema/meta-schema.js';
import { fromSimpleWire, fromTypedWire, toSimpleWire, toTypedWire } from '../../src/schema/wire-schema.js';

/** The exact serialisation of protocol §5.6. */
const SDK_EXAMPLE = {
  n: { ty: 'number', format: 'F64' },
  vc: { ty: 'varchar', max_length: 8192 },
  dt: { ty: 'datetime', timezone: 'UTC' },
  en: { ty: 'enum', values: ['a', 'b'] },
  emb: { ty: 'embedding', size: 512, api: null },
  geo: { ty: 'geospatial' },
  txt: { ty: 'text' },
  id: { ty: 'uuid' },
  var: { ty: 'variant', hint: 'number' },
  usr: { ty: 'user' },
  gone: { ty: 'tombstone', deleted_ty: null },
  old: { ty: 'tombstone', deleted_ty: { ty: 'variant', hint: 'number' } },
} as const;

describe('typed wire form', () => {
  it('reads every ty of the protocol §5.6 example', () => {
    const schema = fromTypedWire(SDK_EXAMPLE);
    expect([...schema.fields.keys()]).toEqual(Object.keys(SDK_EXAMPLE));
    expect(Object.fromEntries([...schema.fields].map(([k, s]) => [k, s]))).toEqual({
      n: { key: 'n', type: 'number', format: 'F64' },
      vc: { key: 'vc', type: 'string', maxLength: 8192 },
      dt: { key: 'dt', type: 'datetime' },
      en: { key: 'en', type: 'enum', values: ['a', 'b'] },
      emb: { key: 'emb', type: 'embedding', size: 512 },
      geo: { key: 'geo', type: 'geospatial' },
      txt: { key: 'txt', type: 'text' },
      id: { key: 'id', type: 'uuid' },
      var: { key: 'var', type: 'variant', hint: 'number' },
      usr: { key: 'usr', type: 'user' },
      gone: { key: 'gone', type: 'tombstone', deletedTy: null },
      old: { key: 'old', type: 'tombstone', deletedTy: { ty: 'variant', hint: 'number' } },
    });
  });

  it('round trips byte for byte', () => {
    expect(JSON.stringify(toTypedWire(fromTypedWire(SDK_EXAMPLE)))).toBe(JSON.stringify(SDK_EXAMPLE));
  });

  it('writes the exact SDK serialisation for schemas built here (enum values sorted)', () => {
    const schema = createMetaSchema([
      ['n', { type: 'number', format: 'F64' }],
      ['vc', { type: 'string', maxLength: 8192 }],
      ['dt', { type: 'datetime' }],
      ['en', { type: 'enum', values: ['rainy', 'Sunny', 'cloudy'] }],
      ['emb', { type: 'embedding', size: 8 }],
      ['geo', { type: 'geospatial' }],
      ['txt', { type: 'text' }],
      ['id', { type: 'uuid' }],
      ['b', { type: 'boolean' }],
    ]);
    expect(JSON.stringify(toTypedWire(schema))).toBe(
      '{"n":{"ty":"number","format":"F64"},"vc":{"ty":"varchar","max_length":8192},"dt":{"ty":"datetime","timezone":"UTC"},' +
        '"en":{"ty":"enum","values":["Sunny","cloudy","rainy"]},"emb":{"ty":"embedding","size":8,"api":null},' +
        '"geo":{"ty":"geospatial"},"txt":{"ty":"text"},"id":{"ty":"uuid"},"b":{"ty":"boolean"}}',
    );
  });

  it('keeps unknown tys and unknown fields untouched through pull → push', () => {
    const wire = {
      holo: { ty: 'hologram', depth: 3, nested: { a: [1] } },
      emb: { ty: 'embedding', size: 4, api: { url: 'https://x', path: null }, future_field: true },
      v: { ty: 'variant' },
    };
    const schema = fromTypedWire(wire);
    expect(schema.fields.get('holo')).toMatchObject({ type: 'unknown', ty: 'hologram' });
    expect(schema.fields.get('v')).toMatchObject({ type: 'variant', hint: 'text' });
    expect(toTypedWire(schema)).toEqual(wire);
  });

  it('a changed key is written canonically, the others stay raw', () => {
    const schema = fromTypedWire({ emb: { ty: 'embedding', size: 4, api: { url: 'u' } }, x: { ty: 'number' } });
    const changed = withField(schema, 'emb', { type: 'embedding', size: 8 });
    expect(toTypedWire(changed)).toEqual({ emb: { ty: 'embedding', size: 8, api: null }, x: { ty: 'number' } });
  });

  it('adoptRawOptions carries api settings over to a hand-written schema with the same spec', () => {
    const current = fromTypedWire({ emb: { ty: 'embedding', size: 4, api: { url: 'u' } } });
    const next = createMetaSchema([['emb', { type: 'embedding', size: 4 }]]);
    expect(toTypedWire(adoptRawOptions(next, current))).toEqual({ emb: { ty: 'embedding', size: 4, api: { url: 'u' } } });
  });

  it('is lenient with the server: limits beyond the SDK are kept', () => {
    const values = Array.from({ length: 300 }, (_, i) => `v${i}`);
    expect(fromTypedWire({ e: { ty: 'enum', values } }).fields.get('e')).toMatchObject({ type: 'enum' });
  });

  it('refuses malformed known options, naming the key', () => {
    expect(() => fromTypedWire({ e: { ty: 'enum', values: 'a,b' } })).toThrow(/key "e" values: Invalid input: expected array/);
    expect(() => fromTypedWire({ e: 'number' })).toThrow('Typed schema: key "e": expected an option object, got string');
  });

  it('cannot send an enum without values or an embedding without size', () => {
    const simple = fromSimpleWire({ en: 'enum', emb: 'embedding' });
    expect(() => toTypedWire(simple)).toThrow(MetaError);
    expect(() => toTypedWire(simple)).toThrow('key "en": enum has no values');
  });
});

describe('simple wire form', () => {
  it('reads every simple type', () => {
    const schema = fromSimpleWire({
      a: 'number',
      b: 'string',
      c: 'long_string',
      d: 'enum',
      e: 'boolean',
      f: 'datetime',
      g: 'geospatial',
      h: 'embedding',
    });
    expect([...schema.fields.values()].map((s) => s.type)).toEqual([
      'number',
      'string',
      'text',
      'enum',
      'boolean',
      'datetime',
      'geospatial',
      'embedding',
    ]);
    expect(schema.fields.get('d')).toMatchObject({ values: [] });
    expect(schema.fields.get('h')).toMatchObject({ size: null });
  });

  it('round trips exactly', () => {
    const wire = { a: 'number', b: 'string', c: 'long_string', d: 'enum', e: 'embedding', f: 'geospatial' };
    expect(toSimpleWire(fromSimpleWire(wire))).toEqual({ schema: wire, losses: [] });
  });

  it('says what the simple form cannot carry', () => {
    const { schema, losses } = toSimpleWire(fromTypedWire(SDK_EXAMPLE));
    expect(schema).toEqual({
      n: 'number',
      vc: 'string',
      dt: 'datetime',
      en: 'enum',
      emb: 'embedding',
      geo: 'geospatial',
      txt: 'long_string',
      id: 'string',
      var: 'number',
      usr: 'string',
    });
    expect(losses).toEqual([
      { key: 'en', note: 'enum values not carried' },
      { key: 'emb', note: 'embedding size not carried' },
      { key: 'id', note: 'uuid sent as "string"' },
      { key: 'var', note: 'variant(number) sent as "number"' },
      { key: 'usr', note: 'user sent as "string"' },
      { key: 'gone', note: 'deleted key omitted' },
      { key: 'old', note: 'deleted key omitted' },
    ]);
  });

  it('keeps an unknown simple type', () => {
    const schema = fromSimpleWire({ x: 'quaternion' });
    expect(schema.fields.get('x')).toMatchObject({ type: 'unknown', ty: 'quaternion' });
    expect(toSimpleWire(schema).schema).toEqual({ x: 'quaternion' });
  });
});

it('a key named __proto__ survives every conversion', () => {
  const wire = JSON.parse('{"__proto__":{"ty":"number","format":"F64"}}') as Record<string, { ty: 'number' }>;
  const schema = fromTypedWire(wire);
  expect([...schema.fields.keys()]).toEqual(['__proto__']);
  expect(JSON.stringify(toTypedWire(schema))).toBe('{"__proto__":{"ty":"number","format":"F64"}}');
  expect(JSON.stringify(toSimpleWire(schema).schema)).toBe('{"__proto__":"number"}');
});
