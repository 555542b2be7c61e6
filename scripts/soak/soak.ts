/**
 * The full-size soak (see `soak-core.ts` for what it does and checks):
 *
 *   npx tsx scripts/soak/soak.ts [--rows 1000000] [--legacy-rows 10000] [--batch-size 100] [--concurrency 4]
 *                                [--storm-period-ms 30000] [--storm-ms 3000] [--seed 7] [--work-dir DIR]
 *
 * Needs the built CLI (`npm run build`). The emulator runs in its own process without latency or a rate
 * limit (only the fault mix), so a million rows fit in minutes. Its request log is dumped to
 * `<work-dir>/emulator-requests.jsonl` with bodies cut at 100,000 characters (a 1M-unit listing is ~600 MB
 * per answer; secrets travel in headers, which are kept whole). Exit status 0 when everything holds.
 *
 * Last line: `SOAK result=PASS|FAIL rows=… sigkills=3 rows_missing=0 rows_mismatched=0 … secret_hits=0 …`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, machineNote, parseFlags } from '../bench/lib/common.js';
import { BIN, runSoak, soakLine } from './soak-core.js';

const USAGE =
  'npx tsx scripts/soak/soak.ts [--rows 1000000] [--legacy-rows 10000] [--batch-size 100] [--concurrency 4] [--storm-period-ms 30000] [--storm-ms 3000] [--seed 7] [--work-dir DIR] [--keep]';

const flags = parseFlags(
  process.argv.slice(2),
  { rows: 1_000_000, legacyRows: 10_000, batchSize: 100, concurrency: 4, stormPeriodMs: 30_000, stormMs: 3_000, seed: 7, workDir: '', keep: false },
  USAGE,
);
if (!existsSync(BIN)) throw new Error(`build first: ${BIN} is missing (npm run build)`);
const workDir = flags.workDir || mkdtempSync(join(tmpdir(), 'encord-meta-soak-'));
process.stdout.write(`machine: ${machineNote()}\n`);
const result = await runSoak({
  rows: flags.rows,
  legacyRows: flags.legacyRows,
  batchSize: flags.batchSize,
  concurrency: flags.concurrency,
  seed: flags.seed,
  stormPeriodMs: flags.stormPeriodMs,
  stormMs: flags.stormMs,
  workDir,
  logBodyChars: 100_000,
  log,
});
for (const p of result.problems) process.stdout.write(`problem: ${p}\n`);
for (const r of result.runs) process.stdout.write(`run ${r.n}: ${r.outcome}, ${r.writesSeen} write requests, ${r.seconds.toFixed(1)} s\n`);
process.stdout.write(`status codes: ${JSON.stringify(result.byStatus)}\n`);
if (!flags.keep && result.ok) rmSync(workDir, { recursive: true, force: true });
else process.stdout.write(`work dir kept: ${workDir}\n`);
process.stdout.write(`${soakLine(result)}\n`);
process.exitCode = result.ok ? 0 : 1;
