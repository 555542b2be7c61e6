import { describe, expect, it } from 'vitest';
import { MetaError } from '../../src/errors.js';
import { describeSpec } from '../../src/schema/field-spec.js';
import { fromTypedWire, toTypedWire } from '../../src/schema/wire-schema.js';
import { formatSchemaDocument, toSchemaDocument } from '../../src/schema/format-schema-document.js';
import { parseSchemaDocument } from '../../src/schema/schema-document.js';

function types(text: string, file = 'schema.json'): Record<string, string> {
  const schema = parseSchemaDocument(text, file);
  return Object.fromEntries([...schema.fields].map(([k, s]) => [k, describeSpec(s)]));
}

function problems(text: string, file = 'schema.json'): string {
  try {
    parseSchemaDocument(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(MetaError);
    expect((error as MetaError).code).toBe('SCHEMA_INVALID');
    return (error as Error).message;
  }
  throw new Error('expected the document to be refused');
}

describe('parseSchemaDocument: forms', () => {
  it("parses the guide's example", () => {
    expect(types('{"captured_at":"datetime","city":"datetime","dark":"boolean"}')).toEqual({
      captured_at: 'datetime',
      city: 'datetime',
      dark: 'boolean',
    });
  });

  it('simple form with aliases, in schema order', () => {
    expect(
      types('{"a":"number","b":"string","c":"varchar","d":"text","e":"long_string","f":"geospatial","g":"uuid","h":"enum","i":"embedding","j":"user"}'),
    ).toEqual({
      a: 'number',
      b: 'string',
      c: 'string',
      d: 'text',
      e: 'text',
      f: 'geospatial',
      g: 'uuid',
      h: 'enum',
      i: 'embedding',
      j: 'user',
    });
  });

  it('shorthands', () => {
    expect(types('{"w":"enum(sunny, rainy)","e":"embedding(8)","s":"string(100)","v":"variant(number)","n":"number(F32)","x":"Boolean"}')).toEqual({
      w: 'enum(sunny, rainy)',
      e: 'embedding(8)',
      s: 'string(100)',
      v: 'variant(number)',
      n: 'number(F32)',
      x: 'boolean',
    });
  });

  it('friendly form', () => {
    const schema = parseSchemaDocument(
      JSON.stringify({
        weather: { type: 'enum', values: ['sunny', 'rainy'], description: 'sky at capture' },
        emb: { type: 'embedding', size: 8 },
        note: { type: 'string', maxLength: 200 },
        v: { type: 'variant', hint: 'string' },
        t: { type: 'long_string' },
      }),
      'schema.json',
    );
    expect(Object.fromEntries([...schema.fields].map(([k, s]) => [k, describeSpec(s)]))).toEqual({
      weather: 'enum(sunny, rainy)',
      emb: 'embedding(8)',
      note: 'string(200)',
      v: 'variant(varchar)',
      t: 'text',
    });
  });

  it('typed form, keeping options for push', () => {
    const text = JSON.stringify({ emb: { ty: 'embedding', size: 4, api: { url: 'u' } }, holo: { ty: 'hologram', depth: 3 } });
    const schema = parseSchemaDocument(text, 'pulled.json');
    expect(toTypedWire(schema)).toEqual(JSON.parse(text));
  });

  it('YAML, by extension or by content', () => {
    const yaml = 'weather:\n  type: enum\n  values: [sunny, rainy]\ncaptured_at: datetime\nemb: embedding(3)\n';
    expect(types(yaml, 'schema.yaml')).toEqual({ weather: 'enum(sunny, rainy)', captured_at: 'datetime', emb: 'embedding(3)' });
    expect(types(yaml, 'schema.txt')).toEqual({ weather: 'enum(sunny, rainy)', captured_at: 'datetime', emb: 'embedding(3)' });
  });
});

describe('parseSchemaDocument: every error names the file and the key path', () => {
  it.each<[string, string, string, string?]>([
    ['empty enum values', '{"weather":{"type":"enum","values":[]}}', 'schema.json: key "weather": enum needs 1 to 256 values, got 0'],
    ['enum without values', '{"weather":{"type":"enum"}}', 'schema.json: key "weather": enum needs 1 to 256 values, got none'],
    ['empty enum shorthand', '{"weather":"enum()"}', 'schema.json: key "weather": enum needs 1 to 256 values, got 0'],
    ['too many enum values', JSON.stringify({ w: { ty: 'enum', values: Array.from({ length: 257 }, (_, i) => `v${i}`) } }), 'key "w": enum needs 1 to 256 values, got 257'],
    ['duplicate enum value', '{"w":"enum(a,b,a)"}', 'key "w": enum value "a" appears twice'],
    ['blank enum value', '{"w":{"type":"enum","values":["a"," "]}}', 'key "w": enum value 2 is empty'],
    ['non-string enum value', '{"w":{"type":"enum","values":["a",2]}}', 'schema.json: key "w", field values[1]: Invalid input: expected string, received number'],
    ['embedding size 0', '{"e":"embedding(0)"}', 'key "e": embedding size must be an integer from 1 to 4096, got 0'],
    ['embedding too big', '{"e":{"ty":"embedding","size":5000}}', 'key "e": embedding size must be an integer from 1 to 4096, got 5000'],
    ['embedding without size', '{"e":{"type":"embedding"}}', 'key "e": embedding needs a size from 1 to 4096, got none'],
    ['embedding bad size', '{"e":"embedding(x)"}', 'key "e": embedding size must be an integer, got "x"'],
    ['varchar too long', '{"s":"string(9000)"}', 'key "s": max_length must be from 0 to 8192, got 9000'],
    ['typo in a type', '{"n":"nubmer"}', 'key "n": unknown type "nubmer": expected one of number, string, varchar, text, long_string, boolean, datetime, enum, embedding, geospatial, uuid, variant, user, enum(a,b,…) or embedding(n); did you mean "number"?'],
    ['typo in a ty', '{"n":{"ty":"nubmer"}}', 'schema.json: key "n", field ty: unknown ty "nubmer"; did you mean "number"?'],
    ['unknown friendly field', '{"w":{"type":"enum","valuse":["a"]}}', 'key "w": Unrecognized key: "valuse"'],
    ['field on the wrong type', '{"w":{"type":"string","values":["a"]}}', 'key "w": `values` applies to enum only, not to string'],
    ['arguments to a plain type', '{"b":"boolean(1)"}', 'key "b": `boolean` takes no arguments'],
    ['a number as type', '{"b":3}', 'key "b": expected a type name such as "string" or an object with "type", got number'],
    ['an object without type', '{"b":{"values":[]}}', 'key "b": expected an object with "type"'],
    ['datetime timezone', '{"d":{"ty":"datetime","timezone":"Europe/Paris"}}', 'key "d": timezone must be "UTC" (the only value), got "Europe/Paris"'],
    ['key starting with $', '{"$price":"number"}', 'schema.json: key "$price": invalid key name: a key must not start with `$`'],
    ['reserved key', '{"keyframes":"string"}', 'key "keyframes": invalid key name: `keyframes` is reserved'],
    ['key with symbols', '{"temp (°C)":"number"}', 'key "temp (°C)": invalid key name: a key may contain only letters, digits, spaces, `-`, `_` and `.`'],
    ['key of separators only', '{"-._":"number"}', 'a key needs at least one letter or digit'],
    ['empty key', '{"":"number"}', 'key "": invalid key name: a key must not be empty'],
    ['bad JSON', '{"a": }', 'schema.json: invalid JSON: '],
    ['bad YAML', 'a: [1,\n', 'schema.yaml: invalid YAML: ', 'schema.yaml'],
    ['duplicate YAML key', 'a: number\na: string\n', 'schema.yaml: invalid YAML: Map keys must be unique at line 2, column 1', 'schema.yaml'],
    ['a list at the top', '["a"]', 'schema.json: expected a mapping of metadata key to type at the top level, got array'],
    ['an empty YAML file', '', 'schema.yaml: expected a mapping of metadata key to type at the top level, got null', 'schema.yaml'],
  ])('%s', (_what, text, message, file) => {
    expect(problems(text, file)).toContain(message);
  });

  it('lists every problem, one line each', () => {
    const message = problems('{"a":"nope","b":"number","c":"embedding(0)"}');
    expect(message.split('\n')).toHaveLength(2);
    expect(message).toMatch(/^schema\.json: key "a": unknown type "nope"/);
    expect(message.split('\n')[1]).toMatch(/^schema\.json: key "c": embedding size/);
  });

  it('allows keys with spaces, dots, dashes, underscores and non-ASCII letters (as the SDK does)', () => {
    expect(Object.keys(types('{"camera model":"string","v1.2-beta_x":"number","température":"number"}'))).toHaveLength(3);
  });
});

describe('toSchemaDocument / formatSchemaDocument', () => {
  it('writes a document that parses back to the same schema, JSON and YAML', () => {
    const source = {
      n: { ty: 'number', format: 'F64' },
      f: { ty: 'number', format: 'F32' },
      vc: { ty: 'varchar', max_length: 100 },
      en: { ty: 'enum', values: ['a,b', 'c'] },
      emb: { ty: 'embedding', size: 8, api: null },
      emb2: { ty: 'embedding', size: 8, api: { url: 'u' } },
      txt: { ty: 'text' },
      var: { ty: 'variant', hint: 'varchar' },
      gone: { ty: 'tombstone', deleted_ty: null },
      holo: { ty: 'hologram' },
      dt: { ty: 'datetime', timezone: 'UTC' },
    };
    const schema = fromTypedWire(source);
    expect(toSchemaDocument(schema)).toEqual({
      n: 'number',
      f: 'number(F32)',
      vc: 'string(100)',
      en: { type: 'enum', values: ['a,b', 'c'] },
      emb: 'embedding(8)',
      emb2: { ty: 'embedding', size: 8, api: { url: 'u' } },
      txt: 'text',
      var: 'variant(varchar)',
      gone: { ty: 'tombstone', deleted_ty: null },
      holo: { ty: 'hologram' },
      dt: 'datetime',
    });
    for (const format of ['json', 'yaml'] as const) {
      const text = formatSchemaDocument(schema, format);
      expect(toTypedWire(parseSchemaDocument(text, `s.${format}`))).toEqual(source);
    }
  });
});

it('a typo in a friendly type gets a suggestion', () => {
  expect(() => parseSchemaDocument('{"w":{"type":"enm","values":["a"]}}', 's.json')).toThrow(
    's.json: key "w", field type: unknown type "enm": expected one of number, string, varchar, text, long_string, boolean, datetime, enum, embedding, geospatial, uuid, variant, user; did you mean "enum"?',
  );
});
