/**
 * The rate-limit benchmark's matrix on virtual time (seconds, not minutes): the limiter against a token
 * bucket of R per second and burst B, with the requester's shape around it (test/encord/rate-sim.ts). For
 * tuning the limiter; `scripts/bench/rate-limit.ts` against the real emulator remains the measurement.
 *
 *   npx tsx scripts/bench/rate-limit-sim.ts [--r 5,20,100] [--burst-factors 1,0.5,2] [--latency 20]
 *     [--late 0] [--concurrency 8] [--trace]
 */
import { simulate } from '../../test/encord/rate-sim.js';
import { fixed, parseFlags, result } from './lib/common.js';

const USAGE = 'npx tsx scripts/bench/rate-limit-sim.ts [--r 5,20,100] [--burst-factors 1,0.5,2] [--latency 20] [--late 0] [--concurrency 8] [--trace]';
const flags = parseFlags(process.argv.slice(2), { r: '5,20,100', burstFactors: '1,0.5,2', latency: 20, late: 0, concurrency: 8, trace: false }, USAGE);
let met = 0;
let cells = 0;
for (const factor of flags.burstFactors.split(',').map(Number)) {
  for (const r of flags.r.split(',').map(Number)) {
    const burst = Math.max(1, Math.ceil(r * factor));
    const f = await simulate({ r, burst, latencyMs: flags.latency, lateMs: flags.late, concurrency: flags.concurrency });
    cells += 1;
    if (f.met) met += 1;
    result(`rate-sim-r${r}-b${burst}`, {
      r,
      burst,
      share_of_r: fixed(f.share, 3),
      requests: f.requests,
      answered_429: f.rejected,
      rate_429_pct: fixed(f.pct429, 2),
      final_rate: fixed(f.finalRate, 2),
      met: f.met ? 'yes' : 'NO',
    });
    if (flags.trace) process.stdout.write(`  ${f.changes.map(([t, v]) => `${(t / 1000).toFixed(1)}s:${v.toFixed(2)}`).join(' ')}\n`);
  }
}
process.stdout.write(`${met} of ${cells} cells met the target\n`);
