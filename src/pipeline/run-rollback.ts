/**
 * `runRollback`: put back what an undo journal says each target held before the run, but only where the
 * target still holds what the run wrote. Per target (keyframes aside, see below):
 *
 *   current == before the run   → unchanged (the write never landed, or was undone already)
 *   current == what the run wrote → restore the value from before the run
 *   anything else                 → ROLLBACK_CONFLICT: somebody changed it since; left alone and
 *                                   reported, unless `force`
 *
 * Journals of older versions do not record what the run wrote: a target that differs from its previous
 * value cannot be proven unchanged since the run, so it is a conflict unless `force` (safe by default).
 *
 * Items go back with patch-bulk, legacy rows with the v1 save; each write is the complete previous
 * dictionary, so a rollback can be rerun after an interruption. The rollback takes the dataset lock like
 * import and set, and journals its own writes (so it can itself be rolled back).
 */
import { checkOptionNames } from './option-names.js';
import { defaultJournalPath } from '../checkpoint/journal-path.js';
import { dirname, basename, join } from 'node:path';
import { acquireDatasetLock, folderLockKey, lockDomainOf, type DatasetLock } from '../checkpoint/dataset-lock.js';
import type { MetadataStore } from '../encord/metadata-store.js';
import type { Metadata } from '../encord/protocol/types.js';
import { MetaError } from '../errors.js';
import { stopsRun } from '../error-codes.js';
import { BAD_OPTION } from '../option-check.js';
import { writeFilePrivate } from '../private-files.js';
import { csvLine, neutraliseFormula } from '../report/csv-writer.js';
import { readUndoJournal, UndoJournal, type JournalEntry } from '../report/undo-journal.js';
import { isReservedMetadataKey } from '../schema/index.js';
import { setOwn } from '../own.js';
import { changedKeys, jsonEqual } from './merge.js';
import { guardWrite, type GuardResult } from './write-guard.js';

export interface RollbackOptions {
  readonly journalPath: string;
  readonly store: MetadataStore;
  /** Dataset of the journal's row targets; @default the journal header's */
  readonly datasetHash?: string | undefined;
  readonly dryRun?: boolean | undefined;
  /** Restore targets changed since the run too (their later edits are lost). @default false */
  readonly force?: boolean | undefined;
  /** Directory for the lock and the rollback's own journal. @default none (only the machine-wide lock) */
  readonly stateDir?: string | undefined;
  /** Domain the lock is keyed by. @default the store's `domain` */
  readonly domain?: string | undefined;
  /** Report of conflicts and failures (CSV). @default next to the journal, `<journal>-rollback-<time>.csv` */
  readonly reportPath?: string | undefined;
  /** The rollback's own undo journal. @default `<stateDir>/journals/<dataset>-<time>-rollback.jsonl` when `stateDir` is set */
  readonly rollbackJournalPath?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Clock, for tests. */
  readonly now?: (() => number) | undefined;
}

export interface RollbackProblem {
  /** Item uuid, or data hash for legacy rows. */
  readonly id: string;
  readonly dataHash: string;
  readonly code: string;
  readonly message: string;
}

export interface RollbackResult {
  /** The dataset of the run; `''` for a storage folder run (see `folderUuid`). */
  datasetHash: string;
  /** The storage folder of a `set --folder` run; null for dataset runs. */
  folderUuid: string | null;
  dryRun: boolean;
  targets: number;
  /** Targets written back (dry run: would be). */
  restored: number;
  /** Of `restored`, conflicts restored because of `force`. */
  forced: number;
  /** Targets already holding their value from before the run. */
  unchanged: number;
  /** Targets changed since the run, left alone (code ROLLBACK_CONFLICT). */
  conflicts: RollbackProblem[];
  failed: RollbackProblem[];
  skippedLines: number;
  /** CSV listing every conflict and failure; null when there were none. */
  reportPath: string | null;
  /** The rollback's own undo journal; null when nothing was written or no state dir was given. */
  journalPath: string | null;
}

/** `m` without Encord's reserved keys (`keyframes`). */
function withoutReserved(m: Metadata): Metadata {
  const out: Metadata = {};
  for (const key of Object.keys(m)) if (!isReservedMetadataKey(key)) setOwn(out, key, m[key]!);
  return out;
}

/** Equal as far as rollback is concerned: `keyframes` are Encord's, never restored, never a conflict. */
function same(a: Metadata, b: Metadata): boolean {
  return jsonEqual(withoutReserved(a), withoutReserved(b));
}

/** The value to write back: the journal's previous value, through the shared gate (the unit's CURRENT keyframes). */
function restoreValue(before: Metadata, current: Metadata): GuardResult {
  return guardWrite(current, before);
}

/** Why the value from before the run cannot be restored exactly (it held a number a double cannot hold), or `undefined`. */
function inexactBefore(entry: JournalEntry): string | undefined {
  for (const [key, literal] of Object.entries(entry.inexact ?? {})) {
    if (!Object.hasOwn(entry.metadata, key)) continue;
    return (
      `before the run, metadata key "${key}" held the number ${literal}, which a JSON double cannot hold exactly: ` +
      `it would be restored as ${String(Number(literal))}; nothing was written to this target (restore it in Encord by hand)`
    );
  }
  return undefined;
}

type Decision = { kind: 'unchanged' } | { kind: 'restore' } | { kind: 'conflict'; message: string };

function decide(entry: JournalEntry, current: Metadata): Decision {
  if (same(current, entry.metadata)) return { kind: 'unchanged' };
  if (entry.written !== undefined) {
    if (same(current, entry.written)) return { kind: 'restore' };
    const keys = changedKeys(withoutReserved(entry.written), withoutReserved(current));
    return {
      kind: 'conflict',
      message: `changed since the run: ${keys.join(', ')} differ${keys.length === 1 ? 's' : ''} from what the run wrote; left as it is (--force restores the value from before the run)`,
    };
  }
  const keys = changedKeys(withoutReserved(entry.metadata), withoutReserved(current));
  return {
    kind: 'conflict',
    message:
      `this journal was written by an older version that did not record what the run wrote, so a change made since the run cannot be told apart from the run's own write ` +
      `(${keys.join(', ')} differ${keys.length === 1 ? 's' : ''} from before the run); left as it is (--force restores the value from before the run)`,
  };
}

/** A failure that ends the rollback rather than its one target: the shared registry's `stopsRun` codes. */
function stopsRollback(error: unknown): boolean {
  return error instanceof MetaError && stopsRun(error.code);
}

function problem(e: JournalEntry, error: unknown): RollbackProblem {
  return { id: e.id, dataHash: e.dataHash, code: error instanceof MetaError ? error.code : 'WRITE_FAILED', message: (error as Error).message };
}

const ROLLBACK_OPTION_NAMES = ['journalPath', 'store', 'datasetHash', 'dryRun', 'force', 'stateDir', 'domain', 'reportPath', 'rollbackJournalPath', 'signal', 'now'] as const satisfies readonly (keyof RollbackOptions)[];

/** What a journal says it is the journal of, and so which lock a rollback of it takes. */
interface JournalScope {
  /** The storage folder of a `set --folder` run (journals items only; locked by its folder). */
  readonly folderUuid: string | null;
  /** `import --key item_uuid`: items by uuid, no dataset or folder (locked as `items`). */
  readonly itemsRun: boolean;
  /** A folder or items run: no data unit rows, no dataset. */
  readonly storageOnly: boolean;
  /** `''` for storage-only runs. */
  readonly datasetHash: string;
  readonly lockKey: string;
}

function journalScope(options: RollbackOptions, header: ReturnType<typeof readUndoJournal>['header']): JournalScope {
  const folderUuid = typeof header?.folderUuid === 'string' && header.folderUuid !== '' ? header.folderUuid : null;
  const itemsRun = folderUuid === null && header?.target === 'items';
  const storageOnly = folderUuid !== null || itemsRun;
  if (storageOnly && options.datasetHash !== undefined) {
    const what = folderUuid !== null ? `storage folder ${folderUuid}` : 'storage items by uuid';
    throw new MetaError('USAGE', `${options.journalPath} is the journal of a run on ${what}, not on a dataset; leave out --dataset`);
  }
  const datasetHash = storageOnly ? '' : (options.datasetHash ?? header?.datasetHash);
  if (!storageOnly && !datasetHash) throw new MetaError('JOURNAL_INVALID', `${options.journalPath} has no run header; pass --dataset`);
  const lockKey = folderUuid !== null ? folderLockKey(folderUuid) : itemsRun ? 'items' : datasetHash!;
  return { folderUuid, itemsRun, storageOnly, datasetHash: datasetHash!, lockKey };
}

/** One rollback in progress: its result so far, its own journal, and the decision for each target. */
class RollbackRun {
  readonly result: RollbackResult;
  private own: UndoJournal | undefined;
  private readonly ownPath: string | undefined;
  private readonly signal: { signal?: AbortSignal };

  constructor(
    private readonly options: RollbackOptions,
    private readonly scope: JournalScope,
    private readonly journal: ReturnType<typeof readUndoJournal>,
    private readonly now: () => number,
  ) {
    this.signal = options.signal ? { signal: options.signal } : {};
    this.ownPath = options.rollbackJournalPath ?? (options.stateDir ? defaultJournalPath(options.stateDir, scope.lockKey, now(), 'rollback') : undefined);
    this.result = {
      datasetHash: scope.datasetHash,
      folderUuid: scope.folderUuid,
      dryRun: options.dryRun === true,
      targets: journal.entries.length,
      restored: 0,
      forced: 0,
      unchanged: 0,
      conflicts: [],
      failed: [],
      skippedLines: journal.skippedLines,
      reportPath: null,
      journalPath: null,
    };
  }

  get dryRun(): boolean {
    return this.result.dryRun;
  }

  close(): void {
    this.own?.close();
  }

  /** Journal a write of the rollback (fsync'd) before it is sent. */
  private journalWrite(entries: Parameters<UndoJournal['record']>[0]): void {
    if (!this.ownPath || entries.length === 0) return;
    if (!this.own) {
      this.own = new UndoJournal(this.ownPath);
      this.own.open({
        datasetHash: this.scope.datasetHash,
        ...(this.scope.folderUuid !== null && { folderUuid: this.scope.folderUuid }),
        source: `rollback of ${this.options.journalPath}`,
        startedAt: new Date(this.now()).toISOString(),
      });
      this.result.journalPath = this.ownPath;
    }
    this.own.record(entries);
    this.own.sync();
  }

  /** What to write back to a target holding `cur`, or `null` when it is counted as unchanged, conflict or failed. */
  private planRestore(e: JournalEntry, cur: Metadata): { next: Metadata; conflict: boolean } | null {
    const d = decide(e, cur);
    if (d.kind === 'unchanged') {
      this.result.unchanged += 1;
      return null;
    }
    if (d.kind === 'conflict' && this.options.force !== true) {
      this.result.conflicts.push({ id: e.id, dataHash: e.dataHash, code: 'ROLLBACK_CONFLICT', message: d.message });
      return null;
    }
    const lost = inexactBefore(e);
    if (lost !== undefined) {
      this.result.failed.push({ id: e.id, dataHash: e.dataHash, code: 'STORED_NUMBER_INEXACT', message: lost });
      return null;
    }
    const guarded = restoreValue(e.metadata, cur);
    if (!guarded.ok) {
      this.result.failed.push({ id: e.id, dataHash: e.dataHash, code: guarded.code, message: guarded.message });
      return null;
    }
    return { next: guarded.metadata, conflict: d.kind === 'conflict' };
  }

  /** Storage items, 1000 at a time: re-read (get-bulk), decide, journal, write back (patch-bulk). */
  async restoreItems(items: readonly JournalEntry[]): Promise<void> {
    for (let i = 0; i < items.length; i += 1000) await this.restoreItemChunk(items.slice(i, i + 1000));
  }

  private async restoreItemChunk(chunk: readonly JournalEntry[]): Promise<void> {
    const { result } = this;
    const current = new Map((await this.options.store.getItems(chunk.map((e) => e.id), this.signal)).map((x) => [x.uuid, x.metadata]));
    const patches = new Map<string, Metadata>();
    const byId = new Map<string, { entry: JournalEntry; conflict: boolean }>();
    const records: Parameters<UndoJournal['record']>[0][number][] = [];
    for (const e of chunk) {
      const cur = current.get(e.id);
      if (cur === undefined) {
        result.failed.push({ id: e.id, dataHash: e.dataHash, code: 'ITEM_NOT_RETURNED', message: `Encord did not return storage item ${e.id} when re-reading it; nothing was written` });
        continue;
      }
      const planned = this.planRestore(e, cur);
      if (planned === null) continue;
      patches.set(e.id, planned.next);
      byId.set(e.id, { entry: e, conflict: planned.conflict });
      records.push({ target: 'item', id: e.id, dataHash: e.dataHash, metadata: cur, written: planned.next });
    }
    if (this.dryRun) {
      result.restored += patches.size;
      result.forced += [...byId.values()].filter((x) => x.conflict).length;
      return;
    }
    if (patches.size === 0) return;
    this.journalWrite(records);
    for (const outcome of await this.options.store.patchItems(patches, this.signal)) {
      const planned = byId.get(outcome.uuid);
      if (!planned) continue;
      byId.delete(outcome.uuid);
      if (outcome.ok) {
        result.restored += 1;
        if (planned.conflict) result.forced += 1;
      } else {
        if (stopsRollback(outcome.error)) throw outcome.error;
        result.failed.push(problem(planned.entry, outcome.error));
      }
    }
    for (const { entry } of byId.values()) {
      result.failed.push({ id: entry.id, dataHash: entry.dataHash, code: 'WRITE_UNCONFIRMED', message: `Encord's answer did not mention storage item ${entry.id}; rerun the rollback to confirm` });
    }
  }

  /** Legacy data units, one by one: re-read (v1), decide, journal, write back (v1 save). */
  async restoreRows(rows: readonly JournalEntry[]): Promise<void> {
    const { result, scope } = this;
    for (const e of rows) {
      if (scope.storageOnly) {
        result.failed.push({ id: e.id, dataHash: e.dataHash, code: 'JOURNAL_INVALID', message: `a storage ${scope.itemsRun ? 'items' : 'folder'} run's journal names data unit ${e.id}, which has no dataset here; nothing was written` });
        continue;
      }
      try {
        await this.restoreRow(e);
      } catch (error) {
        if (stopsRollback(error)) throw error;
        result.failed.push(problem(e, error));
      }
    }
  }

  private async restoreRow(e: JournalEntry): Promise<void> {
    const { result, scope } = this;
    const unit = await this.options.store.refetchDataUnit(scope.datasetHash, e.id, this.signal);
    const cur = unit.metadata;
    if (cur === null || cur === undefined) {
      result.failed.push({ id: e.id, dataHash: e.dataHash, code: 'METADATA_UNKNOWN', message: `Encord returned no metadata for data unit ${e.id} when re-reading it; not writing blind` });
      return;
    }
    const planned = this.planRestore(e, cur);
    if (planned === null) return;
    if (!this.dryRun) {
      this.journalWrite([{ target: 'row', id: e.id, dataHash: e.dataHash, metadata: cur, written: planned.next }]);
      await this.options.store.saveMetadata(scope.datasetHash, e.id, planned.next, this.signal);
    }
    result.restored += 1;
    if (planned.conflict) result.forced += 1;
  }

  /** The CSV of every conflict and failure, next to the journal unless `reportPath`; none when all went back. */
  writeReport(stamp: string): void {
    const { result, options } = this;
    if (result.conflicts.length + result.failed.length === 0) return;
    const reportPath =
      options.reportPath ?? join(dirname(options.journalPath), `${basename(options.journalPath).replace(/\.jsonl$/, '')}-rollback-${stamp}${this.dryRun ? '-dry-run' : ''}.csv`);
    const lines = [csvLine(['id', 'data_hash', '_error_code', '_error'])];
    for (const p of [...result.conflicts, ...result.failed]) lines.push(csvLine([p.id, p.dataHash, p.code, neutraliseFormula(p.message)]));
    try {
      writeFilePrivate(reportPath, lines.join(''));
    } catch (cause) {
      throw new MetaError(
        'OUTPUT_IO',
        `rollback done (${result.restored} restored, ${result.conflicts.length} conflicts, ${result.failed.length} failed) but its report ${reportPath} cannot be written: ${(cause as Error).message}; rerun with --report PATH`,
        { cause },
      );
    }
    result.reportPath = reportPath;
  }
}

export async function runRollback(options: RollbackOptions): Promise<RollbackResult> {
  checkOptionNames('runRollback', options, ROLLBACK_OPTION_NAMES);
  if (typeof options.journalPath !== 'string' || options.journalPath === '') {
    throw new MetaError(BAD_OPTION, 'runRollback: `journalPath` (the undo journal printed at the end of an import or set) is required');
  }
  const now = options.now ?? Date.now;
  const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
  const journal = readUndoJournal(options.journalPath);
  const scope = journalScope(options, journal.header);
  const run = new RollbackRun(options, scope, journal, now);
  let lock: DatasetLock | undefined;
  try {
    if (!run.dryRun) {
      lock = acquireDatasetLock({
        stateDir: options.stateDir,
        domain: options.domain ?? lockDomainOf(options.store),
        datasetHash: scope.lockKey,
        ...(scope.folderUuid !== null && { label: `storage folder ${scope.folderUuid}` }),
        ...(scope.itemsRun && { label: 'storage items (import --key item_uuid)' }),
      });
    }
    await run.restoreItems(journal.entries.filter((e) => e.target === 'item'));
    await run.restoreRows(journal.entries.filter((e) => e.target === 'row'));
  } finally {
    run.close();
    lock?.release();
  }
  run.writeReport(stamp);
  return run.result;
}
