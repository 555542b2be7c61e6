/**
 * Options of `runImport`, with one `resolveImportOptions()` that validates and fails fast before any I/O.
 */
import { checkOptionNames } from './option-names.js';
import type { MetadataStore } from '../encord/metadata-store.js';
import { BAD_OPTION, check } from '../option-check.js';
import { MetaError } from '../errors.js';
import { CSV_ENCODING_NAMES, canonicalEncoding } from '../sources/csv/decode.js';

/** Names `--encoding` accepts (aliases included). */
export { CSV_ENCODING_NAMES };
import { resolveCoercionOptions, type CoercionOptions, type ResolvedCoercionOptions } from '../coercion/index.js';
import type { ColumnMapping } from '../mapping/column-plan.js';
import { FOLDER_KEY_KINDS, KEY_KINDS, UNKNOWN_COLUMN_POLICIES, type KeyKind, type UnknownColumnPolicy } from '../mapping/mapping-options.js';
import type { MetaSchema } from '../schema/index.js';
import type { CsvSourceOptions } from '../sources/csv/csv-source.js';
import type { SourceFormat } from '../sources/sniff.js';
import { BATCH_SIZE, CONCURRENCY, DIFF_LIMIT, EMPTY_POLICIES, WRITE_MODES, type EmptyPolicy, type WriteMode } from './option-sets.js';
import type { ImportProgress, KeyPlan } from './import-result.js';
import { checkShard, type Shard } from './shard.js';

export interface ImportOptions {
  /**
   * CSV, Parquet or .xlsx file to import; or several, read as one input: a list, a glob the tool expands
   * (`exports/part-*.csv`), or a directory of parts (hive `key=value/` folders become columns). See
   * `src/sources/input-files.ts` for the order and the rules.
   */
  readonly file: string | readonly string[];
  /** `csv`, `parquet` or `xlsx`; @default from the file extension, else the bytes */
  readonly format?: SourceFormat | undefined;
  /** .xlsx: the worksheet to read, by its tab name; @default the first */
  readonly sheet?: string | undefined;
  /** CSV delimiter; @default detected from the header line */
  readonly delimiter?: string | undefined;
  /**
   * CSV text encoding: `utf-8`, `windows-1252` (`cp1252`), `latin1` (`iso-8859-1`), `utf-16le`, `utf-16be`.
   * @default UTF-8, or UTF-16 when the file starts with its byte-order mark
   */
  readonly encoding?: string | undefined;
  /** CSV header cells without a name (other than pandas' index column, always left out): refuse, or leave them out. @default 'error' */
  readonly unnamedColumns?: CsvSourceOptions['unnamedColumns'];
  /**
   * The dataset whose data units the rows name. Exactly one of `datasetHash` and `folderUuid`, or neither
   * with `key: 'item_uuid'` (storage items by uuid: nothing is listed, items are read and written in batches).
   */
  readonly datasetHash?: string | undefined;
  /** The storage folder whose items the rows name (`key` `name`, `path` or `item_uuid`). */
  readonly folderUuid?: string | undefined;
  /** With `folderUuid`: the items of every folder below too (`path` keys are relative to the folder). @default false */
  readonly recursive?: boolean | undefined;
  readonly store: MetadataStore;
  /** How rows identify data units; @default detected from the column names */
  readonly key?: KeyKind | undefined;
  readonly keyColumn?: string | undefined;
  /** Schema to coerce against; @default the organisation's schema, read from Encord */
  readonly schema?: MetaSchema | undefined;
  readonly mapping?: ColumnMapping | undefined;
  /** @default 'json' for a `list` export (or its failure report), else 'error' (see `planColumns`) */
  readonly unknownColumns?: UnknownColumnPolicy | undefined;
  readonly coercion?: CoercionOptions | undefined;
  /** @default 'merge' */
  readonly mode?: WriteMode | undefined;
  /** What an empty cell does: leave the key (`keep`), remove it (`delete`) or set it to null. @default 'keep' */
  readonly empty?: EmptyPolicy | undefined;
  /** Plan, coerce and diff, but write nothing. @default false */
  readonly dryRun?: boolean | undefined;
  /** How many diffs a dry run keeps. @default 20 */
  readonly diffLimit?: number | undefined;
  /** Failure report path (CSV). @default no report file */
  readonly reportPath?: string | undefined;
  /** Undo journal path (JSONL). @default `<stateDir>/journals/<dataset>-<time>.jsonl` when stateDir is set */
  readonly journalPath?: string | undefined;
  /** Directory for journals and a second run lock. @default none (only the machine-wide lock) */
  readonly stateDir?: string | undefined;
  /** Writes in flight at once (bulk batches or single saves). @default 4 */
  readonly concurrency?: number | undefined;
  /** Items per patch-bulk batch (Encord's own bundle size). @default 1000 */
  readonly batchSize?: number | undefined;
  /** Stop reading once more rows than this have failed. @default unlimited */
  readonly maxErrors?: number | undefined;
  /** Use the v2 bulk path for rows with a storage item. @default true */
  readonly bulk?: boolean | undefined;
  /**
   * Worker `index` of `count`: take only the rows whose write target hashes to this shard (shard.ts), with
   * a per-shard lock and default journal. @default unsharded
   */
  readonly shard?: Shard | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** The key plan of the planning pass, once, before the first write (a real run) or at the end (a dry run). */
  readonly onKeyPlan?: ((plan: KeyPlan) => void) | undefined;
  /** Clock, for tests. */
  readonly now?: (() => number) | undefined;
}

export interface ResolvedImportOptions
  extends Omit<ImportOptions, 'coercion' | 'mode' | 'empty' | 'dryRun' | 'diffLimit' | 'concurrency' | 'batchSize' | 'unknownColumns' | 'bulk' | 'now'> {
  readonly coercion: ResolvedCoercionOptions;
  readonly mode: WriteMode;
  readonly empty: EmptyPolicy;
  readonly dryRun: boolean;
  readonly diffLimit: number;
  readonly concurrency: number;
  readonly batchSize: number;
  /** `undefined`: the default for the file, decided by `planColumns`. */
  readonly unknownColumns: UnknownColumnPolicy | undefined;
  readonly bulk: boolean;
  readonly now: () => number;
}

/** Exactly one target: a dataset, a folder, or storage items by uuid (`key: 'item_uuid'` and neither). */
function checkTarget(options: ImportOptions): void {
  if (options.datasetHash && options.folderUuid) throw new MetaError(BAD_OPTION, 'Give either `datasetHash` (--dataset) or `folderUuid` (--folder), not both');
  if (!options.datasetHash && !options.folderUuid && options.key !== 'item_uuid') {
    throw new MetaError(BAD_OPTION, 'Expected `datasetHash` (--dataset HASH) or `folderUuid` (--folder UUID), got nothing (only --key item_uuid works without either)');
  }
  if (options.recursive && !options.folderUuid) throw new MetaError(BAD_OPTION, '`recursive` (--recursive) needs `folderUuid` (--folder UUID)');
  if (options.folderUuid && options.key !== undefined && !(FOLDER_KEY_KINDS as readonly string[]).includes(options.key)) {
    check.fail('key', `${FOLDER_KEY_KINDS.join(', ')} for a folder`, options.key);
  }
  if (options.folderUuid && options.key === undefined) throw new MetaError(BAD_OPTION, `Say how rows name the folder's items: --key ${FOLDER_KEY_KINDS.join(', ')}`);
  if (!options.folderUuid && (options.key === 'name' || options.key === 'path')) {
    throw new MetaError(BAD_OPTION, `--key ${options.key} names storage items of a folder: give --folder UUID`);
  }
}

const IMPORT_OPTION_NAMES = [
  'file', 'format', 'sheet', 'delimiter', 'encoding', 'unnamedColumns', 'datasetHash', 'folderUuid', 'recursive', 'store', 'key', 'keyColumn', 'schema', 'mapping', 'unknownColumns',
  'coercion', 'mode', 'empty', 'dryRun', 'diffLimit', 'reportPath', 'journalPath', 'stateDir', 'concurrency', 'batchSize', 'maxErrors', 'bulk',
  'shard', 'signal', 'onProgress', 'onKeyPlan', 'now',
] as const satisfies readonly (keyof ImportOptions)[];

export function resolveImportOptions(options: ImportOptions): ResolvedImportOptions {
  checkOptionNames('runImport', options, IMPORT_OPTION_NAMES);
  if (options.sheet !== undefined && (typeof options.sheet !== 'string' || options.sheet === '')) check.fail('sheet', 'a sheet name', options.sheet);
  if (!options.file || (typeof options.file !== 'string' && (!Array.isArray(options.file) || options.file.length === 0 || !options.file.every((f) => typeof f === 'string' && f !== '')))) {
    throw new MetaError(BAD_OPTION, 'Expected `file` to be a path or a non-empty list of paths, got nothing');
  }
  if (options.key !== undefined) check.oneOf('key', options.key, KEY_KINDS, 'index');
  checkTarget(options);
  if (options.encoding !== undefined && canonicalEncoding(options.encoding) === undefined) {
    check.fail('encoding', `one of ${CSV_ENCODING_NAMES.join(', ')}`, options.encoding);
  }
  check.integer('maxErrors', options.maxErrors, 0, Number.MAX_SAFE_INTEGER, 0);
  return {
    ...options,
    shard: options.shard === undefined ? undefined : checkShard(options.shard),
    coercion: resolveCoercionOptions(options.coercion ?? {}),
    mode: check.oneOf('mode', options.mode, WRITE_MODES, 'merge'),
    empty: check.oneOf('empty', options.empty, EMPTY_POLICIES, 'keep'),
    unknownColumns: options.unknownColumns === undefined ? undefined : check.oneOf('unknownColumns', options.unknownColumns, UNKNOWN_COLUMN_POLICIES, 'error'),
    dryRun: check.boolean('dryRun', options.dryRun, false),
    diffLimit: check.inRange('diffLimit', options.diffLimit, DIFF_LIMIT),
    concurrency: check.inRange('concurrency', options.concurrency, CONCURRENCY),
    batchSize: check.inRange('batchSize', options.batchSize, BATCH_SIZE),
    bulk: check.boolean('bulk', options.bulk, true),
    now: check.fn('now', options.now, Date.now),
  };
}
