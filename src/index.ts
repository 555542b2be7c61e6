/**
 * encord-meta as a library: the same operations as the CLI, typed. Every export is named here on purpose;
 * what is not listed is internal and may change.
 *
 * ```ts
 * import { createEncordClient, loadCredentials, runImport } from 'encord-meta';
 * const { auth } = await loadCredentials({ sshKeyPath: '~/.ssh/encord' });
 * const client = createEncordClient({ auth });
 * const result = await runImport({ file: 'metadata.csv', datasetHash: '…', store: client });
 * await client.close();
 * ```
 */

// ---------------------------------------------------------------- operations
export { runImport } from './pipeline/run-import.js';
export type { ImportOptions } from './pipeline/import-options.js';
export type { ImportResult, ImportProgress, KeyPlan, Diff, RunSummary } from './pipeline/import-result.js';
export { runRollback, type RollbackOptions, type RollbackResult } from './pipeline/run-rollback.js';
export {
  runSet,
  buildSetUpdate,
  parseAssignment,
  type SetUpdateInput,
  type SetOptions,
  type SetResult,
  type SetTarget,
  type SetProgress,
  type SetChange,
} from './pipeline/run-set.js';
export { runList, type ListOptions, type ListResult } from './pipeline/run-list.js';
export {
  pullSchema,
  planSchemaPush,
  runSchemaPush,
  runSchemaVerify,
  parseSetArguments,
  schemaFromSetEntries,
  type OrgSchema,
  type SchemaForm,
  type SchemaPushOptions,
  type SchemaPushPlan,
  type SchemaPushResult,
  type SchemaVerifyResult,
} from './pipeline/run-schema.js';
export {
  runSchemaCheck,
  runSchemaInfer,
  specShorthand,
  type SchemaCheckOptions,
  type SchemaCheckResult,
  type SchemaInferOptions,
  type SchemaInferResult,
  type DataFileOptions,
} from './pipeline/run-schema-check.js';
export { applyUpdate, jsonEqual, WRITE_MODES, type WriteMode, type UpdateEntry } from './pipeline/merge.js';
export { EMPTY_POLICIES, type EmptyPolicy } from './pipeline/row-preparer.js';
export { parseShard, shardFromEnv, shardOfTarget, shardTarget, shardPath, type Shard } from './pipeline/shard.js';
export { mergeSummaries, summaryExitCode, type MergedSummary, type SummaryPart } from './pipeline/summary-merge.js';

// ---------------------------------------------------------------- listings
export {
  LIST_FORMATS,
  LIST_ID_COLUMNS,
  formatListTable,
  listCell,
  listColumns,
  listRecord,
  writeListCsv,
  writeListJsonl,
  writeListParquet,
  openTextFile,
  type ListFormat,
  type ListingView,
  type ListWriteOptions,
  type TableOptions,
  type TextSink,
} from './report/list-writers.js';
export { readUndoJournal, type JournalEntry, type JournalHeader, type ParsedJournal } from './report/undo-journal.js';

// ---------------------------------------------------------------- the Encord client
export { EncordClient, createEncordClient, type CallOptions, type DataRowFilter, type DataRowSummary } from './encord/client.js';
export { DEFAULT_DOMAIN, type EncordClientOptions } from './encord/client-options.js';
export { loadCredentials, resolveKeySource, type CredentialsInput, type LoadedCredentials, type KeySource } from './encord/key-source.js';
export type { EncordAuth } from './encord/auth.js';
export type { ClientEvent } from './encord/client-events.js';
export type { MetadataStore, DataUnit, DatasetListing, ItemMetadata, PatchOutcome, ClientStats } from './encord/metadata-store.js';
export type { JsonValue, Metadata, WireTypedSchema } from './encord/protocol/types.js';
export { EncordApiError, EncordConfigError, ENCORD_ERROR_CODES, type EncordErrorCode } from './encord/errors.js';

// ---------------------------------------------------------------- schema
export {
  EMPTY_SCHEMA,
  FIELD_TYPES,
  SCHEMA_ERROR_CODES,
  createMetaSchema,
  describeSpec,
  diffSchemas,
  formatSchemaDiff,
  formatSchemaDocument,
  fromSimpleWire,
  fromTypedWire,
  isEmptyDiff,
  loadSchemaFile,
  parseSchemaDocument,
  toSchemaDocument,
  toSimpleWire,
  toTypedWire,
  type FieldSpec,
  type FieldType,
  type MetaSchema,
  type SchemaDiff,
  type SchemaErrorCode,
} from './schema/index.js';
export { checkFileAgainstSchema, formatFileCheck, inferSchema, type FileCheck, type InferredSchema } from './schema-check/index.js';

// ---------------------------------------------------------------- cells, rows, sources
export {
  COERCION_ERROR_CODES,
  coerce,
  coerceJsonValue,
  formatCellError,
  resolveCoercionOptions,
  type CoerceResult,
  type CoercionErrorCode,
  type CoercionOptions,
  type ResolvedCoercionOptions,
} from './coercion/index.js';
export { ID_COLUMNS, KEY_KINDS, MAPPING_CODES, type KeyKind, type MappingCode } from './mapping/key-resolver.js';
export type { ColumnMapping, UnknownColumnPolicy } from './mapping/column-plan.js';
export { openInputs, openSource, type OpenSourceOptions } from './sources/index.js';
export {
  BAD_RECORD_CODES,
  SOURCE_ERROR_CODES,
  type BadRecord,
  type Cell,
  type RawRow,
  type SourceErrorCode,
  type SourceItem,
  type TabularSource,
} from './sources/source.js';

// ---------------------------------------------------------------- the emulator
export {
  startEmulator,
  SPEC_TEST_PUBLIC_KEY,
  type Emulator,
  type EmulatorOptions,
  type DatasetSeed,
  type RowSeed,
  type FaultRule,
} from './emulator/index.js';

// ---------------------------------------------------------------- errors, CLI
export { MetaError, redact } from './errors.js';
export { EXIT, type ExitCode } from './cli/exit-codes.js';
export { runCli, buildProgram, loadCommands } from './cli/run-cli.js';
export { bufferIo, type CliIo, type OutputStream } from './cli/io.js';
export { JobConfigSchema, loadJobConfig, type JobConfig } from './cli/job-config.js';
export {
  DemoOutput,
  EmulatorOutput,
  ImportOutput,
  ListOutput,
  RollbackOutput,
  SchemaCheckOutput,
  SchemaInferOutput,
  SchemaPullOutput,
  SchemaPushOutput,
  SchemaVerifyOutput,
  SetOutput,
} from './cli/json-outputs.js';
export { VERSION } from './version.js';
