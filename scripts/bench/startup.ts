/**
 * Start-up time of the CLI against bare Node: `node -e 0`, `encord-meta --version`, `encord-meta import --help`
 * (the built bin, each run `--runs` times in its own process, the three interleaved; the median wall time
 * is compared).
 *
 *   npx tsx scripts/bench/startup.ts [--runs 15]
 *
 * Last lines: `RESULT startup-<what> median_ms=… bare_median_ms=… ratio=… target=3 met=…`.
 */
import { spawnSync } from 'node:child_process';
import { assertBuilt, DIST } from './lib/cli-child.js';
import { machineNote, parseFlags, result } from './lib/common.js';
import { join } from 'node:path';

const flags = parseFlags(process.argv.slice(2), { runs: 15 }, 'npx tsx scripts/bench/startup.ts [--runs 15]');
assertBuilt();
// The build under test: `ENCORD_META_DIST` (a frozen copy, as the other benchmarks take it) or `dist/`.
const bin = join(DIST, 'cli', 'main.js');

/** One timed run of `node ARGS`, in ms. */
function timeOnce(args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(r.status)}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(times: number[]): number {
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

process.stdout.write(`machine: ${machineNote()}\n`);
// Interleaved (bare, --version, import --help, bare, …): on a shared machine the load drifts within a
// run, and measuring each case in its own block once put bare Node in a quiet minute and the CLI in a
// busy one (3.9× measured, 1.6× interleaved, same build).
const cases = {
  bare: ['-e', '0'],
  version: [bin, '--version'],
  'import-help': [bin, 'import', '--help'],
} as const;
const times: Record<keyof typeof cases, number[]> = { bare: [], version: [], 'import-help': [] };
for (let i = 0; i < flags.runs; i++) {
  for (const name of Object.keys(cases) as (keyof typeof cases)[]) times[name].push(timeOnce(cases[name]));
}
const bare = median(times.bare);
for (const name of ['version', 'import-help'] as const) {
  const ms = median(times[name]);
  result(`startup-${name}`, { median_ms: Math.round(ms), bare_median_ms: Math.round(bare), ratio: Number((ms / bare).toFixed(2)), target: 3, met: ms / bare <= 3 ? 'yes' : 'NO' });
}
