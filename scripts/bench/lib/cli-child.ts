/**
 * Run the built CLI in a child process (through `cli-probe.mjs`) and collect its exit, output, wall time,
 * peak RSS and phase times. Peak RSS comes from `/usr/bin/time -f %M` when that exists, else from the
 * probe's `process.resourceUsage().maxRSS`; both measure the importer process alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const PROBE = fileURLToPath(new URL('./cli-probe.mjs', import.meta.url));
/** The built tree under test: `dist/`, or a frozen copy named by ENCORD_META_DIST (see run-all.sh). */
export const DIST = process.env['ENCORD_META_DIST'] ?? join(REPO, 'dist');
export const BIN = join(DIST, 'cli', 'main.js');
/** 0600 copies of the TEST-ONLY keys: key files readable by others are refused (the committed ones are 0644). */
const KEYS_DIR = mkdtempSync(join(tmpdir(), 'encord-meta-bench-keys-'));
const privateCopy = (name: string): string => {
  const path = join(KEYS_DIR, name);
  writeFileSync(path, readFileSync(join(REPO, 'test', 'fixtures', 'keys', name)), { mode: 0o600 });
  return path;
};
export const TEST_KEY = privateCopy('test-key');
export const TEST_KEY_PASSPHRASE = privateCopy('test-key-passphrase');
const GNU_TIME = '/usr/bin/time';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time seen by the parent, spawn to exit (includes Node start-up). */
  readonly wallMs: number;
  /** Peak RSS of the CLI process, kB (0 if it was SIGKILLed before it could report). */
  readonly maxRssKb: number;
  readonly rssSource: 'gnu-time' | 'resourceUsage' | 'none';
  /** ms since the probe started at which each progress phase was first drawn. */
  readonly phases: Readonly<Record<string, number>>;
  /** `process.memoryUsage()` (MB) when each phase was first drawn, and at the end. */
  readonly memory: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface CliRunHandle {
  readonly pid: number;
  readonly done: Promise<CliRun>;
  kill(signal?: NodeJS.Signals): void;
}

export interface CliOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** SIGKILL the run after this long (a safety net: every benchmark stops by itself). @default 3600000 */
  readonly timeoutMs?: number;
  /** Run `node dist/cli/main.js` directly instead of the probe (no phases; RSS from GNU time only). */
  readonly plainBin?: boolean;
}

/** Start `encord-meta <args>`; `done` resolves when it exits, however it exits. */
export function startCli(args: readonly string[], options: CliOptions = {}): CliRunHandle {
  const dir = mkdtempSync(join(tmpdir(), 'encord-meta-cli-'));
  const probeOut = join(dir, 'probe.json');
  const timeOut = join(dir, 'time.txt');
  const useTime = existsSync(GNU_TIME);
  const nodeArgs = [options.plainBin === true ? BIN : PROBE, ...args];
  const [cmd, argv] = useTime ? [GNU_TIME, ['-f', '%M', '-o', timeOut, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const started = performance.now();
  const child = spawn(cmd, argv, {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env, BENCH_PROBE_OUT: probeOut },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 3_600_000);
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Math.round(performance.now() - started);
      let probe: { code?: number; maxRssKb?: number; phases?: Record<string, number>; memory?: Record<string, Record<string, number>> } = {};
      try {
        probe = JSON.parse(readFileSync(probeOut, 'utf8')) as typeof probe;
      } catch {
        // killed before it could write
      }
      let timeKb = 0;
      try {
        // GNU time writes "Command terminated by signal 9" first when the child was killed.
        const lines = readFileSync(timeOut, 'utf8').trim().split('\n');
        timeKb = Number(lines[lines.length - 1]) || 0;
      } catch {
        // no GNU time
      }
      rmSync(dir, { recursive: true, force: true });
      // GNU time exits with the child's status; a child killed by a signal shows as 128+n from time.
      let exitCode = code;
      let exitSignal = signal;
      if (useTime && code !== null && code > 128 && probe.code === undefined) {
        exitSignal = code === 137 ? 'SIGKILL' : code === 143 ? 'SIGTERM' : code === 130 ? 'SIGINT' : null;
        if (exitSignal !== null) exitCode = null;
      }
      resolve({
        code: exitCode,
        signal: exitSignal,
        stdout,
        stderr,
        wallMs,
        maxRssKb: timeKb || probe.maxRssKb || 0,
        rssSource: timeKb ? 'gnu-time' : probe.maxRssKb ? 'resourceUsage' : 'none',
        phases: probe.phases ?? {},
        memory: probe.memory ?? {},
      });
    });
  });
  return {
    pid: child.pid!,
    done,
    // With GNU time in between, signal the node process itself (time's only child) so it sees it.
    kill: (signal = 'SIGKILL') => killCli(child.pid!, useTime, signal),
  };
}

function killCli(pid: number, viaTime: boolean, signal: NodeJS.Signals): void {
  if (!viaTime) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
    return;
  }
  let target = pid;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    if (children[0] !== undefined) target = Number(children[0]);
  } catch {
    // no /proc: signal time itself
  }
  try {
    process.kill(target, signal);
  } catch {
    // already gone
  }
}

export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** Fail early and clearly when the CLI has not been built. */
export function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`build first: ${BIN} is missing (npm run build)`);
}
