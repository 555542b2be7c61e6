/**
 * The dataset lock of a sharded import (`--shard I/N`): the N workers of one dataset run side by side,
 * two workers of one shard exclude each other, and runs whose items may overlap (an unsharded run and a
 * shard, shards of different N) are refused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDatasetLock, machineLockPath, type DatasetLock } from '../../src/checkpoint/dataset-lock.js';
import { makeTempDir } from '../temp-dirs.js';

const DOMAIN = `https://shard-lock-test-${process.pid}-${Date.now()}.example`;
const DATASET = 'f0f0f0f0-0000-4000-8000-0000000000aa';
const stateDir = (): string => makeTempDir('encord-meta-shard-lock-');
const locked = expect.objectContaining({ code: 'LOCKED' });

function holding(locks: DatasetLock[], body: () => void): void {
  try {
    body();
  } finally {
    for (const l of locks) l.release();
  }
}

describe('acquireDatasetLock with a shard', () => {
  it('the N shards of one dataset run side by side, each with its own lock file (machine-wide and in the state dir)', () => {
    const dir = stateDir();
    const locks = [0, 1, 2].map((index) => acquireDatasetLock({ stateDir: dir, domain: DOMAIN, datasetHash: DATASET, shard: { index, count: 3 } }));
    holding(locks, () => {
      expect(locks.map((l) => l.paths.map((p) => basename(p).replace(/^.*?(\.shard-|\.lock)/, '$1')))).toEqual([
        ['.shard-0-of-3.lock', '.shard-0-of-3.lock'],
        ['.shard-1-of-3.lock', '.shard-1-of-3.lock'],
        ['.shard-2-of-3.lock', '.shard-2-of-3.lock'],
      ]);
      expect(existsSync(join(dir, 'locks', `${DATASET}.shard-1-of-3.lock`))).toBe(true);
    });
  });

  it('two workers of the same shard exclude each other, with or without a shared state dir', () => {
    const first = acquireDatasetLock({ stateDir: stateDir(), domain: DOMAIN, datasetHash: DATASET, shard: { index: 1, count: 3 } });
    holding([first], () => {
      expect(() => acquireDatasetLock({ stateDir: stateDir(), domain: DOMAIN, datasetHash: DATASET, shard: { index: 1, count: 3 } })).toThrow(locked);
      expect(() => acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET, shard: { index: 1, count: 3 } })).toThrow(/shard 1 of 3 of dataset/);
    });
  });

  it('an unsharded run (import, set, rollback) and a shard exclude each other, whichever came first', () => {
    const shard = acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET, shard: { index: 0, count: 2 } });
    holding([shard], () => {
      expect(() => acquireDatasetLock({ stateDir: stateDir(), domain: DOMAIN, datasetHash: DATASET })).toThrow(/shard 0 of 2 \(pid \d+.*may overlap this run's/);
    });
    // The refused run gave back what it had taken: the shard's release frees the dataset.
    const plain = acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET });
    holding([plain], () => {
      expect(() => acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET, shard: { index: 1, count: 2 } })).toThrow(/an unsharded run .* may overlap shard 1 of 2's/);
    });
  });

  it('shards of different N overlap, so they are refused (one job must use one N)', () => {
    const a = acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET, shard: { index: 1, count: 3 } });
    holding([a], () => {
      expect(() => acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET, shard: { index: 0, count: 2 } })).toThrow(/must all use the same N/);
    });
  });

  it('a lock left by a dead shard worker does not block anyone', () => {
    const dead = spawnSync('true').pid!; // a process that has exited (true(1): no Node start-up to pay)
    const path = machineLockPath(DOMAIN, DATASET, { index: 2, count: 4 });
    writeFileSync(path, JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-12-01T00:00:00.000Z' }), { mode: 0o600 });
    acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET }).release();
    acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET, shard: { index: 2, count: 4 } }).release();
    expect(existsSync(path)).toBe(false);
  });
});
