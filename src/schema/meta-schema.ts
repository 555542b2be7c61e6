/**
 * `MetaSchema`: the organisation metadata schema as an ordered map key → `FieldSpec`, plus the typed wire
 * options exactly as they were received, so a pull → push round trip re-sends what we do not model
 * (an embedding's `api`, fields a newer server adds) untouched.
 */
import { type FieldSpec, SCHEMA_LIMITS } from './field-spec.js';

export interface MetaSchema {
  /** Keys in schema order. */
  readonly fields: ReadonlyMap<string, FieldSpec>;
  /** Typed options as received, by key; absent for keys that did not come from the typed form. */
  readonly rawOptions: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /**
   * Keys whose schema-file entry has a `description`: Encord's typed schema has no place for one, so it is
   * never sent, and `schema push` says so. Absent for schemas that did not come from a file.
   */
  readonly unsentDescriptions?: readonly string[] | undefined;
}

/** Build a schema; each spec gets its `key` set so coercion messages can name it. */
export function createMetaSchema(
  fields: Iterable<readonly [string, FieldSpec]>,
  rawOptions?: Iterable<readonly [string, Readonly<Record<string, unknown>>]>,
): MetaSchema {
  const map = new Map<string, FieldSpec>();
  for (const [key, spec] of fields) map.set(key, spec.key === key ? spec : { ...spec, key });
  const raw = new Map<string, Readonly<Record<string, unknown>>>();
  for (const [key, option] of rawOptions ?? []) if (map.has(key)) raw.set(key, option);
  return { fields: map, rawOptions: raw };
}

/** The empty schema (an organisation that never set one). */
export const EMPTY_SCHEMA: MetaSchema = createMetaSchema([]);

/** A copy with `key` set to `spec` (appended when new); the raw option of a changed key is dropped. */
export function withField(schema: MetaSchema, key: string, spec: FieldSpec): MetaSchema {
  const fields = new Map(schema.fields);
  fields.set(key, spec);
  const previous = schema.fields.get(key);
  const raw = [...schema.rawOptions].filter(([k]) => k !== key || (previous !== undefined && specsEqual(previous, spec)));
  return createMetaSchema(fields, raw);
}

/** A copy without `key`. */
export function withoutField(schema: MetaSchema, key: string): MetaSchema {
  const fields = [...schema.fields].filter(([k]) => k !== key);
  return createMetaSchema(fields, schema.rawOptions);
}

/**
 * For `schema push`: keys of `next` that have no raw option but the same spec as in `current` take
 * `current`'s raw option, so pushing a hand-written file does not wipe an embedding's `api` settings.
 */
export function adoptRawOptions(next: MetaSchema, current: MetaSchema): MetaSchema {
  const raw = new Map(next.rawOptions);
  for (const [key, spec] of next.fields) {
    if (raw.has(key)) continue;
    const before = current.fields.get(key);
    const option = current.rawOptions.get(key);
    if (before !== undefined && option !== undefined && specsEqual(before, spec)) raw.set(key, option);
  }
  return createMetaSchema(next.fields, raw);
}

/**
 * Whether two specs type values the same way. Ignores `key`; enum values compare as sets (the SDK sorts
 * them); unknown and tombstone options compare by their JSON with sorted object keys.
 */
export function specsEqual(a: FieldSpec, b: FieldSpec): boolean {
  return canonicalSpecText(a) === canonicalSpecText(b);
}

/** A stable text of what a spec means, for equality and diffs. */
export function canonicalSpecText(spec: FieldSpec): string {
  switch (spec.type) {
    case 'number':
      return `number:${spec.format}`;
    case 'string':
      return `string:${spec.maxLength}`;
    case 'enum':
      return `enum:${JSON.stringify(sortEnumValues(spec.values))}`;
    case 'embedding':
      return `embedding:${spec.size ?? '?'}`;
    case 'variant':
      return `variant:${spec.hint}`;
    case 'tombstone':
      return `tombstone:${stableJson(spec.deletedTy)}`;
    case 'unknown':
      return `unknown:${stableJson(spec.option)}`;
    default:
      return spec.type;
  }
}

/** Enum values in the order the SDK sends them: Python's `sorted`, i.e. by code point. */
export function sortEnumValues(values: readonly string[]): string[] {
  return [...values].sort(compareCodePoints);
}

function compareCodePoints(a: string, b: string): number {
  // UTF-16 order differs from code point order only when a surrogate meets U+E000..U+FFFF.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Varchar length limit, re-exported for callers that build specs by hand. */
export const DEFAULT_VARCHAR_LENGTH = SCHEMA_LIMITS.varcharMaxLength;

export { setOwn } from '../own.js';
