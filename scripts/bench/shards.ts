/**
 * Many workers, one rate limit (issue 10 §3): N importer processes (`import --shard I/N`, one key) against
 * one emulator whose write class is limited to R requests/s, none of them told R. Target: together they
 * sustain ≥ 90 % of R with < 2 % of requests answered 429 (each worker's limiter adapts on its own).
 *
 *   npx tsx scripts/bench/shards.ts [--workers 4] [--r 20,100] [--path bulk|per-row] [--window 60]
 *     [--warmup 20] [--latency 20] [--batch-size 5] [--plan-timeout 600] [--work-dir DIR]
 *
 * Set-up as in rate-limit.ts: the emulator runs in its own process and answers 429 with Retry-After once
 * a token bucket of R requests/s (burst R) per key and route class is empty. `bulk` (default) limits the
 * write class (patch-bulk; reads are free) and counts accepted patch-bulk requests/s, with `--batch-size 5`
 * as the workload shape (enough write requests without millions of rows); `per-row` (`--no-bulk`) limits
 * every v1 call and counts accepted v1 requests/s.
 *
 * The counters are polled every second. Every worker lists the dataset and reads the whole file once
 * before its first write (the planning pass), which takes long on a loaded machine, so the clock starts
 * at the first accepted write (at most `--plan-timeout` s after the start); the sustained rate is measured
 * from `warmup` s after that to `warmup + window` s, when every worker is stopped with SIGINT (their summaries then say
 * "interrupted" and are merged with `summary merge`, which must exit 130). The 429 share counts every
 * request of every worker, over the whole run and inside the window. Each worker's own requests and 429s
 * come from its summary.
 *
 * One line per R: `RESULT shards-<path>-w<N>-r<R> workers=… r=… sustained_per_s=… share_of_r=…
 * rate_429_pct=… window_429_pct=… met=…`, and the machine's load (`uptime`) before and after: the
 * machine may be shared.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RouteCounter } from '../../src/emulator/index.js';
import { assertBuilt, BIN, startCli, TEST_KEY, type CliRunHandle } from './lib/cli-child.js';
import { BIG_CSV_SCHEMA, ensureBigCsv, fixed, log, machineNote, parseFlags, result, sleep } from './lib/common.js';
import { spawnEmulator, type CountersReply, type EmulatorProcess } from './lib/emulator-process.js';

const USAGE =
  'npx tsx scripts/bench/shards.ts [--workers 4] [--r 20,100] [--path bulk|per-row] [--window 60] [--warmup 20] [--latency 20] [--batch-size 5] [--plan-timeout 600] [--work-dir DIR]';
const UNLIMITED = { requestsPerSecond: 100_000, burst: 100_000 };
const PATHS = ['bulk', 'per-row'] as const;
type Path = (typeof PATHS)[number];

export interface ShardsFigures {
  readonly path: Path;
  readonly workers: number;
  readonly r: number;
  readonly sustained: number;
  readonly share: number;
  readonly requests: number;
  readonly rejected429: number;
  readonly pct429: number;
  readonly windowRequests: number;
  readonly window429: number;
  readonly window429Pct: number;
  readonly perSecond: readonly number[];
  /** Per worker, from its summary: requests, 429s, rows written. */
  readonly perWorker: readonly { shard: number; exit: number | null; requests: number; rateLimited: number; written: number }[];
  /** Exit code of `summary merge` over the workers' summaries (130: every worker was stopped mid-run). */
  readonly mergeExit: number | null;
  readonly met: boolean;
}

function totals(counters: Record<string, RouteCounter>, routes: readonly string[] | null): { requests: number; ok: number; rejected: number } {
  let requests = 0;
  let rejected = 0;
  for (const [route, c] of Object.entries(counters)) {
    if (routes !== null && !routes.includes(route)) continue;
    requests += c.requests;
    rejected += c.byStatus[429] ?? 0;
  }
  return { requests, ok: requests - rejected, rejected };
}

/** The emulator's counters; a reset control connection on a loaded machine is retried (3 tries). */
async function countersOf(emu: EmulatorProcess): Promise<CountersReply> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await emu.counters();
    } catch (error) {
      if (attempt >= 3) throw error;
      await sleep(200);
    }
  }
}

/** `uptime`'s load averages, for the write-up (the machine may be shared with other work). */
export function loadNote(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return 'uptime unavailable';
  }
}

export async function benchShards(input: {
  path: Path;
  workers: number;
  r: number;
  window: number;
  warmup: number;
  latency: number;
  batchSize: number;
  planTimeout: number;
  workDir: string;
}): Promise<ShardsFigures> {
  assertBuilt();
  mkdirSync(input.workDir, { recursive: true });
  const perRow = input.path === 'per-row';
  // Enough rows that every worker is still writing when the window closes: each gets about 1/N of them, but
  // the limiters do not share R evenly (one worker wrote 2.5x another), so twice what an even split needs.
  const span = input.warmup + input.window;
  const rows = perRow ? Math.max(3_000, Math.ceil(input.r * span * 3)) : Math.max(5_000, Math.ceil(input.r * 3 * span * input.batchSize));
  const csv = await ensureBigCsv(join(input.workDir, `big-${rows}.csv`), rows);
  const limited = { requestsPerSecond: input.r };
  const emu = await spawnEmulator({
    emulator: {
      seedRows: rows,
      typedSchema: BIG_CSV_SCHEMA,
      requestLog: false,
      ...(input.latency > 0 && { latency: { ms: input.latency } }),
      rateLimit: perRow
        ? { requestsPerSecond: input.r, retryAfter: true, perClass: { v1: limited, 'v2-read': UNLIMITED, 'v2-write': UNLIMITED } }
        : { requestsPerSecond: input.r, retryAfter: true, perClass: { v1: UNLIMITED, 'v2-read': UNLIMITED, 'v2-write': limited } },
    },
  });
  const limitedRoutes = perRow ? ['v1:dataset:GET', 'v1:datarow:GET', 'v1:datarow:POST', 'v1:datarows:GET'] : ['v2:patch-bulk'];
  const base = join(input.workDir, `shards-${input.path}-w${input.workers}-r${input.r}`);
  rmSync(base, { recursive: true, force: true });
  const runs: CliRunHandle[] = [];
  const finished = new Set<CliRunHandle>();
  try {
    const extra = perRow ? ['--no-bulk'] : ['--batch-size', String(input.batchSize)];
    log(`${input.workers} workers (${extra.join(' ')}), server limit ${input.r}/s on ${limitedRoutes.join(', ')}, ${rows} rows; window ${input.warmup}..${span} s`);
    const launched = Date.now();
    for (let i = 0; i < input.workers; i += 1) {
      // One state directory per worker, as on N machines; the per-shard lock would allow a shared one too.
      const args = ['--domain', emu.url, '--ssh-key', TEST_KEY, '--quiet', 'import', csv, '--dataset', emu.datasets[0]!.hash, '--key', 'index',
        '--shard', `${i}/${input.workers}`, '--state-dir', join(base, `state-${i}`), '--summary', join(base, 'summary.json'), ...extra];
      runs.push(startCli(args, { plainBin: true }));
    }
    let exited = 0;
    for (const run of runs) void run.done.then(() => {
      exited += 1;
      finished.add(run);
    });
    // The planning passes: no write until every worker has read the file once.
    let last = totals((await countersOf(emu)).counters, limitedRoutes).ok;
    while (last === 0 && exited === 0 && Date.now() - launched < input.planTimeout * 1000) {
      await sleep(250);
      last = totals((await countersOf(emu)).counters, limitedRoutes).ok;
    }
    const planSeconds = (Date.now() - launched) / 1000;
    if (last === 0) throw new Error(`no write accepted ${planSeconds.toFixed(0)} s after the start (exited: ${exited})`);
    log(`first write accepted ${planSeconds.toFixed(1)} s after the start; the clock starts now`);
    const started = Date.now();
    const perSecond: number[] = [];
    let atWarmup: ReturnType<typeof totals> | undefined;
    let atWarmupAll: ReturnType<typeof totals> | undefined;
    for (let s = 1; s <= span && exited === 0; s += 1) {
      await sleep(Math.max(0, started + s * 1000 - Date.now()));
      const c = (await countersOf(emu)).counters;
      const now = totals(c, limitedRoutes).ok;
      perSecond.push(now - last);
      last = now;
      if (s === input.warmup) {
        atWarmup = totals(c, limitedRoutes);
        atWarmupAll = totals(c, null);
      }
    }
    const elapsed = (Date.now() - started) / 1000;
    const endCounters = (await countersOf(emu)).counters;
    const end = totals(endCounters, limitedRoutes);
    const endAll = totals(endCounters, null);
    const endedEarly = exited > 0;
    for (const run of runs) if (!finished.has(run)) run.kill('SIGINT');
    const outcomes = await Promise.all(runs.map((r) => r.done));
    if (endedEarly || atWarmup === undefined || atWarmupAll === undefined) {
      throw new Error(`a worker ended before the window closed (after ${elapsed.toFixed(1)} s, exits ${outcomes.map((o) => o.code).join(',')}): use more rows or a shorter window; ${outcomes.map((o) => o.stderr.trim()).filter(Boolean).join(' | ').slice(0, 400)}`);
    }
    const perWorker = outcomes.map((o, shard) => {
      try {
        const s = JSON.parse(readFileSync(join(base, `summary.shard-${shard}-of-${input.workers}.json`), 'utf8')) as { requests: number; rateLimited: number; written: number };
        return { shard, exit: o.code, requests: s.requests, rateLimited: s.rateLimited, written: s.written };
      } catch {
        return { shard, exit: o.code, requests: -1, rateLimited: -1, written: -1 };
      }
    });
    const merge = spawnSync(process.execPath, [BIN, '--quiet', 'summary', 'merge', ...perWorker.map((w) => join(base, `summary.shard-${w.shard}-of-${input.workers}.json`))], { encoding: 'utf8' });
    if (merge.stderr.trim()) log(`summary merge: ${merge.stderr.trim()}`);
    const measured = elapsed - input.warmup;
    const sustained = (end.ok - atWarmup.ok) / measured;
    const all = totals((await countersOf(emu)).counters, null);
    const pct429 = (100 * all.rejected) / Math.max(1, all.requests);
    return {
      path: input.path,
      workers: input.workers,
      r: input.r,
      sustained,
      share: sustained / input.r,
      requests: all.requests,
      rejected429: all.rejected,
      pct429,
      windowRequests: endAll.requests - atWarmupAll.requests,
      window429: endAll.rejected - atWarmupAll.rejected,
      window429Pct: (100 * (endAll.rejected - atWarmupAll.rejected)) / Math.max(1, endAll.requests - atWarmupAll.requests),
      perSecond,
      perWorker,
      mergeExit: merge.status,
      met: sustained >= 0.9 * input.r && pct429 < 2,
    };
  } finally {
    // Only workers still running (an exited one's pid may belong to someone else by now).
    for (const run of runs) if (!finished.has(run)) run.kill('SIGKILL');
    await emu.close();
  }
}

export function printShards(f: ShardsFigures): void {
  log(`${f.path} w=${f.workers} r=${f.r}: accepted limited requests per second: ${f.perSecond.join(' ')}`);
  for (const w of f.perWorker) log(`  shard ${w.shard}: exit ${w.exit}, ${w.requests} requests, ${w.rateLimited} answered 429, ${w.written} rows written`);
  result(`shards-${f.path}-w${f.workers}-r${f.r}`, {
    workers: f.workers,
    r: f.r,
    sustained_per_s: fixed(f.sustained, 2),
    share_of_r: fixed(f.share, 3),
    requests: f.requests,
    answered_429: f.rejected429,
    rate_429_pct: fixed(f.pct429, 2),
    window_requests: f.windowRequests,
    window_429: f.window429,
    window_429_pct: fixed(f.window429Pct, 2),
    merge_exit: f.mergeExit ?? 'none',
    target: 'share>=0.90,429<2%',
    met: f.met ? 'yes' : 'NO',
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const flags = parseFlags(
    process.argv.slice(2),
    { workers: 4, r: '20,100', path: 'bulk', window: 60, warmup: 20, latency: 20, batchSize: 5, planTimeout: 600, workDir: '/tmp/encord-meta-bench' },
    USAGE,
  );
  const rs = flags.r.split(',').map(Number);
  if (rs.some((r) => !(r > 0))) throw new Error(`--r expects positive numbers, got ${flags.r}\n${USAGE}`);
  if (!(PATHS as readonly string[]).includes(flags.path)) throw new Error(`unknown path ${flags.path}\n${USAGE}`);
  if (!Number.isInteger(flags.workers) || flags.workers < 1) throw new Error(`--workers expects a whole number from 1\n${USAGE}`);
  process.stdout.write(`machine: ${machineNote()}\n`);
  let failures = 0;
  let missed = 0;
  for (const r of rs) {
    log(`load before: ${loadNote()}`);
    try {
      const f = await benchShards({ path: flags.path as Path, workers: flags.workers, r, window: flags.window, warmup: flags.warmup, latency: flags.latency, batchSize: flags.batchSize, planTimeout: flags.planTimeout, workDir: flags.workDir });
      printShards(f);
      if (!f.met) missed += 1;
    } catch (error) {
      failures += 1;
      result(`shards-${flags.path}-w${flags.workers}-r${r}`, { r, error: (error as Error).message });
    }
    log(`load after: ${loadNote()}`);
  }
  log(`${rs.length - failures - missed} of ${rs.length} cells met the target`);
  process.exitCode = failures > 0 ? 1 : 0;
}
