/**
 * Schema files written by people (or by `schema pull` / `schema infer`), in JSON or YAML. Each key's
 * value may be written in any of three forms, mixed freely:
 *
 * - simple:   `"city": "string"` (aliases `varchar`, `text`/`long_string`; also `uuid`, `user`, …) and the
 *             shorthands `"enum(sunny,rainy)"`, `"embedding(8)"`, `"string(100)"`, `"variant(number)"`;
 * - typed:    `"city": {"ty": "varchar", "max_length": 100}` exactly as on the wire (unknown `ty`s are kept);
 * - friendly: `"weather": {"type": "enum", "values": ["sunny", "rainy"]}`, `{"type": "embedding", "size": 8}`.
 *
 * Validation happens here, once, with zod; every message names the file and the key path.
 */
import { z } from 'zod';
import {
  type FieldSpec,
  NUMBER_FORMATS,
  SCHEMA_LIMITS,
  VARIANT_HINTS,
} from './field-spec.js';
import { createMetaSchema, type MetaSchema } from './meta-schema.js';
import { metadataKeyProblem } from './metadata-key.js';
import { schemaError } from './schema-errors.js';
import {
  embeddingSizeProblem,
  enumCountProblem,
  KNOWN_TYS,
  normaliseHint,
  type OptionProblem,
  parseTypedOption,
  typedLimitProblem,
  typeName,
} from './typed-option.js';
import { closest } from './did-you-mean.js';
import { parseYamlText } from './yaml.js';

/** Type names accepted in the simple and friendly forms, with aliases. */
const TYPE_NAMES = [
  'number',
  'string',
  'varchar',
  'text',
  'long_string',
  'boolean',
  'datetime',
  'enum',
  'embedding',
  'geospatial',
  'uuid',
  'variant',
  'user',
] as const;
type TypeName = (typeof TYPE_NAMES)[number];

const FRIENDLY = z.strictObject({
  type: z.enum(TYPE_NAMES),
  values: z.array(z.string()).optional(),
  size: z.int().optional(),
  maxLength: z.int().optional(),
  max_length: z.int().optional(),
  format: z.enum(NUMBER_FORMATS).optional(),
  hint: z.enum([...VARIANT_HINTS, 'string', 'long_string']).optional(),
  /** For people; not sent (Encord's schema has no place for it): `unsentDescriptions` lists the keys. */
  description: z.string().optional(),
});
type Friendly = z.infer<typeof FRIENDLY>;

const SHORTHAND = /^([A-Za-z_]+)\s*(?:\(([^()]*)\))?$/;

type EntryResult = { spec: FieldSpec; raw?: Readonly<Record<string, unknown>> } | { problems: OptionProblem[] };

/**
 * Parse a schema document. The format follows the extension (`.yaml`/`.yml` → YAML, `.json` → JSON),
 * else the content (JSON when it starts with `{`). Throws `SCHEMA_INVALID` listing every problem, one
 * line each, like `schema.json: key "weather": enum needs 1 to 256 values, got 0`.
 */
export function parseSchemaDocument(text: string, fileName: string): MetaSchema {
  const value = parseText(text, fileName);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw schemaError(
      'SCHEMA_INVALID',
      `${fileName}: expected a mapping of metadata key to type at the top level, got ${value === undefined ? 'an empty document' : typeName(value)}`,
      { file: fileName },
    );
  }
  const lines: string[] = [];
  const fields: [string, FieldSpec][] = [];
  const raw: [string, Readonly<Record<string, unknown>>][] = [];
  const described: string[] = [];
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    const keyProblem = metadataKeyProblem(key);
    if (keyProblem !== null) {
      lines.push(`${fileName}: key ${JSON.stringify(key)}: invalid key name: ${keyProblem}`);
      continue;
    }
    const result = parseEntry(entry);
    if ('problems' in result) {
      for (const p of result.problems) lines.push(`${fileName}: key ${JSON.stringify(key)}${formatPath(p.path)}: ${p.message}`);
      continue;
    }
    fields.push([key, result.spec]);
    if (result.raw !== undefined) raw.push([key, result.raw]);
    if (hasDescription(entry)) described.push(key);
  }
  if (lines.length > 0) {
    const shown = lines.length > 20 ? [...lines.slice(0, 20), `${fileName}: … and ${lines.length - 20} more problems`] : lines;
    throw schemaError('SCHEMA_INVALID', shown.join('\n'), { file: fileName });
  }
  const schema = createMetaSchema(fields, raw);
  return described.length > 0 ? { ...schema, unsentDescriptions: described } : schema;
}

/** A friendly entry (`{type: …}`) with a non-empty `description`, which the wire form cannot carry. */
function hasDescription(entry: unknown): boolean {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || 'ty' in entry) return false;
  const description = (entry as Record<string, unknown>)['description'];
  return typeof description === 'string' && description.trim() !== '';
}

function parseText(text: string, fileName: string): unknown {
  const lower = fileName.toLowerCase();
  const yaml = lower.endsWith('.yaml') || lower.endsWith('.yml') || (!lower.endsWith('.json') && !text.trimStart().startsWith('{'));
  if (yaml) {
    const parsed = parseYamlText(text);
    if (!parsed.ok) throw schemaError('SCHEMA_INVALID', `${fileName}: invalid YAML: ${parsed.message}`, { file: fileName });
    return parsed.value;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw schemaError('SCHEMA_INVALID', `${fileName}: invalid JSON: ${(error as Error).message}`, { file: fileName, cause: error });
  }
}

function parseEntry(entry: unknown): EntryResult {
  if (typeof entry === 'string') return parseShorthand(entry);
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    return problem(`expected a type name such as "string" or an object with "type", got ${typeName(entry)}`);
  }
  const object = entry as Record<string, unknown>;
  if ('ty' in object) return parseTyped(object);
  if ('type' in object) return parseFriendly(object);
  return problem('expected an object with "type" (e.g. {"type": "enum", "values": [...]}) or "ty" (the wire form)');
}

function parseTyped(object: Record<string, unknown>): EntryResult {
  const ty = object['ty'];
  if (typeof ty === 'string' && !(KNOWN_TYS as readonly string[]).includes(ty)) {
    // Unknown `ty`s are kept (a file pulled from a newer server); an obvious typo is not.
    const near = closest(ty, KNOWN_TYS);
    if (near !== null) return problem(`unknown ty ${JSON.stringify(ty)}; did you mean ${JSON.stringify(near)}?`, ['ty']);
  }
  const parsed = parseTypedOption(object);
  if (!parsed.ok) return { problems: [...parsed.problems] };
  const limit = typedLimitProblem(parsed.spec, object);
  if (limit !== null) return { problems: [{ path: [], message: limit.message }] };
  const values = enumValuesProblem(parsed.spec);
  if (values !== null) return { problems: [values] };
  return { spec: parsed.spec, raw: object };
}

function parseFriendly(object: Record<string, unknown>): EntryResult {
  const type = object['type'];
  if (typeof type === 'string' && !(TYPE_NAMES as readonly string[]).includes(type)) {
    const near = closest(type, TYPE_NAMES);
    const hint = near === null ? '' : `; did you mean ${JSON.stringify(near)}?`;
    return problem(`unknown type ${JSON.stringify(type)}: expected one of ${TYPE_NAMES.join(', ')}${hint}`, ['type']);
  }
  const parsed = FRIENDLY.safeParse(object);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => ({
        path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
        message: issue.message,
      })),
    };
  }
  const f: Friendly = parsed.data;
  const stray = strayField(f);
  if (stray !== null) return problem(stray);
  const name = f.type;
  switch (name) {
    case 'enum':
      return checked({ type: 'enum', values: f.values ?? [] }, f.values === undefined ? 'enum needs 1 to 256 values, got none' : null);
    case 'embedding':
      if (f.size === undefined) return problem(`embedding needs a size from 1 to ${SCHEMA_LIMITS.embeddingMaxSize}, got none`);
      return checked({ type: 'embedding', size: f.size });
    case 'string':
    case 'varchar':
      return checked({ type: 'string', maxLength: f.maxLength ?? f.max_length ?? SCHEMA_LIMITS.varcharMaxLength });
    case 'number':
      return checked({ type: 'number', format: f.format ?? 'F64' });
    case 'variant':
      return checked({ type: 'variant', hint: normaliseHint(f.hint) });
    default:
      return checked(simpleSpec(name));
  }
}

/** Fields that make sense only for some types, to catch `{"type": "string", "values": [...]}`. */
function strayField(f: Friendly): string | null {
  const owners: [keyof Friendly, readonly TypeName[]][] = [
    ['values', ['enum']],
    ['size', ['embedding']],
    ['maxLength', ['string', 'varchar']],
    ['max_length', ['string', 'varchar']],
    ['format', ['number']],
    ['hint', ['variant']],
  ];
  for (const [field, types] of owners) {
    if (f[field] !== undefined && !types.includes(f.type)) return `\`${field}\` applies to ${types[0]} only, not to ${f.type}`;
  }
  return null;
}

function parseShorthand(text: string): EntryResult {
  const match = SHORTHAND.exec(text.trim());
  const name = match?.[1]?.toLowerCase();
  if (match === null || name === undefined || !(TYPE_NAMES as readonly string[]).includes(name)) {
    const near = name === undefined ? null : closest(name, TYPE_NAMES);
    const hint = near === null ? '' : `; did you mean ${JSON.stringify(near)}?`;
    return problem(`unknown type ${JSON.stringify(text)}: expected one of ${TYPE_NAMES.join(', ')}, enum(a,b,…) or embedding(n)${hint}`);
  }
  const typeName = name as TypeName;
  const args = match[2];
  if (args === undefined) {
    // Bare `enum` / `embedding` are the simple form: no values / size (only the old API accepts that).
    if (typeName === 'enum') return { spec: { type: 'enum', values: [] } };
    if (typeName === 'embedding') return { spec: { type: 'embedding', size: null } };
    if (typeName === 'variant') return { spec: { type: 'variant', hint: 'text' } };
    return checked(simpleSpec(typeName));
  }
  const trimmed = args.trim();
  switch (typeName) {
    case 'enum': {
      const values = trimmed === '' ? [] : trimmed.split(',').map((v) => v.trim());
      return checked({ type: 'enum', values });
    }
    case 'embedding':
      if (!/^\d+$/.test(trimmed)) return problem(`embedding size must be an integer, got ${JSON.stringify(trimmed)}`);
      return checked({ type: 'embedding', size: Number(trimmed) });
    case 'string':
    case 'varchar':
      if (!/^\d+$/.test(trimmed)) return problem(`string length must be an integer, got ${JSON.stringify(trimmed)}`);
      return checked({ type: 'string', maxLength: Number(trimmed) });
    case 'number':
      if (trimmed !== 'F64' && trimmed !== 'F32') return problem(`number format must be F64 or F32, got ${JSON.stringify(trimmed)}`);
      return checked({ type: 'number', format: trimmed });
    case 'variant': {
      const hints: readonly string[] = [...VARIANT_HINTS, 'string', 'long_string'];
      if (!hints.includes(trimmed)) return problem(`variant hint must be one of ${VARIANT_HINTS.join(', ')}, got ${JSON.stringify(trimmed)}`);
      return checked({ type: 'variant', hint: normaliseHint(trimmed) });
    }
    default:
      return problem(`\`${typeName}\` takes no arguments, got ${JSON.stringify(text.trim())}`);
  }
}

function simpleSpec(name: Exclude<TypeName, 'enum' | 'embedding' | 'variant'>): FieldSpec {
  switch (name) {
    case 'number':
      return { type: 'number', format: 'F64' };
    case 'string':
    case 'varchar':
      return { type: 'string', maxLength: SCHEMA_LIMITS.varcharMaxLength };
    case 'text':
    case 'long_string':
      return { type: 'text' };
    default:
      return { type: name };
  }
}

/** Apply the limits every form shares. */
function checked(spec: FieldSpec, forced: string | null = null): EntryResult {
  if (forced !== null) return problem(forced);
  const limit =
    spec.type === 'enum'
      ? enumCountProblem(spec.values)
      : spec.type === 'embedding' && spec.size !== null
        ? embeddingSizeProblem(spec.size)
        : typedLimitProblem(spec);
  const found = limit ?? enumValuesProblem(spec);
  return found === null ? { spec } : { problems: [{ path: [], message: found.message }] };
}

function enumValuesProblem(spec: FieldSpec): OptionProblem | null {
  if (spec.type !== 'enum') return null;
  const i = spec.values.findIndex((v) => v.trim() === '');
  return i < 0
    ? null
    : { path: [], message: `enum value ${i + 1} is empty; an empty cell means "no value", so it could never be written` };
}

function problem(message: string, path: (string | number)[] = []): EntryResult {
  return { problems: [{ path, message }] };
}

function formatPath(path: readonly (string | number)[]): string {
  // Limit problems name their field in the message; only structural problems carry a path.
  if (path.length === 0) return '';
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return `, field ${out}`;
}
