import { existsSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import type { BadRecord, RawRow, SourceItem, TabularSource } from '../../src/sources/source.js';
import { makeTempDir } from '../temp-dirs.js';

export const CSV_FIXTURES = fileURLToPath(new URL('../fixtures/csv/', import.meta.url));
export const PARQUET_FIXTURES = fileURLToPath(new URL('../fixtures/parquet/', import.meta.url));

/** All items of a source, in order. */
export async function collect(source: TabularSource, signal?: AbortSignal): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of source.items(signal === undefined ? undefined : { signal })) out.push(item);
  return out;
}

export function rows(items: readonly SourceItem[]): RawRow[] {
  return items.flatMap((i) => (i.kind === 'row' ? [i.row] : []));
}

export function bads(items: readonly SourceItem[]): BadRecord[] {
  return items.flatMap((i) => (i.kind === 'bad' ? [i.bad] : []));
}

/** A temp dir removed after the test file. */
export function tempDir(): string {
  const dir = makeTempDir('encord-meta-sources-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeTemp(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/**
 * Open file descriptors of this process on `path` (Linux), to check that reads release theirs. Only that
 * file's: a count of all descriptors would also see another test file's streams and sockets closing in
 * the same worker.
 */
export function openFds(path: string): number | undefined {
  if (!existsSync('/proc/self/fd')) return undefined;
  const target = realpathSync(path);
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === target) n += 1;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

/** Expect a promise to reject with a MetaError of `code`; returns its message. */
export async function rejectCode(promise: Promise<unknown>, code: string): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const got = (err as { code?: unknown }).code;
    if (got !== code) throw new Error(`expected code ${code}, got ${String(got)}: ${(err as Error).message}`, { cause: err });
    return (err as Error).message;
  }
  throw new Error(`expected a rejection with ${code}, got success`);
}
