/**
 * Shared bits of the benchmark scripts: flags, the schema of the 8-column benchmark CSV, the client, the
 * machine note, and the greppable result lines.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createEncordClient, type EncordClient } from '../../../src/encord/client.js';
import { loadCredentials } from '../../../src/encord/key-source.js';
import type { WireTypedSchema } from '../../../src/encord/protocol/types.js';
import { writeBigCsv } from '../../fixtures/make-big-csv.js';
import { DIST, TEST_KEY } from './cli-child.js';

/** `--name value` / `--name=value` / `--flag` parsing; unknown flags are an error so typos do not pass silently. */
export function parseFlags<T extends Record<string, string | number | boolean>>(argv: readonly string[], defaults: T, usage: string): T {
  const out: Record<string, string | number | boolean> = { ...defaults };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument ${arg}\n${usage}`);
    const name = m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(name in defaults)) throw new Error(`unknown flag --${m[1]}\n${usage}`);
    const kind = typeof defaults[name];
    if (kind === 'boolean') {
      out[name] = m[2] === undefined ? true : m[2] !== 'false';
      continue;
    }
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) throw new Error(`--${m[1]} needs a value\n${usage}`);
    if (kind === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new Error(`--${m[1]} expects a number, got ${raw}`);
      out[name] = n;
    } else out[name] = raw;
  }
  return out as T;
}

/** The org schema that fits `scripts/fixtures/make-big-csv.ts` (its `title` column is an id column, not imported). */
export const BIG_CSV_SCHEMA: WireTypedSchema = {
  captured_at: { ty: 'datetime', timezone: 'UTC' },
  city: { ty: 'varchar', max_length: 8192 },
  dark: { ty: 'boolean' },
  weather: { ty: 'enum', values: ['sunny', 'rain', 'snow', 'fog', 'overcast', 'storm "heavy"'] },
  gps: { ty: 'geospatial' },
  embedding: { ty: 'embedding', size: 4, api: null },
};

/** The big CSV for `rows` rows (seed 42), generated once into `path` and reused. */
export async function ensureBigCsv(path: string, rows: number): Promise<string> {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    await writeBigCsv(`${path}.partial`, rows);
    const { renameSync } = await import('node:fs');
    renameSync(`${path}.partial`, path);
  }
  return path;
}

/** A client signed with the spec's TEST-ONLY key, for setup and for the baseline loop. */
export async function testClient(domain: string, extra: { maxRequestsPerSecond?: number; concurrency?: number } = {}): Promise<EncordClient> {
  const { auth } = await loadCredentials({ sshKeyPath: TEST_KEY, env: {} });
  return createEncordClient({ auth, domain, maxRequestsPerSecond: extra.maxRequestsPerSecond ?? 10_000, concurrency: extra.concurrency ?? 8, timeoutMs: 600_000 });
}

export function machineNote(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  let nproc = String(cpus().length);
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // keep os.cpus()
  }
  return `nproc=${nproc} cpu="${cpu}" mem=${(totalmem() / 2 ** 30).toFixed(1)}GiB node=${process.version} build=${distFingerprint()} date=${new Date().toISOString()}`;
}

/** sha256 (first 12 hex) over every .js file of the built tree in use: which build a figure belongs to. */
export function distFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.js')) hash.update(name).update(readFileSync(path));
    }
  };
  try {
    walk(DIST);
  } catch {
    return 'unbuilt';
  }
  return hash.digest('hex').slice(0, 12);
}

export const mb = (kb: number): string => (kb / 1024).toFixed(0);
export const fixed = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : 'NaN');

/** A result line: `RESULT <name> key=value ...`, the stable greppable form every script ends with. */
export function result(name: string, fields: Readonly<Record<string, string | number | boolean>>): void {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`);
  process.stdout.write(`RESULT ${name} ${parts.join(' ')}\n`);
}

export function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
