/**
 * What a shard is and how it is given (`--shard I/N`, `--shard-from-env`, the library's `shard` option),
 * apart from which rows it takes (shard.ts): no hashing here, so the CLI can check its flags at start-up
 * without loading node:crypto.
 */
import type { Shard } from '../checkpoint/shard-names.js';
import { MetaError } from '../errors.js';

/** Most shards a job can be split into: far beyond any useful parallelism against one rate limit. */
export const MAX_SHARDS = 10_000;

/** The environment variable Kubernetes sets in each pod of an Indexed Job (0 … completions-1). */
export const SHARD_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** Where `--shard-from-env` reads N when `--shard-count` is not given. */
export const SHARD_COUNT_ENV = 'ENCORD_META_SHARD_COUNT';

function usage(message: string): MetaError {
  return new MetaError('USAGE_SHARD', message);
}

/** A whole number written plainly (`3`, not `3.0`, ` 3`, `+3` or `0x3`), else undefined. */
function wholeNumber(text: string): number | undefined {
  if (!/^(0|[1-9]\d{0,8})$/.test(text)) return undefined;
  return Number(text);
}

/** Check a shard given as numbers (the library option): integers, 1 ≤ count ≤ MAX_SHARDS, 0 ≤ index < count. */
export function checkShard(shard: { index: unknown; count: unknown }, what = 'shard'): Shard {
  const { index, count } = shard;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_SHARDS) {
    throw usage(`Expected the ${what} count to be a whole number from 1 to ${MAX_SHARDS}, got ${JSON.stringify(count)}`);
  }
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
    throw usage(`Expected the ${what} index to be a whole number from 0 to ${count - 1} (shards are numbered from 0), got ${JSON.stringify(index)}`);
  }
  return { index, count };
}

/** `--shard I/N`: worker I (from 0) of N. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? wholeNumber(m[1]!) : undefined;
  const count = m ? wholeNumber(m[2]!) : undefined;
  if (index === undefined || count === undefined) {
    throw usage(`Expected ${flag} to be I/N, worker I (from 0) of N, such as 0/4 or 3/4, got ${JSON.stringify(text)}`);
  }
  return checkShard({ index, count }, flag);
}

/**
 * `--shard-from-env`: the index from `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job sets it in each
 * pod), N from `count` (`--shard-count`) or else `ENCORD_META_SHARD_COUNT`.
 */
export function shardFromEnv(env: Readonly<Record<string, string | undefined>>, count?: number): Shard {
  const rawIndex = env[SHARD_INDEX_ENV];
  if (rawIndex === undefined || rawIndex.trim() === '') {
    throw usage(`--shard-from-env reads the worker index from ${SHARD_INDEX_ENV} (set by a Kubernetes Indexed Job), which is not set; set it, or give --shard I/N`);
  }
  const index = wholeNumber(rawIndex.trim());
  if (index === undefined) throw usage(`Expected ${SHARD_INDEX_ENV} to be a whole number from 0, got ${JSON.stringify(rawIndex)}`);
  let n = count;
  if (n === undefined) {
    const rawCount = env[SHARD_COUNT_ENV];
    if (rawCount === undefined || rawCount.trim() === '') {
      throw usage(`--shard-from-env needs the number of workers: give --shard-count N (the Job's completions) or set ${SHARD_COUNT_ENV}`);
    }
    n = wholeNumber(rawCount.trim());
    if (n === undefined) throw usage(`Expected ${SHARD_COUNT_ENV} to be a whole number from 1 to ${MAX_SHARDS}, got ${JSON.stringify(rawCount)}`);
  }
  if (n >= 1 && index >= n) {
    throw usage(`${SHARD_INDEX_ENV} is ${index} but there are ${n} shards (0 to ${n - 1}): the Job's completions and --shard-count must be equal`);
  }
  return checkShard({ index, count: n }, SHARD_INDEX_ENV);
}
