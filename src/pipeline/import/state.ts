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
import type { FingerprintSpec } from '../../mapping/fingerprint.js';
import type { DataUnit } from '../../encord/metadata-store.js';
import { isReservedMetadataKey } from '../../schema/index.js';
import { rowFingerprint, type UpdateEntry } from '../merge.js';
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
  /** A dataset, a storage folder, or storage items by uuid (targets.ts). */
  readonly target: RunTarget;
}

/** A run once its key, columns and target index are known: what the passes work on. */
export interface ImportRun extends RunBase {
  readonly key: KeyChoice;
  readonly plan: ColumnPlan;
  readonly resolver: KeyResolver;
  readonly preparer: RowPreparer;
  /** Counts of the planning pass (mutated by it, and by the dry run's recount). */
  readonly keyPlan: KeyPlan;
  /** What "unchanged" is compared on (the unit fingerprints in `resolver.index`). */
  readonly fingerprintSpec: FingerprintSpec;
  /** Rows noted for the dry run's diff preview, at most `opts.diffLimit` (diff-preview.ts). */
  readonly diffCandidates: DiffCandidate[];
  /** The dry run's diff preview, read fresh at the end. */
  diffs: Diff[];
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

/**
 * Whether a row's update leaves its unit as listed: `unchanged` only when the listing gave the unit's
 * metadata and its fingerprint equals the row's; anything else is `changed` (to be confirmed by the
 * writer's fresh read, which skips the write when it turns out equal).
 */
export function classify(run: ImportRun, unit: DataUnit, update: readonly UpdateEntry[]): 'unchanged' | 'changed' {
  const index = run.resolver.index;
  if (index === null || unit.metadata === null) return 'changed';
  // Merge mode, a row that names no key (every cell empty under `--empty keep`): nothing to change.
  if (!run.fingerprintSpec.replace && update.every((e) => isReservedMetadataKey(e.key))) return 'unchanged';
  const fp = rowFingerprint(update, run.fingerprintSpec);
  return fp !== undefined && index.fingerprintIs(unit.index, fp) ? 'unchanged' : 'changed';
}

/** What an import writes to (targets.ts lists it into the index). */
export type RunTarget =
  | { readonly kind: 'dataset'; readonly datasetHash: string }
  | { readonly kind: 'folder'; readonly folderUuid: string; readonly recursive: boolean }
  | { readonly kind: 'items' };

/** A row noted for the preview: its line, its unit, its update. */
export interface DiffCandidate {
  readonly line: number;
  /** The part the row was read from, when the input is several files. */
  readonly file?: string | undefined;
  readonly unit: DataUnit;
  readonly update: readonly UpdateEntry[];
}
