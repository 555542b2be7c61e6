/**
 * The writing stage. Rows with a storage item are grouped into patch-bulk batches; legacy rows are saved
 * one by one with the v1 call. Every write re-reads the target first (get-bulk or refetch), merges onto that
 * fresh value, journals the previous and the merged value (fsync'd) and only then sends the complete dictionary.
 * Admission is bounded: the producer awaits room in the queue, so a file of any size never piles up
 * promises in memory.
 *
 * `concurrency` N is writes in flight: up to N batches write at once while up to N more re-read their
 * targets, so a read and a write alternate in no slot (issue 11: read-then-write in each of N slots kept only
 * N/2 writes in flight on average, and the bulk path could not reach a server's limit on writes). A batch
 * re-read ahead waits for a write slot before it merges and journals, and is abandoned, unwritten, if the
 * run is stopped meanwhile.
 */
import PQueue, { type QueueAddOptions } from 'p-queue';
import type { DataUnit, MetadataStore } from '../encord/metadata-store.js';
import type { Metadata } from '../encord/protocol/types.js';
import { stopsRun } from '../error-codes.js';
import { MetaError } from '../errors.js';
import type { UndoJournal } from '../report/undo-journal.js';
import { applyUpdate, jsonEqual, type UpdateEntry, type WriteMode } from './merge.js';
import { guardWrite } from './write-guard.js';
import { LISTED_COLUMN, isListedStamp, listedStamp } from '../listed-stamp.js';
import { FifoQueue } from './fifo-queue.js';

/** A row waiting for its write, with what the failure report needs. */
export interface PendingRow {
  readonly line: number;
  /** The row's file, when the input is several files. */
  readonly file?: string | undefined;
  readonly values: Readonly<Record<string, string>>;
}

export interface WriteTask {
  /** Item uuid (bulk) or data hash (per-row). */
  readonly id: string;
  readonly unit: DataUnit;
  readonly update: readonly UpdateEntry[];
  readonly rows: PendingRow[];
}

export interface WriteCallbacks {
  written(task: WriteTask): void;
  unchanged(task: WriteTask): void;
  failed(task: WriteTask, code: string, message: string): Promise<void>;
  /** ---- outage (issue 11): the run stopped because Encord is unreachable before this task was written. */
  notAttempted?(task: WriteTask, message: string): Promise<void>;
  /** A storage item about to be written, as re-read: the data units it backs (in any dataset). */
  backs?(task: WriteTask, backedDataUnitsCount: number): void;
}

/** Legacy rows re-read per request (v1 call B); each is still saved with its own request. */
const SINGLE_BATCH = 100;

/** Errors after which no further write can succeed (`stopsRun` in the code registry): stop the run. */
export function isFatal(error: unknown): boolean {
  return error instanceof MetaError && stopsRun(error.code);
}

/**
 * Why a row of a `list` export must not be written: its unit changed in Encord since it was listed, so a
 * cell that differs may be the listing's stale value rather than an edit (listed-stamp.ts); `undefined`
 * when the rows carry no stamp or the unit is as listed.
 */
function staleListing(task: WriteTask, current: Metadata): string | undefined {
  let now: string | undefined;
  for (const row of task.rows) {
    const stamp = row.values[LISTED_COLUMN];
    if (!isListedStamp(stamp)) continue;
    now ??= listedStamp(current);
    if (stamp === now) continue;
    return (
      `the unit's metadata changed in Encord after this file was listed, so a cell that differs from it may be the ` +
      `listing's old value, not an edit; nothing was written to this target. List it again and redo the edit, or ` +
      `empty this row's ${LISTED_COLUMN} cell to write the file's values over the change`
    );
  }
  return undefined;
}

export class Writer {
  /** Batches in progress: `concurrency` writing and as many re-reading ahead. */
  private readonly queue: PQueue<FifoQueue, QueueAddOptions>;
  /** The write phase of a batch (merge, journal, send): `concurrency` at once. */
  private readonly writes: PQueue<FifoQueue, QueueAddOptions>;
  private batch: WriteTask[] = [];
  private singles: WriteTask[] = [];
  private fatal: unknown;
  /** Aborted on a fatal error; in-flight writes of a Ctrl-C'd run are allowed to finish. */
  private readonly hard = new AbortController();
  /** ---- outage (issue 11): tasks already reported (written, unchanged or failed), so the rest are "not attempted". */
  private readonly decided = new WeakSet<WriteTask>();
  private readonly cb: WriteCallbacks;

  constructor(
    private readonly input: {
      readonly store: MetadataStore;
      readonly datasetHash: string;
      readonly mode: WriteMode;
      readonly concurrency: number;
      readonly batchSize: number;
      readonly journal: UndoJournal | undefined;
      readonly callbacks: WriteCallbacks;
      /** The user's Ctrl-C: writes not yet started are abandoned (a rerun does them), in-flight ones finish. */
      readonly signal?: AbortSignal | undefined;
    },
  ) {
    // FifoQueue: p-queue's own queue keeps up to ~100 started batches reachable (fifo-queue.ts).
    this.queue = new PQueue({ concurrency: 2 * input.concurrency, queueClass: FifoQueue });
    this.writes = new PQueue({ concurrency: input.concurrency, queueClass: FifoQueue });
    const c = input.callbacks;
    this.cb = {
      written: (t) => (this.decided.add(t), c.written(t)),
      unchanged: (t) => (this.decided.add(t), c.unchanged(t)),
      failed: (t, code, message) => (this.decided.add(t), c.failed(t, code, message)),
      ...(c.backs && { backs: c.backs }),
    };
  }

  /** The first fatal error, if any: the producer stops reading when set. */
  get fatalError(): unknown {
    return this.fatal;
  }

  async addBulk(task: WriteTask): Promise<void> {
    this.batch.push(task);
    if (this.batch.length >= this.input.batchSize) await this.flushBatch();
  }

  /** A row without storage item: saved on its own (v1), but re-read in batches with its neighbours. */
  async addSingle(task: WriteTask): Promise<void> {
    this.singles.push(task);
    if (this.singles.length >= Math.min(this.input.batchSize, SINGLE_BATCH)) await this.flushSingles();
  }

  /** Send what is batched and wait for every write to finish. */
  async drain(): Promise<void> {
    await this.flushBatch();
    await this.flushSingles();
    await this.queue.onIdle();
  }

  private async flushSingles(): Promise<void> {
    if (this.singles.length === 0) return;
    const batch = this.singles;
    this.singles = [];
    await this.admit(() => this.saveBatch(batch), batch);
  }

  private async flushBatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    await this.admit(() => this.patchBatch(batch), batch);
  }

  private async admit(work: () => Promise<void>, tasks: readonly WriteTask[]): Promise<void> {
    await this.queue.onSizeLessThan(this.input.concurrency);
    void this.queue.add(async () => {
      if (this.fatal || this.input.signal?.aborted) return this.notAttempted(tasks);
      try {
        await work();
      } catch (error) {
        this.fatal ??= error;
        this.hard.abort(error);
        await this.notAttempted(tasks);
      }
    });
  }

  /** ---- outage (issue 11): after SERVICE_UNREACHABLE, the undecided tasks are reported "not attempted", not failed. */
  private async notAttempted(tasks: readonly WriteTask[]): Promise<void> {
    const report = this.input.callbacks.notAttempted;
    if (!report || !(this.fatal instanceof MetaError) || this.fatal.code !== 'SERVICE_UNREACHABLE') return;
    for (const task of tasks) {
      if (this.decided.has(task)) continue;
      this.decided.add(task);
      await report(task, `not attempted: Encord became unreachable before this row was written (or confirmed); rerun to finish`);
    }
  }

  /**
   * What to send for `task` to a target holding `current`: the update merged and passed through the write
   * gate; `undefined` (after reporting the task failed or unchanged) when there is nothing to send.
   */
  private async merged(task: WriteTask, current: Metadata): Promise<Metadata | undefined> {
    const guarded = guardWrite(current, applyUpdate(current, task.update, this.input.mode));
    if (!guarded.ok) {
      await this.cb.failed(task, guarded.code, guarded.message);
      return undefined;
    }
    if (jsonEqual(guarded.metadata, current)) {
      this.cb.unchanged(task);
      return undefined;
    }
    const stale = staleListing(task, current);
    if (stale !== undefined) {
      await this.cb.failed(task, 'STALE_LISTING', stale);
      return undefined;
    }
    return guarded.metadata;
  }

  private async patchBatch(batch: WriteTask[]): Promise<void> {
    const { store } = this.input;
    const callbacks = this.cb;
    const signal = this.hard.signal;
    let fresh: Map<string, Metadata>;
    let backed: Map<string, number>;
    // Items Encord refuses one by one (no access to their folder, deleted): only their rows fail.
    const unreadable = new Map<string, Error>();
    try {
      const items = await store.getItems(
        batch.map((t) => t.id),
        { signal, onItemError: (f) => unreadable.set(f.uuid, f.error) },
      );
      fresh = new Map(items.map((i) => [i.uuid, i.metadata]));
      backed = new Map(items.map((i) => [i.uuid, i.backedDataUnitsCount]));
    } catch (error) {
      if (isFatal(error)) throw error;
      const { code, message } = describe(error, 'reading the current metadata');
      for (const task of batch) await callbacks.failed(task, code, message);
      return;
    }
    await this.inWriteSlot(batch, () => this.writePatches(batch, fresh, unreadable, backed));
  }

  /** Run a batch's write phase in a write slot; a batch whose slot comes after a stop is not written. */
  private async inWriteSlot(batch: readonly WriteTask[], write: () => Promise<void>): Promise<void> {
    await this.writes.add(async () => {
      if (this.fatal || this.input.signal?.aborted) return this.notAttempted(batch);
      await write();
    });
  }

  private async writePatches(
    batch: readonly WriteTask[],
    fresh: ReadonlyMap<string, Metadata>,
    unreadable: ReadonlyMap<string, Error>,
    backed: ReadonlyMap<string, number>,
  ): Promise<void> {
    const { store, journal } = this.input;
    const callbacks = this.cb;
    const signal = this.hard.signal;
    const patches = new Map<string, Metadata>();
    const byId = new Map<string, WriteTask>();
    for (const task of batch) {
      const current = fresh.get(task.id);
      const refused = unreadable.get(task.id);
      if (current === undefined && refused !== undefined) {
        const { code, message } = describe(refused, 'reading the current metadata');
        await callbacks.failed(task, code, message);
        continue;
      }
      if (current === undefined) {
        await callbacks.failed(task, 'ITEM_NOT_RETURNED', `Encord did not return storage item ${task.id} when re-reading it; nothing was written`);
        continue;
      }
      const merged = await this.merged(task, current);
      if (merged === undefined) continue;
      patches.set(task.id, merged);
      byId.set(task.id, task);
      callbacks.backs?.(task, backed.get(task.id) ?? 0);
      journal?.record([{ target: 'item', id: task.id, dataHash: task.unit.dataHash, metadata: current, written: merged }]);
    }
    if (patches.size === 0) return;
    await journal?.syncShared();
    const outcomes = await store.patchItems(patches, { signal });
    for (const outcome of outcomes) {
      const task = byId.get(outcome.uuid);
      if (!task) continue;
      byId.delete(outcome.uuid);
      if (outcome.ok) callbacks.written(task);
      else {
        if (isFatal(outcome.error)) throw outcome.error;
        const { code, message } = describe(outcome.error, 'writing');
        await callbacks.failed(task, code, message);
      }
    }
    for (const task of byId.values()) {
      await callbacks.failed(task, 'WRITE_UNCONFIRMED', `Encord's answer did not mention storage item ${task.id}; rerun to confirm`);
    }
  }

  private async saveBatch(batch: WriteTask[]): Promise<void> {
    const { store, datasetHash } = this.input;
    const callbacks = this.cb;
    const signal = this.hard.signal;
    let fresh: Map<string, DataUnit>;
    try {
      fresh = await store.getDataUnits(datasetHash, batch.map((t) => t.unit.dataHash), { signal });
    } catch (error) {
      if (isFatal(error)) throw error;
      const { code, message } = describe(error, 'reading the current metadata');
      for (const task of batch) await callbacks.failed(task, code, message);
      return;
    }
    await this.inWriteSlot(batch, () => this.writeSaves(batch, fresh));
  }

  private async writeSaves(batch: readonly WriteTask[], fresh: ReadonlyMap<string, DataUnit>): Promise<void> {
    const { store, journal, datasetHash } = this.input;
    const callbacks = this.cb;
    const signal = this.hard.signal;
    const sends: { task: WriteTask; merged: Metadata }[] = [];
    for (const task of batch) {
      const current = fresh.get(task.unit.dataHash)?.metadata;
      if (current === undefined || current === null) {
        await callbacks.failed(task, 'METADATA_UNKNOWN', `Encord returned no metadata for data unit ${task.unit.dataHash} when re-reading it; not writing blind`);
        continue;
      }
      const merged = await this.merged(task, current);
      if (merged === undefined) continue;
      journal?.record([{ target: 'row', id: task.unit.dataHash, dataHash: task.unit.dataHash, metadata: current, written: merged }]);
      sends.push({ task, merged });
    }
    if (sends.length === 0) return;
    await journal?.syncShared();
    // One save per row; the client's connection slots and rate limiter bound how many run at once.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < sends.length && !this.fatal && !this.input.signal?.aborted) {
        const { task, merged } = sends[next]!;
        next += 1;
        try {
          await store.saveMetadata(datasetHash, task.unit.dataHash, merged, { signal });
          callbacks.written(task);
        } catch (error) {
          if (isFatal(error)) throw error;
          const { code, message } = describe(error, 'writing');
          await callbacks.failed(task, code, message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.input.concurrency * 2, sends.length) }, worker));
  }
}

function describe(error: unknown, doing: string): { code: string; message: string } {
  if (error instanceof MetaError) return { code: error.code, message: `${doing}: ${error.message}` };
  return { code: 'WRITE_FAILED', message: `${doing}: ${error instanceof Error ? error.message : String(error)}` };
}
