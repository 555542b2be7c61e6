/**
 * Adaptive pacing shared by every request of one client (STYLE: "a 429 lowers the rate, sustained success
 * raises it back toward the cap"). A GCRA token bucket sends at most `rate` requests per second.
 *
 * On a 429 the limiter estimates what the server actually admits — the successes of the last few seconds
 * — and drops to 95 % of that (or halves, before there is anything to measure), at most once per
 * `decreaseCooldownMs` so a burst of 429s from requests already in flight counts once. Halving on every
 * 429 (plain AIMD) averages ~75 % of a server limit and keeps hitting it; settling just under the measured
 * rate keeps both the throughput and the 429 share where a nightly job wants them.
 *
 * After `quietMs` without a 429 the rate climbs back: fast toward where it was when the episode began if
 * the server had admitted far less than was sent (a storm should not cost the rest of the night), else
 * slowly (+1 %/s), probing a steady limit without tripping it often.
 * A `Retry-After` on a 429 delays the request that got it (the retry policy); `pause()` — used for a 503
 * with `Retry-After`, i.e. an overloaded server — stops every caller, including those already waiting.
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
  /** Multiplier applied on a 429 when no success rate could be measured yet. @default 0.5 */
  readonly decreaseFactor?: number;
  /** Smallest step (requests per second) of a recovery. @default max(0.1, maxRate / 200) */
  readonly increaseStep?: number;
  /** Minimum time between two decreases. @default 1000 */
  readonly decreaseCooldownMs?: number;
  /** Time without a 429 before the rate climbs again. @default 15000 */
  readonly quietMs?: number;
  /** Window over which the admitted rate is measured. @default 3000 */
  readonly windowMs?: number;
  /**
   * After a 429 at a steady limit, recovery climbs only to just under the rate the server admitted then, for
   * this long; past it, it probes again (the limit may have risen). @default 120000
   */
  readonly holdMs?: number;
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
  #last429At = Number.NEGATIVE_INFINITY;
  /** The rate when the current episode of 429s began: where a recovery heads first. */
  #ceiling: number;
  #successes = 0;
  /** The last decrease looked like a storm (admitted rate collapsed), not a steady limit. */
  #fastReturn = true;
  /** Times of recent successes (a queue trimmed to `windowMs`). */
  #okTimes: number[] = [];
  #okHead = 0;
  #firstAt = Number.NaN;
  /** The rate the server admitted at the last steady-limit 429: recovery holds just under it for `holdMs`. */
  #knownLimit: number | undefined;

  constructor(options: RateLimiterOptions) {
    if (!(options.maxRate > 0) || !(options.minRate > 0) || options.minRate > options.maxRate) {
      throw new RangeError(`Invalid rate limits: minRate ${options.minRate}, maxRate ${options.maxRate}`);
    }
    this.#o = {
      burst: 1,
      decreaseFactor: 0.5,
      increaseStep: Math.max(0.1, options.maxRate / 200),
      decreaseCooldownMs: 1000,
      quietMs: 15_000,
      windowMs: 3000,
      holdMs: 120_000,
      ...options,
    };
    this.#rate = options.maxRate;
    this.#ceiling = options.maxRate;
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
    const now = this.#o.now();
    if (Number.isNaN(this.#firstAt)) this.#firstAt = now;
    this.#okTimes.push(now);
    this.#trim(now);
    if (this.#rate >= this.#o.maxRate) return;
    this.#successes += 1;
    if (this.#successes < Math.ceil(this.#rate)) return;
    this.#successes = 0; // about one second's worth
    if (now - this.#last429At < this.#o.quietMs) return;
    // After a storm (the server admitted far less than we sent), head back fast to where we were; near a
    // real limit, probe slowly so a 429 stays rare.
    const step =
      this.#fastReturn && this.#rate < this.#ceiling
        ? Math.max(this.#o.increaseStep, (this.#ceiling - this.#rate) * 0.3)
        : Math.max(this.#o.increaseStep, this.#rate * 0.01);
    // Near a limit just measured, climb no higher than 98 % of it until `holdMs` has passed: re-probing it
    // every `quietMs` is what made 429s 3 % of requests at 98 % of the limit.
    const hold = !this.#fastReturn && this.#knownLimit !== undefined && now - this.#last429At < this.#o.holdMs;
    const cap = hold ? Math.max(this.#rate, 0.98 * this.#knownLimit!) : this.#o.maxRate;
    const next = Math.min(this.#o.maxRate, cap, this.#rate + step);
    if (next > this.#rate) this.#setRate(next, 'recovered');
  }

  /** A 429 arrived. The request that got it waits its `Retry-After` itself (the retry policy). */
  onRateLimited(_retryAfterMs?: number): void {
    const now = this.#o.now();
    this.#successes = 0;
    if (now - this.#last429At >= this.#o.quietMs) this.#ceiling = this.#rate; // a new episode
    this.#last429At = now;
    if (now - this.#lastDecreaseAt < this.#o.decreaseCooldownMs) return;
    this.#lastDecreaseAt = now;
    const admitted = this.#admittedRate(now);
    this.#fastReturn = admitted === undefined || admitted < 0.5 * this.#rate;
    if (!this.#fastReturn && admitted !== undefined) this.#knownLimit = admitted;
    const next = admitted === undefined ? this.#rate * this.#o.decreaseFactor : 0.95 * Math.min(this.#rate, admitted);
    this.#setRate(Math.max(this.#o.minRate, next), 'rate-limited');
  }

  /**
   * Successes per second over the window (or over the time since the first success, once that is half a
   * second: the first 429s of a run come early, and halving blindly from the ceiling trips the limit again).
   */
  #admittedRate(now: number): number | undefined {
    this.#trim(now);
    if (Number.isNaN(this.#firstAt)) return undefined;
    const span = Math.min(this.#o.windowMs, now - this.#firstAt);
    if (span < 500) return undefined;
    return (this.#okTimes.length - this.#okHead) / (span / 1000);
  }

  #trim(now: number): void {
    const from = now - this.#o.windowMs;
    while (this.#okHead < this.#okTimes.length && this.#okTimes[this.#okHead]! < from) this.#okHead += 1;
    if (this.#okHead > 4096 && this.#okHead * 2 > this.#okTimes.length) {
      this.#okTimes = this.#okTimes.slice(this.#okHead);
      this.#okHead = 0;
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
