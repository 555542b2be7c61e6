/**
 * Adaptive pacing shared by every request of one client (STYLE: "a 429 lowers the rate, sustained success
 * raises it back toward the cap"). A GCRA token bucket sends at most `rate` requests per second; a 429
 * multiplies the rate by `decreaseFactor` (at most once per `decreaseCooldownMs`, so a burst of 429s from
 * requests already in flight counts once); every `ceil(rate)` consecutive successes (about one second's
 * worth) add `increaseStep` back, up to `maxRate`. A `Retry-After` pauses *all* callers until that time —
 * including those already waiting for a slot — instead of letting each worker find out with its own 429.
 *
 * Clock and sleep are injected so tests are deterministic and wait for nothing.
 */
import type { Sleep } from './retry.js';

export interface RateChange {
  readonly previousRate: number;
  readonly rate: number;
  readonly reason: 'rate-limited' | 'recovered';
}

export interface RateLimiterOptions {
  /** Ceiling and starting rate, requests per second. */
  readonly maxRate: number;
  /** Floor of the rate after repeated 429s. */
  readonly minRate: number;
  /** Requests that may go back to back before pacing applies. @default 1 */
  readonly burst?: number;
  /** Multiplier applied on a 429. @default 0.5 */
  readonly decreaseFactor?: number;
  /** Requests per second added after a second's worth of successes. @default max(0.5, maxRate / 20) */
  readonly increaseStep?: number;
  /** Minimum time between two decreases. @default 1000 */
  readonly decreaseCooldownMs?: number;
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly onRateChange?: ((change: RateChange) => void) | undefined;
  readonly onPause?: ((pause: { readonly untilMs: number; readonly delayMs: number }) => void) | undefined;
}

export class AdaptiveRateLimiter {
  readonly #o: Required<Omit<RateLimiterOptions, 'onRateChange' | 'onPause'>> &
    Pick<RateLimiterOptions, 'onRateChange' | 'onPause'>;
  #rate: number;
  /** GCRA theoretical arrival time of the next request. */
  #tat = Number.NEGATIVE_INFINITY;
  #pausedUntil = Number.NEGATIVE_INFINITY;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  #successes = 0;

  constructor(options: RateLimiterOptions) {
    if (!(options.maxRate > 0) || !(options.minRate > 0) || options.minRate > options.maxRate) {
      throw new RangeError(`Invalid rate limits: minRate ${options.minRate}, maxRate ${options.maxRate}`);
    }
    this.#o = {
      burst: 1,
      decreaseFactor: 0.5,
      increaseStep: Math.max(0.5, options.maxRate / 20),
      decreaseCooldownMs: 1000,
      ...options,
    };
    this.#rate = options.maxRate;
  }

  /** Current allowed requests per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Clock time until which every caller waits (from a `Retry-After`); in the past when not paused. */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** Wait for a slot. Rejects (with the sleep's rejection) when `signal` aborts. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#o.now();
      if (now < this.#pausedUntil) {
        await this.#o.sleep(this.#pausedUntil - now, signal);
        continue;
      }
      const interval = 1000 / this.#rate;
      const at = Math.max(now, this.#tat - (this.#o.burst - 1) * interval);
      this.#tat = Math.max(this.#tat, at) + interval;
      if (at <= now) return;
      await this.#o.sleep(at - now, signal);
      // A pause that began while we waited applies to us too: queue again behind it.
      if (this.#o.now() >= this.#pausedUntil) return;
    }
  }

  /** A request succeeded (any non-429 answer counts: the server was not overloaded). */
  onSuccess(): void {
    if (this.#rate >= this.#o.maxRate) return;
    this.#successes += 1;
    if (this.#successes >= Math.ceil(this.#rate)) {
      this.#successes = 0;
      this.#setRate(Math.min(this.#o.maxRate, this.#rate + this.#o.increaseStep), 'recovered');
    }
  }

  /** A 429 arrived. `retryAfterMs` (already capped by the caller) pauses everyone. */
  onRateLimited(retryAfterMs?: number): void {
    const now = this.#o.now();
    this.#successes = 0;
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.pause(retryAfterMs);
    if (now - this.#lastDecreaseAt >= this.#o.decreaseCooldownMs) {
      this.#lastDecreaseAt = now;
      this.#setRate(Math.max(this.#o.minRate, this.#rate * this.#o.decreaseFactor), 'rate-limited');
    }
  }

  /** Stop handing out slots for `delayMs` from now (extends, never shortens, a running pause). */
  pause(delayMs: number): void {
    const until = this.#o.now() + delayMs;
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    // Restart pacing at the end of the pause, so waiters do not all fire at once when it ends.
    this.#tat = Math.max(this.#tat, until);
    this.#o.onPause?.({ untilMs: until, delayMs });
  }

  #setRate(rate: number, reason: RateChange['reason']): void {
    if (rate === this.#rate) return;
    const previousRate = this.#rate;
    this.#rate = rate;
    this.#o.onRateChange?.({ previousRate, rate, reason });
  }
}
