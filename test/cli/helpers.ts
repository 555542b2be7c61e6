/**
 * CLI test helpers: an emulator seeded with the demo dataset (the one the samples address), the TEST-ONLY
 * key as ENCORD_SSH_KEY, and `cli(argv)` running the whole command line in-process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { runCli } from '../../src/cli/run-cli.js';
import { bufferIo } from '../../src/cli/io.js';
import { DEMO_DATASET_HASH, demoDatasetSeed } from '../../src/cli/demo-data.js';
import { makeTempDir } from '../temp-dirs.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SAMPLES = join(ROOT, 'samples');
export const DATASET = DEMO_DATASET_HASH;
export const TEST_KEY_TEXT = readFileSync(join(SAMPLES, 'keys', 'demo-test-key'), 'utf8');
export const TEST_PUBLIC_KEY = readFileSync(join(SAMPLES, 'keys', 'demo-test-key.pub'), 'utf8').trim();

/** The emulator with the demo dataset (600 units, some with metadata already, a few legacy rows). */
export function demoEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, datasets: [demoDatasetSeed()], ...options });
}

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface CliEnv {
  readonly url: string;
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly prompt?: (question: string) => Promise<string>;
  readonly signal?: AbortSignal;
}

/** A fresh state dir per test file, so locks and journals never collide. */
export function tempDir(prefix = 'encord-meta-cli-'): string {
  return makeTempDir(prefix);
}

export function envFor(url: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    HOME: tempDir('encord-meta-home-'),
    ENCORD_DOMAIN: url,
    ENCORD_SSH_KEY: TEST_KEY_TEXT,
    ...extra,
  };
}

/** Run `encord-meta ARGV` in-process. */
export async function cli(argv: readonly string[], where: CliEnv): Promise<CliRun> {
  const io = bufferIo({
    env: where.env ?? envFor(where.url),
    cwd: where.cwd ?? ROOT,
    ...(where.prompt && { prompt: where.prompt }),
    ...(where.signal && { signal: where.signal }),
  });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** The last line of stdout parsed as JSON (commands print one JSON document with --json). */
export function lastJson(out: string): unknown {
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

/** The built bin (`ENCORD_META_TEST_BIN` points the spawned tests at another build). */
export const BIN = process.env['ENCORD_META_TEST_BIN'] ?? join(ROOT, 'dist', 'cli', 'main.js');

/** Build dist/ once if it is missing, as `npm run build` does (CI builds before tests). */
export function ensureBuilt(): void {
  if (existsSync(BIN)) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build', 'bundle-cli.mjs')], { stdio: 'inherit' });
}

/** Spawn the built bin, as a user (or cron) would. */
export function spawnBin(argv: readonly string[], env: Record<string, string | undefined>, cwd = ROOT): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** Write requests the emulator received (any route that changes metadata or the schema). */
export function writeRequests(emulator: Emulator, afterId = 0): number {
  return emulator.requestLog.find({ route: ['v1:datarow:POST', 'v2:item:PATCH', 'v2:patch-bulk', 'v2:schema:POST', 'v2:schema-v2:POST'], afterId }).length;
}
