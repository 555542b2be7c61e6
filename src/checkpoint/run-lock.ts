/**
 * One run per dataset at a time: a lock file created with O_EXCL in the state directory. A lock left by
 * a crashed or killed run (its pid is gone, on this host) is taken over, so a SIGKILL never blocks the
 * nightly rerun that is meant to finish the job.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MetaError } from '../errors.js';

interface LockInfo {
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

export class RunLock {
  private constructor(readonly path: string) {}

  static acquire(stateDir: string, datasetHash: string): RunLock {
    const dir = join(stateDir, 'locks');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${datasetHash.replace(/[^A-Za-z0-9_-]/g, '_')}.lock`);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(path, 'wx');
        const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
        writeSync(fd, JSON.stringify(info));
        closeSync(fd);
        return new RunLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new MetaError('STATE_IO', `cannot create lock ${path}: ${(error as Error).message}`, { cause: error });
        }
        let info: LockInfo | undefined;
        try {
          info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
        } catch {
          info = undefined; // torn lock file: its writer died mid-write
        }
        const stale = !info || (info.host === hostname() && !alive(info.pid));
        if (!stale) {
          throw new MetaError(
            'LOCKED',
            `another run (pid ${info!.pid} on ${info!.host}, started ${info!.startedAt}) is importing into dataset ${datasetHash}; ` +
              `wait for it, or delete ${path} if that run is gone`,
          );
        }
        rmSync(path, { force: true });
      }
    }
    throw new MetaError('LOCKED', `could not take the lock ${path}`);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}
