/**
 * Values that arrive as JSON (`set --json '{"temperature": 12.5}'`) rather than as cells. JSON has types,
 * so they must match: a number for number, `true`/`false` for boolean, a string for string/text/user. Text
 * forms go through the same checks as cells: ISO strings for datetime, uuid strings, enum strings,
 * embeddings as arrays (or array text), points as objects / GeoJSON / pair text.
 *
 * `null` is `empty` (the caller's `--empty` policy applies). Unlike a cell, `""` is a value: it (and any blank
 * string) is written as is for string/text/user and is an error for other types.
 */
import type { JsonValue } from '../encord/protocol/types.js';
import type { FieldSpec } from '../schema/field-spec.js';
import type { Cell } from '../sources/source.js';
import { coerce, deleted, VARIANT_HINT_SPECS } from './coerce.js';
import { coerceEmbedding } from './coerce-embedding.js';
import { coerceGeoObject } from './coerce-geospatial.js';
import { coerceNumber } from './coerce-number.js';
import { type CoerceResult, describeCell, EMPTY, fail, value } from './coerce-result.js';
import type { CoercionErrorCode } from './coercion-codes.js';
import type { ResolvedCoercionOptions } from './coercion-options.js';

/** Coerce a JSON value to the JSON value `spec` calls for. */
export function coerceJsonValue(json: JsonValue, spec: FieldSpec, options: ResolvedCoercionOptions): CoerceResult {
  if (json === null) return EMPTY;
  switch (spec.type) {
    case 'number':
      return typeof json === 'number' ? coerceNumber(json, options, spec.format) : fail('INVALID_NUMBER', 'a JSON number', describeCell(json));
    case 'boolean':
      return typeof json === 'boolean' ? value(json) : fail('INVALID_BOOLEAN', 'true or false', describeCell(json));
    case 'string':
    case 'text':
    case 'user':
    {
      if (typeof json !== 'string') return fail('INVALID_STRING', 'a JSON string', describeCell(json));
      const result = coerce(json, spec, options);
      return result.kind === 'empty' ? value(json) : result; // blank JSON strings are values
    }
    case 'datetime':
      return viaText(json, spec, options, 'INVALID_DATETIME', 'an ISO 8601 date-time string');
    case 'enum':
      return viaText(json, spec, options, 'INVALID_ENUM', 'a JSON string');
    case 'uuid':
      return viaText(json, spec, options, 'INVALID_UUID', 'a uuid string');
    case 'embedding':
      if (Array.isArray(json)) return coerceEmbedding(json as Cell, spec);
      return viaText(json, spec, options, 'INVALID_EMBEDDING', 'an array of numbers');
    case 'geospatial':
      if (typeof json === 'object') return coerceGeoObject(json, describeJson(json), options);
      return viaText(json, spec, options, 'INVALID_GEOSPATIAL', 'a point object');
    case 'variant':
      return coerceJsonValue(json, VARIANT_HINT_SPECS[spec.hint], options);
    case 'tombstone':
      return deleted(spec);
    case 'unknown':
      return value(json);
  }
}

function viaText(
  json: JsonValue,
  spec: FieldSpec,
  options: ResolvedCoercionOptions,
  code: CoercionErrorCode,
  expected: string,
): CoerceResult {
  if (typeof json !== 'string') return fail(code, expected, describeJson(json));
  const result = coerce(json, spec, options);
  return result.kind === 'empty' ? fail(code, expected, JSON.stringify(json)) : result;
}

function describeJson(json: JsonValue): string {
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const text = JSON.stringify(json);
    return text.length <= 80 ? `object ${text}` : `object ${text.slice(0, 80)}…`;
  }
  return describeCell(json as Cell);
}
