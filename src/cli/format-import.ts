/** The human rendering of an import result: the summary, and for a dry run the plan, columns and diffs. */
import type { ImportResult } from '../pipeline/import-result.js';
import { hasOwn } from '../own.js';
import { REPORT_MARKER_COLUMNS } from '../formula-cells.js';

export function formatImportResult(result: ImportResult): string {
  const s = result.summary;
  const lines: string[] = [];
  if (s.dryRun) {
    const p = result.plan;
    lines.push(`Dry run of ${s.file}${partsNote(s.files)} → ${targetText(s)} (nothing was written)`);
    lines.push(`Key plan (${p.keyKind} from column "${p.keyColumn}"):`);
    lines.push(`  rows                  ${p.rows}`);
    lines.push(`  resolve to a unit     ${p.resolved}`);
    lines.push(`  would write           ${p.toWrite}`);
    lines.push(`  already up to date    ${p.unchanged}`);
    const problems: [string, number][] = [
      ['unreadable records', p.badRecords],
      ['keys not found', p.notFound],
      ['invalid or empty keys', p.invalidKey],
      ['titles matching several units', p.ambiguousTitle],
      ['rows targeting one unit twice', p.duplicateTarget],
      ['shared items with different values', p.sharedItemConflict],
      ['rows with invalid cells', p.invalidCells],
    ];
    for (const [label, n] of problems) if (n > 0) lines.push(`  ${label.padEnd(Math.max(22, label.length + 2))}${n}`);
    lines.push('Columns:');
    for (const [key, c] of Object.entries(result.columns)) {
      lines.push(`  ${key.padEnd(22)} ok ${c.ok}, empty ${c.empty}, invalid ${c.failed}`);
    }
    for (const skipped of result.skippedColumns) lines.push(`  ${skipped.column.padEnd(22)} not imported: ${skipped.reason}`);
    if (result.diffs.length > 0) {
      lines.push(`First ${result.diffs.length} changes:`);
      for (const d of result.diffs) {
        lines.push(`  ${d.file !== undefined ? `${d.file} ` : ''}line ${d.line}: ${d.title} (${d.dataHash})`);
        for (const k of d.changedKeys) {
          const before = d.before && hasOwn(d.before, k) ? JSON.stringify(d.before[k]) : '(absent)';
          const after = hasOwn(d.after, k) ? JSON.stringify(d.after[k]) : '(removed)';
          lines.push(`    ${k}: ${clip(before)} → ${clip(after)}`);
        }
      }
    }
  } else {
    lines.push(`Imported ${s.file}${partsNote(s.files)} → ${targetText(s)}${s.interrupted ? ' (INTERRUPTED: rerun the same command to finish)' : ''}${s.stoppedEarly ? ' (stopped early: --max-errors exceeded)' : ''}`);
    // Columns a user may have expected to be written, said once (report columns are not news).
    const notable = result.skippedColumns.filter((c) => !(REPORT_MARKER_COLUMNS as readonly string[]).includes(c.column) && !c.reason.startsWith('identifies'));
    for (const skipped of notable) lines.push(`not imported: column ${skipped.column} (${skipped.reason})`);
  }
  if (s.shard) lines.push(`shard ${s.shard.index} of ${s.shard.count}: ${s.rowsRead} rows are this shard's; ${s.otherShards} rows of other shards were left to them`);
  lines.push(
    `rows ${s.rowsRead} | written ${s.written} | unchanged ${s.unchanged} | failed ${s.failed} | ` +
      `${s.requests} requests, ${s.retries} retries, ${s.rateLimited} rate-limited | ${(s.durationMs / 1000).toFixed(1)} s, ${s.rowsPerSecond} rows/s`,
  );
  if (s.failed > 0) {
    const codes = Object.entries(s.failedByCode)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    if (codes) lines.push(`failed by code: ${codes}`);
    if (s.reportPath) lines.push(`failure report: ${s.reportPath} (fix the cells and import it to retry exactly those rows)`);
  }
  if (s.notAttempted > 0) {
    lines.push(`not attempted ${s.notAttempted}: Encord became unreachable (these rows are not failures; rerun the same command when the service is back)`);
    if (s.reportPath) lines.push(`report: ${s.reportPath} (rows marked NOT_ATTEMPTED)`);
  }
  if (s.journalPath && s.written > 0) lines.push(`undo journal: ${s.journalPath} (encord-meta rollback ${s.journalPath})`);
  return `${lines.join('\n')}\n`;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** How many files a run over several read (` (3 files)`), or nothing for one file. */
function partsNote(files: readonly string[] | undefined): string {
  return files === undefined ? '' : ` (${files.length} ${files.length === 1 ? 'file' : 'files'})`;
}

/** What a run wrote to, in words; items that back data units say so (their metadata shows in those datasets). */
function targetText(s: ImportResult['summary']): string {
  const backs = s.backedDataUnitsCount > 0 ? ` (the items written back ${s.backedDataUnitsCount} data units in datasets)` : '';
  if (s.target === 'folder') return `storage folder ${s.folderUuid}${backs}`;
  if (s.target === 'items') return `storage items by uuid${backs}`;
  return `dataset ${s.datasetHash}`;
}
