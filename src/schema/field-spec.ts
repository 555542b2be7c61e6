/**
 * The field types of an organisation metadata schema (protocol §5.6), as one `as const` table, and the
 * `FieldSpec` that says how one key's values are typed. Pure data: no imports, so the coercers can depend
 * on it without depending on the rest of the schema layer.
 */

/**
 * Every field type we model. `ty` is the typed (v2) wire discriminator, `simple` the old dict-form type
 * string (`null`: not expressible there), `coercible` whether we can check and convert cells for it.
 */
export const FIELD_TYPES = {
  number: { ty: 'number', simple: 'number', coercible: true },
  /** `varchar` on the wire, `string` in the simple form; at most `maxLength` (≤ 8192) characters. */
  string: { ty: 'varchar', simple: 'string', coercible: true },
  /** `text` on the wire, `long_string` in the simple form; unbounded. */
  text: { ty: 'text', simple: 'long_string', coercible: true },
  boolean: { ty: 'boolean', simple: 'boolean', coercible: true },
  datetime: { ty: 'datetime', simple: 'datetime', coercible: true },
  enum: { ty: 'enum', simple: 'enum', coercible: true },
  embedding: { ty: 'embedding', simple: 'embedding', coercible: true },
  geospatial: { ty: 'geospatial', simple: 'geospatial', coercible: true },
  uuid: { ty: 'uuid', simple: null, coercible: true },
  /** What `add_scalar` creates: values are coerced as the hint's type. */
  variant: { ty: 'variant', simple: null, coercible: true },
  /** Kept and re-sent; values pass as strings. */
  user: { ty: 'user', simple: null, coercible: false },
  /** A deleted key: writing it is an error (`SCHEMA_KEY_DELETED`). */
  tombstone: { ty: 'tombstone', simple: null, coercible: false },
  /** A `ty` this version does not know: kept raw and re-sent untouched; values pass as they are. */
  unknown: { ty: null, simple: null, coercible: false },
} as const;
export type FieldType = keyof typeof FIELD_TYPES;

/** Limits from the SDK's schema types (protocol §5.6, §7.6). */
export const SCHEMA_LIMITS = {
  varcharMaxLength: 8192,
  enumMinValues: 1,
  enumMaxValues: 256,
  embeddingMinSize: 1,
  embeddingMaxSize: 4096,
} as const;

/** Hints a `variant` may carry (wire names). */
export const VARIANT_HINTS = ['number', 'varchar', 'text', 'boolean', 'datetime', 'uuid'] as const;
export type VariantHint = (typeof VARIANT_HINTS)[number];

export const NUMBER_FORMATS = ['F64', 'F32'] as const;
export type NumberFormat = (typeof NUMBER_FORMATS)[number];

/**
 * How one key is typed. `key` is informative (error messages name it); it never takes part in comparisons.
 * Specs that come from the simple form may lack details the typed form needs: `enum.values` is empty and
 * `embedding.size` is `null` there, and coercion then checks only what it can.
 */
export type FieldSpec = { readonly key?: string } & (
  | { readonly type: 'number'; readonly format: NumberFormat }
  | { readonly type: 'string'; readonly maxLength: number }
  | { readonly type: 'text' }
  | { readonly type: 'boolean' }
  | { readonly type: 'datetime' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'embedding'; readonly size: number | null }
  | { readonly type: 'geospatial' }
  | { readonly type: 'uuid' }
  | { readonly type: 'variant'; readonly hint: VariantHint }
  | { readonly type: 'user' }
  | { readonly type: 'tombstone'; readonly deletedTy: unknown }
  | { readonly type: 'unknown'; readonly ty: string; readonly option: Readonly<Record<string, unknown>> }
);

/** The spec of one type, for narrowing: `SpecOf<'enum'>`. */
export type SpecOf<T extends FieldType> = Extract<FieldSpec, { readonly type: T }>;

/** A short human description: `number`, `string(100)`, `enum(rainy, sunny)`, `embedding(8)`, `variant(number)`. */
export function describeSpec(spec: FieldSpec): string {
  switch (spec.type) {
    case 'number':
      return spec.format === 'F64' ? 'number' : `number(${spec.format})`;
    case 'string':
      return spec.maxLength === SCHEMA_LIMITS.varcharMaxLength ? 'string' : `string(${spec.maxLength})`;
    case 'enum': {
      if (spec.values.length === 0) return 'enum';
      const shown = spec.values.slice(0, 8).join(', ');
      return spec.values.length > 8 ? `enum(${shown}, … ${spec.values.length - 8} more)` : `enum(${shown})`;
    }
    case 'embedding':
      return spec.size === null ? 'embedding' : `embedding(${spec.size})`;
    case 'variant':
      return `variant(${spec.hint})`;
    case 'unknown':
      return `unknown(ty=${spec.ty})`;
    default:
      return spec.type;
  }
}
