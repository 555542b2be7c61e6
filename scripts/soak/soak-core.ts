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
import { createReadStream, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Ed25519Key } from '../../src/encord/ed25519-key.js';
import { createEncordClient } from '../../src/encord/client.js';
import { decodeOpenSshPrivateKey } from '../../src/encord/keys.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import type { JsonValue, Metadata, WireTypedSchema } from '../../src/encord/protocol/types.js';
import type { FaultRule, RouteCounter } from '../../src/emulator/index.js';
import { spawnEmulator, type EmulatorProcess } from '../bench/lib/emulator-process.js';
import { mulberry32 as rng } from '../../src/emulator/rng.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The real bin: `dist/`, or a frozen copy named by ENCORD_META_DIST (see scripts/bench/run-all.sh). */
export const BIN = join(process.env['ENCORD_META_DIST'] ?? join(REPO, 'dist'), 'cli', 'main.js');
const KEY_PLAIN = join(REPO, 'test', 'fixtures', 'keys', 'test-key');
const KEY_ENCRYPTED = join(REPO, 'test', 'fixtures', 'keys', 'test-key-passphrase');
/** The passphrase of the TEST-ONLY encrypted key (test/fixtures/keys/README.md). */
const PASSPHRASE = 'correct horse battery staple';

export const SOAK_SCHEMA: WireTypedSchema = {
  city: { ty: 'varchar', max_length: 8192 },
  note: { ty: 'varchar', max_length: 8192 },
  speed: { ty: 'number', format: 'F64' },
  dark: { ty: 'boolean' },
  weather: { ty: 'enum', values: ['clear', 'rain', 'fog', 'snow', 'overcast', 'sunny'] },
  captured_at: { ty: 'datetime', timezone: 'UTC' },
};
const FILE_KEYS = ['city', 'note', 'speed', 'dark', 'weather', 'captured_at'] as const;
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


const CITIES = ['Paris', 'Zürich', '東京', 'São Paulo', 'New York, NY', 'Köln', 'Reykjavík', 'Cape Town'];
const NOTES = ['ok', 'lens "smudge"', 'a, b; c', 'multi\nline', 'trailing space ', 'ünïcödé ✓', ''];
const WEATHER = ['clear', 'rain', 'fog', 'snow', 'overcast', 'sunny'];

/** One file row: the cells as written and the typed values they must become (empty cells: none). */
interface FileRow {
  readonly cells: readonly string[];
  readonly values: Readonly<Record<string, JsonValue>>;
}

function fileRow(i: number, rand: () => number): FileRow {
  const values: Record<string, JsonValue> = {};
  const cells: string[] = [];
  const empty = (): boolean => rand() < 0.04;
  // city
  if (empty()) cells.push('');
  else {
    const city = CITIES[Math.floor(rand() * CITIES.length)]!;
    cells.push(city);
    values['city'] = city;
  }
  // note (never empty here: an empty NOTES entry is the "empty cell" case)
  const note = NOTES[Math.floor(rand() * NOTES.length)]!;
  cells.push(note);
  if (note !== '') values['note'] = note;
  // speed
  if (empty()) cells.push('');
  else {
    const speed = Math.round(rand() * 100_000) / 100;
    cells.push(String(speed));
    values['speed'] = speed;
  }
  // dark
  const dark = rand() < 0.3;
  cells.push(dark ? 'true' : 'false');
  values['dark'] = dark;
  // weather
  if (empty()) cells.push('');
  else {
    const w = WEATHER[Math.floor(rand() * WEATHER.length)]!;
    cells.push(w);
    values['weather'] = w;
  }
  // captured_at, already in the canonical form the importer writes
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1500 + Math.floor(rand() * 1000)).toISOString();
  cells.push(at);
  values['captured_at'] = at;
  return { cells, values };
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
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

// ---------------------------------------------------------------- crafted requests

function send(url: string, method: string, target: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method, path: target, headers: { ...headers, 'content-length': String(body.length), 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Requests an attacker could send, each of which must be refused: a forged v1 signature, a v1 signature
 * replayed with another body, a v2 signature replayed with another body (digest as signed, and digest
 * recomputed), a stale v2 `created`, and a valid signature by a key the emulator does not know.
 */
async function craftedRequests(emu: EmulatorProcess, dataset: string, keyText: string): Promise<{ statuses: number[]; secrets: string[] }> {
  const key = Ed25519Key.fromSeed(decodeOpenSshPrivateKey(keyText).seed);
  const { privateKey } = generateKeyPairSync('ed25519');
  const strangerSeed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  const stranger = Ed25519Key.fromSeed(strangerSeed);
  const v1 = (query: object): Buffer => Buffer.from(JSON.stringify(query));
  const listBody = v1({ query_type: 'dataset', query_method: 'GET', values: { uid: null, payload: { dataset_access_settings: { fetch_client_metadata: false } } } });
  const otherBody = v1({ query_type: 'datarow', query_method: 'POST', values: { uid: dataset, payload: { client_metadata: { pwned: true } } } });
  const v1Headers = (authorization: string): Record<string, string> => ({ resourcetype: 'dataset', resourceid: dataset, authorization });
  const now = Math.floor(Date.now() / 1000) - 30;
  const target = '/v2/public/storage/items/get-bulk';
  const bulkA = Buffer.from(JSON.stringify({ itemUuids: [] }));
  const bulkB = Buffer.from(JSON.stringify({ itemUuids: ['00000000-0000-4000-8000-000000000000'] }));
  const secrets: string[] = [];
  const v2 = (h: { 'content-digest': string; 'signature-input': string; signature: string }): Record<string, string> => {
    secrets.push(h.signature.slice('encord-sig=:'.length, -1));
    return { ...h };
  };
  const legitV1 = key.v1Authorization(listBody);
  const forged = `${key.publicKeyHex}:${'ab'.repeat(64)}`;
  secrets.push(legitV1.split(':')[1]!, forged.split(':')[1]!);
  const signedA = key.v2SignatureHeaders('POST', target, bulkA, now);
  const strangerV1 = stranger.v1Authorization(listBody);
  secrets.push(strangerV1.split(':')[1]!);
  const statuses = await Promise.all([
    // forged v1 signature
    send(emu.url, 'POST', '/public', v1Headers(forged), listBody),
    // v1 replayed with another body
    send(emu.url, 'POST', '/public', v1Headers(legitV1), otherBody),
    // v2 replayed with another body, digest as signed
    send(emu.url, 'POST', target, v2(signedA), bulkB),
    // v2 replayed with another body, digest recomputed for it
    send(emu.url, 'POST', target, { ...v2(signedA), 'content-digest': key.v2SignatureHeaders('POST', target, bulkB, now)['content-digest'] }, bulkB),
    // stale: signed an hour ago
    send(emu.url, 'POST', target, v2(key.v2SignatureHeaders('POST', target, bulkA, now - 3600)), bulkA),
    // valid signatures by an unregistered key, v1 and v2
    send(emu.url, 'POST', '/public', v1Headers(strangerV1), listBody),
    send(emu.url, 'POST', target, v2(stranger.v2SignatureHeaders('POST', target, bulkA, now)), bulkA),
  ]);
  return { statuses, secrets };
}

// ---------------------------------------------------------------- secret scan

const V1_SIGNATURE = /[0-9a-f]{64}:[0-9a-f]{128}/i;
const V2_SIGNATURE = /encord-sig=:(?!\[REDACTED\])[A-Za-z0-9+/]{40,}={0,2}:/;
const BEARER = /Bearer\s+(?!\[REDACTED\])[A-Za-z0-9._~+/-]{16,}/;

/** Every needle or signature-shaped text in `text`, described without repeating the secret. */
export function findSecrets(text: string, needles: readonly string[]): string[] {
  const hits: string[] = [];
  for (const n of needles) if (n.length >= 8 && text.includes(n)) hits.push(`a known secret (${n.length} chars) at offset ${text.indexOf(n)}`);
  for (const [name, re] of [['v1 signature', V1_SIGNATURE], ['v2 signature', V2_SIGNATURE], ['bearer token', BEARER]] as const) {
    const m = re.exec(text);
    if (m) hits.push(`${name} at offset ${m.index}`);
  }
  return hits;
}

/** Scan files (recursively for directories) line by line, so a multi-GB request log is fine. */
async function scanForSecrets(paths: readonly string[], needles: readonly string[]): Promise<{ hits: string[]; files: number; bytes: number }> {
  const hits: string[] = [];
  let files = 0;
  let bytes = 0;
  const walk = (p: string): string[] => {
    try {
      const s = statSync(p);
      if (s.isDirectory()) return readdirSync(p).flatMap((e) => walk(join(p, e)));
      return s.isFile() ? [p] : [];
    } catch {
      return [];
    }
  };
  for (const file of paths.flatMap(walk)) {
    files += 1;
    bytes += statSync(file).size;
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n += 1;
      for (const hit of findSecrets(line, needles)) hits.push(`${file}:${n}: ${hit}`);
    }
  }
  return { hits, files, bytes };
}
