/**
 * Memory: peak RSS of the importer on a 5M-row CSV, and time and peak RSS of listing a 1M-unit dataset.
 *
 *   npx tsx scripts/bench/memory.ts [--import-rows 5000000] [--list-rows 1000000] [--parts list,index,folder,import,item-uuid]
 *                                  [--rate-limit 1000] [--batch-size 1000] [--work-dir /tmp/encord-meta-bench]
 *
 * list    the built client's `getDataset` (what every import starts with) in its own process
 *         (`lib/list-probe.mjs`), against an emulator process holding `list-rows` generated units.
 * import  `encord-meta import big.csv --dataset H --key index` (the built CLI, own process) against an
 *         emulator holding `import-rows` units, every row written. The emulator has no latency and the
 *         importer runs with `--rate-limit`/`--batch-size` raised so the run fits the time budget; neither
 *         changes what the importer holds in memory (batches in flight are bounded by --concurrency).
 * item-uuid  `encord-meta import items.csv --key item_uuid` (no dataset, no folder: nothing listed, every
 *         batch read with get-bulk and written with patch-bulk) against an emulator holding `import-rows`
 *         items; the CSV is the big CSV's values keyed by the emulator's item uuids. Target < 150 MB
 *         whatever the number of items.
 *
 * Peak RSS is GNU time's %M when /usr/bin/time exists, else the process's own maxRSS.
 * Last lines: `RESULT memory-list …`, `RESULT memory-import …` and `RESULT memory-item-uuid …`.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assertBuilt, REPO, runCli, TEST_KEY } from './lib/cli-child.js';
import { bigCsvRow, mulberry32 } from '../fixtures/make-big-csv.js';
import { BIG_CSV_SCHEMA, ensureBigCsv, fixed, log, machineNote, mb, parseFlags, result } from './lib/common.js';
import { spawnEmulator } from './lib/emulator-process.js';

const LIST_PROBE = fileURLToPath(new URL('./lib/list-probe.mjs', import.meta.url));
const INDEX_PROBE = fileURLToPath(new URL('./lib/index-probe.mjs', import.meta.url));
const USAGE =
  'npx tsx scripts/bench/memory.ts [--import-rows 5000000] [--list-rows 1000000] [--parts list,index,folder,import,item-uuid] [--rate-limit 1000] [--batch-size 1000] [--work-dir DIR]';
/** The emulator holds millions of rows: give it room (its memory is not what is measured). */
const EMULATOR_NODE_FLAGS = ['--max-old-space-size=16384'];

export interface ListFigures {
  readonly units: number;
  readonly seconds: number;
  readonly peakRssKb: number;
  readonly heldMb: number;
  readonly met: boolean;
  readonly error?: string;
}

/**
 * `list`: the client's `getDataset` (the whole listing in memory, what `list`/`set` read). `index`: the
 * dataset streamed into the import's flat index. `folder`: the dataset's backing folder (as many items) listed
 * page by page into the index, what `import --folder` holds. Targets: `index` and `folder` < 300 MB.
 */
export async function benchList(input: { rows: number; probe?: 'list' | 'index' | 'folder' }): Promise<ListFigures> {
  assertBuilt();
  const probe = input.probe ?? 'list';
  log(`${probe}: emulator with ${input.rows} units`);
  const emu = await spawnEmulator({ emulator: { seedRows: input.rows, requestLog: false }, nodeFlags: EMULATOR_NODE_FLAGS });
  try {
    const gnu = existsSync('/usr/bin/time');
    const timeDir = mkdtempSync(join(tmpdir(), 'encord-meta-list-'));
    const timeOut = join(timeDir, 'time.txt');
    const ds = emu.datasets[0]!;
    const argv =
      probe === 'list'
        ? ['--expose-gc', LIST_PROBE, emu.url, ds.hash, TEST_KEY]
        : ['--expose-gc', INDEX_PROBE, emu.url, probe === 'index' ? 'dataset' : 'folder', probe === 'index' ? ds.hash : ds.folderUuid!, TEST_KEY];
    log('list: listing');
    const r = gnu
      ? spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeOut, process.execPath, ...argv], { cwd: REPO, encoding: 'utf8', timeout: 3_600_000 })
      : spawnSync(process.execPath, argv, { cwd: REPO, encoding: 'utf8', timeout: 3_600_000 });
    let timeKb = 0;
    if (gnu) {
      try {
        timeKb = Number(readFileSync(timeOut, 'utf8').trim().split('\n').pop()) || 0;
      } finally {
        rmSync(timeDir, { recursive: true, force: true });
      }
    }
    if (r.status !== 0) {
      return { units: 0, seconds: Number.NaN, peakRssKb: timeKb, heldMb: Number.NaN, met: false, error: (r.stderr || `exit ${r.status} signal ${r.signal}`).trim().split('\n').slice(-3).join(' | ') };
    }
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { units: number; ms: number; maxRssKb: number; heldMb: number };
    const peak = timeKb || out.maxRssKb;
    const limitKb = (input.probe ?? 'list') === 'list' ? 1024 * 1024 : 300 * 1024;
    return { units: out.units, seconds: out.ms / 1000, peakRssKb: peak, heldMb: out.heldMb, met: out.units === input.rows && peak < limitKb };
  } finally {
    await emu.close();
  }
}

export interface ImportMemoryFigures {
  readonly rows: number;
  readonly written: number;
  readonly failed: number;
  readonly seconds: number;
  readonly peakRssKb: number;
  readonly code: number | null;
  readonly phases: Readonly<Record<string, number>>;
  readonly memory: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly met: boolean;
  readonly error?: string;
}

export async function benchImportMemory(input: { rows: number; rateLimit: number; batchSize: number; workDir: string }): Promise<ImportMemoryFigures> {
  assertBuilt();
  mkdirSync(input.workDir, { recursive: true });
  log(`import: generating the ${input.rows}-row CSV (cached in ${input.workDir})`);
  const csv = await ensureBigCsv(join(input.workDir, `big-${input.rows}.csv`), input.rows);
  log(`import: emulator with ${input.rows} units`);
  const emu = await spawnEmulator({ emulator: { seedRows: input.rows, typedSchema: BIG_CSV_SCHEMA, requestLog: false }, nodeFlags: EMULATOR_NODE_FLAGS });
  try {
    return await runImport('import', input, [csv, '--dataset', emu.datasets[0]!.hash, '--key', 'index'], emu.url, 250);
  } finally {
    await emu.close();
  }
}

/**
 * `--key item_uuid` without a dataset: the emulator's items (one per seeded unit) named by uuid in a CSV of
 * the big CSV's values (`item_uuid` instead of `index,title`), written fresh for each emulator.
 */
export async function benchItemUuidMemory(input: { rows: number; rateLimit: number; batchSize: number; workDir: string }): Promise<ImportMemoryFigures> {
  assertBuilt();
  mkdirSync(input.workDir, { recursive: true });
  log(`item-uuid: emulator with ${input.rows} items`);
  const emu = await spawnEmulator({ emulator: { seedRows: input.rows, typedSchema: BIG_CSV_SCHEMA, requestLog: false }, nodeFlags: EMULATOR_NODE_FLAGS });
  try {
    const csv = join(input.workDir, `items-${input.rows}.csv`);
    log(`item-uuid: writing ${csv}`);
    const fd = openSync(csv, 'w');
    const rand = mulberry32(42);
    let buf = 'item_uuid,captured_at,city,dark,weather,gps,embedding\n';
    let i = 0;
    try {
      await emu.eachRow(emu.datasets[0]!.hash, (row) => {
        const cells = bigCsvRow(i, rand).slice(2).map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c));
        buf += `${row.backingItemUuid},${cells.join(',')}\n`;
        i += 1;
        if (buf.length > 1 << 20) {
          writeSync(fd, buf);
          buf = '';
        }
      });
      writeSync(fd, buf);
    } finally {
      closeSync(fd);
    }
    return await runImport('item-uuid', input, [csv, '--key', 'item_uuid'], emu.url, 150);
  } finally {
    await emu.close();
  }
}

async function runImport(
  part: string,
  input: { rows: number; rateLimit: number; batchSize: number; workDir: string },
  target: readonly string[],
  domain: string,
  limitMb: number,
): Promise<ImportMemoryFigures> {
  const state = join(input.workDir, `state-memory-${part}`);
  rmSync(state, { recursive: true, force: true });
  const summaryPath = join(state, 'summary.json');
  log(`${part}: running`);
  const run = await runCli([
    '--domain', domain, '--ssh-key', TEST_KEY, 'import', ...target,
    '--state-dir', state, '--summary', summaryPath, '--rate-limit', String(input.rateLimit), '--batch-size', String(input.batchSize),
  ]);
  log(`${part}: exit ${run.code ?? run.signal}, phases ${JSON.stringify(run.phases)}, memory by phase (MB) ${JSON.stringify(run.memory)}`);
  let summary: { rowsRead: number; written: number; failed: number; durationMs: number } | undefined;
  try {
    summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as typeof summary;
  } catch {
    // no summary: the run failed before the end
  }
  return {
    rows: summary?.rowsRead ?? 0,
    written: summary?.written ?? 0,
    failed: summary?.failed ?? 0,
    seconds: run.wallMs / 1000,
    peakRssKb: run.maxRssKb,
    code: run.code,
    phases: run.phases,
    memory: run.memory,
    met: run.code === 0 && run.maxRssKb < limitMb * 1024,
    ...(run.code !== 0 && { error: run.stderr.trim().split('\n').slice(-3).join(' | ') }),
  };
}

export function printList(f: ListFigures, rows: number, probe: 'list' | 'index' | 'folder' = 'list'): void {
  result(`memory-${probe}`, {
    units: f.units,
    expected_units: rows,
    seconds: fixed(f.seconds, 2),
    peak_rss_mb: mb(f.peakRssKb),
    held_heap_mb: f.heldMb,
    target: probe === 'list' ? 'peak_rss<1024MB' : 'peak_rss<300MB',
    met: f.met ? 'yes' : 'NO',
    ...(f.error !== undefined && { error: f.error }),
  });
}

export function printImportMemory(f: ImportMemoryFigures, rows: number, part: 'import' | 'item-uuid' = 'import'): void {
  const at = (phase: string): string => String(f.memory[phase]?.['rss'] ?? 'NaN');
  result(`memory-${part}`, {
    rows: f.rows,
    expected_rows: rows,
    written: f.written,
    failed: f.failed,
    exit: f.code ?? 'signal',
    wall_s: fixed(f.seconds, 1),
    peak_rss_mb: mb(f.peakRssKb),
    rss_mb_at_planning: at('planning'),
    rss_mb_at_writing: at('writing'),
    rss_mb_at_done: at('done'),
    target: part === 'import' ? 'peak_rss<250MB' : 'peak_rss<150MB',
    met: f.met ? 'yes' : 'NO',
    ...(f.error !== undefined && { error: f.error }),
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const flags = parseFlags(
    process.argv.slice(2),
    { importRows: 5_000_000, listRows: 1_000_000, parts: 'list,import', rateLimit: 1000, batchSize: 1000, workDir: '/tmp/encord-meta-bench' },
    USAGE,
  );
  process.stdout.write(`machine: ${machineNote()}\n`);
  const parts = flags.parts.split(',');
  const list = parts.includes('list') ? await benchList({ rows: flags.listRows }) : undefined;
  const index = parts.includes('index') ? await benchList({ rows: flags.listRows, probe: 'index' }) : undefined;
  const folder = parts.includes('folder') ? await benchList({ rows: flags.listRows, probe: 'folder' }) : undefined;
  const imp = parts.includes('import') ? await benchImportMemory({ rows: flags.importRows, rateLimit: flags.rateLimit, batchSize: flags.batchSize, workDir: flags.workDir }) : undefined;
  const items = parts.includes('item-uuid') ? await benchItemUuidMemory({ rows: flags.importRows, rateLimit: flags.rateLimit, batchSize: flags.batchSize, workDir: flags.workDir }) : undefined;
  if (list) printList(list, flags.listRows);
  if (index) printList(index, flags.listRows, 'index');
  if (folder) printList(folder, flags.listRows, 'folder');
  if (imp) printImportMemory(imp, flags.importRows);
  if (items) printImportMemory(items, flags.importRows, 'item-uuid');
}
