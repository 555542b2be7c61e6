/**
 * Start-up time of the CLI against bare Node: `node -e 0`, `encord-meta --version`, `encord-meta import --help`
 * (the built bin, each run `--runs` times in its own process; the median wall time is compared).
 *
 *   npx tsx scripts/bench/startup.ts [--runs 15]
 *
 * Last lines: `RESULT startup-<what> median_ms=… bare_median_ms=… ratio=… target=3 met=…`.
 */
import { spawnSync } from 'node:child_process';
import { assertBuilt, REPO } from './lib/cli-child.js';
import { machineNote, parseFlags, result } from './lib/common.js';
import { join } from 'node:path';

const flags = parseFlags(process.argv.slice(2), { runs: 15 }, 'npx tsx scripts/bench/startup.ts [--runs 15]');
assertBuilt();
const bin = join(REPO, 'dist', 'cli', 'main.js');

function median(args: readonly string[]): number {
  const times: number[] = [];
  for (let i = 0; i < flags.runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(r.status)}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

process.stdout.write(`machine: ${machineNote()}\n`);
const bare = median(['-e', '0']);
for (const [name, args] of [
  ['version', [bin, '--version']],
  ['import-help', [bin, 'import', '--help']],
] as const) {
  const ms = median(args);
  result(`startup-${name}`, { median_ms: Math.round(ms), bare_median_ms: Math.round(bare), ratio: Number((ms / bare).toFixed(2)), target: 3, met: ms / bare <= 3 ? 'yes' : 'NO' });
}
