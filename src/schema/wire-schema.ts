/**
 * `MetaSchema` ↔ the two wire forms of protocol §5.6: the typed (v2) map `{key: {"ty": …}}` and the old simple
 * dict `{key: "string"}`. Reading is lenient (the server is authoritative: unknown `ty`s and values beyond
 * the SDK's limits are kept); writing is exact SDK serialisation, re-sending received options untouched.
 */
import type { SimpleSchemaType, WireTypedOption, WireTypedSchema } from '../encord/protocol/types.js';
import { type FieldSpec, SCHEMA_LIMITS } from './field-spec.js';
import { createMetaSchema, type MetaSchema, setOwn, specsEqual } from './meta-schema.js';
import { schemaError } from './schema-errors.js';
import { parseTypedOption, toTypedOption, typeName } from './typed-option.js';

/**
 * From the typed wire form (GET endpoint M). Throws `SCHEMA_INVALID` naming the key for an option that is
 * not an object or a known `ty` whose fields are malformed; unknown `ty`s become `unknown` specs.
 */
export function fromTypedWire(wire: WireTypedSchema | Readonly<Record<string, unknown>>): MetaSchema {
  const fields: [string, FieldSpec][] = [];
  const raw: [string, Readonly<Record<string, unknown>>][] = [];
  for (const [key, option] of Object.entries(wire)) {
    if (option === null || typeof option !== 'object' || Array.isArray(option)) {
      throw schemaError('SCHEMA_INVALID', `Typed schema: key "${key}": expected an option object, got ${typeName(option)}`, { key });
    }
    const parsed = parseTypedOption(option as Record<string, unknown>);
    if (!parsed.ok) {
      const p = parsed.problems[0]!;
      const at = p.path.length > 0 ? ` ${p.path.join('.')}` : '';
      throw schemaError('SCHEMA_INVALID', `Typed schema: key "${key}"${at}: ${p.message}`, { key });
    }
    fields.push([key, parsed.spec]);
    raw.push([key, option as Record<string, unknown>]);
  }
  return createMetaSchema(fields, raw);
}

/**
 * To the typed wire form (POST endpoint N: the whole schema). A key whose spec is unchanged since it was
 * received is re-sent as received. Throws `SCHEMA_NOT_REPRESENTABLE` for an enum without values or an
 * embedding without size.
 */
export function toTypedWire(schema: MetaSchema): WireTypedSchema {
  const out: WireTypedSchema = {};
  for (const [key, spec] of schema.fields) {
    const raw = schema.rawOptions.get(key);
    if (raw !== undefined) {
      const before = parseTypedOption(raw);
      if (before.ok && specsEqual(before.spec, spec)) {
        setOwn(out, key, raw as WireTypedOption);
        continue;
      }
    }
    const option = toTypedOption(spec);
    if (!option.ok) throw schemaError('SCHEMA_NOT_REPRESENTABLE', `Typed schema: key "${key}": ${option.message}`, { key });
    setOwn(out, key, option.option as WireTypedOption);
  }
  return out;
}

const SIMPLE_TO_SPEC: { readonly [T in SimpleSchemaType]: FieldSpec } = {
  number: { type: 'number', format: 'F64' },
  string: { type: 'string', maxLength: SCHEMA_LIMITS.varcharMaxLength },
  long_string: { type: 'text' },
  boolean: { type: 'boolean' },
  datetime: { type: 'datetime' },
  geospatial: { type: 'geospatial' },
  enum: { type: 'enum', values: [] },
  embedding: { type: 'embedding', size: null },
};

/**
 * From the simple form (GET endpoint K's `metadataSchema`). `enum` has no values and `embedding` no size
 * there; a type string we do not know becomes an `unknown` spec so it survives a round trip.
 */
export function fromSimpleWire(wire: Readonly<Record<string, string>>): MetaSchema {
  const fields: [string, FieldSpec][] = [];
  for (const [key, type] of Object.entries(wire)) {
    const spec = Object.hasOwn(SIMPLE_TO_SPEC, type) ? SIMPLE_TO_SPEC[type as SimpleSchemaType] : undefined;
    fields.push([key, spec ?? { type: 'unknown', ty: String(type), option: { ty: String(type) } }]);
  }
  return createMetaSchema(fields);
}

/** A key the simple form could only approximate. */
export interface SimpleFormLoss {
  readonly key: string;
  /** What was lost, e.g. `uuid sent as "string"`, `deleted key omitted`. */
  readonly note: string;
}

/**
 * To the simple form (POST endpoint L). The simple form has fewer types, so some keys are approximated:
 * the result lists each approximation in `losses` for the caller to show. Deleted keys are omitted.
 */
export function toSimpleWire(schema: MetaSchema): { schema: Record<string, string>; losses: SimpleFormLoss[] } {
  const out: Record<string, string> = {};
  const losses: SimpleFormLoss[] = [];
  const approximate = (key: string, to: SimpleSchemaType, note: string): void => {
    setOwn(out, key, to);
    losses.push({ key, note });
  };
  for (const [key, spec] of schema.fields) {
    switch (spec.type) {
      case 'number':
        if (spec.format !== 'F64') losses.push({ key, note: `number format ${spec.format} not carried` });
        setOwn(out, key, 'number');
        break;
      case 'string':
        if (spec.maxLength !== SCHEMA_LIMITS.varcharMaxLength) {
          losses.push({ key, note: `max length ${spec.maxLength} not carried` });
        }
        setOwn(out, key, 'string');
        break;
      case 'text':
        setOwn(out, key, 'long_string');
        break;
      case 'enum':
        if (spec.values.length > 0) losses.push({ key, note: 'enum values not carried' });
        setOwn(out, key, 'enum');
        break;
      case 'embedding':
        if (spec.size !== null) losses.push({ key, note: 'embedding size not carried' });
        setOwn(out, key, 'embedding');
        break;
      case 'boolean':
      case 'datetime':
      case 'geospatial':
        setOwn(out, key, spec.type);
        break;
      case 'uuid':
        approximate(key, 'string', 'uuid sent as "string"');
        break;
      case 'user':
        approximate(key, 'string', 'user sent as "string"');
        break;
      case 'variant': {
        const to: SimpleSchemaType =
          spec.hint === 'varchar' || spec.hint === 'uuid' ? 'string' : spec.hint === 'text' ? 'long_string' : spec.hint;
        approximate(key, to, `variant(${spec.hint}) sent as "${to}"`);
        break;
      }
      case 'tombstone':
        losses.push({ key, note: 'deleted key omitted' });
        break;
      case 'unknown':
        setOwn(out, key, spec.ty);
        losses.push({ key, note: `unknown type "${spec.ty}" passed through` });
        break;
    }
  }
  return { schema: out, losses };
}
