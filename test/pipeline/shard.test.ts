/** The shard arithmetic of `import --shard I/N`: parsing, the documented hash, per-shard paths. */
import { describe, expect, it } from 'vitest';
import { MetaError } from '../../src/errors.js';
import { parseShard, shardFromEnv, shardOfTarget, shardPath, shardTarget, checkShard } from '../../src/pipeline/shard.js';

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    return error instanceof MetaError ? error.code : 'not a MetaError';
  }
  return undefined;
}

describe('--shard I/N', () => {
  it.each([
    ['0/1', 0, 1],
    ['0/4', 0, 4],
    ['3/4', 3, 4],
    [' 2 / 3 ', 2, 3],
  ])('reads %j as worker I of N', (text, index, count) => {
    expect(parseShard(text)).toEqual({ index, count });
  });

  it.each(['4/4', '5/4', '-1/4', '1/0', '0/0', '1', '1/', '/4', '1.0/4', '1/4.5', '01/4', '0x1/4', 'a/b', '1/4/5', '', '0/10001'])(
    'refuses %j as a usage error (exit 2), never a shard',
    (text) => {
      expect(code(() => parseShard(text))).toBe('USAGE_SHARD');
    },
  );

  it('says the valid range when the index is past the count', () => {
    expect(() => parseShard('4/4')).toThrow(/from 0 to 3/);
  });

  it('library option: integers only, 0 ≤ index < count', () => {
    expect(checkShard({ index: 1, count: 2 })).toEqual({ index: 1, count: 2 });
    for (const bad of [{ index: 2, count: 2 }, { index: 0.5, count: 2 }, { index: 0, count: 0 }, { index: '0', count: 2 }]) {
      expect(code(() => checkShard(bad))).toBe('USAGE_SHARD');
    }
  });
});

describe('--shard-from-env', () => {
  it('reads I from JOB_COMPLETION_INDEX and N from --shard-count, else ENCORD_META_SHARD_COUNT', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '2' }, 4)).toEqual({ index: 2, count: 4 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '0', ENCORD_META_SHARD_COUNT: '3' })).toEqual({ index: 0, count: 3 });
    // The flag wins over the environment.
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '1', ENCORD_META_SHARD_COUNT: '3' }, 2)).toEqual({ index: 1, count: 2 });
  });

  it('refuses a missing or malformed index, a missing count, and an index past the count', () => {
    expect(() => shardFromEnv({}, 4)).toThrow(/JOB_COMPLETION_INDEX.*not set/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: 'two' }, 4)).toThrow(/JOB_COMPLETION_INDEX/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '0' })).toThrow(/--shard-count N.*ENCORD_META_SHARD_COUNT/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '4' }, 4)).toThrow(/completions and --shard-count must be equal/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '0', ENCORD_META_SHARD_COUNT: 'x' })).toThrow(/ENCORD_META_SHARD_COUNT/);
    for (const env of [{}, { JOB_COMPLETION_INDEX: '-1' }, { JOB_COMPLETION_INDEX: '9' }]) expect(code(() => shardFromEnv(env, 4))).toBe('USAGE_SHARD');
  });
});

describe('the shard of a target (documented, reproducible elsewhere)', () => {
  // Vectors from Python: int.from_bytes(hashlib.sha256(t.lower().encode()).digest()[:8], "big") % n
  it.each([
    ['aaaaaaaa-0000-4000-8000-00000000beef', [0, 2, 2, 1, 70]],
    ['d0000000-0000-4000-8000-000000000005', [1, 2, 1, 3, 205]],
    ['3fa85f64-5717-4562-b3fc-2c963f66afa6', [0, 0, 2, 6, 978]],
  ])('%s: first 8 bytes of SHA-256, big-endian, mod N', (target, expected) => {
    expect([2, 3, 4, 7, 1000].map((n) => shardOfTarget(target, n))).toEqual(expected);
    expect(shardOfTarget(target.toUpperCase(), 4)).toBe(expected[2]);
  });

  it('targets the storage item, so every unit sharing an item lands on one shard; the data hash for a unit without one', () => {
    const item = 'AAAAAAAA-0000-4000-8000-00000000BEEF';
    expect(shardTarget({ backingItemUuid: item, dataHash: 'd0000000-0000-4000-8000-000000000006' })).toBe(item.toLowerCase());
    expect(shardTarget({ backingItemUuid: item, dataHash: 'd0000000-0000-4000-8000-000000000008' })).toBe(item.toLowerCase());
    expect(shardTarget({ backingItemUuid: null, dataHash: 'd0000000-0000-4000-8000-000000000005' })).toBe('d0000000-0000-4000-8000-000000000005');
  });

  it('spreads uuids evenly enough that N workers share the work', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i += 1) counts[shardOfTarget(`e0000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 4)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });
});

describe('per-shard paths', () => {
  it('puts .shard-I-of-N before the extension, so N workers on one command line never share a file', () => {
    const s = { index: 2, count: 4 };
    expect(shardPath('/state/run.json', s)).toBe('/state/run.shard-2-of-4.json');
    expect(shardPath('/state/reports/abc-2026-12-02T06-00-00-000Z-dry-run.csv', s)).toBe('/state/reports/abc-2026-12-02T06-00-00-000Z-dry-run.shard-2-of-4.csv');
    expect(shardPath('/state/report', s)).toBe('/state/report.shard-2-of-4');
    expect(shardPath('/state/run.json', undefined)).toBe('/state/run.json');
  });
});
