/**
 * The nightly job: the same unchanged file imported again. It must send no write at all, and be quick.
 *
 *   npx tsx scripts/bench/nightly.ts [--rows 100000] [--latency 20] [--work-dir /tmp/encord-meta-bench]
 *
 * The emulator (own process, `latency` ms per request) holds `rows` generated units. The built CLI imports
 * the benchmark CSV once (the first night), then runs the identical command again (the next night); the
 * emulator's counters give the requests of the second run by route.
 *
 * Last line: `RESULT nightly rows=… write_requests=… requests=… seconds=… target_writes=0 met=…`.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RouteCounter } from '../../src/emulator/index.js';
import { assertBuilt, runCli, TEST_KEY } from './lib/cli-child.js';
import { BIG_CSV_SCHEMA, ensureBigCsv, fixed, log, machineNote, mb, parseFlags, result } from './lib/common.js';
import { spawnEmulator } from './lib/emulator-process.js';

const USAGE = 'npx tsx scripts/bench/nightly.ts [--rows 100000] [--latency 20] [--work-dir DIR]';
const WRITE_ROUTES = ['v2:patch-bulk', 'v2:item:PATCH', 'v1:datarow:POST'];

export interface NightlyFigures {
  readonly rows: number;
  readonly firstSeconds: number;
  readonly firstWritten: number;
  readonly seconds: number;
  readonly wallSeconds: number;
  readonly unchanged: number;
  readonly written: number;
  readonly writeRequests: number;
  readonly requests: number;
  readonly byRoute: Record<string, number>;
  readonly peakRssKb: number;
  readonly met: boolean;
}

function count(counters: Record<string, RouteCounter>): Record<string, number> {
  return Object.fromEntries(Object.entries(counters).map(([route, c]) => [route, c.requests]));
}

export async function benchNightly(input: { rows: number; latency: number; workDir: string }): Promise<NightlyFigures> {
  assertBuilt();
  mkdirSync(input.workDir, { recursive: true });
  const csv = await ensureBigCsv(join(input.workDir, `big-${input.rows}.csv`), input.rows);
  const emu = await spawnEmulator({
    emulator: { seedRows: input.rows, typedSchema: BIG_CSV_SCHEMA, requestLog: false, ...(input.latency > 0 && { latency: { ms: input.latency } }) },
  });
  const state = join(input.workDir, 'state-nightly');
  rmSync(state, { recursive: true, force: true });
  try {
    const summary = join(state, 'summary.json');
    const args = ['--domain', emu.url, '--ssh-key', TEST_KEY, 'import', csv, '--dataset', emu.datasets[0]!.hash, '--key', 'index', '--state-dir', state, '--summary', summary];
    log('night 1: first import');
    const first = await runCli(args);
    if (first.code !== 0) throw new Error(`first import exited ${first.code}: ${first.stderr.slice(-2000)}`);
    const s1 = JSON.parse(readFileSync(summary, 'utf8')) as { written: number; durationMs: number };
    const before = count((await emu.counters()).counters);
    log('night 2: the same command, file unchanged');
    const second = await runCli(args);
    if (second.code !== 0) throw new Error(`rerun exited ${second.code}: ${second.stderr.slice(-2000)}`);
    const after = count((await emu.counters()).counters);
    const s2 = JSON.parse(readFileSync(summary, 'utf8')) as { rowsRead: number; written: number; unchanged: number; durationMs: number };
    const byRoute: Record<string, number> = {};
    for (const [route, n] of Object.entries(after)) if (n - (before[route] ?? 0) > 0) byRoute[route] = n - (before[route] ?? 0);
    const writeRequests = WRITE_ROUTES.reduce((n, r) => n + (byRoute[r] ?? 0), 0);
    const requests = Object.values(byRoute).reduce((a, b) => a + b, 0);
    return {
      rows: s2.rowsRead,
      firstSeconds: s1.durationMs / 1000,
      firstWritten: s1.written,
      seconds: s2.durationMs / 1000,
      wallSeconds: second.wallMs / 1000,
      unchanged: s2.unchanged,
      written: s2.written,
      writeRequests,
      requests,
      byRoute,
      peakRssKb: second.maxRssKb,
      met: writeRequests === 0,
    };
  } finally {
    await emu.close();
  }
}

export function printNightly(f: NightlyFigures, latency: number): void {
  result('nightly', {
    rows: f.rows,
    unchanged: f.unchanged,
    written: f.written,
    write_requests: f.writeRequests,
    requests: f.requests,
    requests_by_route: Object.entries(f.byRoute).map(([r, n]) => `${r}:${n}`).join(','),
    seconds: fixed(f.seconds, 2),
    wall_s: fixed(f.wallSeconds, 2),
    peak_rss_mb: mb(f.peakRssKb),
    first_night_s: fixed(f.firstSeconds, 2),
    first_night_written: f.firstWritten,
    latency_ms: latency,
    target_writes: 0,
    met: f.met ? 'yes' : 'NO',
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const flags = parseFlags(process.argv.slice(2), { rows: 100_000, latency: 20, workDir: '/tmp/encord-meta-bench' }, USAGE);
  process.stdout.write(`machine: ${machineNote()}\n`);
  printNightly(await benchNightly(flags), flags.latency);
}
