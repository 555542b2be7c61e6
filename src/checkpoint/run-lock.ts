/**
 * One lock file, created with O_EXCL (0600, in a 0700 directory). A lock left by a crashed or killed run
 * (its pid is gone, on this host) is taken over, so a SIGKILL never blocks the nightly rerun that is meant
 * to finish the job. `acquireDatasetLock` (dataset-lock.ts) combines these into the lock every writing
 * run takes.
 */
import { closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MetaError } from '../errors.js';
import { mkdirPrivateFor, openPrivate } from '../private-files.js';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readInfo(path: string): { text: string; info: LockInfo | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // released meanwhile
    throw error;
  }
  try {
    return { text, info: JSON.parse(text) as LockInfo };
  } catch {
    return { text, info: undefined }; // torn lock file: its writer died mid-write
  }
}

export class RunLock {
  private constructor(readonly path: string) {}

  /** The state-directory lock of a dataset: `<stateDir>/locks/<dataset>.lock`. */
  static acquire(stateDir: string, datasetHash: string, label = `dataset ${datasetHash}`): RunLock {
    return RunLock.acquireFile(join(stateDir, 'locks', `${datasetHash.replace(/[^A-Za-z0-9_-]/g, '_')}.lock`), label);
  }

  /** Take the lock file `path`; `what` names the locked thing in the LOCKED message. */
  static acquireFile(path: string, what: string): RunLock {
    try {
      mkdirPrivateFor(path);
    } catch (error) {
      throw new MetaError('STATE_IO', `cannot create the lock directory for ${path}: ${(error as Error).message}`, { cause: error });
    }
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const fd = openPrivate(path, 'wx');
        const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
        writeSync(fd, JSON.stringify(info));
        closeSync(fd);
        return new RunLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new MetaError('STATE_IO', `cannot create lock ${path}: ${(error as Error).message}`, { cause: error });
        }
        const seen = readInfo(path);
        if (!seen) continue;
        const { info } = seen;
        const stale = !info || (info.host === hostname() && !alive(info.pid));
        if (!stale) {
          throw new MetaError(
            'LOCKED',
            `another run (pid ${info.pid} on ${info.host}, started ${info.startedAt}) is writing to ${what}; ` +
              `wait for it, or delete ${path} if that run is gone`,
          );
        }
        // Take over only the stale lock we read: a run that replaced it meanwhile keeps its own.
        if (readInfo(path)?.text === seen.text) rmSync(path, { force: true });
      }
    }
    throw new MetaError('LOCKED', `could not take the lock ${path}; another run keeps taking it: retry`);
  }

  /** Who holds the lock file `path`, when a live run does (a stale or torn lock, or none: undefined). */
  static holder(path: string): LockInfo | undefined {
    const seen = readInfo(path);
    if (!seen?.info) return undefined;
    const { info } = seen;
    return info.host === hostname() && !alive(info.pid) ? undefined : info;
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}
