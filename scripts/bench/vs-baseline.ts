/**
 * The import against the per-row loop of Encord's guide, with the emulator answering every request after
 * 20 ms, on the same file, in one run:
 *
 *   npx tsx scripts/bench/vs-baseline.ts [--rows 100000] [--latency 20] [--baseline-seconds 60]
 *                                       [--no-bulk-seconds 60] [--fast-rate-limit 200] [--work-dir /tmp/encord-meta-bench]
 *
 * One emulator process holds three datasets of `rows` generated data units each (same shape: one for the
 * baseline, one for the bulk import, one for the per-row `--no-bulk` import) and the org schema of the
 * 8-column benchmark CSV, which addresses units by `index`, so the one file fits all three.
 *
 *   1. baseline (`baseline.ts`): list, then one v1 save per row, sequentially; time-boxed: its rate is
 *      steady (one round trip per row), and the whole file would take ~40 min. Its rows/s excludes the
 *      listing, which favours the baseline.
 *   2. `encord-meta import FILE --dataset B --key index` with default flags (the built CLI, a child process).
 *   2b. the same with `--rate-limit <fast>` (the client's own default cap of 20 requests/s is what bounds
 *      the bulk path at this latency; this shows what the path does without it). 0 skips it.
 *   3. the same with `--no-bulk`, stopped with SIGINT after `no-bulk-seconds` (it finishes in-flight
 *      writes); its rows/s is rows written over the writing phase.
 *
 * Last lines: `RESULT import-bulk …`, `RESULT import-no-bulk …`, `RESULT vs-baseline … ratio=… met=…`.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertBuilt, startCli, runCli, TEST_KEY } from './lib/cli-child.js';
import { BIG_CSV_SCHEMA, ensureBigCsv, fixed, log, machineNote, mb, parseFlags, result, sleep } from './lib/common.js';
import { spawnEmulator } from './lib/emulator-process.js';
import { runBaseline, type BaselineResult } from './baseline.js';

const USAGE =
  'npx tsx scripts/bench/vs-baseline.ts [--rows 100000] [--latency 20] [--baseline-seconds 60] [--no-bulk-seconds 60] [--fast-rate-limit 200] [--work-dir DIR]';

interface Summary {
  rowsRead: number;
  written: number;
  unchanged: number;
  failed: number;
  requests: number;
  durationMs: number;
  interrupted: boolean;
}

export interface ImportFigures {
  readonly rows: number;
  readonly written: number;
  readonly failed: number;
  readonly requests: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** Rows written per second of the writing phase. */
  readonly writeRowsPerSecond: number;
  readonly peakRssKb: number;
  readonly interrupted: boolean;
  /** Seconds before the first write (listing + planning pass). */
  readonly beforeWritingSeconds: number;
}

export interface VsBaselineFigures {
  readonly baseline: BaselineResult;
  readonly bulk: ImportFigures;
  /** The bulk import again with `--rate-limit <fast>` (default 20 req/s is the client's own cap). */
  readonly bulkFast: ImportFigures | undefined;
  readonly fastRateLimit: number;
  readonly noBulk: ImportFigures;
  readonly ratio: number;
  readonly met: boolean;
}

function figures(summaryPath: string, run: Awaited<ReturnType<typeof runCli>>): ImportFigures {
  const s = JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary;
  const writing = run.phases['writing'];
  const end = run.phases['done'] ?? run.phases['end'];
  const writeSeconds = writing !== undefined && end !== undefined ? (end - writing) / 1000 : Number.NaN;
  return {
    rows: s.rowsRead,
    written: s.written,
    failed: s.failed,
    requests: s.requests,
    seconds: s.durationMs / 1000,
    rowsPerSecond: s.rowsRead / (s.durationMs / 1000),
    writeRowsPerSecond: s.written / writeSeconds,
    peakRssKb: run.maxRssKb,
    interrupted: s.interrupted,
    beforeWritingSeconds: writing !== undefined ? (writing - (run.phases['listing'] ?? 0)) / 1000 : Number.NaN,
  };
}

export async function benchVsBaseline(input: {
  rows: number;
  latency: number;
  baselineSeconds: number;
  noBulkSeconds: number;
  /** Also run the bulk import with `--rate-limit` this high (0: skip). */
  fastRateLimit: number;
  workDir: string;
}): Promise<VsBaselineFigures> {
  assertBuilt();
  mkdirSync(input.workDir, { recursive: true });
  const csv = await ensureBigCsv(join(input.workDir, `big-${input.rows}.csv`), input.rows);
  log(`emulator: 3 datasets of ${input.rows} data units, ${input.latency} ms latency`);
  const emu = await spawnEmulator({
    emulator: {
      typedSchema: BIG_CSV_SCHEMA,
      latency: { ms: input.latency },
      requestLog: false,
      datasets: [
        { title: 'baseline', generate: input.rows },
        { title: 'bulk', generate: input.rows },
        { title: 'no-bulk', generate: input.rows },
        ...(input.fastRateLimit > 0 ? [{ title: 'bulk-fast', generate: input.rows }] : []),
      ],
    },
  });
  const state = join(input.workDir, 'state-vs-baseline');
  rmSync(state, { recursive: true, force: true });
  try {
    const [dsBaseline, dsBulk, dsNoBulk, dsFast] = emu.datasets.map((d) => d.hash) as [string, string, string, string | undefined];
    log(`baseline: per-row save loop for ${input.baselineSeconds} s`);
    const baseline = await runBaseline({ domain: emu.url, dataset: dsBaseline, file: csv, maxSeconds: input.baselineSeconds, maxRows: 0 });
    const common = ['--domain', emu.url, '--ssh-key', TEST_KEY, 'import', csv, '--key', 'index', '--state-dir', state];

    log('import: bulk path, default flags');
    const bulkSummary = join(state, 'bulk-summary.json');
    const bulkRun = await runCli([...common, '--dataset', dsBulk, '--summary', bulkSummary]);
    if (bulkRun.code !== 0) throw new Error(`bulk import exited ${bulkRun.code}: ${bulkRun.stderr.slice(-2000)}`);
    const bulk = figures(bulkSummary, bulkRun);

    let bulkFast: ImportFigures | undefined;
    if (dsFast !== undefined) {
      log(`import: bulk path, --rate-limit ${input.fastRateLimit}`);
      const fastSummary = join(state, 'bulk-fast-summary.json');
      const fastRun = await runCli([...common, '--dataset', dsFast, '--summary', fastSummary, '--rate-limit', String(input.fastRateLimit)]);
      if (fastRun.code !== 0) throw new Error(`fast bulk import exited ${fastRun.code}: ${fastRun.stderr.slice(-2000)}`);
      bulkFast = figures(fastSummary, fastRun);
    }

    log(`import: --no-bulk, stopped after ${input.noBulkSeconds} s`);
    const noBulkSummary = join(state, 'no-bulk-summary.json');
    const handle = startCli([...common, '--dataset', dsNoBulk, '--no-bulk', '--summary', noBulkSummary]);
    const stopAt = Date.now() + input.noBulkSeconds * 1000;
    let finished = false;
    void handle.done.then(() => (finished = true));
    while (!finished && Date.now() < stopAt) await sleep(200);
    if (!finished) handle.kill('SIGINT');
    const noBulkRun = await handle.done;
    if (noBulkRun.code !== 0 && noBulkRun.code !== 130) throw new Error(`--no-bulk import exited ${noBulkRun.code}: ${noBulkRun.stderr.slice(-2000)}`);
    const noBulk = figures(noBulkSummary, noBulkRun);

    const baselineRate = baseline.rows / (baseline.seconds - baseline.listSeconds);
    const ratio = bulk.rowsPerSecond / baselineRate;
    return { baseline, bulk, bulkFast, fastRateLimit: input.fastRateLimit, noBulk, ratio, met: ratio >= 100 };
  } finally {
    await emu.close();
  }
}

export function printVsBaseline(f: VsBaselineFigures, latency: number): void {
  const b = f.baseline;
  const baselineRate = b.rows / (b.seconds - b.listSeconds);
  result('baseline', { rows: b.rows, save_rows_per_s: fixed(baselineRate, 2), list_s: fixed(b.listSeconds, 2), requests: b.requests, latency_ms: latency });
  const bulkLine = (name: string, x: ImportFigures, extra: Record<string, string | number>): void =>
    result(name, {
      rows: x.rows,
      written: x.written,
      failed: x.failed,
      requests: x.requests,
      seconds: fixed(x.seconds, 2),
      rows_per_s: Math.round(x.rowsPerSecond),
      peak_rss_mb: mb(x.peakRssKb),
      latency_ms: latency,
      ...extra,
    });
  bulkLine('import-bulk', f.bulk, { flags: 'default' });
  if (f.bulkFast !== undefined) {
    bulkLine('import-bulk-fast', f.bulkFast, { flags: `--rate-limit=${f.fastRateLimit}`, ratio_vs_baseline: fixed(f.bulkFast.rowsPerSecond / baselineRate, 1) });
  }
  // The per-row path is time-boxed: project the whole file from its writing rate.
  const n = f.noBulk;
  const projected = n.beforeWritingSeconds + n.rows / n.writeRowsPerSecond;
  result('import-no-bulk', {
    rows: n.rows,
    written: n.written,
    failed: n.failed,
    requests: n.requests,
    seconds: fixed(n.seconds, 2),
    write_rows_per_s: fixed(n.writeRowsPerSecond, 1),
    projected_s_all_rows: Math.round(projected),
    projected_rows_per_s: fixed(n.rows / projected, 1),
    peak_rss_mb: mb(n.peakRssKb),
    stopped_early: n.interrupted,
    latency_ms: latency,
    flags: '--no-bulk',
  });
  result('vs-baseline', { import_rows_per_s: Math.round(f.bulk.rowsPerSecond), baseline_rows_per_s: fixed(baselineRate, 2), ratio: fixed(f.ratio, 1), target: 100, met: f.met ? 'yes' : 'NO' });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const flags = parseFlags(process.argv.slice(2), { rows: 100_000, latency: 20, baselineSeconds: 60, noBulkSeconds: 60, fastRateLimit: 200, workDir: '/tmp/encord-meta-bench' }, USAGE);
  process.stdout.write(`machine: ${machineNote()}\n`);
  printVsBaseline(await benchVsBaseline(flags), flags.latency);
}
