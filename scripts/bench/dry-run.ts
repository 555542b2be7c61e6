/**
 * Dry run (parse + map + coerce) against the bare reader, same file, same run.
 *
 *   npx tsx scripts/bench/dry-run.ts [--rows 1000000] [--formats csv,parquet,xlsx] [--work-dir /tmp/encord-meta-bench]
 *
 * For each format: the bare reader (csv-parse / DuckDB / our .xlsx reader without coercion) in a child process, then
 * `encord-meta import FILE --dataset H --key index --dry-run` (the built CLI, in a child process) against
 * an emulator (its own process) holding a dataset of `rows` data units, so every row maps to a unit and
 * every cell is coerced. The dry run's figure is its planning span: from the first progress draw of the
 * `planning` phase to `done`, which is everything a dry run does per row (both of its passes over the file)
 * and excludes the dataset listing and process start-up; the end-to-end wall time is printed too.
 *
 * Last lines: `RESULT dry-run-<format> rows=… dry_rows_per_s=… bare_rows_per_s=… ratio=… target=0.6 met=…`.
 * The target is issue 10's: a dry run at ≥ 60 % of the bare reader's rows/s, in one run.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assertBuilt, runCli, TEST_KEY, REPO } from './lib/cli-child.js';
import { BIG_CSV_SCHEMA, ensureBigCsv, fixed, log, machineNote, mb, parseFlags, result } from './lib/common.js';
import { spawnEmulator } from './lib/emulator-process.js';
import { ensureBigParquet } from './lib/make-parquet.js';
import { ensureBigXlsx } from './lib/make-xlsx.js';

const BARE = fileURLToPath(new URL('./lib/bare-read.ts', import.meta.url));
const USAGE = 'npx tsx scripts/bench/dry-run.ts [--rows 1000000] [--formats csv,parquet,xlsx] [--work-dir DIR]';
type Format = 'csv' | 'parquet' | 'xlsx';
/** Issue 10: the dry run at ≥ 60 % of the bare reader's rows/s. */
const TARGET = 0.6;

export interface DryRunFigures {
  readonly format: string;
  readonly rows: number;
  readonly dryRowsPerSecond: number;
  readonly bareRowsPerSecond: number;
  readonly ratio: number;
  readonly dryPlanningSeconds: number;
  readonly dryWallSeconds: number;
  readonly listingSeconds: number;
  readonly dryPeakRssKb: number;
  readonly bareMs: number;
  readonly met: boolean;
}

function bare(kind: Format, file: string): { rows: number; ms: number; maxRssKb: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', BARE, kind, file], { cwd: REPO, encoding: 'utf8', timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`bare ${kind} reader failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { rows: number; ms: number; maxRssKb: number };
}

export async function benchDryRun(input: { rows: number; formats: readonly Format[]; workDir: string }): Promise<DryRunFigures[]> {
  assertBuilt();
  mkdirSync(input.workDir, { recursive: true });
  const csv = await ensureBigCsv(join(input.workDir, `big-${input.rows}.csv`), input.rows);
  const files: Record<string, string> = { csv };
  if (input.formats.includes('parquet')) files['parquet'] = await ensureBigParquet(csv, join(input.workDir, `big-${input.rows}.parquet`));
  // The same rows, typed as Excel stores them (see lib/make-xlsx.ts).
  if (input.formats.includes('xlsx')) files['xlsx'] = ensureBigXlsx(join(input.workDir, `big-${input.rows}.xlsx`), input.rows);
  log(`emulator: seeding ${input.rows} data units`);
  const emu = await spawnEmulator({ emulator: { seedRows: input.rows, typedSchema: BIG_CSV_SCHEMA, requestLog: false } });
  const out: DryRunFigures[] = [];
  try {
    const dataset = emu.datasets[0]!.hash;
    for (const format of input.formats) {
      const file = files[format]!;
      log(`${format}: bare reader`);
      const b = bare(format, file);
      if (b.rows !== input.rows) throw new Error(`bare ${format} read ${b.rows} rows, expected ${input.rows}`);
      log(`${format}: dry run`);
      const state = join(input.workDir, 'state-dry');
      const run = await runCli(['--domain', emu.url, '--ssh-key', TEST_KEY, 'import', file, '--dataset', dataset, '--key', 'index', '--dry-run', '--state-dir', state, '--report', join(state, `dry-${format}.csv`)]);
      if (run.code !== 0) throw new Error(`dry run exited ${run.code}: ${run.stderr.slice(-2000)}`);
      const planning = run.phases['planning'];
      const done = run.phases['done'];
      if (planning === undefined || done === undefined) throw new Error(`no phase times from the probe: ${JSON.stringify(run.phases)}`);
      const planningSeconds = (done - planning) / 1000;
      const dryRate = input.rows / planningSeconds;
      const bareRate = b.rows / (b.ms / 1000);
      const ratio = dryRate / bareRate;
      const fig: DryRunFigures = {
        format,
        rows: input.rows,
        dryRowsPerSecond: dryRate,
        bareRowsPerSecond: bareRate,
        ratio,
        dryPlanningSeconds: planningSeconds,
        dryWallSeconds: run.wallMs / 1000,
        listingSeconds: (planning - (run.phases['listing'] ?? 0)) / 1000,
        dryPeakRssKb: run.maxRssKb,
        bareMs: b.ms,
        met: ratio >= TARGET,
      };
      log(`${format}: memory by phase (MB) ${JSON.stringify(run.memory)}`);
      out.push(fig);
    }
  } finally {
    await emu.close();
  }
  return out;
}

export function printDryRun(figs: readonly DryRunFigures[]): void {
  for (const f of figs) {
    result(`dry-run-${f.format}`, {
      rows: f.rows,
      dry_rows_per_s: Math.round(f.dryRowsPerSecond),
      bare_rows_per_s: Math.round(f.bareRowsPerSecond),
      ratio: fixed(f.ratio, 3),
      target: TARGET,
      met: f.met ? 'yes' : 'NO',
      dry_planning_s: fixed(f.dryPlanningSeconds, 2),
      dry_wall_s: fixed(f.dryWallSeconds, 2),
      listing_s: fixed(f.listingSeconds, 2),
      dry_peak_rss_mb: mb(f.dryPeakRssKb),
      bare_s: fixed(f.bareMs / 1000, 2),
    });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const flags = parseFlags(process.argv.slice(2), { rows: 1_000_000, formats: 'csv,parquet', workDir: '/tmp/encord-meta-bench' }, USAGE);
  const formats = flags.formats.split(',').map((f) => f.trim()) as Format[];
  for (const f of formats) if (f !== 'csv' && f !== 'parquet' && f !== 'xlsx') throw new Error(`unknown format ${f}\n${USAGE}`);
  process.stdout.write(`machine: ${machineNote()}\n`);
  printDryRun(await benchDryRun({ rows: flags.rows, formats, workDir: flags.workDir }));
}
