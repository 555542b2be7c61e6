/**
 * The soak: import a large file into an emulator that fails often, SIGKILL the import three times at random
 * points (rerunning the same command after each), finish, and check that the emulator's final state is
 * exactly what the file and the original state say — no key missing, no pre-existing key touched, no row
 * left out — and that no secret reached any output, report, journal, summary or the emulator's log.
 *
 * Used by `scripts/soak/soak.ts` (full size, 1M rows) and `test/soak/soak.test.ts` (CI size, 20k rows).
 *
 * Fault mix (emulator rules, seeded): 5 % 5xx (500 JSON, 502 HTML page, 503 JSON, one third each), 2 %
 * connection resets (half after applying the request), 1 % commit-then-fail on every write route, and 429
 * storms: `stormMs` out of every `stormPeriodMs` with Retry-After, the same again half a period later
 * without it. The first matching rule wins, so the fired counts (printed) are what actually happened.
 *
 * Every import is the real bin (`node dist/cli/main.js`) with the same arguments: the passphrase-protected
 * TEST-ONLY key (passphrase from an environment variable), merge mode, a fixed state directory. After the
 * final successful run, one more rerun with a bearer token issued by the emulator must write nothing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEncordClient } from '../../src/encord/client.js';
import { decodeOpenSshPrivateKey } from '../../src/encord/keys.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import type { JsonValue, Metadata } from '../../src/encord/protocol/types.js';
import type { FaultRule, RouteCounter } from '../../src/emulator/index.js';
import { spawnEmulator } from '../bench/lib/emulator-process.js';
import { craftedRequests } from './crafted-requests.js';
import { findSecrets, scanForSecrets } from './secret-scan.js';
import { csvField, FILE_KEYS, fileRow, jsonEqual, rng, SOAK_SCHEMA } from './soak-file.js';

export { findSecrets } from './secret-scan.js';
export { SOAK_SCHEMA } from './soak-file.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The real bin: `dist/`, or a frozen copy named by ENCORD_META_DIST (see scripts/bench/run-all.sh). */
export const BIN = join(process.env['ENCORD_META_DIST'] ?? join(REPO, 'dist'), 'cli', 'main.js');
/** 0600 copies of the TEST-ONLY keys: key files readable by others are refused (the committed ones are 0644). */
const KEYS_DIR = mkdtempSync(join(tmpdir(), 'encord-meta-soak-keys-'));
const privateCopy = (name: string): string => {
  const path = join(KEYS_DIR, name);
  writeFileSync(path, readFileSync(join(REPO, 'test', 'fixtures', 'keys', name)), { mode: 0o600 });
  return path;
};
const KEY_PLAIN = privateCopy('test-key');
const KEY_ENCRYPTED = privateCopy('test-key-passphrase');
/** The passphrase of the TEST-ONLY encrypted key (test/fixtures/keys/README.md). */
const PASSPHRASE = 'correct horse battery staple';

const WRITE_ROUTES = ['v2:patch-bulk', 'v2:item:PATCH', 'v1:datarow:POST'] as const;

export interface SoakOptions {
  /** Data units, all named by the file. */
  readonly rows: number;
  /** How many of them are legacy units without a storage item (written with the per-row v1 save). */
  readonly legacyRows: number;
  readonly batchSize: number;
  readonly concurrency: number;
  /** SIGKILLs, each followed by the same command again. @default 3 */
  readonly kills?: number;
  /** Seed of the data, the file, the kill points and the emulator's faults. @default 7 */
  readonly seed?: number;
  readonly workDir: string;
  /** @default 20000 */
  readonly stormPeriodMs?: number;
  /** @default 1500 */
  readonly stormMs?: number;
  /** Longest request/response body kept per entry of the emulator's log dump. @default 1000000 */
  readonly logBodyChars?: number;
  /** Runs after the kills before giving up (a run may end with failed rows, exit 3). @default 6 */
  readonly maxFinishingRuns?: number;
  readonly log?: (line: string) => void;
}

export interface SoakRun {
  readonly n: number;
  readonly outcome: string;
  readonly seconds: number;
  readonly writesSeen: number;
}

export interface SoakResult {
  readonly rows: number;
  readonly legacyRows: number;
  readonly runs: readonly SoakRun[];
  readonly kills: number;
  readonly rowsChecked: number;
  readonly rowsMissing: number;
  readonly rowsMismatched: number;
  readonly targetedKeysOk: number;
  readonly targetedKeysWrong: number;
  readonly preexistingKeysUntouched: number;
  readonly preexistingKeysChanged: number;
  readonly unexpectedKeys: number;
  readonly emptyCellsKept: number;
  /** Write requests of the bearer-token rerun after the state was complete (must be 0). */
  readonly rerunWrites: number;
  readonly requests: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly faultsFired: Readonly<Record<string, number>>;
  readonly answered429: number;
  readonly legitAuthFailures: number;
  readonly craftedRejected: number;
  readonly craftedTotal: number;
  readonly secretHits: readonly string[];
  readonly scannedFiles: number;
  readonly scannedBytes: number;
  readonly problems: readonly string[];
  readonly ok: boolean;
  readonly seconds: number;
}

interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function startBin(args: readonly string[], env: Readonly<Record<string, string>>): { done: Promise<ChildRun>; kill: () => void } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const done = new Promise<ChildRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function writes(counters: Record<string, RouteCounter>): number {
  return WRITE_ROUTES.reduce((n, r) => n + (counters[r]?.requests ?? 0), 0);
}

/** The fault rules of the soak (see the module comment). */
export function soakFaults(stormPeriodMs: number, stormMs: number): FaultRule[] {
  return [
    { id: 'storm-retry-after', window: { periodMs: stormPeriodMs, durationMs: stormMs, offsetMs: Math.floor(stormPeriodMs / 4) }, action: { type: 'rateLimit', retryAfter: 1 } },
    { id: 'storm-no-retry-after', window: { periodMs: stormPeriodMs, durationMs: stormMs, offsetMs: Math.floor((3 * stormPeriodMs) / 4) }, action: { type: 'rateLimit', retryAfter: null } },
    { id: 'commit-then-fail', route: [...WRITE_ROUTES], probability: 0.01, action: { type: 'commitThenFail', status: 500 } },
    { id: 'reset', probability: 0.01, action: { type: 'reset' } },
    { id: 'reset-after-commit', probability: 0.01, action: { type: 'reset', commit: true } },
    { id: '5xx-500', probability: 0.05 / 3, action: { type: 'status', status: 500 } },
    { id: '5xx-502-html', probability: 0.05 / 3, action: { type: 'html', status: 502 } },
    { id: '5xx-503', probability: 0.05 / 3, action: { type: 'status', status: 503 } },
  ];
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? 7;
  const kills = options.kills ?? 3;
  const stormPeriodMs = options.stormPeriodMs ?? 20_000;
  const stormMs = options.stormMs ?? 1_500;
  const problems: string[] = [];
  const dir = options.workDir;
  const stateDir = join(dir, 'state');
  const outDir = join(dir, 'outputs');
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const logDump = join(dir, 'emulator-requests.jsonl');
  const legacy = Math.min(options.legacyRows, options.rows);

  // ---- the emulator: legacy rows first (some with metadata), then generated backed rows
  const legacySeeds = Array.from({ length: legacy }, (_, i) => ({
    backingItemUuid: null,
    title: `legacy/unit_${String(i).padStart(7, '0')}.jpg`,
    metadata: i % 2 === 0 ? { source: 'v1-only', keyframes: [i % 17, 40], qa_status: 'approved' } : {},
  }));
  log(`emulator: ${options.rows} data units (${legacy} legacy), seed ${seed}`);
  const emu = await spawnEmulator({
    emulator: {
      seed,
      typedSchema: SOAK_SCHEMA,
      datasets: [{ title: `soak (${options.rows} units)`, rows: legacySeeds, generate: options.rows - legacy }],
      requestLog: { maxEntries: 200_000, maxBodyChars: options.logBodyChars ?? 1_000_000, maxTotalChars: 2_000_000_000 },
    },
    logDump,
    nodeFlags: ['--max-old-space-size=16384'],
  });
  const runs: SoakRun[] = [];
  try {
    const dataset = emu.datasets[0]!.hash;

    // ---- the file, keyed by data hash, and the expected final state of every unit
    const rand = rng(seed * 7919 + 1);
    const expected = new Map<string, { before: string; values: Readonly<Record<string, JsonValue>> }>();
    const file = join(dir, 'soak.csv');
    const chunks: string[] = [`${['data_hash', ...FILE_KEYS].join(',')}\n`];
    let lines: string[] = [];
    await emu.eachRow(dataset, (row) => {
      const r = fileRow(row.index, rand);
      expected.set(row.dataHash, { before: JSON.stringify(row.metadata), values: r.values });
      lines.push([row.dataHash, ...r.cells].map(csvField).join(','));
      if (lines.length >= 10_000) {
        chunks.push(`${lines.join('\n')}\n`);
        lines = [];
      }
    });
    if (lines.length > 0) chunks.push(`${lines.join('\n')}\n`);
    writeFileSync(file, chunks.join(''));
    chunks.length = 0;
    log(`file: ${expected.size} rows, ${(statSync(file).size / 2 ** 20).toFixed(1)} MB`);

    // ---- faults on from here (their storm windows start now)
    await emu.setFaults(soakFaults(stormPeriodMs, stormMs));

    const args = [
      '--domain', emu.url, '--ssh-key', KEY_ENCRYPTED, '--ssh-key-passphrase-env', 'SOAK_KEY_PASSPHRASE',
      'import', file, '--dataset', dataset, '--state-dir', stateDir,
      '--batch-size', String(options.batchSize), '--concurrency', String(options.concurrency), '--rate-limit', '10000',
      '--summary', join(stateDir, 'summary.json'), '--no-progress',
    ];
    const env = { HOME: dir, SOAK_KEY_PASSPHRASE: PASSPHRASE };
    const outputs: string[] = [];
    const keep = (n: number, r: ChildRun): void => {
      writeFileSync(join(outDir, `run-${n}.stdout.txt`), r.stdout);
      writeFileSync(join(outDir, `run-${n}.stderr.txt`), r.stderr);
      try {
        writeFileSync(join(outDir, `run-${n}.summary.json`), readFileSync(join(stateDir, 'summary.json')));
      } catch {
        // a killed run writes no summary
      }
      outputs.push(r.stdout, r.stderr);
    };

    // ---- three SIGKILLs at random points of the writing, each followed by the same command
    const killRand = rng(seed * 31 + 5);
    const totalWrites = Math.ceil((options.rows - legacy) / options.batchSize) + legacy;
    for (let k = 1; k <= kills; k += 1) {
      const before = writes((await emu.counters()).counters);
      const remaining = Math.max(3, totalWrites - before);
      const at = Math.max(1, Math.floor(remaining * (0.1 + 0.3 * killRand())));
      const t0 = performance.now();
      const run = startBin(args, env);
      let ended = false;
      void run.done.then(() => (ended = true));
      let seen = 0;
      while (!ended) {
        seen = writes((await emu.counters()).counters) - before;
        if (seen >= at) {
          run.kill();
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      const r = await run.done;
      keep(k, r);
      const outcome = r.signal === 'SIGKILL' ? 'SIGKILL' : `exit ${r.code}`;
      runs.push({ n: k, outcome, seconds: (performance.now() - t0) / 1000, writesSeen: seen });
      log(`run ${k}: ${outcome} after ${seen} write requests (kill point ${at})`);
      if (r.signal !== 'SIGKILL') problems.push(`run ${k} was meant to be killed but ended first (${outcome}): ${r.stderr.slice(-500)}`);
    }

    // ---- rerun until it reports success
    let finished = false;
    for (let n = kills + 1; n <= kills + (options.maxFinishingRuns ?? 6) && !finished; n += 1) {
      const before = writes((await emu.counters()).counters);
      const t0 = performance.now();
      const r = await startBin(args, env).done;
      keep(n, r);
      const seen = writes((await emu.counters()).counters) - before;
      runs.push({ n, outcome: `exit ${r.code}`, seconds: (performance.now() - t0) / 1000, writesSeen: seen });
      log(`run ${n}: exit ${r.code}, ${seen} write requests; ${r.stdout.trim().split('\n').slice(-3).join(' / ')}`);
      finished = r.code === 0;
      if (r.code !== 0 && r.code !== 3) problems.push(`run ${n} exited ${r.code}: ${r.stderr.slice(-500)}`);
    }
    if (!finished) problems.push('no run finished cleanly');

    // ---- the next night: a bearer token this time, the same file; must write nothing
    const client = createEncordClient({
      auth: (await loadCredentials({ sshKeyPath: KEY_PLAIN, env: {} })).auth,
      domain: emu.url,
      retryBaseDelayMs: 20,
      maxRetryAfterMs: 2000,
      maxRetries: 10,
    });
    const token = await client.getBearerToken();
    await client.close();
    const beforeRerun = writes((await emu.counters()).counters);
    const bearerArgs = args.map((a) => a);
    bearerArgs.splice(bearerArgs.indexOf('--ssh-key'), 4, '--bearer-token-env', 'SOAK_TOKEN');
    const rerunStarted = performance.now();
    const rerun = await startBin(bearerArgs, { HOME: dir, SOAK_TOKEN: token }).done;
    const n = runs.length + 1;
    keep(n, rerun);
    const rerunWrites = writes((await emu.counters()).counters) - beforeRerun;
    runs.push({ n, outcome: `exit ${rerun.code} (bearer token)`, seconds: (performance.now() - rerunStarted) / 1000, writesSeen: rerunWrites });
    log(`run ${n} (bearer token, nothing to do): exit ${rerun.code}, ${rerunWrites} write requests`);
    if (rerun.code !== 0) problems.push(`the bearer-token rerun exited ${rerun.code}: ${rerun.stderr.slice(-500)}`);

    // ---- the final state, unit by unit (faults off; their counts kept first)
    const faultStats = (await emu.counters()).faults;
    await emu.setFaults([]);
    const final = { checked: 0, mismatched: 0, targetedOk: 0, targetedWrong: 0, preOk: 0, preChanged: 0, unexpected: 0, emptyKept: 0 };
    const seenHashes = new Set<string>();
    let reported = 0;
    await emu.eachRow(dataset, (row) => {
      const want = expected.get(row.dataHash);
      if (want === undefined) return;
      seenHashes.add(row.dataHash);
      final.checked += 1;
      const before = JSON.parse(want.before) as Metadata;
      const got = row.metadata;
      let bad = false;
      for (const [k, v] of Object.entries(want.values)) {
        if (jsonEqual(got[k], v)) final.targetedOk += 1;
        else {
          final.targetedWrong += 1;
          bad = true;
        }
      }
      for (const [k, v] of Object.entries(before)) {
        if (k in want.values) continue;
        if (jsonEqual(got[k], v)) final.preOk += 1;
        else {
          final.preChanged += 1;
          bad = true;
        }
      }
      for (const k of FILE_KEYS) if (!(k in want.values) && jsonEqual(got[k], before[k])) final.emptyKept += 1;
      for (const k of Object.keys(got)) {
        if (!(k in want.values) && !(k in before)) {
          final.unexpected += 1;
          bad = true;
        }
      }
      if (bad) {
        final.mismatched += 1;
        if (reported++ < 5) problems.push(`unit ${row.dataHash}: want ${JSON.stringify({ ...before, ...want.values })}, got ${JSON.stringify(got)}`);
      }
    });
    const missing = expected.size - seenHashes.size;

    // ---- forged, replayed, stale and unregistered signatures: all rejected, and nothing else was
    const countersBefore = (await emu.counters()).counters;
    const legitAuthFailures = Object.values(countersBefore).reduce((n, c) => n + c.authFailures, 0);
    const crafted = await craftedRequests(emu, dataset, readFileSync(KEY_PLAIN, 'utf8'));
    const countersAfter = (await emu.counters()).counters;
    const authFailuresAfter = Object.values(countersAfter).reduce((n, c) => n + c.authFailures, 0);
    const craftedRejected = crafted.statuses.filter((s) => s === 401 || s === 400).length;
    if (authFailuresAfter - legitAuthFailures !== crafted.statuses.length) {
      problems.push(`the emulator counted ${authFailuresAfter - legitAuthFailures} auth failures for ${crafted.statuses.length} crafted requests`);
    }
    if (craftedRejected !== crafted.statuses.length) problems.push(`crafted requests answered ${crafted.statuses.join(', ')}`);
    if (legitAuthFailures !== 0) problems.push(`${legitAuthFailures} requests of the real client failed authentication`);

    const stats = await emu.counters();
    await emu.close();

    // ---- secrets: nothing in any output, report, journal, summary or the emulator's request log
    const seedHex = Buffer.from(decodeOpenSshPrivateKey(readFileSync(KEY_PLAIN, 'utf8')).seed).toString('hex');
    const needles = [
      seedHex,
      Buffer.from(seedHex, 'hex').toString('base64'),
      PASSPHRASE,
      token,
      ...crafted.secrets,
      ...[KEY_PLAIN, KEY_ENCRYPTED].flatMap((p) =>
        readFileSync(p, 'utf8')
          .split('\n')
          .filter((l) => l.length > 20 && !l.startsWith('-----')),
      ),
    ];
    const scan = await scanForSecrets([outDir, stateDir, logDump], needles);
    for (const text of outputs) {
      for (const hit of findSecrets(text, needles)) scan.hits.push(`process output: ${hit}`);
    }

    // ---- counts
    let requests = 0;
    let answered429 = 0;
    const byStatus: Record<string, number> = {};
    for (const c of Object.values(stats.counters)) {
      requests += c.requests;
      for (const [s, n] of Object.entries(c.byStatus)) byStatus[s] = (byStatus[s] ?? 0) + n;
      answered429 += c.byStatus[429] ?? 0;
    }
    const faultsFired = Object.fromEntries(faultStats.map((f) => [f.id, f.fired]));
    if (missing > 0) problems.push(`${missing} units missing from the dataset`);
    if (rerunWrites !== 0) problems.push(`the rerun after completion sent ${rerunWrites} write requests`);
    if (scan.hits.length > 0) problems.push(`secrets found: ${scan.hits.slice(0, 5).join('; ')}`);
    const killed = runs.filter((r) => r.outcome === 'SIGKILL').length;
    const ok =
      problems.length === 0 &&
      final.mismatched === 0 &&
      final.targetedWrong === 0 &&
      final.preChanged === 0 &&
      final.unexpected === 0 &&
      missing === 0 &&
      final.checked === options.rows &&
      killed === kills;
    return {
      rows: options.rows,
      legacyRows: legacy,
      runs,
      kills: killed,
      rowsChecked: final.checked,
      rowsMissing: missing,
      rowsMismatched: final.mismatched,
      targetedKeysOk: final.targetedOk,
      targetedKeysWrong: final.targetedWrong,
      preexistingKeysUntouched: final.preOk,
      preexistingKeysChanged: final.preChanged,
      unexpectedKeys: final.unexpected,
      emptyCellsKept: final.emptyKept,
      rerunWrites,
      requests,
      byStatus,
      faultsFired,
      answered429,
      legitAuthFailures,
      craftedRejected,
      craftedTotal: crafted.statuses.length,
      secretHits: scan.hits,
      scannedFiles: scan.files,
      scannedBytes: scan.bytes,
      problems,
      ok,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await emu.close();
  }
}

/** The last line of a soak: stable and greppable. */
export function soakLine(r: SoakResult): string {
  const faults = Object.entries(r.faultsFired)
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  return (
    `SOAK result=${r.ok ? 'PASS' : 'FAIL'} rows=${r.rows} legacy_rows=${r.legacyRows} runs=${r.runs.length} sigkills=${r.kills} ` +
    `rows_checked=${r.rowsChecked} rows_missing=${r.rowsMissing} rows_mismatched=${r.rowsMismatched} ` +
    `targeted_keys_ok=${r.targetedKeysOk} targeted_keys_wrong=${r.targetedKeysWrong} ` +
    `preexisting_keys_untouched=${r.preexistingKeysUntouched} preexisting_keys_changed=${r.preexistingKeysChanged} ` +
    `unexpected_keys=${r.unexpectedKeys} empty_cells_kept=${r.emptyCellsKept} rerun_write_requests=${r.rerunWrites} ` +
    `requests=${r.requests} answered_429=${r.answered429} faults_fired=${faults} ` +
    `legit_auth_failures=${r.legitAuthFailures} crafted_rejected=${r.craftedRejected}/${r.craftedTotal} ` +
    `secret_hits=${r.secretHits.length} scanned_files=${r.scannedFiles} scanned_mb=${(r.scannedBytes / 2 ** 20).toFixed(1)} ` +
    `seconds=${r.seconds.toFixed(1)}`
  );
}
