/**
 * The per-cell entry point: dispatch on the spec's type to the coercer of that type. Pure, no allocation
 * beyond the result, safe to call millions of times.
 *
 * Pass-through kinds: `variant` is coerced as its hint; `user` takes text as written; `unknown` (a `ty` this
 * version does not know) passes scalars and lists as they are; `tombstone` (a deleted key) refuses every
 * non-empty value with `SCHEMA_KEY_DELETED` (an empty cell writes nothing, so it is `empty`).
 */
import type { JsonValue } from '../encord/protocol/types.js';
import { type FieldSpec, SCHEMA_LIMITS, type VariantHint } from '../schema/field-spec.js';
import type { Cell } from '../sources/source.js';
import { coerceBoolean } from './coerce-boolean.js';
import { coerceDatetime } from './coerce-datetime.js';
import { coerceEmbedding } from './coerce-embedding.js';
import { coerceEnum } from './coerce-enum.js';
import { coerceGeospatial } from './coerce-geospatial.js';
import { coerceNumber } from './coerce-number.js';
import { type CoerceError, type CoerceResult, describeCell, EMPTY, fail, failWith, isBlank, value } from './coerce-result.js';
import { coerceString } from './coerce-string.js';
import { coerceUuid } from './coerce-uuid.js';
import { exactDoubleOfBigint, inexactHint } from '../exact-number.js';
import type { ResolvedCoercionOptions } from './coercion-options.js';

/** The spec a variant's values are coerced as. */
export const VARIANT_HINT_SPECS: Readonly<Record<VariantHint, FieldSpec>> = {
  number: { type: 'number', format: 'F64' },
  varchar: { type: 'string', maxLength: SCHEMA_LIMITS.varcharMaxLength },
  text: { type: 'text' },
  boolean: { type: 'boolean' },
  datetime: { type: 'datetime' },
  uuid: { type: 'uuid' },
};

/** Coerce one cell to the JSON value `spec` calls for. */
export function coerce(cell: Cell, spec: FieldSpec, options: ResolvedCoercionOptions): CoerceResult {
  if (options.nullValues.size > 0 && typeof cell === 'string' && options.nullValues.has(cell.trim())) return EMPTY;
  switch (spec.type) {
    case 'number':
      return coerceNumber(cell, options, spec.format);
    case 'string':
      return coerceString(cell, spec.maxLength);
    case 'text':
    case 'user':
      return coerceString(cell, Number.POSITIVE_INFINITY);
    case 'boolean':
      return coerceBoolean(cell, options);
    case 'datetime':
      return coerceDatetime(cell, options);
    case 'enum':
      return coerceEnum(cell, spec);
    case 'embedding':
      return coerceEmbedding(cell, spec);
    case 'geospatial':
      return coerceGeospatial(cell, options);
    case 'uuid':
      return coerceUuid(cell);
    case 'variant':
      return coerce(cell, VARIANT_HINT_SPECS[spec.hint], options);
    case 'tombstone':
      return cell === null || (typeof cell === 'string' && isBlank(cell)) ? EMPTY : deleted(spec);
    case 'unknown':
      return passThrough(cell);
  }
}

/** The `SCHEMA_KEY_DELETED` error for a tombstone spec. */
export function deleted(spec: FieldSpec): CoerceError {
  const key = spec.key === undefined ? 'this key' : `key "${spec.key}"`;
  return failWith('SCHEMA_KEY_DELETED', 'no value', `${key} is deleted in the schema (tombstone) and cannot be written`);
}

function passThrough(cell: Cell): CoerceResult {
  if (cell === null) return EMPTY;
  if (typeof cell === 'string') return isBlank(cell) ? EMPTY : value(cell);
  const bad: { cell?: Cell } = {};
  const json = toJson(cell, bad);
  if (json !== undefined) return value(json);
  const exact = typeof bad.cell === 'bigint' ? exactDoubleOfBigint(bad.cell) : undefined;
  return fail('INVALID_NUMBER', 'a finite number a JSON number holds exactly', describeCell(bad.cell), exact?.ok === false ? inexactHint(exact) : undefined);
}

/** A cell as JSON, or `undefined` (with the culprit in `bad`) for NaN, ±Infinity and bigints a double cannot hold. */
function toJson(cell: Cell, bad: { cell?: Cell }): JsonValue | undefined {
  switch (typeof cell) {
    case 'number':
      if (Number.isFinite(cell)) return cell;
      break;
    case 'bigint': {
      const exact = exactDoubleOfBigint(cell);
      if (exact.ok) return exact.value;
      break;
    }
    case 'boolean':
    case 'string':
      return cell;
    default: {
      if (cell === null) return null;
      const out: JsonValue[] = [];
      for (const item of cell as readonly Cell[]) {
        const j = toJson(item, bad);
        if (j === undefined) return undefined;
        out.push(j);
      }
      return out;
    }
  }
  bad.cell = cell;
  return undefined;
}
