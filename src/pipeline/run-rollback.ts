/**
 * `runRollback`: put back what an undo journal says each target held before the run. Items go back with
 * patch-bulk, legacy rows with the v1 save; each write is the complete previous dictionary, so a
 * rollback is itself idempotent and can be rerun after an interruption.
 */
import type { MetadataStore } from '../encord/metadata-store.js';
import type { Metadata } from '../encord/protocol/types.js';
import { MetaError } from '../errors.js';
import { readUndoJournal } from '../report/undo-journal.js';
import { jsonEqual } from './merge.js';

export interface RollbackOptions {
  readonly journalPath: string;
  readonly store: MetadataStore;
  /** Dataset of the journal's row targets; @default the journal header's */
  readonly datasetHash?: string | undefined;
  readonly dryRun?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface RollbackResult {
  datasetHash: string;
  targets: number;
  restored: number;
  unchanged: number;
  failed: { id: string; code: string; message: string }[];
  skippedLines: number;
}

export async function runRollback(options: RollbackOptions): Promise<RollbackResult> {
  const journal = readUndoJournal(options.journalPath);
  const datasetHash = options.datasetHash ?? journal.header?.datasetHash;
  if (!datasetHash) throw new MetaError('JOURNAL_INVALID', `${options.journalPath} has no run header; pass --dataset`);
  const signal = options.signal ? { signal: options.signal } : {};
  const result: RollbackResult = { datasetHash, targets: journal.entries.length, restored: 0, unchanged: 0, failed: [], skippedLines: journal.skippedLines };

  const items = journal.entries.filter((e) => e.target === 'item');
  for (let i = 0; i < items.length; i += 1000) {
    const chunk = items.slice(i, i + 1000);
    const current = new Map((await options.store.getItems(chunk.map((e) => e.id), signal)).map((x) => [x.uuid, x.metadata]));
    const patches = new Map<string, Metadata>();
    for (const e of chunk) {
      if (jsonEqual(current.get(e.id), e.metadata)) result.unchanged += 1;
      else patches.set(e.id, e.metadata);
    }
    if (options.dryRun || patches.size === 0) {
      if (options.dryRun) result.restored += patches.size;
      continue;
    }
    for (const outcome of await options.store.patchItems(patches, signal)) {
      if (outcome.ok) result.restored += 1;
      else result.failed.push({ id: outcome.uuid, code: outcome.error instanceof MetaError ? outcome.error.code : 'WRITE_FAILED', message: outcome.error.message });
    }
  }
  for (const e of journal.entries.filter((x) => x.target === 'row')) {
    try {
      const unit = await options.store.refetchDataUnit(datasetHash, e.id, signal);
      if (jsonEqual(unit.metadata ?? undefined, e.metadata)) {
        result.unchanged += 1;
        continue;
      }
      if (!options.dryRun) await options.store.saveMetadata(datasetHash, e.id, e.metadata, signal);
      result.restored += 1;
    } catch (error) {
      if (error instanceof MetaError && ['AUTHENTICATION', 'SSH_KEY_NOT_FOUND', 'DATASET_NOT_FOUND', 'ABORTED'].includes(error.code)) throw error;
      result.failed.push({ id: e.id, code: error instanceof MetaError ? error.code : 'WRITE_FAILED', message: (error as Error).message });
    }
  }
  return result;
}
