/**
 * Adaptive pacing shared by every request of one client (STYLE: "a 429 lowers the rate, sustained success
 * raises it back toward the cap"). A GCRA token bucket sends at most `rate` requests per second.
 *
 * Slow start: the rate begins low (`startRate`, a couple of requests per second) and grows by one request
 * per second for every answer that is not a 429 — it doubles about every 0.7 s, like TCP's slow start,
 * reaching 100 requests/s in about 4 s — but never past twice what was actually sent in the last second
 * (a client that has nothing more to send does not inflate its rate). Starting at the ceiling sent 20+
 * requests/s into a server admitting 5 and made the start-up burst most of a run's 429s.
 *
 * On a 429 the limiter works out what the server admits and settles there, at most once per
 * `decreaseCooldownMs` so a burst of 429s from requests already in flight counts once. It reads the server
 * as a token bucket (rate R, some burst), which is what the emulator is and what a 429 with `Retry-After`
 * suggests; it needs no figure from the server:
 * - slow start's first 429: the server's bucket is empty now, and was full when the sending rate was last
 *   below R. With a burst of one second's worth (the emulator's), successes since a moment s over
 *   (1 s + the time since s) equals R at the last s the bucket was full and is below R everywhere else, so
 *   its maximum over s is R. The search starts at 97 % of that and climbs 3 % a second. (A smaller burst
 *   makes it an underestimate, a larger one an overestimate that the next 429 shows at once.)
 * - a 429 while searching: the bucket was empty at every 429, so between two of them the server let through
 *   at most its refill plus one token: R > (successes − 1) / span, a bound that holds whatever the burst.
 *   The largest over the 429s of the last minute is where the rate settles, if it is known to within 5 %
 *   (and the climb did not leave the bucket time to fill up, which hides tokens and makes the bound low);
 *   else the search climbs again from it, once, and settles at the next 429. A search that meets no 429 for
 *   30 s goes back to slow start (slow start's 429 was a passing storm, not the limit). At R = 5 this costs
 *   two or three 429s in a run and settles at 97–99 % of R (the old estimate from successes per second,
 *   overcounting the tokens a server saves, settled above R and cost four or five).
 * - a later 429 (a storm, or a limit that moved): 429s close together since a chain began measure the
 *   server's rate (successes over the time since, × 0.97); otherwise the successes of the last `windowMs`,
 *   times 0.95 (or halving, before there is anything to measure).
 * Halving on every 429 (plain AIMD) averages ~75 % of a server limit and keeps hitting it.
 *
 * After `quietMs` without a 429 the rate climbs back: fast toward where it was when the episode began if
 * the server had admitted far less than was sent (a storm should not cost the rest of the night), else
 * slowly (+1 %/s), probing a steady limit without tripping it often.
 * Pacing keeps its schedule when timers wake late (up to `lateToleranceMs`), and `startBurst` requests may
 * go at once before any pacing (the requester gives one to its read classes, so tiny runs do not wait).
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
  /** Ceiling, requests per second. */
  readonly maxRate: number;
  /** Rate of slow start's first second; `maxRate` turns slow start off. @default min(maxRate, 2) */
  readonly startRate?: number;
  /** Floor of the rate after repeated 429s. */
  readonly minRate: number;
  /** Requests that may go back to back before pacing applies. @default 1 */
  readonly burst?: number;
  /**
   * Requests at the very start that are not paced at all (the one after them starts the pacing): a tiny run
   * (one `set`, one `list` page) does not wait out slow start. Spent once; never refilled. @default 0
   */
  readonly startBurst?: number;
  /**
   * How late a slot may be taken and still count as on schedule (timers wake late on a busy machine; the
   * slots missed meanwhile are handed out at once). @default 50
   */
  readonly lateToleranceMs?: number;
  /** Multiplier applied on a 429 when no success rate could be measured yet. @default 0.5 */
  readonly decreaseFactor?: number;
  /** Smallest step (requests per second) of a recovery. @default max(0.1, maxRate / 200) */
  readonly increaseStep?: number;
  /** Minimum time between two decreases. @default 1000 */
  readonly decreaseCooldownMs?: number;
  /** Time without a 429 before the rate climbs again. @default 15000 */
  readonly quietMs?: number;
  /** 429s less than this apart form one run, over which the server's rate is measured. @default 3000 */
  readonly chainGapMs?: number;
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

/** How long successes and 429s are kept: the search measures the server's rate between 429s this far apart. */
const RETAIN_MS = 60_000;
/** Search: how fast the rate climbs (per second) toward the 429 that measures the limit. */
const SEARCH_GAIN = 0.03;
/** A search that meets no 429 for this long goes back to slow start. */
const SEARCH_RESTART_MS = 30_000;
/** A measured limit is taken when it is known to within this share (else one more 429 refines it). */
const PRECISION = 0.05;

export class AdaptiveRateLimiter {
  readonly #o: Required<Omit<RateLimiterOptions, 'onRateChange' | 'onPause'>> &
    Pick<RateLimiterOptions, 'onRateChange' | 'onPause'>;
  #rate: number;
  /** GCRA theoretical arrival time of the next request. */
  #tat = Number.NEGATIVE_INFINITY;
  #pausedUntil = Number.NEGATIVE_INFINITY;
  /** Unpaced requests left of `startBurst`. */
  #startBurstLeft: number;
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
  /**
   * `slow-start`: no 429 yet, the rate grows by one per success. `search`: after slow start's first 429, the
   * rate grows by `#searchGain` a second until the next 429, which measures the limit (`#lowerBound`).
   * `steady`: the limit was measured; recovery and probing as described above.
   */
  #phase: 'slow-start' | 'search' | 'steady';
  #searchGain = SEARCH_GAIN;
  /** Time of the first 429 of the current run of 429s less than `chainGapMs` apart, and the successes since. */
  #chainAt = Number.NEGATIVE_INFINITY;
  #okSinceChain = 0;
  #rejectedSinceChain = 0;
  /** Times of recent 429s (kept as long as successes are): the server's bucket was empty at each. */
  #emptyAt: number[] = [];
  /** The search already climbed once more from a bound it could not trust: the next 429 settles it. */
  #refined = false;

  constructor(options: RateLimiterOptions) {
    if (!(options.maxRate > 0) || !(options.minRate > 0) || options.minRate > options.maxRate) {
      throw new RangeError(`Invalid rate limits: minRate ${options.minRate}, maxRate ${options.maxRate}`);
    }
    this.#o = {
      burst: 1,
      startBurst: 0,
      lateToleranceMs: 50,
      decreaseFactor: 0.5,
      increaseStep: Math.max(0.1, options.maxRate / 200),
      decreaseCooldownMs: 1000,
      quietMs: 15_000,
      windowMs: 3000,
      holdMs: 120_000,
      chainGapMs: 3000,
      startRate: Math.min(options.maxRate, 2),
      ...options,
    };
    this.#rate = Math.min(options.maxRate, Math.max(options.minRate, this.#o.startRate));
    this.#startBurstLeft = Math.max(0, Math.floor(this.#o.startBurst));
    this.#ceiling = options.maxRate;
    this.#phase = this.#rate < options.maxRate ? 'slow-start' : 'steady';
  }

  /** Current allowed requests per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Clock time until which every caller waits (from a `Retry-After`); in the past when not paused. */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /**
   * Wait for a slot. Rejects (with the sleep's rejection) when `signal` aborts. A waiter does not book a slot
   * ahead: it sleeps until the next one and checks again, so a rate that grew (slow start) or a pause that
   * began while it slept applies to it.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#o.now();
      if (now < this.#pausedUntil) {
        await this.#o.sleep(this.#pausedUntil - now, signal);
        continue;
      }
      if (this.#startBurstLeft > 0) {
        this.#startBurstLeft -= 1;
        return;
      }
      const interval = 1000 / this.#rate;
      const at = Math.max(now, this.#tat - (this.#o.burst - 1) * interval);
      if (at <= now) {
        // A waiter its timer woke late keeps the schedule (up to `lateToleranceMs`), so the slots it missed
        // go to the next callers at once: else every late wake-up stretches a slot. At 100/s with 8 callers
        // and real timers on a loaded machine (load 18), tolerating half a slot (5 ms) gave 75-92/s, 50 ms
        // gave 100/s. The cost is a burst of at most 50 ms worth of requests after a short gap. A caller
        // after a longer idle spell starts from now.
        const late = now - this.#tat;
        const onSchedule = late > 0 && late <= this.#o.lateToleranceMs;
        this.#tat = (onSchedule ? this.#tat : Math.max(this.#tat, now)) + interval;
        return;
      }
      await this.#o.sleep(at - now, signal);
    }
  }

  /** A request succeeded (any non-429 answer counts: the server was not overloaded). */
  onSuccess(): void {
    const now = this.#o.now();
    if (Number.isNaN(this.#firstAt)) this.#firstAt = now;
    this.#okTimes.push(now);
    this.#okSinceChain += 1;
    this.#trim(now);
    if (this.#rate >= this.#o.maxRate) return;
    // Growth needs answers that the rate paced: never past twice what went out in the last second.
    const used = Math.max(this.#o.startRate, 2 * (this.#okTimes.length - this.#firstIndexAfter(now - 1000)));
    if (this.#phase === 'slow-start') {
      const next = Math.min(this.#o.maxRate, this.#rate + 1, used);
      if (next > this.#rate) this.#setRate(next, 'recovered', false);
      return;
    }
    this.#successes += 1;
    if (this.#successes < Math.ceil(this.#rate)) return;
    this.#successes = 0; // about one second's worth
    if (this.#phase === 'search') {
      if (now - this.#last429At >= SEARCH_RESTART_MS) {
        // No 429 for this long: slow start's 429 was not the limit (a passing storm): grow as at the start.
        this.#phase = 'slow-start';
        return;
      }
      if (now - this.#lastDecreaseAt < this.#o.decreaseCooldownMs) return;
      const next = Math.min(this.#o.maxRate, this.#rate * (1 + this.#searchGain), used);
      if (next > this.#rate) {
        this.#setRate(next, 'recovered');
      }
      return;
    }
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
    if (now - this.#last429At >= this.#o.chainGapMs) {
      this.#chainAt = now;
      this.#okSinceChain = 0;
      this.#rejectedSinceChain = 0;
    }
    this.#rejectedSinceChain += 1;
    this.#last429At = now;
    const bound = this.#phase === 'search' && now - this.#lastDecreaseAt >= this.#o.decreaseCooldownMs ? this.#lowerBound(now) : undefined;
    // 429s less than 100 ms apart (requests that were in flight together) say the same: keep the last.
    if (this.#emptyAt.length > 0 && now - this.#emptyAt[this.#emptyAt.length - 1]! < 100) this.#emptyAt.pop();
    this.#emptyAt.push(now);
    if (now - this.#lastDecreaseAt < this.#o.decreaseCooldownMs) return;
    this.#lastDecreaseAt = now;
    if (this.#phase === 'slow-start') {
      this.#endSlowStart(now);
      return;
    }
    if (this.#phase === 'search') {
      if (bound === undefined) {
        // Too soon to measure: step back below where the last increase went, and creep from there.
        this.#searchGain = 0.02;
        this.#setRate(Math.max(this.#o.minRate, this.#rate / 1.12), 'rate-limited');
        return;
      }
      if (bound.rate >= 0.5 * this.#rate) {
        // Exact enough, and the server's bucket could not have filled up in between (which hides tokens from
        // the count and makes the bound low) unless its burst is under a second's worth: take it. Else
        // climb again from it, slowly, for one more 429 (at most one: each costs a request).
        const saved = this.#savedTokens(now - bound.spanMs, now, bound.rate * (1 + PRECISION));
        if (this.#refined || (bound.width <= PRECISION && saved <= bound.rate)) this.#settle(bound.rate);
        else {
          this.#refined = true;
          this.#searchGain = SEARCH_GAIN;
          this.#setRate(Math.max(this.#o.minRate, bound.rate), 'rate-limited');
        }
        return;
      }
      this.#phase = 'steady'; // a storm while searching: the storm handling below, then the usual recovery
    }
    const chainMs = now - this.#chainAt;
    if (chainMs >= 1000 && this.#okSinceChain >= 8) {
      // 429s close together since the chain began: the server's bucket stayed empty, so what it let through
      // meanwhile is what it admits. Successes per second undercount it when requests waiting out a
      // Retry-After leave the rate unused; the share let through times the rate sent undercounts it when the
      // rate came down during the chain: take the larger.
      const admitted = Math.max(
        this.#okSinceChain / (chainMs / 1000),
        this.#rate * (this.#okSinceChain / (this.#okSinceChain + this.#rejectedSinceChain)),
      );
      // Under half of the rate: a storm, not a limit (below).
      if (admitted >= 0.5 * this.#rate) {
        this.#settle(0.97 * Math.min(this.#rate, admitted));
        return;
      }
    }
    // A storm (the server admitted far less than was sent) or a 429 long after the limit was measured.
    this.#phase = 'steady';
    const admitted = this.#admittedRate(now);
    this.#fastReturn = admitted === undefined || admitted < 0.5 * this.#rate;
    if (!this.#fastReturn && admitted !== undefined) this.#knownLimit = admitted;
    const next = admitted === undefined ? this.#rate * this.#o.decreaseFactor : 0.95 * Math.min(this.#rate, admitted);
    this.#setRate(Math.max(this.#o.minRate, next), 'rate-limited');
  }

  /**
   * Slow start's first 429 (see the top of the file): the search starts at 97 % of the largest successes
   * since s / (1 s + time since s), and never above what went through in the last second (the bucket
   * ended empty, so that is at least the rate) or the rate sent.
   */
  #endSlowStart(now: number): void {
    const lastSecond = this.#okTimes.length - this.#firstIndexAfter(now - 1000);
    let estimate = 0;
    let n = 0;
    for (let i = this.#okTimes.length - 1; i >= this.#okHead; i--) {
      n += 1;
      const f = n / (1 + (now - this.#okTimes[i]!) / 1000);
      if (f > estimate) estimate = f;
    }
    this.#phase = 'search';
    this.#searchGain = SEARCH_GAIN;
    this.#refined = false;
    this.#fastReturn = false;
    const next = lastSecond > 0 ? 0.97 * Math.min(this.#rate, lastSecond, estimate) : this.#rate * this.#o.decreaseFactor;
    this.#setRate(Math.max(this.#o.minRate, next), 'rate-limited');
  }

  /**
   * The most tokens a server of `rate` per second, empty at `from`, would have saved up by `to` given the
   * successes in between (no cap): if the server's burst is smaller, its bucket filled up and a bound
   * measured over that span is low.
   */
  #savedTokens(from: number, to: number, rate: number): number {
    let max = 0;
    let n = 0;
    for (let i = this.#firstIndexAfter(from); i < this.#okTimes.length && this.#okTimes[i]! <= to; i++) {
      const level = (rate * (this.#okTimes[i]! - from)) / 1000 - n;
      if (level > max) max = level;
      n += 1;
    }
    return Math.max(max, (rate * (to - from)) / 1000 - n);
  }

  /**
   * What the server's rate is at least, from two of its 429s: its bucket was empty at both, so what it let
   * through between them is at most its refill plus one token: rate > (successes − 1) / span. The best
   * (largest) such bound over the 429s of the last minute, with its span and its relative width
   * (2 / span / bound: without the bucket filling up in between, the rate is also < (successes + 1) / span).
   */
  #lowerBound(now: number): { rate: number; spanMs: number; width: number } | undefined {
    this.#trim(now);
    let best: { rate: number; spanMs: number; width: number } | undefined;
    const okNow = this.#firstIndexAfter(now);
    for (const at of this.#emptyAt) {
      const spanMs = now - at;
      if (spanMs < 1000) break;
      const ok = okNow - this.#firstIndexAfter(at);
      const rate = (ok - 1) / (spanMs / 1000);
      if (rate > 0 && (best === undefined || rate > best.rate)) best = { rate, spanMs, width: 2 / (spanMs / 1000) / rate };
    }
    return best;
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
    return (this.#okTimes.length - this.#firstIndexAfter(now - span)) / (span / 1000);
  }

  /** Index of the first success after `t` (binary search over the sorted queue). */
  #firstIndexAfter(t: number): number {
    let lo = this.#okHead;
    let hi = this.#okTimes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#okTimes[mid]! > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * A measured limit: go just under it and hold there for `holdMs` (the recovery cap is 98 % of
   * `#knownLimit`): climbing the last few % of a measurement that may be a little high costs a 429 at R = 5.
   */
  #settle(rate: number): void {
    const next = Math.max(this.#o.minRate, rate);
    this.#phase = 'steady';
    this.#fastReturn = false;
    this.#knownLimit = next / 0.98;
    this.#setRate(next, 'rate-limited');
  }

  /** Successes (and 429s) are kept for `windowMs`, and for a minute at least (the search phase's measurement). */
  #trim(now: number): void {
    const from = now - Math.max(this.#o.windowMs, RETAIN_MS);
    while (this.#emptyAt.length > 0 && this.#emptyAt[0]! < from) this.#emptyAt.shift();
    while (this.#okHead < this.#okTimes.length && this.#okTimes[this.#okHead]! < from) this.#okHead += 1;
    if (this.#okHead > 4096 && this.#okHead * 2 > this.#okTimes.length) {
      this.#okTimes = this.#okTimes.slice(this.#okHead);
      this.#okHead = 0;
    }
  }

  /**
   * Stop handing out slots for `delayMs` from now (extends, never shortens, a running pause). Returns whether
   * the pause was extended.
   */
  pause(delayMs: number): boolean {
    const until = this.#o.now() + delayMs;
    if (until <= this.#pausedUntil) return false;
    this.#pausedUntil = until;
    // Restart pacing at the end of the pause, so waiters do not all fire at once when it ends.
    this.#tat = Math.max(this.#tat, until);
    this.#o.onPause?.({ untilMs: until, delayMs });
    return true;
  }

  /** `announce: false` (slow start's per-answer growth) reports only each doubling. */
  #setRate(rate: number, reason: RateChange['reason'], announce = true): void {
    if (rate === this.#rate) return;
    const previousRate = this.#rate;
    this.#rate = rate;
    if (!announce && Math.floor(Math.log2(rate)) === Math.floor(Math.log2(previousRate))) return;
    this.#o.onRateChange?.({ previousRate, rate, reason });
  }
}
