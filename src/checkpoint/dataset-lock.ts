/**
 * The lock every writing run (import, set, rollback) takes on a dataset. Two files:
 *
 * - `<stateDir>/locks/<dataset>.lock` when a state directory is set (what older versions take, so a new
 *   run and an old one still exclude each other);
 * - a machine-wide one, `<os tmpdir>/encord-meta-<uid>/locks/<domain>-<dataset>.lock`, so two runs on this
 *   machine exclude each other even when they use different `--state-dir` or `HOME`. The directory is
 *   per user (0700, must be ours and not a symlink): a directory shared by every user would let anyone
 *   plant or hold our locks. Runs of two different users, or with different TMPDIR, are not excluded.
 *
 * Lock files are 0600; a lock left by a dead process on this host is taken over (see run-lock.ts).
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { MetaError } from '../errors.js';
import { mkdirPrivate } from '../private-files.js';
import { RunLock } from './run-lock.js';
import { lockShardOf, shardTag, shardsOverlap, type Shard } from './shard-names.js';

export interface DatasetLockOptions {
  /** State directory whose `locks/` also gets a lock; none when unset. */
  readonly stateDir?: string | undefined;
  /** The Encord domain the run writes to (a dataset hash is only unique per domain). */
  readonly domain: string;
  readonly datasetHash: string;
  /** What the lock guards, in the LOCKED message. @default `dataset <datasetHash>` */
  readonly label?: string | undefined;
  /**
   * `import --shard I/N`: lock only this shard (`….shard-I-of-N.lock`), so the N workers of one dataset
   * run side by side while two workers of one shard still exclude each other. A run whose items may
   * overlap a live run's (an unsharded run and any shard, shards of different N) is refused either way.
   */
  readonly shard?: Shard | undefined;
}

/** The lock key of a storage folder (`set --folder`, and the rollback of such a run). */
export function folderLockKey(folderUuid: string): string {
  return `folder-${folderUuid}`;
}

export interface DatasetLock {
  readonly paths: readonly string[];
  release(): void;
}

function userTag(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid !== undefined) return String(uid);
  return userInfo().username.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** `<tmpdir>/encord-meta-<uid>/locks`. */
export function machineLockDir(): string {
  return join(tmpdir(), `encord-meta-${userTag()}`, 'locks');
}

/** The machine-wide lock file of a dataset on a domain (of one shard of it, with `shard`). */
export function machineLockPath(domain: string, datasetHash: string, shard?: Shard): string {
  return join(machineLockDir(), `${machineLockBase(domain, datasetHash)}${lockSuffix(shard)}`);
}

/** `<domain>-<dataset>-<digest>`: the machine-wide lock name of a dataset, before `.lock`. */
function machineLockBase(domain: string, datasetHash: string): string {
  const readable = `${domain.toLowerCase().replace(/^https?:\/\//, '')}-${datasetHash}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
  const digest = createHash('sha256').update(`${domain}\n${datasetHash}`).digest('hex').slice(0, 12);
  return `${readable}-${digest}`;
}

function lockSuffix(shard: Shard | undefined): string {
  return shard ? `.${shardTag(shard)}.lock` : '.lock';
}

/** The domain of a store, when it says (the Encord client does); stores that do not share one key. */
export function lockDomainOf(store: unknown): string {
  const domain = (store as { domain?: unknown } | null)?.domain;
  return typeof domain === 'string' && domain !== '' ? domain : 'unknown-domain';
}

/** Make the per-user lock directory, and refuse one that is not ours or is reachable by others. */
function ensureMachineDir(): string {
  const dir = machineLockDir();
  const parent = join(dir, '..');
  try {
    mkdirPrivate(dir);
  } catch (error) {
    throw new MetaError('STATE_IO', `cannot create the lock directory ${dir}: ${(error as Error).message}`, { cause: error });
  }
  for (const d of [parent, dir]) {
    const st = lstatSync(d);
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (process.platform !== 'win32' && (st.mode & 0o077) !== 0)) {
      throw new MetaError('STATE_IO', `the lock directory ${d} is not a private directory of this user (mode 0700, owned by you); remove it and rerun`);
    }
  }
  return dir;
}

export function acquireDatasetLock(options: DatasetLockOptions): DatasetLock {
  ensureMachineDir();
  const { shard } = options;
  const label = options.label ?? `dataset ${options.datasetHash}`;
  const what = `${shard ? `shard ${shard.index} of ${shard.count} of ` : ''}${label} on ${options.domain}`;
  const machineDir = machineLockDir();
  const machineBase = machineLockBase(options.domain, options.datasetHash);
  const held: RunLock[] = [RunLock.acquireFile(machineLockPath(options.domain, options.datasetHash, shard), what)];
  try {
    refuseOverlap(machineDir, machineBase, shard, options.datasetHash);
    if (options.stateDir) {
      const stateBase = options.datasetHash.replace(/[^A-Za-z0-9_-]/g, '_');
      held.push(RunLock.acquireFile(join(options.stateDir, 'locks', `${stateBase}${lockSuffix(shard)}`), what));
      refuseOverlap(join(options.stateDir, 'locks'), stateBase, shard, options.datasetHash);
    }
  } catch (error) {
    for (const lock of held) lock.release();
    throw error;
  }
  return {
    paths: held.map((l) => l.path),
    release() {
      for (const lock of held.reverse()) lock.release();
      held.length = 0;
    },
  };
}

/**
 * After taking its own lock file, a run looks for live locks of the same dataset whose items may overlap
 * its own (an unsharded run and any shard; shards of different N). Each of two runs starting together
 * takes its file before it looks, so at least one of them sees the other: never both run.
 */
function refuseOverlap(dir: string, base: string, shard: Shard | undefined, datasetHash: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const other = lockShardOf(name, base);
    if (other === undefined) continue;
    const same = other === null ? shard === undefined : shard !== undefined && other.index === shard.index && other.count === shard.count;
    if (same || !shardsOverlap(shard, other ?? undefined)) continue;
    const info = RunLock.holder(join(dir, name));
    if (!info) continue;
    const theirs = other === null ? 'an unsharded run' : `shard ${other.index} of ${other.count}`;
    const ours = shard ? `shard ${shard.index} of ${shard.count}` : 'this run';
    throw new MetaError(
      'LOCKED',
      `${theirs} (pid ${info.pid} on ${info.host}, started ${info.startedAt}) is writing to dataset ${datasetHash}, and its items may overlap ${ours}'s; ` +
        `wait for it (shards of one job must all use the same N), or delete ${join(dir, name)} if that run is gone`,
    );
  }
}
