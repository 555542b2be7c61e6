/**
 * Pass 1, the plan: every row is resolved and coerced once, rows per write target are counted (a byte per
 * target, plus fingerprints for the rare shared items), and the key plan says what a run would do. A dry
 * run stops after it (and `recountDryRun`); a real run then decides each row again with `decide`, so both
 * passes agree row by row.
 */
import { updateFingerprint } from '../merge.js';
import type { PreparedRow } from '../row-preparer.js';
import type { SourceItem } from '../../sources/source.js';
import { targetCounts, type TargetCounts } from './targets.js';
import { classify, iterate, textValues, type ImportRun } from './state.js';

/** What pass 1 learnt about write targets. */
export interface TargetPlan {
  /** Rows per write target (targets.ts). */
  readonly counts: TargetCounts;
  /** For shared items only: the update fingerprint and the units its rows named. */
  readonly shared: Map<number, SharedEntry>;
}

interface SharedEntry {
  fingerprint: string;
  /** Units named; -1 when one unit was named twice. */
  units: Set<number>;
  conflict: boolean;
}

export interface RowFailure {
  readonly line: number;
  /** The row's file, when the input is several files. */
  readonly file?: string | undefined;
  readonly values: Record<string, string>;
  readonly code: string;
  readonly column: string | undefined;
  readonly message: string;
  readonly rawFields?: readonly string[] | undefined;
  readonly raw?: string | undefined;
}

export type Decision = { failure: RowFailure } | { prepared: Extract<PreparedRow, { ok: true }>; canonical: number };

/** Read the whole source once; fill `run.keyPlan` (and a dry run's report and diffs). */
export async function planTargets(run: ImportRun): Promise<TargetPlan> {
  const { opts, progress, keyPlan } = run;
  const targets: TargetPlan = { counts: targetCounts(run.resolver.index === null ? null : run.resolver.unitCount), shared: new Map() };
  for await (const item of iterate(run.source, opts.signal)) {
    keyPlan.rows += 1;
    progress.rowsRead += 1;
    if (progress.rowsRead % 5000 === 0) run.emit();
    // A promise only when the row goes to the failure report: no await (a microtask) per good row.
    const reporting = planItem(run, targets, item);
    if (reporting !== undefined) await reporting;
  }
  targets.counts.seal();
  countDuplicates(run, targets);
  return targets;
}

/** Plan one item; returns the failure report's write when the item fails (and there is a report). */
function planItem(run: ImportRun, targets: TargetPlan, item: SourceItem): Promise<void> | undefined {
  const { keyPlan, report, opts } = run;
  if (item.kind === 'bad') {
    keyPlan.badRecords += 1;
    const b = item.bad;
    return report?.add({ line: b.line, file: b.file, values: b.values, code: b.code, column: undefined, message: b.message, rawFields: b.fields, raw: b.raw });
  }
  const prepared = run.preparer.prepare(item.row, true);
  if (!prepared.ok) {
    const reporting = report?.add({ line: item.row.line, file: item.row.file, values: textValues(item.row), code: prepared.code, column: prepared.column, message: prepared.message });
    if (prepared.code === 'KEY_NOT_FOUND') keyPlan.notFound += 1;
    else if (prepared.code === 'KEY_INVALID' || prepared.code === 'KEY_EMPTY') keyPlan.invalidKey += 1;
    else if (prepared.code === 'KEY_AMBIGUOUS_TITLE' || prepared.code === 'KEY_AMBIGUOUS') keyPlan.ambiguousTitle += 1;
    else keyPlan.invalidCells += 1;
    return reporting;
  }
  keyPlan.resolved += 1;
  const unit = prepared.units[0]!;
  const canonical = run.resolver.canonicalIndex(unit);
  targets.counts.note(unit, canonical);
  if (prepared.units.length > 1 || run.resolver.isShared(unit)) noteShared(targets, canonical, unit.index, prepared);
  if (classify(run, unit, prepared.update) === 'unchanged') {
    keyPlan.unchanged += 1;
    return;
  }
  keyPlan.toWrite += 1;
  const backed = run.resolver.index?.backed(unit.index) ?? 0;
  if (backed > 0) {
    keyPlan.itemsBackingDataUnits += 1;
    keyPlan.backedDataUnitsCount += backed;
  }
  if (opts.dryRun && unit.metadata !== null && run.diffCandidates.length < opts.diffLimit) {
    run.diffCandidates.push({ line: item.row.line, ...(item.row.file !== undefined && { file: item.row.file }), unit, update: prepared.update });
  }
}

function noteShared(targets: TargetPlan, canonical: number, unitIndex: number, prepared: Extract<PreparedRow, { ok: true }>): void {
  const fp = updateFingerprint(prepared.update);
  const entry = targets.shared.get(canonical);
  if (!entry) {
    targets.shared.set(canonical, { fingerprint: fp, units: new Set([unitIndex]), conflict: false });
    return;
  }
  if (entry.fingerprint !== fp) entry.conflict = true;
  if (entry.units.has(unitIndex) || prepared.units.length > 1) entry.units.add(-1); // same unit twice
  entry.units.add(unitIndex);
}

/**
 * Duplicates: every row of a target named twice fails (which value was meant is not ours to guess),
 * except rows naming different units of one shared item with one identical value.
 */
function countDuplicates(run: ImportRun, targets: TargetPlan): void {
  const { keyPlan } = run;
  for (const [i, n] of targets.counts.repeated()) {
    const entry = typeof i === 'number' ? targets.shared.get(i) : undefined;
    if (entry && !entry.conflict && !entry.units.has(-1)) continue;
    if (entry?.conflict && !entry.units.has(-1)) keyPlan.sharedItemConflict += n;
    else keyPlan.duplicateTarget += n;
    keyPlan.resolved -= n;
  }
}

/** Decide a source item: a failure before any write (bad record, key, duplicates, cells), or its update. */
export function decide(run: ImportRun, targets: TargetPlan, item: SourceItem): Decision {
  if (item.kind === 'bad') {
    const b = item.bad;
    return { failure: { line: b.line, file: b.file, values: { ...b.values }, code: b.code, column: undefined, message: b.message, rawFields: b.fields, raw: b.raw } };
  }
  const prepared = run.preparer.prepare(item.row, false);
  if (!prepared.ok) {
    return { failure: { line: item.row.line, file: item.row.file, values: textValues(item.row), code: prepared.code, column: prepared.column, message: prepared.message } };
  }
  const unit = prepared.units[0]!;
  const canonical = run.resolver.canonicalIndex(unit);
  const n = targets.counts.rowsFor(unit, canonical);
  if (n <= 1) return { prepared, canonical };
  const entry = targets.shared.get(canonical);
  if (entry && !entry.conflict && !entry.units.has(-1)) return { prepared, canonical };
  const conflict = entry?.conflict && !entry.units.has(-1);
  const name = run.target.kind === 'dataset' ? `data unit ${unit.title} (${unit.dataHash})` : `storage item ${unit.title === unit.dataHash ? unit.dataHash : `${unit.title} (${unit.dataHash})`}`;
  // Several files: say which part and line (duplicates are counted across parts).
  const where = item.row.file !== undefined ? ` (${item.row.file} line ${item.row.line})` : '';
  return {
    failure: {
      line: item.row.line,
      file: item.row.file,
      values: textValues(item.row),
      code: conflict ? 'SHARED_ITEM_CONFLICT' : 'DUPLICATE_TARGET',
      column: undefined,
      message: conflict
        ? `data units sharing storage item ${unit.backingItemUuid} get different values from ${n} rows; they hold one value, so none was written${where}`
        : `${n >= 255 ? '255 or more' : n} rows of the ${where ? 'input' : 'file'} target ${name}; keep one of them${where}`,
    },
  };
}

/**
 * A dry run's second look, only when pass 1 found rows sharing a target: those rows fail, so they leave
 * the "would write"/"up to date" counts and the diff preview, and go to the report.
 */
export async function recountDryRun(run: ImportRun, targets: TargetPlan): Promise<void> {
  const { keyPlan, opts, report } = run;
  if (keyPlan.duplicateTarget + keyPlan.sharedItemConflict === 0) return;
  for await (const item of iterate(run.source, opts.signal)) {
    if (item.kind !== 'row') continue;
    const decision = decide(run, targets, item);
    if (!('failure' in decision)) continue;
    if (decision.failure.code !== 'DUPLICATE_TARGET' && decision.failure.code !== 'SHARED_ITEM_CONFLICT') continue;
    await report!.add(decision.failure);
    // Pass 1 counted this row as "would write" or "up to date" and may have shown its diff; it fails.
    const prepared = run.preparer.prepare(item.row, false);
    if (prepared.ok) {
      if (classify(run, prepared.units[0]!, prepared.update) === 'unchanged') keyPlan.unchanged -= 1;
      else keyPlan.toWrite -= 1;
    }
    const shown = run.diffCandidates.findIndex((d) => d.line === item.row.line && d.file === item.row.file);
    if (shown >= 0) run.diffCandidates.splice(shown, 1);
  }
}
