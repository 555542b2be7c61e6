import { describe, expect, it } from 'vitest';
import { coerce } from '../../src/coercion/coerce.js';
import { coerceJsonValue } from '../../src/coercion/coerce-json-value.js';
import { resolveCoercionOptions } from '../../src/coercion/coercion-options.js';
import type { JsonValue } from '../../src/encord/protocol/types.js';
import type { FieldSpec } from '../../src/schema/field-spec.js';
import type { Cell } from '../../src/sources/source.js';

const o = resolveCoercionOptions();
const spec = {
  number: { type: 'number', format: 'F64' },
  string: { type: 'string', maxLength: 8192 },
  short: { type: 'string', maxLength: 3 },
  text: { type: 'text' },
  boolean: { type: 'boolean' },
  datetime: { type: 'datetime' },
  enum: { key: 'weather', type: 'enum', values: ['sunny', 'rainy'] },
  embedding: { type: 'embedding', size: 2 },
  geospatial: { type: 'geospatial' },
  uuid: { type: 'uuid' },
  variantNumber: { type: 'variant', hint: 'number' },
  variantBoolean: { type: 'variant', hint: 'boolean' },
  user: { type: 'user' },
  tombstone: { key: 'old_id', type: 'tombstone', deletedTy: null },
  unknown: { type: 'unknown', ty: 'hologram', option: { ty: 'hologram' } },
} satisfies Record<string, FieldSpec>;

describe('coerce dispatches on the spec type', () => {
  it.each<[string, Cell, FieldSpec, JsonValue]>([
    ['number', ' 12 ', spec.number, 12],
    ['string', ' 12 ', spec.string, ' 12 '],
    ['text', 'long', spec.text, 'long'],
    ['boolean', 'Yes', spec.boolean, true],
    ['datetime', '20261128', spec.datetime, '2026-11-28T00:00:00.000Z'],
    ['enum', 'sunny', spec.enum, 'sunny'],
    ['embedding', '[1,2]', spec.embedding, [1, 2]],
    ['geospatial', '1,2', spec.geospatial, { latitude: 1, longitude: 2 }],
    ['uuid', '{123E4567-E89B-12D3-A456-426614174000}', spec.uuid, '123e4567-e89b-12d3-a456-426614174000'],
    ['variant(number) coerces as number', '1e3', spec.variantNumber, 1000],
    ['variant(boolean) coerces as boolean', 'off', spec.variantBoolean, false],
    ['user passes text as is', 'ann@example.com', spec.user, 'ann@example.com'],
    ['unknown passes text as is', ' raw ', spec.unknown, ' raw '],
    ['unknown passes Parquet numbers', 3, spec.unknown, 3],
    ['unknown passes Parquet lists', [1, 'a', true], spec.unknown, [1, 'a', true]],
  ])('%s: %o', (_what, cell, s, expected) => {
    expect(coerce(cell, s, o)).toEqual({ kind: 'value', value: expected });
  });

  it.each<[string, FieldSpec]>(Object.entries(spec))('%s: "" and NULL are empty', (_name, s) => {
    expect(coerce('', s, o)).toEqual({ kind: 'empty' });
    expect(coerce('  ', s, o)).toEqual({ kind: 'empty' });
    expect(coerce(null, s, o)).toEqual({ kind: 'empty' });
  });

  it.each<[string, Cell, FieldSpec, string]>([
    ['variant(number) refuses words', 'abc', spec.variantNumber, 'INVALID_NUMBER'],
    ['varchar(3) refuses 4 characters', 'abcd', spec.short, 'INVALID_STRING_TOO_LONG'],
    ['unknown refuses a bigint beyond 2^53', 2n ** 60n, spec.unknown, 'INVALID_NUMBER'],
    ['tombstone refuses any value', 'x', spec.tombstone, 'SCHEMA_KEY_DELETED'],
  ])('%s', (_what, cell, s, code) => {
    expect(coerce(cell, s, o)).toMatchObject({ kind: 'error', code });
  });

  it('a deleted key says which key', () => {
    const result = coerce('x', spec.tombstone, o);
    expect(result.kind === 'error' && result.message).toBe(
      'Deleted key: key "old_id" is deleted in the schema (tombstone) and cannot be written',
    );
  });
});

describe('coerceJsonValue: JSON types must match', () => {
  it.each<[string, JsonValue, FieldSpec, JsonValue]>([
    ['number', 12.5, spec.number, 12.5],
    ['boolean', false, spec.boolean, false],
    ['string keeps "" (explicit in JSON)', '', spec.string, ''],
    ['string keeps blanks', '  ', spec.string, '  '],
    ['string as is', ' a ', spec.string, ' a '],
    ['datetime string', '2026-11-28T10:00:00+01:00', spec.datetime, '2026-11-28T09:00:00.000Z'],
    ['enum string', ' rainy', spec.enum, 'rainy'],
    ['uuid string', '123E4567-E89B-12D3-A456-426614174000', spec.uuid, '123e4567-e89b-12d3-a456-426614174000'],
    ['embedding array', [0.5, 1], spec.embedding, [0.5, 1]],
    ['embedding array text', '[0.5, 1]', spec.embedding, [0.5, 1]],
    ['geospatial object', { latitude: 1, longitude: 2 }, spec.geospatial, { latitude: 1, longitude: 2 }],
    ['geospatial GeoJSON', { type: 'Point', coordinates: [2, 1] }, spec.geospatial, { latitude: 1, longitude: 2 }],
    ['geospatial pair text', '1;2', spec.geospatial, { latitude: 1, longitude: 2 }],
    ['variant(number) takes a number', 3, spec.variantNumber, 3],
    ['unknown takes anything', { a: [1] }, spec.unknown, { a: [1] }],
  ])('%s', (_what, json, s, expected) => {
    expect(coerceJsonValue(json, s, o)).toEqual({ kind: 'value', value: expected });
  });

  it('null is empty', () => {
    expect(coerceJsonValue(null, spec.number, o)).toEqual({ kind: 'empty' });
  });

  it.each<[string, JsonValue, FieldSpec, string, string]>([
    ['a string for a number', '12', spec.number, 'INVALID_NUMBER', 'Invalid number: expected a JSON number, got "12"'],
    ['a string for a boolean', 'true', spec.boolean, 'INVALID_BOOLEAN', 'expected true or false, got "true"'],
    ['a number for a string', 12, spec.string, 'INVALID_STRING', 'expected a JSON string, got number 12'],
    ['"" for a datetime', '', spec.datetime, 'INVALID_DATETIME', 'got ""'],
    ['a number for a datetime', 20261128, spec.datetime, 'INVALID_DATETIME', 'got number 20261128'],
    ['case mismatch in an enum', 'Sunny', spec.enum, 'INVALID_ENUM', 'did you mean "sunny"?'],
    ['a wrong-length embedding', [1, 2, 3], spec.embedding, 'INVALID_EMBEDDING', 'got an array of 3 numbers'],
    ['an object that is not a point', { x: 1 }, spec.geospatial, 'INVALID_GEOSPATIAL', 'got object {"x":1}'],
    ['a deleted key', 1, spec.tombstone, 'SCHEMA_KEY_DELETED', 'old_id'],
  ])('refuses %s', (_what, json, s, code, message) => {
    const result = coerceJsonValue(json, s, o);
    expect(result).toMatchObject({ kind: 'error', code });
    expect(result.kind === 'error' && result.message).toContain(message);
  });
});
