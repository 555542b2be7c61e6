/**
 * The `--json` output of every command, as zod schemas: the contract for scripts (tests validate every
 * command's output against these), plus the converters from library results to those shapes.
 */
import { z } from 'zod';
import type { JsonValue } from '../encord/protocol/types.js';
import { describeSpec, toSchemaDocument, type MetaSchema, type SchemaDiff } from '../schema/index.js';
import { WRITE_MODES } from '../pipeline/option-sets.js';
import { LIST_FORMATS } from '../report/list-writers.js';

const json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]),
);
const metadata = z.record(z.string(), json);
const schemaDocument = z.record(z.string(), z.unknown());
const schemaForm = z.enum(['typed', 'simple', 'none']);

export const SchemaDiffJson = z.object({
  added: z.array(z.object({ key: z.string(), type: z.string() })),
  removed: z.array(z.object({ key: z.string(), type: z.string() })),
  changed: z.array(z.object({ key: z.string(), from: z.string(), to: z.string() })),
  unchanged: z.array(z.string()),
});

export const SchemaPushOutput = z.object({
  command: z.literal('schema push'),
  outcome: z.enum(['pushed', 'unchanged', 'dry-run', 'declined']),
  pushed: z.boolean(),
  /** Which org schema existed before. */
  previousForm: schemaForm,
  diff: SchemaDiffJson,
  keptTombstones: z.array(z.string()),
  /** The schema after the push (or that would be pushed), as a schema document. */
  schema: schemaDocument,
});

export const SchemaPullOutput = z.object({
  command: z.literal('schema pull'),
  form: schemaForm,
  keys: z.number().int().min(0),
  schema: schemaDocument,
  out: z.string().nullable(),
});

export const SchemaVerifyOutput = z.object({
  command: z.literal('schema verify'),
  file: z.string(),
  equal: z.boolean(),
  form: schemaForm,
  diff: SchemaDiffJson,
});

export const SchemaCheckOutput = z.object({
  command: z.literal('schema check'),
  file: z.string(),
  form: z.enum(['typed', 'simple', 'none', 'file']),
  rows: z.number().int().min(0),
  badRecords: z.number().int().min(0),
  ok: z.boolean(),
  idColumns: z.array(z.string()),
  missingKeys: z.array(z.string()),
  mismatched: z.array(z.string()),
  keysNotInFile: z.array(z.string()),
  columns: z.array(
    z.object({
      column: z.string(),
      type: z.string().nullable(),
      ok: z.number().int(),
      failed: z.number().int(),
      empty: z.number().int(),
      samples: z.array(z.object({ line: z.number().int(), file: z.string().optional(), value: z.string(), code: z.string(), message: z.string() })),
      outOfEnum: z.array(z.object({ value: z.string(), count: z.number().int() })),
      embeddingSizes: z.array(z.object({ size: z.number().int(), count: z.number().int() })),
    }),
  ),
  proposals: z.array(z.object({ column: z.string(), type: z.string().nullable(), evidence: z.string(), readerOption: z.string().optional() })),
  /** Commands that would fix the problems (shell-quoted). */
  fixes: z.array(z.string()),
});

export const SchemaInferOutput = z.object({
  command: z.literal('schema infer'),
  file: z.string(),
  rowsSampled: z.number().int().min(0),
  schema: schemaDocument,
  columns: z.array(
    z.object({ column: z.string(), type: z.string().nullable(), evidence: z.string(), nonEmpty: z.number().int(), distinct: z.number().int() }),
  ),
  idColumns: z.array(z.string()),
  ignoredColumns: z.array(z.string()),
  out: z.string().nullable(),
});

export const ListRecordJson = z.object({
  index: z.number().int().min(0),
  data_hash: z.string(),
  title: z.string(),
  item_uuid: z.string().nullable(),
  data_type: z.string(),
  metadata: metadata.nullable(),
});

export const ListOutput = z.object({
  command: z.literal('list'),
  datasetHash: z.string(),
  title: z.string(),
  /** Data units in the dataset. */
  units: z.number().int().min(0),
  /** Data units written to the output. */
  rows: z.number().int().min(0),
  columns: z.array(z.string()),
  unknownMetadata: z.number().int().min(0),
  omittedKeys: z.array(z.string()),
  format: z.enum(LIST_FORMATS).nullable(),
  out: z.string().nullable(),
  /** The units themselves, when no --out file was given. */
  records: z.array(ListRecordJson).optional(),
});

/** `list --folder`: like `list --dataset`, keyed by storage item. */
export const FolderListRecordJson = z.object({
  item_uuid: z.string(),
  name: z.string(),
  path: z.string(),
  item_type: z.string(),
  backed_data_units: z.number().int().min(0).nullable(),
  metadata: metadata.nullable(),
});

export const FolderListOutput = z.object({
  command: z.literal('list'),
  folderUuid: z.string(),
  name: z.string(),
  recursive: z.boolean(),
  /** Items in the folder (and its subfolders with `recursive`). */
  items: z.number().int().min(0),
  rows: z.number().int().min(0),
  columns: z.array(z.string()),
  omittedKeys: z.array(z.string()),
  format: z.enum(LIST_FORMATS).nullable(),
  out: z.string().nullable(),
  records: z.array(FolderListRecordJson).optional(),
});

const setUnit = { index: z.number().int(), dataHash: z.string(), title: z.string() };

export const SetOutput = z.object({
  command: z.literal('set'),
  datasetHash: z.string(),
  dryRun: z.boolean(),
  mode: z.enum(WRITE_MODES),
  update: z.object({ set: metadata, unset: z.array(z.string()) }),
  units: z.number().int().min(0),
  targets: z.number().int().min(0),
  written: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  failed: z.array(z.object({ ...setUnit, code: z.string(), message: z.string() })),
  alsoChanged: z.array(z.object(setUnit)),
  changes: z.array(z.object({ ...setUnit, before: metadata.nullable(), after: metadata, changedKeys: z.array(z.string()) })),
  journalPath: z.string().nullable(),
  requests: z.number().int().min(0),
  durationMs: z.number().min(0),
});

const folderItem = { itemUuid: z.string(), name: z.string(), path: z.string() };

export const FolderSetOutput = z.object({
  command: z.literal('set'),
  folderUuid: z.string(),
  folderName: z.string(),
  dryRun: z.boolean(),
  mode: z.enum(WRITE_MODES),
  update: z.object({ set: metadata, unset: z.array(z.string()) }),
  items: z.number().int().min(0),
  written: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  failed: z.array(z.object({ ...folderItem, code: z.string(), message: z.string() })),
  /** Items written that back data units in datasets (those units change too). */
  backing: z.array(z.object({ ...folderItem, backedDataUnits: z.number().int().min(0) })),
  backingUnknown: z.number().int().min(0),
  changes: z.array(z.object({ ...folderItem, before: metadata, after: metadata, changedKeys: z.array(z.string()) })),
  journalPath: z.string().nullable(),
  requests: z.number().int().min(0),
  durationMs: z.number().min(0),
});

export const RunSummaryJson = z.object({
  file: z.string(),
  files: z.array(z.string()).optional(),
  fileBytes: z.number().int().min(0).nullable(),
  datasetHash: z.string(),
  dryRun: z.boolean(),
  mode: z.string(),
  keyKind: z.string(),
  keyColumn: z.string(),
  rowsRead: z.number().int(),
  /** `import --shard I/N`: worker index of count; null when not sharded. */
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }).nullable(),
  /** Rows of the file that belong to other shards (0 when not sharded). */
  otherShards: z.number().int().min(0),
  written: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int(),
  failedByCode: z.record(z.string(), z.number().int()),
  requests: z.number().int(),
  retries: z.number().int(),
  rateLimited: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  rowsPerSecond: z.number(),
  interrupted: z.boolean(),
  stoppedEarly: z.boolean(),
  reportPath: z.string().nullable(),
  journalPath: z.string().nullable(),
});

/** `import --json` (the import's result as the pipeline returns it). */
export const ImportOutput = z.object({
  summary: RunSummaryJson,
  plan: z.record(z.string(), z.union([z.string(), z.number()])),
  columns: z.record(z.string(), z.object({ ok: z.number().int(), empty: z.number().int(), failed: z.number().int() })),
  skippedColumns: z.array(z.object({ column: z.string(), reason: z.string() })),
  diffs: z.array(z.object({ line: z.number().int(), file: z.string().optional(), dataHash: z.string(), title: z.string(), before: metadata.nullable(), after: metadata, changedKeys: z.array(z.string()) })),
});

/** `summary merge`: the run summaries of every shard of one import, as one (see "Many workers" in the README). */
export const SummaryMergeOutput = z.object({
  command: z.literal('summary merge'),
  file: z.string(),
  fileBytes: z.number().int().min(0).nullable(),
  datasetHash: z.string(),
  dryRun: z.boolean(),
  mode: z.string(),
  keyKind: z.string(),
  keyColumn: z.string(),
  shardCount: z.number().int().min(1),
  rowsRead: z.number().int().min(0),
  written: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  failed: z.number().int().min(0),
  failedByCode: z.record(z.string(), z.number().int()),
  notAttempted: z.number().int().min(0),
  unreachable: z.array(z.string()),
  requests: z.number().int().min(0),
  retries: z.number().int().min(0),
  rateLimited: z.number().int().min(0),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().min(0),
  rowsPerSecond: z.number().min(0),
  interrupted: z.boolean(),
  stoppedEarly: z.boolean(),
  reportPaths: z.array(z.string()),
  journalPaths: z.array(z.string()),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(3), z.literal(130)]),
  parts: z.array(
    z.object({
      path: z.string(),
      shard: z.number().int().min(0),
      exitCode: z.number().int(),
      rowsRead: z.number().int(),
      written: z.number().int(),
      unchanged: z.number().int(),
      failed: z.number().int(),
      notAttempted: z.number().int(),
      reportPath: z.string().nullable(),
      journalPath: z.string().nullable(),
    }),
  ),
});

const RollbackProblem = z.object({ id: z.string(), dataHash: z.string(), code: z.string(), message: z.string() });

export const RollbackOutput = z.object({
  /** `''` for the journal of a storage folder run. */
  datasetHash: z.string(),
  /** The storage folder of a `set --folder` run; null for dataset runs. */
  folderUuid: z.string().nullable().optional(),
  dryRun: z.boolean(),
  targets: z.number().int(),
  restored: z.number().int(),
  forced: z.number().int(),
  unchanged: z.number().int(),
  conflicts: z.array(RollbackProblem),
  failed: z.array(RollbackProblem),
  skippedLines: z.number().int(),
  reportPath: z.string().nullable(),
  journalPath: z.string().nullable(),
});

export const EmulatorOutput = z.object({
  url: z.string(),
  datasets: z.array(z.object({ hash: z.string(), title: z.string(), rows: z.number().int() })),
  /** Every storage folder: the datasets' backing folders (`dataset`) and the seeded tree (`--seed-folders`). */
  folders: z
    .array(z.object({ uuid: z.string(), name: z.string(), items: z.number().int(), parent: z.string().nullable(), dataset: z.string().nullable() }))
    .optional(),
});

export const DemoOutput = z.object({
  command: z.literal('demo'),
  emulatorUrl: z.string(),
  datasetHash: z.string(),
  units: z.number().int(),
  schema: z.object({ outcome: z.string(), keys: z.array(z.string()) }),
  imports: z.array(RunSummaryJson),
  listed: z.array(ListRecordJson),
  keptRunning: z.boolean(),
});

/** A schema diff as JSON: keys with their type descriptions. */
export function schemaDiffJson(diff: SchemaDiff): z.infer<typeof SchemaDiffJson> {
  return {
    added: diff.added.map((a) => ({ key: a.key, type: describeSpec(a.spec) })),
    removed: diff.removed.map((r) => ({ key: r.key, type: describeSpec(r.spec) })),
    changed: diff.changed.map((c) => ({ key: c.key, from: describeSpec(c.from), to: describeSpec(c.to) })),
    unchanged: [...diff.unchanged],
  };
}

/** A schema as the JSON outputs carry it: the schema document (a valid `schema push` input). */
export function schemaDocumentJson(schema: MetaSchema): Record<string, unknown> {
  return toSchemaDocument(schema);
}
