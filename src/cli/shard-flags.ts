/**
 * The import's sharding flags: `--shard I/N`, or `--shard-from-env` (Kubernetes' `JOB_COMPLETION_INDEX`,
 * with N from `--shard-count` or `ENCORD_META_SHARD_COUNT`). Every mistake is a usage error (exit 2)
 * before any file is opened or request sent.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { MetaError } from '../errors.js';
import type { Shard } from '../checkpoint/shard-names.js';
import { MAX_SHARDS, SHARD_COUNT_ENV, SHARD_INDEX_ENV, parseShard, shardFromEnv } from '../pipeline/shard-spec.js';
import { intOption } from './options.js';

export interface ShardFlags {
  shard?: Shard;
  shardFromEnv?: boolean;
  shardCount?: number;
}

export function addShardOptions(command: Command): Command {
  return command
    .option('--shard <I/N>', 'worker I (from 0) of N: take only the rows whose storage item hashes to shard I (see "Many workers")', (value: string) => {
      try {
        return parseShard(value);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    })
    .option('--shard-from-env', `like --shard, with I from ${SHARD_INDEX_ENV} (a Kubernetes Indexed Job sets it)`)
    .option('--shard-count <n>', `N for --shard-from-env (else ${SHARD_COUNT_ENV})`, intOption('--shard-count', 1, MAX_SHARDS));
}

/** The shard the flags ask for, or undefined for an unsharded run. */
export function shardFrom(flags: ShardFlags, env: Readonly<Record<string, string | undefined>>): Shard | undefined {
  if (flags.shard !== undefined && flags.shardFromEnv === true) {
    throw new MetaError('USAGE_SHARD', 'give --shard I/N or --shard-from-env, not both');
  }
  if (flags.shardCount !== undefined && flags.shardFromEnv !== true) {
    throw new MetaError('USAGE_SHARD', '--shard-count goes with --shard-from-env; with --shard, write the count after the slash (--shard 2/4)');
  }
  if (flags.shardFromEnv === true) return shardFromEnv(env, flags.shardCount);
  return flags.shard;
}
