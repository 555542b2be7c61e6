/**
 * Issue 11 point 4 (limiter), in the requester's shape: 8 callers, a 20 ms round trip, a 429 answered with
 * `Retry-After: 1` that its request waits out, 4 unpaced requests at the start — against a token bucket it is
 * not told about. On virtual time (test/encord/rate-sim.ts): nothing waits. The same figures as
 * `scripts/bench/rate-limit.ts`: the sustained rate from 10 s after the first success for 60 s, the 429 share
 * over every request sent.
 */
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter } from '../../src/encord/rate-limiter.js';
import { fakeTime } from './helpers.js';
import { simulate } from './rate-sim.js';

describe('adaptive rate limiter search, in the requester shape', () => {
  for (const r of [5, 20, 100]) {
    it(`an unknown limit of ${r}/s with the emulator's burst (${r}): >= 95 % of it, < 1 % of requests answered 429`, async () => {
      const f = await simulate({ r, lateMs: 1 });
      expect(f.share).toBeGreaterThanOrEqual(0.95);
      expect(f.rejected / f.requests).toBeLessThan(0.01);
    });
  }

  it('at R = 5 it costs at most three 429s in a run (one in a hundred requests is under four)', async () => {
    const f = await simulate({ r: 5, lateMs: 1 });
    expect(f.rejected).toBeLessThanOrEqual(3);
  });

  for (const [r, burst] of [[5, 3], [5, 10], [20, 10], [20, 40], [100, 50], [100, 200]] as const) {
    it(`a server burst other than one second's worth (R ${r}, burst ${burst}) still settles under R and near it`, async () => {
      const f = await simulate({ r, burst, lateMs: 1 });
      expect(f.finalRate).toBeLessThanOrEqual(r);
      expect(f.share).toBeGreaterThanOrEqual(r === 5 ? 0.9 : 0.95);
      expect(f.rejected).toBeLessThanOrEqual(r === 5 ? 5 : Math.ceil(0.01 * f.requests));
    });
  }

  it('a slower round trip and timers waking late change neither', async () => {
    for (const r of [5, 20]) {
      const f = await simulate({ r, latencyMs: 80, lateMs: 5 });
      expect(f.share).toBeGreaterThanOrEqual(0.95);
      expect(f.rejected / f.requests).toBeLessThan(0.01);
    }
  });
});

describe('adaptive rate limiter search, when slow start was stopped by a passing storm', () => {
  it('a search that meets no 429 for 30 s goes back to slow start: the rate reaches the ceiling within a minute', async () => {
    const time = fakeTime(0);
    const limiter = new AdaptiveRateLimiter({ maxRate: 250, minRate: 1, now: time.now, sleep: time.sleep });
    let stormed = false;
    let reachedAt: number | undefined;
    while (time.now() < 120_000 && reachedAt === undefined) {
      await limiter.acquire();
      // A storm for 200 ms once the rate passes 30/s: a few 429s, then no limit at all.
      if (!stormed && limiter.rate >= 30) {
        stormed = true;
        limiter.onRateLimited(1000);
        continue;
      }
      limiter.onSuccess();
      if (limiter.rate >= 250) reachedAt = time.now();
    }
    expect(stormed).toBe(true);
    expect(reachedAt).toBeDefined();
    expect(reachedAt!).toBeLessThanOrEqual(60_000);
  });
});
