/**
 * The update `set` applies: `key=value` texts coerced like CSV cells, typed JSON values coerced like JSON,
 * keys to remove. Every problem (bad value, unknown or reserved key, a key given twice) is a usage error
 * found before anything is read from or written to a dataset.
 */
import type { JsonValue } from '../encord/protocol/types.js';
import { MetaError } from '../errors.js';
import { coerce, coerceJsonValue, resolveCoercionOptions, type CoerceResult, type CoercionOptions } from '../coercion/index.js';
import { metadataKeyProblem, reservedKeyProblem, type MetaSchema } from '../schema/index.js';
import { closest } from '../schema/did-you-mean.js';
import { DELETE, type UpdateEntry } from './merge.js';
import { setOwn } from '../own.js';

export interface SetUpdateInput {
  /** `key=value` texts, coerced exactly like CSV cells. */
  readonly assignments?: readonly string[] | undefined;
  /** Typed values; `null` removes the key. */
  readonly values?: Readonly<Record<string, JsonValue>> | undefined;
  /** Keys to remove. */
  readonly unset?: readonly string[] | undefined;
  readonly coercion?: CoercionOptions | undefined;
  /** A key the schema does not have: refuse (`error`) or write it as given (`allow`). @default 'error' */
  readonly unknownKeys?: 'error' | 'allow' | undefined;
}

/** Split `key=value` (at the first `=`). */
export function parseAssignment(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new MetaError('USAGE', `Expected KEY=VALUE (e.g. city=Paris, dark=true), got "${text}"; for typed values use --json '{"key": value}'`);
  }
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** The update the options describe, coerced against the schema. Throws a usage error for any bad value. */
export function buildSetUpdate(
  options: SetUpdateInput,
  schema: MetaSchema,
): { entries: UpdateEntry[]; set: Record<string, JsonValue>; unset: string[] } {
  const coercion = resolveCoercionOptions(options.coercion ?? {});
  const entries: UpdateEntry[] = [];
  const set: Record<string, JsonValue> = {};
  const unset: string[] = [];
  const seen = new Set<string>();
  const claim = (key: string, how: string): void => {
    const reserved = reservedKeyProblem(key);
    if (reserved !== null) throw new MetaError('USAGE_RESERVED_KEY', `${how}: ${reserved}`, { details: { key } });
    const problem = metadataKeyProblem(key);
    if (problem !== null) throw new MetaError('USAGE', `${how}: "${key}" is not a metadata key you can set: ${problem}`);
    if (seen.has(key)) throw new MetaError('USAGE', `key "${key}" is given twice`);
    seen.add(key);
  };
  const specOf = (key: string): { type: string; spec: ReturnType<MetaSchema['fields']['get']> } => {
    const spec = schema.fields.get(key);
    if (spec) return { type: spec.type, spec };
    if (options.unknownKeys === 'allow') return { type: 'string', spec: undefined };
    const near = closest(key, [...schema.fields.keys()]);
    throw new MetaError(
      'USAGE_UNKNOWN_KEY',
      `key "${key}" is not in the org metadata schema${near ? ` (did you mean "${near}"?)` : ''}. ` +
        `Add it with: encord-meta schema push --set ${key}=TYPE (e.g. string, number, boolean), or pass --allow-unknown-keys to write it as given.`,
    );
  };
  const accept = (key: string, type: string, result: CoerceResult, shown: string): void => {
    if (result.kind === 'error') {
      throw new MetaError('USAGE_INVALID_VALUE', `${result.message} (key ${key}, value ${shown})`, { details: { key, code: result.code } });
    }
    if (result.kind === 'empty') {
      throw new MetaError('USAGE_INVALID_VALUE', `no value for key ${key}; to remove the key use --unset ${key}`, { details: { key } });
    }
    entries.push({ key, value: result.value, type });
    setOwn(set, key, result.value);
  };
  for (const text of options.assignments ?? []) {
    const [key, raw] = parseAssignment(text);
    claim(key, 'KEY=VALUE');
    const { type, spec } = specOf(key);
    const result: CoerceResult = spec ? coerce(raw, spec, coercion) : raw.trim() === '' ? { kind: 'empty' } : { kind: 'value', value: raw };
    accept(key, type, result, JSON.stringify(raw));
  }
  for (const [key, json] of Object.entries(options.values ?? {})) {
    claim(key, '--json');
    if (json === null) {
      entries.push({ key, value: DELETE, type: schema.fields.get(key)?.type ?? 'string' });
      unset.push(key);
      continue;
    }
    const { type, spec } = specOf(key);
    accept(key, type, spec ? coerceJsonValue(json, spec, coercion) : { kind: 'value', value: json }, JSON.stringify(json));
  }
  for (const key of options.unset ?? []) {
    claim(key, '--unset');
    entries.push({ key, value: DELETE, type: schema.fields.get(key)?.type ?? 'string' });
    unset.push(key);
  }
  return { entries, set, unset };
}
