/**
 * Files that hold business metadata (failure reports, undo journals, summaries, listings, locks, copies
 * of standard input) are private to the user who runs the tool: created 0600 in directories created
 * 0700, whatever the umask says. Directories that already exist keep their mode: a user who made
 * `/var/lib/encord-meta` group-readable on purpose keeps that choice.
 */
import { chmodSync, createWriteStream, mkdirSync, openSync, writeFileSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** `mkdir -p` with 0700 for every directory it creates. */
export function mkdirPrivate(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is filtered by the umask; a umask of 0077 or stricter is fine, a looser one is not.
  if (first !== undefined) {
    let d = dir;
    for (;;) {
      chmodSync(d, PRIVATE_DIR_MODE);
      if (d === first) break;
      const up = dirname(d);
      if (up === d) break;
      d = up;
    }
  }
}

/** Make the parent directory of `path` (0700 where created). */
export function mkdirPrivateFor(path: string): void {
  mkdirPrivate(dirname(path));
}

/**
 * `openSync(path, flags)` creating the file 0600 (and its directory 0700). An existing file keeps its
 * mode unless `tighten`: reports and journals are ours, so they are tightened.
 */
export function openPrivate(path: string, flags: string, tighten = true): number {
  mkdirPrivateFor(path);
  const fd = openSync(path, flags, PRIVATE_FILE_MODE);
  if (tighten) chmodSync(path, PRIVATE_FILE_MODE);
  return fd;
}

/** `writeFileSync` that creates the file 0600 (and its directory 0700). */
export function writeFilePrivate(path: string, data: string | Uint8Array): void {
  mkdirPrivateFor(path);
  writeFileSync(path, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** A write stream on a file created 0600 (and its directory 0700); truncates like `createWriteStream`. */
export function createPrivateWriteStream(path: string, encoding: BufferEncoding = 'utf8'): WriteStream {
  const fd = openPrivate(path, 'w');
  return createWriteStream(path, { fd, encoding });
}
