/**
 * One option of the typed (v2) schema form ↔ `FieldSpec`. The zod shapes check structure only; the
 * SDK's limits (varchar ≤ 8192, enum 1..256 values, embedding 1..4096) are checked by `typedLimitProblem`
 * so a schema pulled from the server is never rejected for them while a file we are about to push is.
 */
import { z } from 'zod';
import {
  type FieldSpec,
  NUMBER_FORMATS,
  SCHEMA_LIMITS,
  VARIANT_HINTS,
  type VariantHint,
} from './field-spec.js';
import { sortEnumValues } from './meta-schema.js';
import { TYPED_SCHEMA_TYS } from '../encord/protocol/types.js';

/** `ty` values this version models (the wire list, written once); anything else becomes an `unknown` spec kept raw. */
export const KNOWN_TYS = TYPED_SCHEMA_TYS;
type KnownTy = (typeof KNOWN_TYS)[number];

const HINT_INPUTS = [...VARIANT_HINTS, 'string', 'long_string'] as const;

/** Structure of each known option; unknown extra fields are allowed (and kept via the raw option). */
const OPTION_SHAPES: { readonly [T in KnownTy]: z.ZodType } = {
  number: z.looseObject({ format: z.enum(NUMBER_FORMATS).optional() }),
  boolean: z.looseObject({}),
  varchar: z.looseObject({ max_length: z.int().optional() }),
  text: z.looseObject({}),
  datetime: z.looseObject({ timezone: z.string().optional() }),
  enum: z.looseObject({ values: z.array(z.string()) }),
  embedding: z.looseObject({ size: z.int(), api: z.unknown().optional() }),
  geospatial: z.looseObject({}),
  uuid: z.looseObject({}),
  variant: z.looseObject({ hint: z.enum(HINT_INPUTS).optional() }),
  user: z.looseObject({}),
  tombstone: z.looseObject({ deleted_ty: z.union([z.null(), z.looseObject({ ty: z.string() })]).optional() }),
};

/** A problem found in an option: `path` is relative to the option (`["values", 2]`). */
export interface OptionProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export type TypedOptionResult =
  | { readonly ok: true; readonly spec: FieldSpec }
  | { readonly ok: false; readonly problems: readonly OptionProblem[] };

/**
 * Parse one typed option. An unknown `ty` gives an `unknown` spec (never an error); a known `ty` with a
 * malformed field is an error. Limits are not checked here (see `typedLimitProblem`).
 */
export function parseTypedOption(raw: Readonly<Record<string, unknown>>): TypedOptionResult {
  const ty = raw['ty'];
  if (typeof ty !== 'string') {
    return { ok: false, problems: [{ path: ['ty'], message: `expected \`ty\` to be a string, got ${typeName(ty)}` }] };
  }
  if (!(KNOWN_TYS as readonly string[]).includes(ty)) {
    return { ok: true, spec: { type: 'unknown', ty, option: raw } };
  }
  const parsed = OPTION_SHAPES[ty as KnownTy].safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
        message: issue.message,
      })),
    };
  }
  const o = parsed.data as Record<string, unknown>;
  switch (ty as KnownTy) {
    case 'number':
      return ok({ type: 'number', format: (o['format'] as 'F32' | 'F64' | undefined) ?? 'F64' });
    case 'varchar':
      return ok({ type: 'string', maxLength: (o['max_length'] as number | undefined) ?? SCHEMA_LIMITS.varcharMaxLength });
    case 'enum':
      return ok({ type: 'enum', values: o['values'] as string[] });
    case 'embedding':
      return ok({ type: 'embedding', size: o['size'] as number });
    case 'variant':
      return ok({ type: 'variant', hint: normaliseHint(o['hint'] as (typeof HINT_INPUTS)[number] | undefined) });
    case 'tombstone':
      return ok({ type: 'tombstone', deletedTy: o['deleted_ty'] ?? null });
    case 'text':
    case 'boolean':
    case 'datetime':
    case 'geospatial':
    case 'uuid':
    case 'user':
      return ok({ type: ty as 'text' | 'boolean' | 'datetime' | 'geospatial' | 'uuid' | 'user' });
  }
}

/** `string` → `varchar`, `long_string` → `text` (the SDK maps them on input); default `text`. */
export function normaliseHint(hint: string | undefined): VariantHint {
  if (hint === undefined || hint === 'long_string') return 'text';
  if (hint === 'string') return 'varchar';
  return hint as VariantHint;
}

/** The SDK's limits, as a problem on the offending field, or `null`. */
export function typedLimitProblem(spec: FieldSpec, raw?: Readonly<Record<string, unknown>>): OptionProblem | null {
  switch (spec.type) {
    case 'string':
      if (spec.maxLength < 0 || spec.maxLength > SCHEMA_LIMITS.varcharMaxLength) {
        return {
          path: ['max_length'],
          message: `max_length must be from 0 to ${SCHEMA_LIMITS.varcharMaxLength}, got ${spec.maxLength}`,
        };
      }
      return null;
    case 'enum':
      return enumCountProblem(spec.values);
    case 'embedding':
      return spec.size === null ? null : embeddingSizeProblem(spec.size);
    case 'datetime': {
      const tz = raw?.['timezone'];
      return tz === undefined || tz === 'UTC'
        ? null
        : { path: ['timezone'], message: `timezone must be "UTC" (the only value), got ${JSON.stringify(tz)}` };
    }
    default:
      return null;
  }
}

export function enumCountProblem(values: readonly string[]): OptionProblem | null {
  const n = values.length;
  if (n < SCHEMA_LIMITS.enumMinValues || n > SCHEMA_LIMITS.enumMaxValues) {
    return {
      path: ['values'],
      message: `enum needs ${SCHEMA_LIMITS.enumMinValues} to ${SCHEMA_LIMITS.enumMaxValues} values, got ${n}`,
    };
  }
  const seen = new Set<string>();
  for (const [i, v] of values.entries()) {
    if (seen.has(v)) return { path: ['values', i], message: `enum value ${JSON.stringify(v)} appears twice` };
    seen.add(v);
  }
  return null;
}

export function embeddingSizeProblem(size: number): OptionProblem | null {
  if (!Number.isInteger(size) || size < SCHEMA_LIMITS.embeddingMinSize || size > SCHEMA_LIMITS.embeddingMaxSize) {
    return {
      path: ['size'],
      message: `embedding size must be an integer from ${SCHEMA_LIMITS.embeddingMinSize} to ${SCHEMA_LIMITS.embeddingMaxSize}, got ${size}`,
    };
  }
  return null;
}

/**
 * The option exactly as the SDK serialises it (protocol §5.6). Returns a problem for specs the typed form
 * cannot carry: an enum without values or an embedding without size (both come from the simple form).
 */
export function toTypedOption(
  spec: FieldSpec,
): { readonly ok: true; readonly option: Record<string, unknown> } | { readonly ok: false; readonly message: string } {
  switch (spec.type) {
    case 'number':
      return { ok: true, option: { ty: 'number', format: spec.format } };
    case 'string':
      return { ok: true, option: { ty: 'varchar', max_length: spec.maxLength } };
    case 'datetime':
      return { ok: true, option: { ty: 'datetime', timezone: 'UTC' } };
    case 'enum':
      if (spec.values.length === 0) {
        return { ok: false, message: 'enum has no values (the simple form does not carry them); list them in the schema file' };
      }
      return { ok: true, option: { ty: 'enum', values: sortEnumValues(spec.values) } };
    case 'embedding':
      if (spec.size === null) {
        return { ok: false, message: 'embedding has no size (the simple form does not carry it); give it as embedding(n)' };
      }
      return { ok: true, option: { ty: 'embedding', size: spec.size, api: null } };
    case 'variant':
      return { ok: true, option: { ty: 'variant', hint: spec.hint } };
    case 'tombstone':
      return { ok: true, option: { ty: 'tombstone', deleted_ty: spec.deletedTy ?? null } };
    case 'unknown':
      return { ok: true, option: { ...spec.option } };
    case 'text':
    case 'boolean':
    case 'geospatial':
    case 'uuid':
    case 'user':
      return { ok: true, option: { ty: spec.type } };
  }
}

function ok(spec: FieldSpec): TypedOptionResult {
  return { ok: true, spec };
}

/** `string`, `number`, `array`, `null`, … for messages. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
