/**
 * The organisation schema operations behind `encord-meta schema push|pull|verify`: a push is planned first
 * (the org has one schema and a push replaces it), refuses to drop existing keys without consent, keeps
 * deleted keys deleted and settings it does not model. Library-level: no printing, no prompts; a push asks
 * its caller through `confirm`. Checking and inferring from data files is `run-schema-check.ts`.
 */
import type { MetadataStore } from '../encord/metadata-store.js';
import { MetaError } from '../errors.js';
import {
  adoptRawOptions,
  createMetaSchema,
  diffSchemas,
  isEmptyDiff,
  parseSchemaDocument,
  toTypedWire,
  withField,
  withoutField,
  type MetaSchema,
  type SchemaDiff,
} from '../schema/index.js';
import { pullSchema, type OrgSchema, type SchemaForm } from './pull-schema.js';

type Signal = { readonly signal?: AbortSignal | undefined };

export { pullSchema, type OrgSchema, type SchemaForm } from './pull-schema.js';

// ------------------------------------------------------------------------------------------ push

export interface SchemaPushOptions extends Signal {
  readonly store: MetadataStore;
  /** The schema to push (e.g. `loadSchemaFile(path)`). @default the current org schema, edited by `set`/`remove` */
  readonly schema?: MetaSchema | undefined;
  /**
   * Keys to add or retype, on top of `schema`: `[key, type]` with the type as a schema file writes it
   * (`"string"`, `"enum(sunny,rain)"`, `"embedding(8)"`, or a JSON object text such as `{"type":"enum",…}`).
   */
  readonly set?: readonly (readonly [string, string])[] | undefined;
  /** Keys to remove; naming a key here is the consent `allowRemovals` gives for every key. */
  readonly remove?: readonly string[] | undefined;
  /** Allow the push to drop keys the org schema has today. @default false */
  readonly allowRemovals?: boolean | undefined;
  /** Plan only. @default false */
  readonly dryRun?: boolean | undefined;
  /** Called with the plan when there is something to push; resolve `false` to push nothing. @default always push */
  readonly confirm?: ((plan: SchemaPushPlan) => Promise<boolean>) | undefined;
  /** Called with the plan as soon as it is known, before any check can refuse it (to show the diff). */
  readonly onPlan?: ((plan: SchemaPushPlan) => void) | undefined;
}

export interface SchemaPushPlan {
  readonly current: OrgSchema;
  /** What would be sent (raw options of unchanged keys adopted, deleted keys kept). */
  readonly next: MetaSchema;
  readonly diff: SchemaDiff;
  /** Deleted keys (tombstones) of the org schema the input did not mention; kept so they stay deleted. */
  readonly keptTombstones: readonly string[];
  /** Existing keys the push would drop without consent (`allowRemovals` or `remove`): the push is refused. */
  readonly blockedRemovals: readonly string[];
  /**
   * Things in the input the push cannot send, said before it is sent: keys added or retyped whose
   * schema-file entry has a `description` (Encord's typed schema has no place for one; it stays in the file).
   */
  readonly warnings: readonly string[];
}

export interface SchemaPushResult {
  readonly plan: SchemaPushPlan;
  readonly pushed: boolean;
  /** Why it was or was not pushed. */
  readonly outcome: 'pushed' | 'unchanged' | 'dry-run' | 'declined';
}

/** Parse `key=type` arguments of `--set` (type text as in a schema file). */
export function parseSetArguments(args: readonly string[]): [string, string][] {
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new MetaError('USAGE', `Expected --set KEY=TYPE (e.g. city=string, weather=enum(sunny,rain)), got "${arg}"`);
    return [arg.slice(0, eq).trim(), arg.slice(eq + 1).trim()];
  });
}

/** The schema `--set` entries describe, validated like a schema file (messages name `--set` and the key). */
export function schemaFromSetEntries(entries: readonly (readonly [string, string])[]): MetaSchema {
  const document: Record<string, unknown> = {};
  for (const [key, type] of entries) {
    let entry: unknown = type;
    if (type.startsWith('{')) {
      try {
        entry = JSON.parse(type) as unknown;
      } catch (error) {
        throw new MetaError('SCHEMA_INVALID', `--set ${key}: invalid JSON: ${(error as Error).message}`, { cause: error });
      }
    }
    Object.defineProperty(document, key, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return parseSchemaDocument(JSON.stringify(document), '--set');
}

/** Work out what a push would send and change, without writing. */
export async function planSchemaPush(options: SchemaPushOptions): Promise<SchemaPushPlan> {
  const current = await pullSchema(options.store, options);
  let next = options.schema ?? current.schema;
  if (options.set && options.set.length > 0) {
    const extra = schemaFromSetEntries(options.set);
    for (const [key, spec] of extra.fields) next = withField(next, key, spec);
  }
  const remove = new Set(options.remove ?? []);
  for (const key of remove) {
    if (!next.fields.has(key) && !current.schema.fields.has(key)) {
      throw new MetaError('USAGE', `--remove ${key}: the org schema has no key "${key}"`);
    }
    next = withoutField(next, key);
  }
  // A deleted key (tombstone) stays deleted unless the input says otherwise: dropping the tombstone would
  // silently make old values writable again.
  const keptTombstones: string[] = [];
  for (const [key, spec] of current.schema.fields) {
    if (spec.type === 'tombstone' && !next.fields.has(key) && !remove.has(key)) {
      next = withField(next, key, spec);
      keptTombstones.push(key);
    }
  }
  next = adoptRawOptions(next, current.schema);
  const diff = diffSchemas(current.schema, next);
  const blockedRemovals = options.allowRemovals ? [] : diff.removed.filter((r) => !remove.has(r.key)).map((r) => r.key);
  // Only keys this push sends anew (added or retyped): an unchanged key's description was never in Encord either.
  const sent = new Set([...diff.added.map((a) => a.key), ...diff.changed.map((c) => c.key)]);
  const described = (options.schema?.unsentDescriptions ?? []).filter((k) => sent.has(k));
  const warnings =
    described.length === 0
      ? []
      : [
          `the description of ${described.length === 1 ? 'key' : 'keys'} ${described.map((k) => JSON.stringify(k)).join(', ')} is not sent: ` +
            `Encord's metadata schema has no place for a description, so it stays in your file only (the ${described.length === 1 ? 'key is' : 'keys are'} pushed without it)`,
        ];
  return { current, next, diff, keptTombstones, blockedRemovals, warnings };
}

/**
 * Replace the org schema (typed form) after planning it. Nothing is sent when nothing changes, on a dry
 * run, or when `confirm` declines; removing existing keys without consent is refused
 * (`USAGE_REMOVALS_NOT_ALLOWED`).
 */
export async function runSchemaPush(options: SchemaPushOptions): Promise<SchemaPushResult> {
  const plan = await planSchemaPush(options);
  options.onPlan?.(plan);
  const blocked = plan.blockedRemovals;
  if (blocked.length > 0) {
    throw new MetaError(
      'USAGE_REMOVALS_NOT_ALLOWED',
      `This push would remove ${blocked.length === 1 ? 'key' : 'keys'} ${blocked.map((k) => `"${k}"`).join(', ')} from the org schema ` +
        `(a push replaces the whole schema). Add ${blocked.length === 1 ? 'it' : 'them'} to the file, or pass --allow-removals ` +
        `(or --remove KEY) if the removal is meant. Nothing was pushed.`,
      { details: { keys: blocked } },
    );
  }
  // Fail on an unrepresentable schema (an enum without values…) before asking anyone anything.
  const wire = toTypedWire(plan.next);
  // Same keys and types: nothing to do, unless the org only has the old simple form (then the push
  // creates the typed schema Index and Active read).
  if (isEmptyDiff(plan.diff) && (plan.current.form === 'typed' || plan.next.fields.size === 0)) return { plan, pushed: false, outcome: 'unchanged' };
  if (options.dryRun) return { plan, pushed: false, outcome: 'dry-run' };
  if (options.confirm && !(await options.confirm(plan))) return { plan, pushed: false, outcome: 'declined' };
  await options.store.setTypedSchema(wire, options.signal ? { signal: options.signal } : {});
  return { plan, pushed: true, outcome: 'pushed' };
}

// ------------------------------------------------------------------------------------------ verify

export interface SchemaVerifyResult {
  readonly equal: boolean;
  /** Changes pushing the file would make to the org schema. */
  readonly diff: SchemaDiff;
  readonly form: SchemaForm;
}

/** Compare a schema (a file) with the org schema by meaning; deleted org keys the file omits are ignored. */
export async function runSchemaVerify(options: Signal & { readonly store: MetadataStore; readonly schema: MetaSchema }): Promise<SchemaVerifyResult> {
  const current = await pullSchema(options.store, options);
  const live = createMetaSchema(
    [...current.schema.fields].filter(([key, spec]) => spec.type !== 'tombstone' || options.schema.fields.has(key)),
    current.schema.rawOptions,
  );
  const diff = diffSchemas(live, options.schema);
  return { equal: isEmptyDiff(diff), diff, form: current.form };
}
