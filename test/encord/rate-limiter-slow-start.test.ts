/**
 * Issue 11 point 4 (limiter): slow start, then settling under an unknown server limit with few 429s.
 * Everything runs on the injected fake clock: `acquire()` sleeps by advancing it, nothing waits.
 */
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, type RateChange } from '../../src/encord/rate-limiter.js';
import { fakeTime } from './helpers.js';

/** A server's token bucket: `r` requests per second, burst `burst` (the emulator's default is burst = r). */
function bucket(r: number, burst = r): (now: number) => boolean {
  let tokens = burst;
  let last = 0;
  return (now) => {
    tokens = Math.min(burst, tokens + ((now - last) * r) / 1000);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** One caller sending as fast as the limiter allows for `seconds`; figures from `warmup` on. */
async function drive(limiter: AdaptiveRateLimiter, time: ReturnType<typeof fakeTime>, admit: (now: number) => boolean, seconds: number, warmup: number) {
  const start = time.now();
  let requests = 0;
  let rejected = 0;
  let okAfterWarmup = 0;
  while (time.now() - start < seconds * 1000) {
    await limiter.acquire();
    requests += 1;
    if (admit(time.now() - start)) {
      limiter.onSuccess();
      if (time.now() - start >= warmup * 1000) okAfterWarmup += 1;
    } else {
      rejected += 1;
      limiter.onRateLimited(1000);
    }
  }
  return { requests, rejected, sustained: okAfterWarmup / (seconds - warmup) };
}

/**
 * The bulk path's traffic: each batch is a read (get-bulk, not limited) then a write (patch-bulk, limited by
 * `admit`); a write answered 429 is sent again. One limiter paces both. Figures are writes.
 */
async function driveBulk(limiter: AdaptiveRateLimiter, time: ReturnType<typeof fakeTime>, admit: (now: number) => boolean, seconds: number, warmup: number) {
  const start = time.now();
  let requests = 0;
  let rejected = 0;
  let writesAfterWarmup = 0;
  let next: 'read' | 'write' = 'read';
  while (time.now() - start < seconds * 1000) {
    await limiter.acquire();
    requests += 1;
    if (next === 'read') {
      limiter.onSuccess();
      next = 'write';
    } else if (admit(time.now() - start)) {
      limiter.onSuccess();
      if (time.now() - start >= warmup * 1000) writesAfterWarmup += 1;
      next = 'read';
    } else {
      rejected += 1;
      limiter.onRateLimited(1000);
    }
  }
  return { requests, rejected, sustained: writesAfterWarmup / (seconds - warmup) };
}

function make(maxRate: number, onRateChange?: (c: RateChange) => void) {
  const time = fakeTime(0);
  const limiter = new AdaptiveRateLimiter({ maxRate, minRate: 1, now: time.now, sleep: time.sleep, onRateChange });
  return { time, limiter };
}

describe('adaptive rate limiter slow start', () => {
  it('starts at a couple of requests per second, not at the ceiling', async () => {
    const { time, limiter } = make(250);
    expect(limiter.rate).toBe(2);
    await limiter.acquire();
    await limiter.acquire();
    expect(time.now()).toBe(500); // the second request waits half a second: no start-up burst
  });

  it('grows multiplicatively while answers come back: 100 requests/s within 5 s of paced answers', async () => {
    const { time, limiter } = make(250);
    let reachedAt: number | undefined;
    while (time.now() < 10_000 && reachedAt === undefined) {
      await limiter.acquire();
      limiter.onSuccess();
      if (limiter.rate >= 100) reachedAt = time.now();
    }
    expect(reachedAt).toBeDefined();
    expect(reachedAt!).toBeLessThanOrEqual(5000);
  });

  it('does not inflate a rate it does not use: answers at 5 per second keep it at about twice that', () => {
    const { time, limiter } = make(250);
    for (let i = 0; i < 100; i += 1) {
      time.advance(200);
      limiter.onSuccess();
    }
    expect(limiter.rate).toBeLessThanOrEqual(11);
  });

  it('reports slow start growth once per doubling, not once per answer', async () => {
    const changes: RateChange[] = [];
    const { limiter } = make(250, (c) => changes.push(c));
    for (let i = 0; i < 200; i += 1) {
      await limiter.acquire();
      limiter.onSuccess();
    }
    expect(limiter.rate).toBeGreaterThan(100);
    expect(changes.length).toBeLessThanOrEqual(8);
  });

  it('never starts above the ceiling', () => {
    const { limiter } = make(1.5);
    expect(limiter.rate).toBe(1.5);
  });

  for (const r of [5, 20, 100]) {
    it(`meets issue 11's target against an unknown limit of ${r}/s: >= 95 % of it after 10 s, < 1 % of requests answered 429`, async () => {
      const { time, limiter } = make(250);
      const f = await drive(limiter, time, bucket(r), 70, 10);
      expect(f.sustained).toBeGreaterThanOrEqual(0.95 * r);
      expect(f.sustained).toBeLessThanOrEqual(1.01 * r);
      expect(f.rejected / f.requests).toBeLessThan(0.01);
    });
  }

  for (const r of [5, 20, 100]) {
    it(`bulk traffic (reads not limited, writes limited to ${r}/s, one limiter for both): >= 95 % of R in writes, < 1 % answered 429`, async () => {
      const { time, limiter } = make(250);
      const f = await driveBulk(limiter, time, bucket(r), 70, 10);
      expect(f.sustained).toBeGreaterThanOrEqual(0.95 * r);
      expect(f.sustained).toBeLessThanOrEqual(1.01 * r);
      expect(f.rejected / f.requests).toBeLessThan(0.01);
    });
  }

  it('a smaller server burst (R/2) than the emulator default still ends up at >= 95 % of R, with few 429s', async () => {
    const { time, limiter } = make(250);
    const f = await drive(limiter, time, bucket(20, 10), 70, 10);
    expect(f.sustained).toBeGreaterThanOrEqual(0.95 * 20);
    expect(f.rejected / f.requests).toBeLessThan(0.01);
  });

  it('after the first 429 it stops growing: the rate stays under what the server admits', async () => {
    const { time, limiter } = make(250);
    const admit = bucket(20);
    await drive(limiter, time, admit, 15, 0);
    expect(limiter.rate).toBeLessThan(20);
    expect(limiter.rate).toBeGreaterThanOrEqual(0.95 * 20);
  });

  it('a storm (every request answered 429 for a second) is not taken for a limit: the rate comes back', async () => {
    const { time, limiter } = make(100);
    // No limit but the ceiling, except a storm from 20 s to 21 s.
    await drive(limiter, time, () => true, 20, 0);
    const before = limiter.rate;
    expect(before).toBe(100);
    await drive(limiter, time, () => false, 1, 0);
    await drive(limiter, time, () => true, 40, 0);
    expect(limiter.rate).toBeGreaterThanOrEqual(0.8 * before);
  });
});
