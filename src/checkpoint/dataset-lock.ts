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
import { lstatSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { MetaError } from '../errors.js';
import { mkdirPrivate } from '../private-files.js';
import { RunLock } from './run-lock.js';

export interface DatasetLockOptions {
  /** State directory whose `locks/` also gets a lock; none when unset. */
  readonly stateDir?: string | undefined;
  /** The Encord domain the run writes to (a dataset hash is only unique per domain). */
  readonly domain: string;
  readonly datasetHash: string;
  /** What the lock guards, in the LOCKED message. @default `dataset <datasetHash>` */
  readonly label?: string | undefined;
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

/** The machine-wide lock file of a dataset on a domain. */
export function machineLockPath(domain: string, datasetHash: string): string {
  const readable = `${domain.toLowerCase().replace(/^https?:\/\//, '')}-${datasetHash}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
  const digest = createHash('sha256').update(`${domain}\n${datasetHash}`).digest('hex').slice(0, 12);
  return join(machineLockDir(), `${readable}-${digest}.lock`);
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
  const label = options.label ?? `dataset ${options.datasetHash}`;
  const what = `${label} on ${options.domain}`;
  const held: RunLock[] = [RunLock.acquireFile(machineLockPath(options.domain, options.datasetHash), what)];
  try {
    if (options.stateDir) held.push(RunLock.acquire(options.stateDir, options.datasetHash, label));
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
