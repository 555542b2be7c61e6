/**
 * The dataset lock: one writing run (import, set, rollback) per domain and dataset on this machine,
 * whatever state directory or HOME each run uses; a lock left by a dead process is taken over.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDatasetLock, machineLockDir, machineLockPath } from '../../src/checkpoint/dataset-lock.js';
import { RunLock } from '../../src/checkpoint/run-lock.js';
import { makeTempDir } from '../temp-dirs.js';

const DOMAIN = `https://lock-test-${process.pid}-${Date.now()}.example`;
const DATASET = 'f0f0f0f0-0000-4000-8000-000000000001';
const stateDir = (): string => makeTempDir('encord-meta-lock-');

describe('acquireDatasetLock', () => {
  it('a second acquisition for the same domain and dataset is refused (LOCKED), even with another state dir or none', () => {
    const first = acquireDatasetLock({ stateDir: stateDir(), domain: DOMAIN, datasetHash: DATASET });
    try {
      expect(() => acquireDatasetLock({ stateDir: stateDir(), domain: DOMAIN, datasetHash: DATASET })).toThrow(expect.objectContaining({ code: 'LOCKED' }));
      expect(() => acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET })).toThrow(expect.objectContaining({ code: 'LOCKED' }));
      // Another dataset, or the same dataset hash on another domain, is not blocked.
      acquireDatasetLock({ domain: DOMAIN, datasetHash: 'f0f0f0f0-0000-4000-8000-000000000002' }).release();
      acquireDatasetLock({ domain: `${DOMAIN}.other`, datasetHash: DATASET }).release();
    } finally {
      first.release();
    }
    acquireDatasetLock({ stateDir: stateDir(), domain: DOMAIN, datasetHash: DATASET }).release();
  });

  it('still honours the state-dir lock (an older version holds only that one); lock files are 0600 in 0700 dirs', () => {
    const dir = stateDir();
    const old = RunLock.acquire(dir, DATASET);
    try {
      expect(() => acquireDatasetLock({ stateDir: dir, domain: DOMAIN, datasetHash: DATASET })).toThrow(expect.objectContaining({ code: 'LOCKED' }));
      expect(existsSync(machineLockPath(DOMAIN, DATASET))).toBe(false); // the half taken was given back
    } finally {
      old.release();
    }
    const held = acquireDatasetLock({ stateDir: dir, domain: DOMAIN, datasetHash: DATASET });
    try {
      const locks = readdirSync(join(dir, 'locks'));
      expect(locks).toHaveLength(1);
      expect(statSync(join(dir, 'locks', locks[0]!)).mode & 0o777).toBe(0o600);
      expect(statSync(machineLockPath(DOMAIN, DATASET)).mode & 0o777).toBe(0o600);
      expect(statSync(machineLockDir()).mode & 0o777).toBe(0o700);
    } finally {
      held.release();
    }
  });

  it('a lock left by a process that is gone (on this host) is taken over', () => {
    const dead = spawnSync('true').pid; // a process that has exited (true(1): no Node start-up to pay)
    const path = machineLockPath(DOMAIN, DATASET);
    acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET }).release(); // creates the directory
    writeFileSync(path, JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }), { mode: 0o600 });
    const lock = acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET });
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('a lock held by a live process names it in the message', () => {
    const lock = acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET });
    try {
      expect(() => acquireDatasetLock({ domain: DOMAIN, datasetHash: DATASET })).toThrow(new RegExp(`pid ${process.pid}`));
    } finally {
      lock.release();
    }
  });
});
