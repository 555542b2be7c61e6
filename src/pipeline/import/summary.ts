/** The end of an import: the key plan's starting counts, and the summary and result a run returns. */
import { statSync } from 'node:fs';
import type { KeyChoice } from '../../mapping/key-resolver.js';
import type { ImportResult, KeyPlan, RunSummary } from '../import-result.js';
import type { ImportRun } from './state.js';

/** How a run ended, besides its counters. */
export interface RunEnd {
  readonly interrupted: boolean;
  readonly stoppedEarly?: boolean | undefined;
  /** Real runs: failed rows per code (a dry run derives these from the key plan). */
  readonly failedByCode?: Readonly<Record<string, number>> | undefined;
  /** ---- outage (issue 11) */
  readonly notAttempted?: number | undefined;
  readonly unreachable?: string | null | undefined;
  /** Items runs: data units backed by the items written, as the writer read them. */
  readonly backedDataUnitsCount?: number | undefined;
}

export function emptyKeyPlan(key: KeyChoice): KeyPlan {
  return {
    keyKind: key.kind,
    keyColumn: key.column,
    rows: 0,
    resolved: 0,
    badRecords: 0,
    notFound: 0,
    invalidKey: 0,
    ambiguousTitle: 0,
    duplicateTarget: 0,
    sharedItemConflict: 0,
    invalidCells: 0,
    toWrite: 0,
    unchanged: 0,
    itemsBackingDataUnits: 0,
    backedDataUnitsCount: 0,
  };
}

function dryRunFailures(plan: KeyPlan, folder: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (code: string, n: number): void => {
    if (n > 0) out[code] = n;
  };
  add('BAD_RECORD', plan.badRecords);
  add('KEY_NOT_FOUND', plan.notFound);
  add('KEY_INVALID', plan.invalidKey);
  add(folder ? 'KEY_AMBIGUOUS' : 'KEY_AMBIGUOUS_TITLE', plan.ambiguousTitle);
  add('DUPLICATE_TARGET', plan.duplicateTarget);
  add('SHARED_ITEM_CONFLICT', plan.sharedItemConflict);
  add('INVALID_CELL', plan.invalidCells);
  return out;
}

/** Mark the run done and build its result. */
export function finishRun(run: ImportRun, end: RunEnd): ImportResult {
  const { opts, progress, store, statsBefore, keyPlan, key } = run;
  progress.phase = 'done';
  run.emit();
  const finishedAt = opts.now();
  const durationMs = Math.max(0, finishedAt - run.startedAt);
  const summary: RunSummary = {
    file: typeof opts.file === 'string' ? opts.file : opts.file.join(' '),
    ...(run.source.files !== undefined && { files: [...run.source.files] }),
    fileBytes: fileBytes(run.source.files ?? (typeof opts.file === 'string' ? [opts.file] : opts.file)),
    target: run.target.kind,
    datasetHash: opts.datasetHash ?? '',
    folderUuid: run.target.kind === 'folder' ? run.target.folderUuid : null,
    backedDataUnitsCount: opts.dryRun || run.target.kind !== 'items' ? keyPlan.backedDataUnitsCount : (end.backedDataUnitsCount ?? 0),
    dryRun: opts.dryRun,
    mode: opts.mode,
    keyKind: key.kind,
    keyColumn: key.column,
    rowsRead: opts.dryRun ? progress.rowsRead : (progress.rowsTotal ?? progress.rowsRead),
    shard: opts.shard ? { index: opts.shard.index, count: opts.shard.count } : null,
    otherShards: run.sharded?.otherShards ?? 0,
    written: progress.written,
    unchanged: opts.dryRun ? keyPlan.unchanged : progress.unchanged,
    failed: progress.failed,
    failedByCode: opts.dryRun ? dryRunFailures(keyPlan, run.target.kind === 'folder') : { ...(end.failedByCode ?? {}) },
    notAttempted: end.notAttempted ?? 0,
    unreachable: end.unreachable ?? null,
    requests: store.stats.requests - statsBefore.requests,
    retries: store.stats.retries - statsBefore.retries,
    rateLimited: store.stats.rateLimited - statsBefore.rateLimited,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs,
    rowsPerSecond: durationMs > 0 ? Math.round((progress.rowsRead / durationMs) * 1000) : 0,
    interrupted: end.interrupted,
    stoppedEarly: end.stoppedEarly ?? false,
    reportPath: run.report?.written ? (run.report.path ?? null) : null,
    journalPath: run.checkpoint.journalPath,
  };
  const columns: Record<string, { ok: number; empty: number; failed: number }> = {};
  for (const [k, v] of run.preparer.stats) columns[k] = { ...v };
  return { summary, plan: keyPlan, columns, skippedColumns: [...run.plan.skipped], diffs: run.diffs };
}

/** The file's size, so `summary merge` can tell two files of one name apart; null if it is gone. */
/** Bytes of every file read (several files: their sum), or null when one cannot be read at the end. */
function fileBytes(paths: readonly string[]): number | null {
  let total = 0;
  for (const path of paths) {
    try {
      total += statSync(path).size;
    } catch {
      return null;
    }
  }
  return total;
}
