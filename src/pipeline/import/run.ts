/**
 * `runImport`: the main job, and the only module that knows every layer.
 *
 *   list dataset → plan columns → pass 1 (plan-pass.ts: resolve keys, coerce, count duplicates; a dry run
 *   stops here) → pass 2 (write-pass.ts: same rows again, failures to the report, changes to the writer)
 *   → summary (summary.ts).
 *
 * Two passes because "two rows for one data unit" and "one shared item, two different values" must be
 * known before the first write, and holding a whole file in memory is not an option; pass 1 keeps only a
 * byte per data unit (plus fingerprints for the rare shared items). Rerunning is resuming: rows already
 * applied merge to an equal value and are skipped, so a killed run finishes on the next try.
 */
import { RunCheckpoint, checkpointTarget } from '../../checkpoint/run-checkpoint.js';
import { lockDomainOf } from '../../checkpoint/dataset-lock.js';
import { planColumns, type ColumnPlan } from '../../mapping/column-plan.js';
import { KeyResolver, chooseKey } from '../../mapping/key-resolver.js';
import { FailureReport, reportFileColumn } from '../../report/failure-report.js';
import { openInputs } from '../../sources/multi-source.js';
import type { CsvDelimiter } from '../../sources/sniff.js';
import type { CsvEncoding } from '../../sources/csv/decode.js';
import { resolveImportOptions, type ImportOptions, type ResolvedImportOptions } from '../import-options.js';
import type { ImportProgress, ImportResult } from '../import-result.js';
import { schemaFromStore } from '../load-schema.js';
import { RowPreparer } from '../row-preparer.js';
import { ShardFilter, ShardedSource } from '../shard.js';
import { previewDiffs } from './diff-preview.js';
import { planTargets, recountDryRun } from './plan-pass.js';
import { emptyKeyPlan, finishRun } from './summary.js';
import type { ImportRun, RunBase } from './state.js';
import { listTarget, targetOf } from './targets.js';
import { writePass } from './write-pass.js';

export async function runImport(options: ImportOptions): Promise<ImportResult> {
  const opts = resolveImportOptions(options);
  const base = await openRun(opts);
  let run: ImportRun | undefined;
  try {
    run = await prepareRun(base);
    const targets = await planTargets(run);
    if (opts.signal?.aborted) return finishRun(run, { interrupted: true });
    if (opts.dryRun) {
      await recountDryRun(run, targets);
      run.diffs = await previewDiffs(run, run.diffCandidates);
      await run.report!.close();
      base.progress.failed = run.report!.count;
      return finishRun(run, { interrupted: false });
    }
    return finishRun(run, await writePass(run, targets));
  } finally {
    await run?.report?.close().catch(() => undefined);
    base.checkpoint.close();
    await base.source.close();
  }
}

async function openRun(opts: ResolvedImportOptions): Promise<RunBase> {
  const startedAt = opts.now();
  const store = opts.store;
  const progress: ImportProgress = { phase: 'listing', rowsRead: 0, rowsTotal: undefined, written: 0, unchanged: 0, failed: 0 };
  const csv = { delimiter: opts.delimiter as CsvDelimiter | undefined, encoding: opts.encoding as CsvEncoding | undefined, unnamedColumns: opts.unnamedColumns };
  // Several files (a list, a glob, a directory) are one logical input: planned, deduplicated and reported as one.
  const source = await openInputs(opts.file, { format: opts.format, csv, xlsx: { sheet: opts.sheet } });
  const checkpoint = new RunCheckpoint({ stateDir: opts.stateDir, domain: lockDomainOf(store), startedAt, journalPath: opts.journalPath, shard: opts.shard, ...checkpointTarget(opts) });
  return {
    opts,
    store,
    source,
    startedAt,
    statsBefore: { ...store.stats },
    progress,
    emit: () => opts.onProgress?.({ ...progress }),
    checkpoint,
    target: targetOf(opts),
  };
}

/** Key, column plan, lock, listing: everything the passes need, before the first row is read. */
async function prepareRun(base: RunBase): Promise<ImportRun> {
  const { opts, source } = base;
  const store = base.store;
  const key = chooseKey(source.columns, opts.key, opts.keyColumn);
  const schema = opts.schema ?? (await schemaFromStore(store, { signal: opts.signal }));
  const plan = planColumns({ columns: source.columns, keyColumn: key.column, schema, mapping: opts.mapping, unknownColumns: opts.unknownColumns, source: source.name });
  if (!opts.dryRun) base.checkpoint.lock();
  base.emit();
  const fingerprintSpec = { replace: opts.mode === 'replace', fields: plan.fields.map((f) => ({ key: f.key, type: f.spec.type })) };
  const resolver = new KeyResolver(await listTarget(base, key, { ...fingerprintSpec, keep: keptKeys(plan) }));
  const preparer = new RowPreparer({ source: source.name, key, resolver, plan, coercion: opts.coercion, empty: opts.empty, canonicalDecimalColumns: source.canonicalDecimalColumns });
  base.progress.phase = 'planning';
  base.emit();
  // A dry run writes its failure report during the planning pass, so bad rows can be fixed before the
  // real run; only rows that turn out to share a target need a second look.
  const report = opts.dryRun ? new FailureReport(opts.reportPath, source.columns, reportFileColumn(source)) : undefined;
  // Sharded: every pass reads only this shard's rows (shard.ts); the rest of the run does not know.
  const sharded = opts.shard ? new ShardedSource(source, new ShardFilter(opts.shard, key, resolver)) : undefined;
  return { ...base, source: sharded ?? source, sharded, key, plan, resolver, preparer, keyPlan: emptyKeyPlan(key), fingerprintSpec, diffCandidates: [], diffs: [], report };
}

/** Keys whose listed values a cell is read against (pipeline/unknown-cell.ts): kept in the index. */
function keptKeys(plan: ColumnPlan): string[] {
  return plan.fields.filter((f) => f.kind !== 'geo' && (f.unknown !== undefined || (plan.fromListing && f.kind === 'cell'))).map((f) => f.key);
}
