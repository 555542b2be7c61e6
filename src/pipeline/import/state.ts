/**
 * The state one import run shares between its passes, in one object instead of a dozen parameters, and
 * the small helpers every pass uses (reading the source, a row's text cells).
 */
import type { RunCheckpoint } from '../../checkpoint/run-checkpoint.js';
import type { MetadataStore } from '../../encord/metadata-store.js';
import { MetaError } from '../../errors.js';
import type { ColumnPlan } from '../../mapping/column-plan.js';
import { cellText, type KeyChoice, type KeyResolver } from '../../mapping/key-resolver.js';
import type { FailureReport } from '../../report/failure-report.js';
import type { RawRow, SourceItem, TabularSource } from '../../sources/source.js';
import type { ResolvedImportOptions } from '../import-options.js';
import type { Diff, ImportProgress, KeyPlan } from '../import-result.js';
import type { RowPreparer } from '../row-preparer.js';
import type { ShardedSource } from '../shard.js';

/** What every run has from its first moment: options, store, source, progress, checkpoint. */
export interface RunBase {
  readonly opts: ResolvedImportOptions;
  readonly store: MetadataStore;
  readonly source: TabularSource;
  readonly startedAt: number;
  /** The store's counters at the start: the summary reports this run's share. */
  readonly statsBefore: { readonly requests: number; readonly retries: number; readonly rateLimited: number };
  readonly progress: ImportProgress;
  /** Send a copy of `progress` to `opts.onProgress`. */
  readonly emit: () => void;
  /** Lock and undo journal (checkpoint/run-checkpoint.ts). */
  readonly checkpoint: RunCheckpoint;
}

/** A run once its key, columns and target index are known: what the passes work on. */
export interface ImportRun extends RunBase {
  readonly key: KeyChoice;
  readonly plan: ColumnPlan;
  readonly resolver: KeyResolver;
  readonly preparer: RowPreparer;
  /** Counts of the planning pass (mutated by it, and by the dry run's recount). */
  readonly keyPlan: KeyPlan;
  /** The dry run's diff preview, at most `opts.diffLimit`. */
  readonly diffs: Diff[];
  /** The failure report: opened by the planning pass of a dry run, by the write pass of a real one. */
  report: FailureReport | undefined;
  /** `--shard I/N`: the source as this shard sees it (also `source`); undefined when not sharded. */
  readonly sharded: ShardedSource | undefined;
}

/** The source's items; an abort ends the stream quietly (the summary says "interrupted"). */
export async function* iterate(source: TabularSource, signal: AbortSignal | undefined): AsyncGenerator<SourceItem> {
  try {
    for await (const item of source.items(signal ? { signal } : {})) {
      if (signal?.aborted) return;
      yield item;
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
}

/** A row's cells as text, for the failure report. */
export function textValues(row: RawRow): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row.values)) out[k] = cellText(v);
  return out;
}

/** ---- outage (issue 11): the run stops, but its rows are "not attempted", not failed. */
export function unreachable(error: unknown): boolean {
  return error instanceof MetaError && error.code === 'SERVICE_UNREACHABLE';
}
