/**
 * How a shard (`import --shard I/N`, pipeline/shard.ts) names its files: `.shard-I-of-N` before the
 * extension of its report, summary, journal and lock, so N workers never share one, and which locks of
 * one dataset exclude each other (dataset-lock.ts).
 */
import { basename, dirname, extname, join } from 'node:path';

/** Worker `index` of `count` (0 ≤ index < count). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `shard-2-of-4`: the tag in a shard's file names. */
export function shardTag(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}`;
}

/**
 * A path made per-shard: `.shard-I-of-N` before the extension (`run.json` → `run.shard-2-of-4.json`,
 * `report` → `report.shard-2-of-4`). N workers started with one command line (an Indexed Job, a mapped
 * task) never share a report, summary or journal file. Unsharded: the path as it is.
 */
export function shardPath(path: string, shard: Shard | undefined): string {
  if (!shard) return path;
  const ext = extname(path);
  const stem = basename(path, ext);
  return join(dirname(path), `${stem}.${shardTag(shard)}${ext}`);
}

/**
 * Whether two runs on one dataset may write the same items: always, unless both are shards of one
 * split (same N) with different indexes. An unsharded run (`set`, `rollback`, a plain import) overlaps
 * every shard; shards of different N overlap each other.
 */
export function shardsOverlap(a: Shard | undefined, b: Shard | undefined): boolean {
  if (!a || !b) return true;
  return a.count !== b.count || a.index === b.index;
}

/** The shard a lock file's name says (`<base>.shard-I-of-N.lock`), null for `<base>.lock`, undefined when not a lock of `base`. */
export function lockShardOf(fileName: string, base: string): Shard | null | undefined {
  if (!fileName.startsWith(`${base}.`)) return undefined;
  const rest = fileName.slice(base.length);
  if (rest === '.lock') return null;
  const m = /^\.shard-(\d{1,5})-of-(\d{1,5})\.lock$/.exec(rest);
  return m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
}
