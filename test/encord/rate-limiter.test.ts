/** Adaptive rate limiter on a fake clock. */
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, type RateChange } from '../../src/encord/rate-limiter.js';
import { fakeTime } from './helpers.js';

function limiter(max = 10, extra: { minRate?: number; burst?: number } = {}) {
  const time = fakeTime(0);
  const changes: RateChange[] = [];
  const pauses: number[] = [];
  const l = new AdaptiveRateLimiter({
    maxRate: max,
    // These tests are about pacing and 429s at a known rate: no slow start.
    startRate: max,
    minRate: extra.minRate ?? 1,
    ...(extra.burst === undefined ? {} : { burst: extra.burst }),
    now: time.now,
    sleep: time.sleep,
    onRateChange: (c) => changes.push(c),
    onPause: (p) => pauses.push(p.delayMs),
  });
  return { l, time, changes, pauses };
}

describe('AdaptiveRateLimiter', () => {
  it('paces requests at the current rate', async () => {
    const { l, time } = limiter(10);
    const at: number[] = [];
    for (let i = 0; i < 4; i++) {
      await l.acquire();
      at.push(time.now());
    }
    expect(at).toEqual([0, 100, 200, 300]);
  });

  it('timers that wake late do not lower the rate: a caller that sleeps 2 ms too long each time still gets 100/s at a rate of 100/s', async () => {
    // At 100/s a slot is 10 ms; a timer 1-2 ms late on a busy machine cost 6-11 % of the rate (issue 11:
    // 93.8/s of a limiter at 100/s, 178/s at 200/s, measured with real timers at load 6).
    let t = 0;
    const l = new AdaptiveRateLimiter({ maxRate: 100, startRate: 100, minRate: 1, now: () => t, sleep: async (ms) => void (t += ms + 2) });
    let sent = 0;
    while (t < 10_000) {
      await l.acquire();
      sent += 1;
    }
    expect(sent).toBeGreaterThanOrEqual(990);
    expect(sent).toBeLessThanOrEqual(1010);
  });

  it('timers 30 ms late with 8 callers waiting still give 100/s at a rate of 100/s (the slots missed go at once)', async () => {
    // Issue 11, per-row R = 100: with real timers at load 18 a limiter fixed at 100/s handed out 75-92/s when a
    // slot taken more than 5 ms late was lost; with a 50 ms tolerance, 100/s.
    // A fake timer queue: every sleep wakes 30 ms after it was due, the clock jumps to the next wake-up.
    let t = 0;
    const timers: { at: number; wake: () => void }[] = [];
    const sleep = (ms: number): Promise<void> => new Promise((wake) => void timers.push({ at: t + ms + 30, wake }));
    const l = new AdaptiveRateLimiter({ maxRate: 100, startRate: 100, minRate: 1, now: () => t, sleep });
    let sent = 0;
    let running = 8;
    const caller = async (): Promise<void> => {
      while (t < 10_000) {
        await l.acquire();
        sent += 1;
      }
      running -= 1;
    };
    const callers = Array.from({ length: 8 }, caller);
    while (running > 0) {
      await new Promise((r) => setImmediate(r)); // every caller runs until it sleeps
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (next === undefined) continue;
      t = Math.max(t, next.at);
      next.wake();
    }
    await Promise.all(callers);
    expect(sent).toBeGreaterThanOrEqual(990);
    expect(sent).toBeLessThanOrEqual(1010);
  });

  it('after an idle spell longer than the tolerance the schedule restarts from now: no burst of saved slots', async () => {
    const { l, time } = limiter(100);
    await l.acquire();
    time.advance(1000);
    const at: number[] = [];
    for (let i = 0; i < 3; i++) {
      await l.acquire();
      at.push(time.now());
    }
    expect(at).toEqual([1000, 1010, 1020]);
  });

  it('a start burst lets the first requests go at once, then paces, and is not refilled by an idle spell', async () => {
    const time = fakeTime(0);
    const l = new AdaptiveRateLimiter({ maxRate: 250, startRate: 2, minRate: 1, startBurst: 4, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 5; i++) await l.acquire();
    expect(time.now()).toBe(0); // the burst, then the first paced slot
    await l.acquire();
    expect(time.now()).toBe(500); // 2 per second
    time.advance(60_000);
    const idleEnd = time.now();
    await l.acquire();
    await l.acquire();
    expect(time.now()).toBe(idleEnd + 500);
  });

  it('paces concurrent callers too', async () => {
    const { l, time } = limiter(4);
    await Promise.all(Array.from({ length: 4 }, () => l.acquire()));
    // The first goes at once; the others are scheduled one interval apart.
    expect(time.wakes).toEqual([250, 500, 750]);
  });

  it('allows a burst, then paces', async () => {
    const { l, time } = limiter(10, { burst: 3 });
    for (let i = 0; i < 3; i++) await l.acquire();
    expect(time.now()).toBe(0);
    await l.acquire();
    expect(time.now()).toBe(100);
  });

  it('halves on 429 (once per cooldown), not below the floor', () => {
    const { l, time, changes } = limiter(16, { minRate: 3 });
    l.onRateLimited();
    l.onRateLimited(); // same instant: a burst of 429s from in-flight requests counts once
    expect(l.rate).toBe(8);
    time.advance(1000);
    l.onRateLimited();
    time.advance(1000);
    l.onRateLimited();
    time.advance(1000);
    l.onRateLimited();
    expect(l.rate).toBe(3);
    expect(changes.map((c) => c.rate)).toEqual([8, 4, 3]);
    expect(changes.every((c) => c.reason === 'rate-limited')).toBe(true);
  });

  it('on a 429, settles just under the rate the server admitted over the last window', () => {
    const { l, time } = limiter(40, { minRate: 1 });
    // 4 s of successes at 10 per second: the server admits 10/s.
    for (let i = 0; i < 40; i++) {
      time.advance(100);
      l.onSuccess();
    }
    l.onRateLimited();
    expect(l.rate).toBeGreaterThan(9); // 95 % of ~10.3 (31 successes in the 3 s window)
    expect(l.rate).toBeLessThan(10);
  });

  it('recovers after a quiet time: fast toward the rate before the 429s, then probing slowly', () => {
    const { l, time, changes } = limiter(20);
    l.onRateLimited(); // nothing measured yet: halves
    expect(l.rate).toBe(10);
    const second = (): void => {
      for (let i = 0, n = Math.ceil(l.rate); i < n; i++) {
        time.advance(1000 / n);
        l.onSuccess();
      }
    };
    for (let s = 0; s < 14; s++) second();
    expect(l.rate).toBe(10); // still inside the quiet time
    second();
    second();
    expect(l.rate).toBeGreaterThan(12); // 30 % of the gap to 20 per second
    for (let s = 0; s < 30; s++) second();
    expect(l.rate).toBe(20);
    expect(changes.at(-1)).toMatchObject({ rate: 20, reason: 'recovered' });
  });

  it('near a steady limit it probes slowly instead of jumping back', () => {
    // Sending 12/s where 10/s get through: a limit, not a storm (that would be far below what was sent).
    const { l, time } = limiter(12, { minRate: 1 });
    const tick = (n: number, perSecond: number): void => {
      for (let i = 0; i < n; i++) {
        time.advance(1000 / perSecond);
        l.onSuccess();
      }
    };
    tick(40, 10); // the server admits 10/s
    l.onRateLimited();
    const settled = l.rate;
    tick(Math.ceil(settled) * 16, settled); // past the quiet time
    expect(l.rate).toBeGreaterThan(settled);
    expect(l.rate).toBeLessThan(settled * 1.05);
  });

  it('a pause (503 + Retry-After) stops every caller, including those already waiting', async () => {
    const { l, time, pauses } = limiter(10);
    await l.acquire(); // t=0, next slot at 100
    const waiting = l.acquire(); // sleeps until 100
    l.pause(5000); // pause until 5000 while it waits
    await waiting;
    expect(time.now()).toBeGreaterThanOrEqual(5000);
    const start = time.now();
    await l.acquire();
    expect(time.now() - start).toBeGreaterThan(0); // paced after the pause, not a burst
    expect(pauses).toEqual([5000]);
    l.pause(100); // never shortens a longer pause
    expect(l.pausedUntil).toBeGreaterThanOrEqual(5000);
  });

  it('aborts a waiting caller', async () => {
    const { l } = limiter(1);
    await l.acquire();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(l.acquire(ac.signal)).rejects.toThrow('stop');
  });

  it('rejects impossible limits', () => {
    expect(() => new AdaptiveRateLimiter({ maxRate: 1, minRate: 2, now: Date.now, sleep: async () => {} })).toThrow(RangeError);
  });
});
