/**
 * `runSet`: set metadata keys on one data unit (by index, data hash or title) or on all of them, with the
 * import's rules: values coerced against the org schema, merged onto the metadata each unit has *now*
 * (re-read just before writing), unchanged units not written, previous values journalled first so
 * `rollback` undoes a `set` like an import. `all` goes through the import's writer: patch-bulk batches for
 * units with a storage item, the v1 save for legacy units.
 */
import { checkOptionNames } from './option-names.js';
import { join } from 'node:path';
import { folderStoreOf, type DataUnit, type MetadataStore } from '../encord/metadata-store.js';
import type { JsonValue, Metadata } from '../encord/protocol/types.js';
import { MetaError } from '../errors.js';
import { isEncordHash } from '../mapping/mapping-options.js';
import type { CoercionOptions } from '../coercion/index.js';
import { lockDomainOf } from '../checkpoint/dataset-lock.js';
import { RunCheckpoint, checkpointTarget } from '../checkpoint/run-checkpoint.js';
import type { MetaSchema } from '../schema/index.js';
import { applyUpdate, changedKeys, jsonEqual, type UpdateEntry } from './merge.js';
import { BATCH_SIZE, CONCURRENCY, DIFF_LIMIT, WRITE_MODES, type WriteMode } from './option-sets.js';
import { check } from '../option-check.js';
import { pullSchema } from './pull-schema.js';
import { buildSetUpdate, parseAssignment } from './set-update.js';
import { Writer, type WriteTask } from './writer.js';
import { readFolderUnits, type FolderUnit } from './run-list.js';

/** `set --all` writes in smaller batches than an import (500): the range is Encord's all the same. */
const SET_BATCH_SIZE = { ...BATCH_SIZE, default: 500 };

export { buildSetUpdate, parseAssignment, type SetUpdateInput } from './set-update.js';

/** Which data units to set: exactly one of these. */
export type SetTarget =
  | { readonly index: number }
  | { readonly dataHash: string }
  | { readonly title: string }
  | { readonly all: true };

export interface SetOptions {
  readonly store: MetadataStore;
  readonly datasetHash: string;
  readonly target: SetTarget;
  /** `key=value` texts, coerced exactly like CSV cells (`dark=yes`, `captured_at=2026-11-28 10:00`). */
  readonly assignments?: readonly string[] | undefined;
  /** Typed values (`--json`): a JSON number for a number key, `true`/`false` for a boolean…; `null` removes the key. */
  readonly values?: Readonly<Record<string, JsonValue>> | undefined;
  /** Keys to remove. */
  readonly unset?: readonly string[] | undefined;
  /** Schema to coerce against. @default the org schema, read from `store` */
  readonly schema?: MetaSchema | undefined;
  readonly coercion?: CoercionOptions | undefined;
  /** `merge` keeps the other keys; `replace` makes the given keys the whole metadata (`keyframes` kept). @default 'merge' */
  readonly mode?: WriteMode | undefined;
  /** A key the schema does not have: refuse (`error`), or write it as given (`allow`: text, or the JSON value). @default 'error' */
  readonly unknownKeys?: 'error' | 'allow' | undefined;
  /** Plan and show the changes; write nothing. @default false */
  readonly dryRun?: boolean | undefined;
  /** Undo journal. @default `<stateDir>/journals/<dataset>-<time>-set.jsonl` when `stateDir` is set */
  readonly journalPath?: string | undefined;
  /** Directory for journals and a second run lock. @default none (no journal unless `journalPath`; the machine-wide lock is always taken) */
  readonly stateDir?: string | undefined;
  /** Items per patch-bulk request. @default 500 */
  readonly batchSize?: number | undefined;
  /** Writes in flight. @default 4 */
  readonly concurrency?: number | undefined;
  /** Changes kept in the result (planned from the listing). @default 20 */
  readonly diffLimit?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: SetProgress) => void) | undefined;
  /** Clock, for tests. */
  readonly now?: (() => number) | undefined;
}

export interface SetProgress {
  phase: 'listing' | 'writing' | 'done';
  /** Data units decided so far (written, unchanged or failed). */
  done: number;
  total: number;
  written: number;
  unchanged: number;
  failed: number;
}

export interface SetChange {
  readonly index: number;
  readonly dataHash: string;
  readonly title: string;
  readonly before: Metadata | null;
  readonly after: Metadata;
  readonly changedKeys: readonly string[];
}

export interface SetResult {
  readonly datasetHash: string;
  readonly dryRun: boolean;
  readonly mode: WriteMode;
  /** The coerced update: values set, keys removed. */
  readonly update: { readonly set: Readonly<Record<string, JsonValue>>; readonly unset: readonly string[] };
  /** Data units targeted. */
  readonly units: number;
  /** Distinct write targets: storage items (shared by every unit they back) and legacy units. */
  readonly targets: number;
  /** Data units whose metadata was written (dry run: would be written). */
  readonly written: number;
  readonly unchanged: number;
  readonly failed: readonly { readonly index: number; readonly dataHash: string; readonly title: string; readonly code: string; readonly message: string }[];
  /** Data units outside the target that share a storage item with it, and so change too. */
  readonly alsoChanged: readonly { readonly index: number; readonly dataHash: string; readonly title: string }[];
  /** The first `diffLimit` changes, planned from the listing just read. */
  readonly changes: readonly SetChange[];
  readonly journalPath: string | null;
  readonly requests: number;
  readonly durationMs: number;
}

function describeTarget(target: SetTarget): string {
  if ('all' in target) return 'all data units';
  if ('index' in target) return `index ${target.index}`;
  if ('dataHash' in target) return `data hash ${target.dataHash}`;
  return `title "${target.title}"`;
}

function checkTarget(target: SetTarget): void {
  const kinds = ['index', 'dataHash', 'title', 'all'].filter((k) => Object.hasOwn(target, k));
  if (kinds.length !== 1) {
    throw new MetaError('USAGE', 'Say which data units to set with exactly one of --index N, --data-hash H, --title T or --all');
  }
  if ('index' in target && (!Number.isSafeInteger(target.index) || target.index < 0)) {
    throw new MetaError('USAGE', `Expected \`index\` to be an integer from 0, got \`${String(target.index)}\``);
  }
}

/** How a `set` writes, checked before any request. */
interface SetSettings {
  readonly mode: WriteMode;
  readonly diffLimit: number;
  readonly concurrency: number;
  readonly batchSize: number;
}

/** The settings of a `set`, once the request is known to set something (usage errors otherwise). */
function checkSetRequest(options: Pick<SetOptions, 'mode' | 'assignments' | 'values' | 'unset' | 'diffLimit' | 'concurrency' | 'batchSize'>): SetSettings {
  const mode: WriteMode = check.oneOf('mode', options.mode, WRITE_MODES, 'merge');
  const nothing = (options.assignments?.length ?? 0) + Object.keys(options.values ?? {}).length + (options.unset?.length ?? 0) === 0;
  if (nothing) throw new MetaError('USAGE', 'Nothing to set: give KEY=VALUE arguments, --json \'{...}\' or --unset KEY');
  for (const text of options.assignments ?? []) parseAssignment(text);
  return {
    mode,
    diffLimit: check.inRange('diffLimit', options.diffLimit, DIFF_LIMIT),
    concurrency: check.inRange('concurrency', options.concurrency, CONCURRENCY),
    batchSize: check.inRange('batchSize', options.batchSize, SET_BATCH_SIZE),
  };
}

const SET_OPTION_NAMES = [
  'store', 'datasetHash', 'target', 'assignments', 'values', 'unset', 'schema', 'coercion', 'mode', 'unknownKeys', 'dryRun', 'journalPath', 'stateDir',
  'batchSize', 'concurrency', 'diffLimit', 'signal', 'onProgress', 'now',
] as const satisfies readonly (keyof SetOptions)[];

export async function runSet(options: SetOptions): Promise<SetResult> {
  checkOptionNames('runSet', options, SET_OPTION_NAMES);
  const now = options.now ?? Date.now;
  const startedAt = now();
  if (!options.datasetHash) throw new MetaError('USAGE', 'Expected `datasetHash` (--dataset HASH), got nothing');
  checkTarget(options.target);
  const settings = checkSetRequest(options);
  const { mode, diffLimit } = settings;
  const store = options.store;
  const requestsBefore = store.stats.requests;
  const signal = options.signal ? { signal: options.signal } : {};
  const progress: SetProgress = { phase: 'listing', done: 0, total: 0, written: 0, unchanged: 0, failed: 0 };
  const emit = (): void => options.onProgress?.({ ...progress });
  emit();

  const schema = options.schema ?? (await pullSchema(store, signal)).schema;
  const update = buildSetUpdate(options, schema);
  const listing = await store.getDataset(options.datasetHash, signal);
  const units = resolveTarget(listing.units, options.target);

  progress.total = units.length;
  const { targets, changes, pending, alsoChanged } = planDatasetSet(listing.units, units, update.entries, mode, diffLimit, progress);

  const checkpoint = new RunCheckpoint({
    stateDir: options.stateDir,
    domain: lockDomainOf(store),
    datasetHash: options.datasetHash,
    startedAt,
    journalPath: options.journalPath,
    kind: 'set',
  });
  const failed: { index: number; dataHash: string; title: string; code: string; message: string }[] = [];
  await writeSetTasks({
    store,
    options,
    settings,
    datasetHash: options.datasetHash,
    checkpoint,
    source: `set ${describeTarget(options.target)}`,
    progress,
    emit,
    what: 'data units',
    tasks: pending.map((p) => ({
      task: { id: p.unit.backingItemUuid ?? p.unit.dataHash, unit: p.unit, update: update.entries, rows: [{ line: p.unit.index, values: {} }] },
      bulk: Boolean(p.unit.backingItemUuid),
      count: p.count,
    })),
    failed: (task, code, message) => failed.push({ index: task.unit.index, dataHash: task.unit.dataHash, title: task.unit.title, code, message }),
  });
  progress.phase = 'done';
  emit();
  return {
    datasetHash: options.datasetHash,
    dryRun: options.dryRun === true,
    mode,
    update: { set: update.set, unset: update.unset },
    units: units.length,
    targets,
    written: progress.written,
    unchanged: progress.unchanged,
    failed,
    alsoChanged,
    changes,
    journalPath: checkpoint.journalPath,
    requests: store.stats.requests - requestsBefore,
    durationMs: Math.max(0, now() - startedAt),
  };
}

/** What a dataset `set` plans from the listing just read: one write target per storage item (or legacy unit). */
interface DatasetSetPlan {
  /** Distinct write targets among the chosen units. */
  readonly targets: number;
  readonly changes: SetChange[];
  readonly pending: { id: string; unit: DataUnit; count: number }[];
  readonly alsoChanged: { index: number; dataHash: string; title: string }[];
}

/**
 * Group the chosen units by write target (a storage item holds one value for every unit it backs), count the
 * targets that already hold the values as unchanged (the listing was read just now: no request), and keep the
 * first `diffLimit` changes.
 */
function planDatasetSet(
  all: readonly DataUnit[],
  units: readonly DataUnit[],
  entries: readonly UpdateEntry[],
  mode: WriteMode,
  diffLimit: number,
  progress: SetProgress,
): DatasetSetPlan {
  const targetOf = (u: DataUnit): string => (u.backingItemUuid ? `item:${u.backingItemUuid}` : `row:${u.dataHash}`);
  const unitsByTarget = new Map<string, DataUnit[]>();
  for (const unit of all) {
    const list = unitsByTarget.get(targetOf(unit));
    if (list) list.push(unit);
    else unitsByTarget.set(targetOf(unit), [unit]);
  }
  const chosen = new Set(units.map((u) => u.index));
  const tasks = new Map<string, { unit: DataUnit; units: DataUnit[]; others: DataUnit[] }>();
  for (const unit of units) {
    const id = targetOf(unit);
    if (tasks.has(id)) continue;
    const sharing = unitsByTarget.get(id) ?? [unit];
    tasks.set(id, { unit, units: sharing.filter((u) => chosen.has(u.index)), others: sharing.filter((u) => !chosen.has(u.index)) });
  }
  const plan: DatasetSetPlan = { targets: tasks.size, changes: [], pending: [], alsoChanged: [] };
  for (const [id, { unit, units: covered, others }] of tasks) {
    const after = unit.metadata === null ? null : applyUpdate(unit.metadata, entries, mode);
    if (unit.metadata !== null && after !== null && jsonEqual(after, unit.metadata)) {
      progress.unchanged += covered.length;
      progress.done += covered.length;
      continue;
    }
    if (plan.changes.length < diffLimit) {
      const shown = after ?? applyUpdate({}, entries, mode);
      plan.changes.push({ index: unit.index, dataHash: unit.dataHash, title: unit.title, before: unit.metadata, after: shown, changedKeys: changedKeys(unit.metadata ?? {}, shown) });
    }
    plan.pending.push({ id, unit, count: covered.length });
    for (const other of others) plan.alsoChanged.push({ index: other.index, dataHash: other.dataHash, title: other.title });
  }
  return plan;
}

/** The write tail every `set` shares (dataset or folder): lock, journal, the import's writer, interruption. */
interface SetWriteRun {
  readonly store: MetadataStore;
  readonly options: Pick<SetOptions, 'dryRun' | 'signal'>;
  readonly settings: SetSettings;
  readonly datasetHash: string;
  readonly checkpoint: RunCheckpoint;
  /** What the journal header says ran. */
  readonly source: string;
  readonly progress: SetProgress;
  readonly emit: () => void;
  /** `data units` or `items`, for the interruption message. */
  readonly what: string;
  /** Write tasks in order; `count` is how many targeted units (or items) each one decides; `bulk`: patch-bulk, else the v1 save. */
  readonly tasks: readonly { readonly task: WriteTask; readonly bulk: boolean; readonly count: number }[];
  readonly failed: (task: WriteTask, code: string, message: string) => void;
}

/**
 * Write the planned tasks (a dry run only counts them): the run lock is taken and the journal opened just
 * before the first write, units already holding the values (re-read fresh by the writer) count as unchanged,
 * and an abort stops admitting writes, drains those in flight and throws `ABORTED`.
 */
async function writeSetTasks(run: SetWriteRun): Promise<void> {
  const { options, progress, emit, checkpoint } = run;
  try {
    if (options.dryRun) {
      progress.written += run.tasks.reduce((n, t) => n + t.count, 0);
      progress.done = progress.total;
      return;
    }
    if (run.tasks.length === 0) return;
    checkpoint.lock();
    const journal = checkpoint.openJournal({ source: run.source });
    progress.phase = 'writing';
    emit();
    const counts = new Map(run.tasks.map((t) => [t.task.id, t.count]));
    const decided = (task: WriteTask): number => {
      const n = counts.get(task.id) ?? 1;
      progress.done += n;
      return n;
    };
    const writer = new Writer({
      store: run.store,
      datasetHash: run.datasetHash,
      mode: run.settings.mode,
      concurrency: run.settings.concurrency,
      batchSize: run.settings.batchSize,
      journal,
      callbacks: {
        written: (task) => {
          progress.written += decided(task);
          emit();
        },
        unchanged: (task) => {
          progress.unchanged += decided(task);
        },
        failed: async (task, code, message) => {
          progress.failed += decided(task);
          run.failed(task, code, message);
          emit();
        },
      },
    });
    for (const t of run.tasks) {
      if (options.signal?.aborted || writer.fatalError) break;
      if (t.bulk) await writer.addBulk(t.task);
      else await writer.addSingle(t.task);
    }
    await writer.drain();
    if (writer.fatalError) throw writer.fatalError;
    if (options.signal?.aborted) {
      throw new MetaError('ABORTED', `set interrupted after ${progress.done} of ${progress.total} ${run.what}; rerun it to finish (already-set ${run.what} are skipped)`);
    }
  } finally {
    checkpoint.close();
  }
}

function resolveTarget(units: readonly DataUnit[], target: SetTarget): readonly DataUnit[] {
  if ('all' in target) return units;
  if ('index' in target) {
    const unit = units[target.index];
    if (!unit) {
      throw new MetaError(
        'KEY_NOT_FOUND',
        `index ${target.index} is past the end of the dataset (it has ${units.length} data units${units.length > 0 ? `, 0 to ${units.length - 1}` : ''})`,
      );
    }
    return [unit];
  }
  if ('dataHash' in target) {
    const hash = target.dataHash.trim();
    const unit = units.find((u) => u.dataHash === hash) ?? units.find((u) => u.dataHash.toLowerCase() === hash.toLowerCase());
    if (!unit && !isEncordHash(hash)) throw new MetaError('KEY_INVALID', `expected --data-hash to be a data hash (a uuid such as 3fa85f64-5717-4562-b3fc-2c963f66afa6), got "${hash}"`);
    if (!unit) throw new MetaError('KEY_NOT_FOUND', `no data unit with data hash "${hash}" in this dataset (encord-meta list --dataset HASH shows them)`);
    return [unit];
  }
  const found = units.filter((u) => u.title === target.title);
  if (found.length === 0) throw new MetaError('KEY_NOT_FOUND', `no data unit titled "${target.title}" in this dataset (encord-meta list --dataset HASH shows them)`);
  if (found.length > 1) {
    const which = found.slice(0, 5).map((u) => `index ${u.index} (${u.dataHash})`).join(', ');
    throw new MetaError('KEY_AMBIGUOUS_TITLE', `${found.length} data units are titled "${target.title}": ${which}; use --index or --data-hash to say which`);
  }
  return found;
}

// ------------------------------------------------------------------------------------------ folders

/** Which items of a folder to set: exactly one of these. */
export type FolderSetTarget = { readonly name: string } | { readonly itemUuid: string } | { readonly all: true };

export interface FolderSetOptions extends Omit<SetOptions, 'datasetHash' | 'target' | 'onProgress'> {
  readonly folderUuid: string;
  readonly target: FolderSetTarget;
  /** Items of every folder below too; `name` then matches a path (`cam-01/a.jpg`) or a name. @default false */
  readonly recursive?: boolean | undefined;
  readonly onProgress?: ((progress: SetProgress) => void) | undefined;
}

/** An item of a folder set, as results and reports name it. */
export interface FolderSetItem {
  readonly itemUuid: string;
  readonly name: string;
  readonly path: string;
}

export interface FolderSetChange extends FolderSetItem {
  readonly before: Metadata;
  readonly after: Metadata;
  readonly changedKeys: readonly string[];
}

export interface FolderSetResult {
  readonly folderUuid: string;
  readonly folderName: string;
  readonly dryRun: boolean;
  readonly mode: WriteMode;
  readonly update: { readonly set: Readonly<Record<string, JsonValue>>; readonly unset: readonly string[] };
  /** Items targeted. */
  readonly items: number;
  /** Items written (dry run: would be written). */
  readonly written: number;
  readonly unchanged: number;
  readonly failed: readonly (FolderSetItem & { readonly code: string; readonly message: string })[];
  /**
   * Items to be written that back data units in datasets (`backedDataUnitsCount` > 0): those data units show
   * the new metadata too. `backedDataUnits` is `null` when Encord did not say.
   */
  readonly backing: readonly (FolderSetItem & { readonly backedDataUnits: number })[];
  /** Items to be written whose `backedDataUnitsCount` Encord did not report. */
  readonly backingUnknown: number;
  /** The first `diffLimit` changes, planned from the listing just read. */
  readonly changes: readonly FolderSetChange[];
  readonly journalPath: string | null;
  readonly requests: number;
  readonly durationMs: number;
}

const FOLDER_SET_OPTION_NAMES = [
  'store', 'folderUuid', 'target', 'recursive', 'assignments', 'values', 'unset', 'schema', 'coercion', 'mode', 'unknownKeys', 'dryRun', 'journalPath',
  'stateDir', 'batchSize', 'concurrency', 'diffLimit', 'signal', 'onProgress', 'now',
] as const satisfies readonly (keyof FolderSetOptions)[];

function describeFolderTarget(target: FolderSetTarget): string {
  if ('all' in target) return 'all items';
  if ('itemUuid' in target) return `item ${target.itemUuid}`;
  return `name "${target.name}"`;
}

function resolveFolderTarget(units: readonly FolderUnit[], target: FolderSetTarget, folderUuid: string): readonly FolderUnit[] {
  const kinds = ['name', 'itemUuid', 'all'].filter((k) => Object.hasOwn(target, k));
  if (kinds.length !== 1) throw new MetaError('USAGE', 'Say which items to set with exactly one of --name NAME, --item-uuid UUID or --all');
  if ('all' in target) return units;
  if ('itemUuid' in target) {
    const uuid = target.itemUuid.trim().toLowerCase();
    if (!isEncordHash(uuid)) throw new MetaError('KEY_INVALID', `expected --item-uuid to be a storage item uuid (such as 3fa85f64-5717-4562-b3fc-2c963f66afa6), got "${target.itemUuid}"`);
    const unit = units.find((u) => u.backingItemUuid?.toLowerCase() === uuid);
    if (!unit) throw new MetaError('KEY_NOT_FOUND', `no item ${uuid} in folder ${folderUuid} (encord-meta list --folder ${folderUuid} shows them)`);
    return [unit];
  }
  // A name with a `/` is a path relative to the folder (recursive listings); otherwise it is the item's name,
  // in whichever folder it is, so a name repeated below the folder is ambiguous, never silently the top one.
  const found = target.name.includes('/') ? units.filter((u) => u.path === target.name) : units.filter((u) => u.title === target.name);
  if (found.length === 0) throw new MetaError('KEY_NOT_FOUND', `no item named "${target.name}" in folder ${folderUuid} (encord-meta list --folder ${folderUuid} shows them)`);
  if (found.length > 1) {
    const which = found.slice(0, 5).map((u) => `${u.path} (${u.backingItemUuid})`).join(', ');
    throw new MetaError('KEY_AMBIGUOUS', `${found.length} items are named "${target.name}": ${which}; give the path (--name cam-01/${target.name}) or --item-uuid to say which`);
  }
  return found;
}

/** An item of a folder set as results name it. */
function folderSetItem(u: FolderUnit): FolderSetItem {
  return { itemUuid: u.backingItemUuid!, name: u.title, path: u.path };
}

/**
 * Decide each chosen item from the listing just read: unchanged items cost nothing; the others are written,
 * and those backing data units in datasets are named (`backing`), or counted when Encord does not say.
 */
function planFolderSet(chosen: readonly FolderUnit[], entries: readonly UpdateEntry[], mode: WriteMode, diffLimit: number, progress: SetProgress) {
  const changes: FolderSetChange[] = [];
  const pending: FolderUnit[] = [];
  const backing: (FolderSetItem & { backedDataUnits: number })[] = [];
  let backingUnknown = 0;
  const seen = new Set<string>();
  for (const unit of chosen) {
    // One item is listed once per folder walk; a server that lists it twice still gets one write.
    if (seen.has(unit.backingItemUuid!)) continue;
    seen.add(unit.backingItemUuid!);
    const before = unit.metadata ?? {};
    const after = applyUpdate(before, entries, mode);
    if (jsonEqual(after, before)) {
      progress.unchanged += 1;
      progress.done += 1;
      continue;
    }
    if (changes.length < diffLimit) changes.push({ ...folderSetItem(unit), before, after, changedKeys: changedKeys(before, after) });
    pending.push(unit);
    if (unit.backedDataUnitsCount === null) backingUnknown += 1;
    else if (unit.backedDataUnitsCount > 0) backing.push({ ...folderSetItem(unit), backedDataUnits: unit.backedDataUnitsCount });
  }
  return { changes, pending, backing, backingUnknown };
}

/**
 * `set --folder UUID`: the dataset `set` for the storage items of a folder. Same coercion, merge, write gate,
 * journal and lock (keyed by the folder); items are read from the folder listing, re-read (get-bulk) just
 * before writing and written with patch-bulk. Items that back data units are listed in `backing`.
 */
export async function runFolderSet(options: FolderSetOptions): Promise<FolderSetResult> {
  checkOptionNames('runFolderSet', options, FOLDER_SET_OPTION_NAMES);
  const now = options.now ?? Date.now;
  const startedAt = now();
  if (!options.folderUuid) throw new MetaError('USAGE', 'Expected `folderUuid` (--folder UUID), got nothing');
  const settings = checkSetRequest(options);
  const { mode, diffLimit } = settings;
  const store = options.store;
  const folders = folderStoreOf(store);
  const requestsBefore = store.stats.requests;
  const signal = options.signal ? { signal: options.signal } : {};
  const progress: SetProgress = { phase: 'listing', done: 0, total: 0, written: 0, unchanged: 0, failed: 0 };
  const emit = (): void => options.onProgress?.({ ...progress });
  emit();

  const folder = await folders.getFolder(options.folderUuid, signal);
  const schema = options.schema ?? (await pullSchema(store, signal)).schema;
  const update = buildSetUpdate(options, schema);
  const units = await readFolderUnits(store, folder.uuid, { recursive: options.recursive, signal: options.signal });
  const chosen = resolveFolderTarget(units, options.target, folder.uuid);

  progress.total = chosen.length;
  const { changes, pending, backing, backingUnknown } = planFolderSet(chosen, update.entries, mode, diffLimit, progress);

  // The same lock and journal lifecycle as every writing run (checkpoint/run-checkpoint.ts), keyed by folder.
  const checkpoint = new RunCheckpoint({
    stateDir: options.stateDir,
    domain: lockDomainOf(store),
    startedAt,
    journalPath: options.journalPath,
    kind: 'set',
    ...checkpointTarget({ folderUuid: folder.uuid }),
  });
  const failed: (FolderSetItem & { code: string; message: string })[] = [];
  const byUuid = new Map(pending.map((u) => [u.backingItemUuid!, u]));
  await writeSetTasks({
    store,
    options,
    settings,
    datasetHash: '',
    checkpoint,
    source: `set --folder ${folder.uuid} ${describeFolderTarget(options.target)}`,
    progress,
    emit,
    what: 'items',
    tasks: pending.map((unit) => ({ task: { id: unit.backingItemUuid!, unit, update: update.entries, rows: [{ line: unit.index, values: {} }] }, bulk: true, count: 1 })),
    failed: (task, code, message) => failed.push({ ...folderSetItem(byUuid.get(task.id)!), code, message }),
  });
  progress.phase = 'done';
  emit();
  return {
    folderUuid: folder.uuid,
    folderName: folder.name,
    dryRun: options.dryRun === true,
    mode,
    update: { set: update.set, unset: update.unset },
    items: chosen.length,
    written: progress.written,
    unchanged: progress.unchanged,
    failed,
    backing,
    backingUnknown,
    changes,
    journalPath: checkpoint.journalPath,
    requests: store.stats.requests - requestsBefore,
    durationMs: Math.max(0, now() - startedAt),
  };
}
