/** Issue 11 point 4 (limiter): after a 429 at a steady limit, recovery holds just under it instead of re-probing every 15 s. */
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter } from '../../src/encord/rate-limiter.js';
import { fakeTime } from './helpers.js';

describe('adaptive rate limiter hold', () => {
  it('climbs back to 98 % of the admitted rate and no higher for holdMs, then probes again', () => {
    const time = fakeTime();
    const limiter = new AdaptiveRateLimiter({ maxRate: 40, startRate: 40, minRate: 1, now: time.now, sleep: time.sleep });
    // The server admits 20 requests/s; the client sends faster and gets a 429.
    for (let i = 0; i < 60; i += 1) {
      time.advance(50);
      limiter.onSuccess();
    }
    limiter.onRateLimited();
    expect(limiter.rate).toBeLessThan(20);
    let highest = 0;
    // 110 s of successes at the new rate: never back above what the server admitted.
    for (let ms = 0; ms < 110_000; ms += 50) {
      time.advance(50);
      limiter.onSuccess();
      highest = Math.max(highest, limiter.rate);
    }
    expect(highest).toBeGreaterThan(19);
    expect(highest).toBeLessThanOrEqual(20); // 98 % of the measured ~20.3 admitted
    // Past the hold it probes upward again (the limit may have been raised).
    for (let ms = 0; ms < 30_000; ms += 50) {
      time.advance(50);
      limiter.onSuccess();
    }
    expect(limiter.rate).toBeGreaterThan(20);
  });
});
