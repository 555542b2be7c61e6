/**
 * `scripts/bench-import`: the import command's own figures, rows/s and peak RSS, in one run:
 *
 *   - dry run of the 1M-row, 8-column CSV (and the same rows as Parquet), each against its bare reader;
 *   - import of 100k rows against the emulator with 20 ms latency per request: the bulk path (default flags,
 *     and with the client's own rate cap raised), the per-row path (`--no-bulk`, time-boxed), and the
 *     per-row loop of Encord's guide as the baseline.
 *
 *   scripts/bench-import [--dry-rows 1000000] [--rows 100000] [--latency 20] [--baseline-seconds 60]
 *                        [--no-bulk-seconds 60] [--fast-rate-limit 200] [--formats csv,parquet] [--work-dir DIR]
 *
 * See dry-run.ts and vs-baseline.ts for how each figure is taken. Last lines: the `RESULT` lines of both,
 * then `RESULT bench-import …` with the headline numbers.
 */
import { fixed, machineNote, mb, parseFlags, result } from './lib/common.js';
import { benchDryRun, printDryRun } from './dry-run.js';
import { benchVsBaseline, printVsBaseline } from './vs-baseline.js';

const USAGE =
  'scripts/bench-import [--dry-rows 1000000] [--rows 100000] [--latency 20] [--baseline-seconds 60] [--no-bulk-seconds 60] [--fast-rate-limit 200] [--formats csv,parquet] [--work-dir DIR]';
const flags = parseFlags(
  process.argv.slice(2),
  { dryRows: 1_000_000, rows: 100_000, latency: 20, baselineSeconds: 60, noBulkSeconds: 60, fastRateLimit: 200, formats: 'csv,parquet', workDir: '/tmp/encord-meta-bench' },
  USAGE,
);
const formats = flags.formats.split(',') as ('csv' | 'parquet')[];
process.stdout.write(`machine: ${machineNote()}\n`);
const dry = await benchDryRun({ rows: flags.dryRows, formats, workDir: flags.workDir });
const imp = await benchVsBaseline({ rows: flags.rows, latency: flags.latency, baselineSeconds: flags.baselineSeconds, noBulkSeconds: flags.noBulkSeconds, fastRateLimit: flags.fastRateLimit, workDir: flags.workDir });
printDryRun(dry);
printVsBaseline(imp, flags.latency);
const csv = dry.find((d) => d.format === 'csv');
const n = imp.noBulk;
result('bench-import', {
  ...(csv && { dry_run_rows: csv.rows, dry_run_rows_per_s: Math.round(csv.dryRowsPerSecond), dry_run_wall_s: fixed(csv.dryWallSeconds, 1), dry_run_peak_rss_mb: mb(csv.dryPeakRssKb) }),
  import_rows: imp.bulk.rows,
  bulk_rows_per_s: Math.round(imp.bulk.rowsPerSecond),
  bulk_peak_rss_mb: mb(imp.bulk.peakRssKb),
  no_bulk_rows_per_s: fixed(n.rows / (n.beforeWritingSeconds + n.rows / n.writeRowsPerSecond), 1),
  no_bulk_peak_rss_mb: mb(n.peakRssKb),
  latency_ms: flags.latency,
});
