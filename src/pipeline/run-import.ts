/**
 * `runImport`: the main job, and the only module that knows every layer.
 *
 *   list dataset → plan columns → pass 1 (resolve keys, coerce, count duplicates; dry run stops here)
 *   → pass 2 (same rows again: failures to the report, changes to the writer) → summary.
 *
 * Two passes because "two rows for one data unit" and "one shared item, two different values" must be
 * known before the first write, and holding a whole file in memory is not an option; pass 1 keeps only a
 * byte per data unit (plus fingerprints for the rare shared items). Rerunning is resuming: rows already
 * applied merge to an equal value and are skipped, so a killed run finishes on the next try.
 */
import { defaultJournalPath } from '../checkpoint/journal-path.js';
import { MetaError } from '../errors.js';
import { join } from 'node:path';
import type { DataUnit, DatasetListing } from '../encord/metadata-store.js';
import { planColumns } from '../mapping/column-plan.js';
import { KeyResolver, cellText, chooseKey, type KeyChoice } from '../mapping/key-resolver.js';
import { acquireDatasetLock, lockDomainOf, type DatasetLock } from '../checkpoint/dataset-lock.js';
import { FailureReport } from '../report/failure-report.js';
import { UndoJournal } from '../report/undo-journal.js';
import { schemaFromStore } from './load-schema.js';
import { openSource } from '../sources/open-source.js';
import type { CsvDelimiter } from '../sources/sniff.js';
import type { CsvEncoding } from '../sources/csv/decode.js';
import type { RawRow, SourceItem, TabularSource } from '../sources/source.js';
import { resolveImportOptions, type ImportOptions, type ResolvedImportOptions } from './import-options.js';
import type { Diff, ImportProgress, ImportResult, KeyPlan, RunSummary } from './import-result.js';
import { applyUpdate, changedKeys, updateFingerprint, wouldChange } from './merge.js';
import { RowPreparer, type PreparedRow } from './row-preparer.js';
import { Writer, type PendingRow, type WriteTask } from './writer.js';

/** What pass 1 learnt about write targets. */
interface TargetPlan {
  /** Rows per target, saturating at 255, indexed by the target's canonical unit index. */
  readonly rows: Uint8Array;
  /** For shared items only: the update fingerprint and the units its rows named. */
  readonly shared: Map<number, { fingerprint: string; units: Set<number>; conflict: boolean }>;
}

export async function runImport(options: ImportOptions): Promise<ImportResult> {
  const opts = resolveImportOptions(options);
  const startedAt = opts.now();
  const store = opts.store;
  const statsBefore = { ...store.stats };
  const progress: ImportProgress = { phase: 'listing', rowsRead: 0, rowsTotal: undefined, written: 0, unchanged: 0, failed: 0 };
  const emit = (): void => opts.onProgress?.({ ...progress });

  const source = await openSource(opts.file, { format: opts.format, csv: { delimiter: opts.delimiter as CsvDelimiter | undefined, encoding: opts.encoding as CsvEncoding | undefined, unnamedColumns: opts.unnamedColumns } });
  let lock: DatasetLock | undefined;
  let journal: UndoJournal | undefined;
  let report: FailureReport | undefined;
  try {
    const key = chooseKey(source.columns, opts.key, opts.keyColumn);
    const schema = opts.schema ?? (await schemaFromStore(store, { signal: opts.signal }));
    const plan = planColumns({
      columns: source.columns,
      keyColumn: key.column,
      schema,
      mapping: opts.mapping,
      unknownColumns: opts.unknownColumns,
      source: source.name,
    });
    if (!opts.dryRun) lock = acquireDatasetLock({ stateDir: opts.stateDir, domain: lockDomainOf(store), datasetHash: opts.datasetHash });

    emit();
    const listing = await store.getDataset(opts.datasetHash, { signal: opts.signal });
    const resolver = new KeyResolver(listing);
    const preparer = new RowPreparer({ source: source.name, key, resolver, plan, coercion: opts.coercion, empty: opts.empty, canonicalDecimalColumns: source.canonicalDecimalColumns });

    // ---- pass 1: plan
    progress.phase = 'planning';
    emit();
    const keyPlan = emptyKeyPlan(key);
    const diffs: Diff[] = [];
    // A dry run writes its failure report during the planning pass, so bad rows can be fixed before the
    // real run; only rows that turn out to share a target need a second look.
    if (opts.dryRun) report = new FailureReport(opts.reportPath, source.columns);
    const targets = await planTargets(source, opts, listing, resolver, preparer, keyPlan, diffs, progress, emit, report);
    if (opts.signal?.aborted) return finish(true);

    if (opts.dryRun) {
      if (keyPlan.duplicateTarget + keyPlan.sharedItemConflict > 0) {
        for await (const item of iterate(source, opts.signal)) {
          if (item.kind !== 'row') continue;
          const decision = decide(item, preparer, resolver, targets);
          if ('failure' in decision && (decision.failure.code === 'DUPLICATE_TARGET' || decision.failure.code === 'SHARED_ITEM_CONFLICT')) {
            await report!.add(decision.failure);
            // Pass 1 counted this row as "would write" or "up to date" and may have shown its diff; it fails.
            const prepared = preparer.prepare(item.row, false);
            if (prepared.ok) {
              const unit = prepared.units[0]!;
              if (unit.metadata !== null && !wouldChange(unit.metadata, prepared.update, opts.mode)) keyPlan.unchanged -= 1;
              else keyPlan.toWrite -= 1;
            }
            const shown = diffs.findIndex((d) => d.line === item.row.line);
            if (shown >= 0) diffs.splice(shown, 1);
          }
        }
      }
      await report!.close();
      progress.failed = report!.count;
      return finish(false);
    }

    // ---- pass 2: write
    opts.onKeyPlan?.({ ...keyPlan });
    progress.phase = 'writing';
    progress.rowsTotal = progress.rowsRead;
    progress.rowsRead = 0;
    emit();
    report = new FailureReport(opts.reportPath, source.columns);
    const journalPath =
      opts.journalPath ??
      (opts.stateDir ? defaultJournalPath(opts.stateDir, opts.datasetHash, startedAt) : undefined);
    if (journalPath) {
      journal = new UndoJournal(journalPath);
      journal.open({ datasetHash: opts.datasetHash, source: source.name, startedAt: new Date(startedAt).toISOString() });
    }
    const failedByCode: Record<string, number> = {};
    const rep = report;
    const fail = async (
      line: number,
      values: Readonly<Record<string, string>>,
      code: string,
      column: string | undefined,
      message: string,
      rawFields?: readonly string[],
      raw?: string,
    ): Promise<void> => {
      failedByCode[code] = (failedByCode[code] ?? 0) + 1;
      progress.failed += 1;
      await rep.add({ line, values, code, column, message, rawFields, raw });
    };
    // ---- outage (issue 11): rows not attempted are reported apart from failed rows.
    let notAttempted = 0;
    const skip = async (line: number, values: Readonly<Record<string, string>>, message: string): Promise<void> => {
      notAttempted += 1;
      await rep.add({ line, values, code: 'NOT_ATTEMPTED', column: undefined, message });
    };
    const writer = new Writer({
      store,
      datasetHash: opts.datasetHash,
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
          for (const row of task.rows) await fail(row.line, row.values, code, undefined, message);
          emit();
        },
        notAttempted: async (task, message) => {
          for (const row of task.rows) await skip(row.line, row.values, message);
        },
      },
    });
    const sharedPending = new Map<number, WriteTask>();
    let stoppedEarly = false;
    for await (const item of iterate(source, opts.signal)) {
      if (writer.fatalError && unreachable(writer.fatalError)) {
        // ---- outage (issue 11): the rest of the file is listed as not attempted (a rerun does it).
        if (item.kind === 'row') await skip(item.row.line, textValues(item.row), 'not attempted: Encord became unreachable before this row was read; rerun to finish');
        continue;
      }
      if (writer.fatalError) break;
      progress.rowsRead += 1;
      if (progress.rowsRead % 1000 === 0) emit();
      const decision = decide(item, preparer, resolver, targets);
      if ('failure' in decision) {
        const f = decision.failure;
        await fail(f.line, f.values, f.code, f.column, f.message, f.rawFields, f.raw);
      } else if (item.kind === 'row') {
        const { prepared, canonical } = decision;
        const unit = prepared.units[0]!;
        const pending: PendingRow = { line: item.row.line, values: textValues(item.row) };
        if (targets.shared.has(canonical)) {
          const existing = sharedPending.get(canonical);
          if (existing) {
            // Same value for the same item: one write serves every row that asked for it.
            existing.rows.push(pending);
            continue;
          }
        }
        // Skip rows the listing already shows as applied, without a request: resume after a crash is cheap.
        if (unit.metadata !== null && !wouldChange(unit.metadata, prepared.update, opts.mode)) {
          progress.unchanged += 1;
          continue;
        }
        const task: WriteTask = { id: unit.backingItemUuid ?? unit.dataHash, unit, update: prepared.update, rows: [pending] };
        if (targets.shared.has(canonical)) sharedPending.set(canonical, task);
        if (unit.backingItemUuid && opts.bulk) await writer.addBulk(task);
        else await writer.addSingle(task);
      }
      if (opts.maxErrors !== undefined && progress.failed > opts.maxErrors) {
        stoppedEarly = true;
        break;
      }
    }
    await writer.drain();
    if (writer.fatalError && unreachable(writer.fatalError)) {
      return finish(false, false, failedByCode, { notAttempted, unreachable: (writer.fatalError as Error).message });
    }
    if (writer.fatalError) throw writer.fatalError;
    return finish(opts.signal?.aborted ?? false, stoppedEarly, failedByCode);

    function finish(
      interrupted: boolean,
      stopped = false,
      byCode: Record<string, number> = {},
      outage: { notAttempted: number; unreachable: string | null } = { notAttempted: 0, unreachable: null },
    ): ImportResult {
      progress.phase = 'done';
      emit();
      const finishedAt = opts.now();
      const durationMs = Math.max(0, finishedAt - startedAt);
      const summary: RunSummary = {
        file: opts.file,
        datasetHash: opts.datasetHash,
        dryRun: opts.dryRun,
        mode: opts.mode,
        keyKind: key.kind,
        keyColumn: key.column,
        rowsRead: opts.dryRun ? progress.rowsRead : (progress.rowsTotal ?? progress.rowsRead),
        written: progress.written,
        unchanged: opts.dryRun ? keyPlan.unchanged : progress.unchanged,
        failed: progress.failed,
        failedByCode: opts.dryRun ? dryRunFailures(keyPlan) : byCode,
        notAttempted: outage.notAttempted,
        unreachable: outage.unreachable,
        requests: store.stats.requests - statsBefore.requests,
        retries: store.stats.retries - statsBefore.retries,
        rateLimited: store.stats.rateLimited - statsBefore.rateLimited,
        startedAt: new Date(startedAt).toISOString(),
        finishedAt: new Date(finishedAt).toISOString(),
        durationMs,
        rowsPerSecond: durationMs > 0 ? Math.round((progress.rowsRead / durationMs) * 1000) : 0,
        interrupted,
        stoppedEarly: stopped,
        reportPath: report?.written ? (report.path ?? null) : null,
        journalPath: journal?.path ?? null,
      };
      const columns: Record<string, { ok: number; empty: number; failed: number }> = {};
      for (const [k, v] of preparer.stats) columns[k] = { ...v };
      return { summary, plan: keyPlan, columns, skippedColumns: [...plan.skipped], diffs };
    }
  } finally {
    await report?.close().catch(() => undefined);
    journal?.close();
    lock?.release();
    await source.close();
  }
}

/** The source's items; an abort ends the stream quietly (the summary says "interrupted"). */
async function* iterate(source: TabularSource, signal: AbortSignal | undefined): AsyncGenerator<SourceItem> {
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

function canonicalIndex(unit: DataUnit, resolver: KeyResolver): number {
  return resolver.canonicalIndex(unit);
}

function textValues(row: RawRow): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row.values)) out[k] = cellText(v);
  return out;
}

function emptyKeyPlan(key: KeyChoice): KeyPlan {
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
  };
}

function dryRunFailures(plan: KeyPlan): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (code: string, n: number): void => {
    if (n > 0) out[code] = n;
  };
  add('BAD_RECORD', plan.badRecords);
  add('KEY_NOT_FOUND', plan.notFound);
  add('KEY_INVALID', plan.invalidKey);
  add('KEY_AMBIGUOUS_TITLE', plan.ambiguousTitle);
  add('DUPLICATE_TARGET', plan.duplicateTarget);
  add('SHARED_ITEM_CONFLICT', plan.sharedItemConflict);
  add('INVALID_CELL', plan.invalidCells);
  return out;
}

async function planTargets(
  source: TabularSource,
  opts: ResolvedImportOptions,
  listing: DatasetListing,
  resolver: KeyResolver,
  preparer: RowPreparer,
  keyPlan: KeyPlan,
  diffs: Diff[],
  progress: ImportProgress,
  emit: () => void,
  report: FailureReport | undefined,
): Promise<TargetPlan> {
  const rows = new Uint8Array(listing.units.length);
  const shared = new Map<number, { fingerprint: string; units: Set<number>; conflict: boolean }>();
  for await (const item of iterate(source, opts.signal)) {
    keyPlan.rows += 1;
    progress.rowsRead += 1;
    if (progress.rowsRead % 5000 === 0) emit();
    if (item.kind === 'bad') {
      keyPlan.badRecords += 1;
      if (report) {
        const b = item.bad;
        await report.add({ line: b.line, values: b.values, code: b.code, column: undefined, message: b.message, rawFields: b.fields, raw: b.raw });
      }
      continue;
    }
    const prepared = preparer.prepare(item.row, true);
    if (!prepared.ok) {
      if (report) await report.add({ line: item.row.line, values: textValues(item.row), code: prepared.code, column: prepared.column, message: prepared.message });
      if (prepared.code === 'KEY_NOT_FOUND') keyPlan.notFound += 1;
      else if (prepared.code === 'KEY_INVALID' || prepared.code === 'KEY_EMPTY') keyPlan.invalidKey += 1;
      else if (prepared.code === 'KEY_AMBIGUOUS_TITLE') keyPlan.ambiguousTitle += 1;
      else keyPlan.invalidCells += 1;
      continue;
    }
    keyPlan.resolved += 1;
    const unit = prepared.units[0]!;
    const canonical = canonicalIndex(unit, resolver);
    if (rows[canonical]! < 255) rows[canonical]! += 1;
    if (prepared.units.length > 1 || resolver.isShared(unit)) {
      const fp = updateFingerprint(prepared.update);
      const entry = shared.get(canonical);
      if (!entry) shared.set(canonical, { fingerprint: fp, units: new Set([unit.index]), conflict: false });
      else {
        if (entry.fingerprint !== fp) entry.conflict = true;
        if (entry.units.has(unit.index) || prepared.units.length > 1) entry.units.add(-1); // same unit twice
        entry.units.add(unit.index);
      }
    }
    if (unit.metadata !== null) {
      const changed = wouldChange(unit.metadata, prepared.update, opts.mode);
      if (opts.dryRun && changed && diffs.length < opts.diffLimit) {
        const after = applyUpdate(unit.metadata, prepared.update, opts.mode);
        diffs.push({ line: item.row.line, dataHash: unit.dataHash, title: unit.title, before: unit.metadata, after, changedKeys: changedKeys(unit.metadata, after) });
      }
      if (changed) keyPlan.toWrite += 1;
      else keyPlan.unchanged += 1;
    } else keyPlan.toWrite += 1;
  }
  // Duplicates: every row of a target named twice fails (which value was meant is not ours to guess),
  // except rows naming different units of one shared item with one identical value.
  for (let i = 0; i < rows.length; i += 1) {
    const n = rows[i]!;
    if (n <= 1) continue;
    const entry = shared.get(i);
    if (entry && !entry.conflict && !entry.units.has(-1)) continue;
    if (entry?.conflict && !entry.units.has(-1)) keyPlan.sharedItemConflict += n;
    else keyPlan.duplicateTarget += n;
    keyPlan.resolved -= n;
  }
  return { rows, shared };
}

interface RowFailure {
  readonly line: number;
  readonly values: Record<string, string>;
  readonly code: string;
  readonly column: string | undefined;
  readonly message: string;
  readonly rawFields?: readonly string[] | undefined;
  readonly raw?: string | undefined;
}

/** Decide a source item: a failure before any write (bad record, key, duplicates, cells), or its update. */
function decide(
  item: SourceItem,
  preparer: RowPreparer,
  resolver: KeyResolver,
  targets: TargetPlan,
): { failure: RowFailure } | { prepared: Extract<PreparedRow, { ok: true }>; canonical: number } {
  if (item.kind === 'bad') {
    return {
      failure: { line: item.bad.line, values: { ...item.bad.values }, code: item.bad.code, column: undefined, message: item.bad.message, rawFields: item.bad.fields, raw: item.bad.raw },
    };
  }
  const prepared = preparer.prepare(item.row, false);
  if (!prepared.ok) {
    return { failure: { line: item.row.line, values: textValues(item.row), code: prepared.code, column: prepared.column, message: prepared.message } };
  }
  const unit = prepared.units[0]!;
  const canonical = canonicalIndex(unit, resolver);
  if (targets.rows[canonical]! > 1) {
    const entry = targets.shared.get(canonical);
    if (entry && !entry.conflict && !entry.units.has(-1)) return { prepared, canonical };
    const conflict = entry?.conflict && !entry.units.has(-1);
    const name = `${unit.title} (${unit.dataHash})`;
    return {
      failure: {
        line: item.row.line,
        values: textValues(item.row),
        code: conflict ? 'SHARED_ITEM_CONFLICT' : 'DUPLICATE_TARGET',
        column: undefined,
        message: conflict
          ? `data units sharing storage item ${unit.backingItemUuid} get different values from ${targets.rows[canonical]} rows; they hold one value, so none was written`
          : `${targets.rows[canonical]! >= 255 ? '255 or more' : targets.rows[canonical]} rows of the file target data unit ${name}; keep one of them`,
      },
    };
  }
  return { prepared, canonical };
}

/** ---- outage (issue 11): the run stops, but its rows are "not attempted", not failed. */
function unreachable(error: unknown): boolean {
  return error instanceof MetaError && error.code === 'SERVICE_UNREACHABLE';
}
