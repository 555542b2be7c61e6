/**
 * Pass 2, the writes: the same rows again, each decided as in pass 1; failures go to the report, changes
 * to the writer (which re-reads every target before writing it). Rows the listing already shows as
 * applied are skipped without a request, so rerunning is resuming.
 */
import { FailureReport, reportFileColumn, type FailedRow } from '../../report/failure-report.js';
import type { SourceItem } from '../../sources/source.js';
import { Writer, type PendingRow, type WriteTask } from '../writer.js';
import { decide, type TargetPlan } from './plan-pass.js';
import type { RunEnd } from './summary.js';
import { classify, iterate, textValues, unreachable, type ImportRun } from './state.js';

/** Failure bookkeeping of the write pass: per-code counts and the report. */
class WriteLog {
  readonly failedByCode: Record<string, number> = {};
  notAttempted = 0;
  backedDataUnitsCount = 0;

  constructor(
    private readonly run: ImportRun,
    private readonly report: FailureReport,
  ) {}

  async fail(row: FailedRow): Promise<void> {
    this.failedByCode[row.code] = (this.failedByCode[row.code] ?? 0) + 1;
    this.run.progress.failed += 1;
    await this.report.add(row);
  }

  /** ---- outage (issue 11): rows not attempted are reported apart from failed rows. */
  async skip(at: { readonly line: number; readonly file?: string | undefined }, values: Readonly<Record<string, string>>, message: string): Promise<void> {
    this.notAttempted += 1;
    await this.report.add({ line: at.line, file: at.file, values, code: 'NOT_ATTEMPTED', column: undefined, message });
  }
}

function makeWriter(run: ImportRun, log: WriteLog): Writer {
  const { opts, progress, emit } = run;
  const journal = run.checkpoint.openJournal({ source: run.source.name });
  return new Writer({
    store: run.store,
    datasetHash: opts.datasetHash ?? '',
    mode: opts.mode,
    concurrency: opts.concurrency,
    batchSize: opts.batchSize,
    journal,
    signal: opts.signal,
    callbacks: {
      written: (task) => {
        progress.written += task.rows.length;
        emit();
      },
      unchanged: (task) => {
        progress.unchanged += task.rows.length;
      },
      failed: async (task, code, message) => {
        for (const row of task.rows) await log.fail({ line: row.line, file: row.file, values: row.values, code, column: undefined, message });
        emit();
      },
      notAttempted: async (task, message) => {
        for (const row of task.rows) await log.skip(row, row.values, message);
      },
      backs: (_task, count) => {
        log.backedDataUnitsCount += count;
      },
    },
  });
}

/** Write every row pass 1 left standing; returns how the run ended. */
export async function writePass(run: ImportRun, targets: TargetPlan): Promise<RunEnd> {
  const { opts, progress } = run;
  opts.onKeyPlan?.({ ...run.keyPlan });
  progress.phase = 'writing';
  progress.rowsTotal = progress.rowsRead;
  progress.rowsRead = 0;
  run.emit();
  const report = new FailureReport(opts.reportPath, run.source.columns, reportFileColumn(run.source));
  run.report = report;
  const log = new WriteLog(run, report);
  const writer = makeWriter(run, log);
  const sharedPending = new Map<number, WriteTask>();
  let stoppedEarly = false;
  for await (const item of iterate(run.source, opts.signal)) {
    if (writer.fatalError && unreachable(writer.fatalError)) {
      // ---- outage (issue 11): the rest of the file is listed as not attempted (a rerun does it).
      if (item.kind === 'row') await log.skip(item.row, textValues(item.row), 'not attempted: Encord became unreachable before this row was read; rerun to finish');
      continue;
    }
    if (writer.fatalError) break;
    progress.rowsRead += 1;
    if (progress.rowsRead % 1000 === 0) run.emit();
    await writeItem(run, targets, item, writer, log, sharedPending);
    if (opts.maxErrors !== undefined && progress.failed > opts.maxErrors) {
      stoppedEarly = true;
      break;
    }
  }
  await writer.drain();
  if (writer.fatalError && unreachable(writer.fatalError)) {
    return { interrupted: false, failedByCode: log.failedByCode, notAttempted: log.notAttempted, unreachable: (writer.fatalError as Error).message };
  }
  if (writer.fatalError) throw writer.fatalError;
  return { interrupted: opts.signal?.aborted ?? false, stoppedEarly, failedByCode: log.failedByCode, backedDataUnitsCount: log.backedDataUnitsCount };
}

async function writeItem(run: ImportRun, targets: TargetPlan, item: SourceItem, writer: Writer, log: WriteLog, sharedPending: Map<number, WriteTask>): Promise<void> {
  const decision = decide(run, targets, item);
  if ('failure' in decision) {
    await log.fail(decision.failure);
    return;
  }
  if (item.kind !== 'row') return;
  const { prepared, canonical } = decision;
  const unit = prepared.units[0]!;
  const pending: PendingRow = { line: item.row.line, file: item.row.file, values: textValues(item.row) };
  const shared = targets.shared.has(canonical);
  const existing = shared ? sharedPending.get(canonical) : undefined;
  if (existing) {
    // Same value for the same item: one write serves every row that asked for it.
    existing.rows.push(pending);
    return;
  }
  // Skip rows the listing already shows as applied (by fingerprint), without a request: resume after a
  // crash is cheap and the nightly unchanged rerun sends no write.
  if (classify(run, unit, prepared.update) === 'unchanged') {
    run.progress.unchanged += 1;
    return;
  }
  const task: WriteTask = { id: unit.backingItemUuid ?? unit.dataHash, unit, update: prepared.update, rows: [pending] };
  if (shared) sharedPending.set(canonical, task);
  // Folder items and items by uuid have no dataset to save a row in: always the bulk item path.
  if (unit.backingItemUuid && (run.opts.bulk || run.target.kind !== 'dataset')) await writer.addBulk(task);
  else await writer.addSingle(task);
}
