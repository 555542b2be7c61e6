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
 * On a 429 the limiter estimates what the server actually admits and settles under it, at most once per
 * `decreaseCooldownMs` so a burst of 429s from requests already in flight counts once:
 * - the first 429 of slow start: every success since the first one over the time since (a server's burst
 *   allowance makes this 10–40 % above its rate), times 0.85;
 * - a later 429 of the same episode (429s less than `quietMs` apart): the successes since the episode's
 *   first 429 over the time since — the server's bucket has been empty all along, so that is its rate —
 *   times 0.97, once that spans a second and 8 successes;
 * - otherwise the successes of the last `windowMs`, times 0.95 (or halving, before there is anything to
 *   measure).
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
   * rate grows by `#searchGain` a second until 429s come close together, which measures the limit.
   * `steady`: the limit was measured; recovery and probing as described above.
   */
  #phase: 'slow-start' | 'search' | 'steady';
  #searchGain = 0.1;
  #searchAt = Number.NEGATIVE_INFINITY;
  /** When the search phase raised the rate, and to what. */
  #searchSteps: { readonly at: number; readonly rate: number }[] = [];
  /** Time of the first 429 of the current run of 429s less than `chainGapMs` apart, and the successes since. */
  #chainAt = Number.NEGATIVE_INFINITY;
  #okSinceChain = 0;
  #rejectedSinceChain = 0;

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
      if (now - this.#lastDecreaseAt < this.#o.decreaseCooldownMs) return;
      const next = Math.min(this.#o.maxRate, this.#rate * (1 + this.#searchGain), used);
      if (next > this.#rate) {
        this.#searchSteps.push({ at: now, rate: next });
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
    if (now - this.#lastDecreaseAt < this.#o.decreaseCooldownMs) return;
    this.#lastDecreaseAt = now;
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
    } else if (this.#phase === 'search' && (this.#admittedRate(now) ?? 0) < 0.5 * this.#rate) {
      this.#phase = 'steady'; // a storm while searching: the storm handling below, then the usual recovery
    }
    if (this.#phase === 'slow-start') {
      // The rate doubled every 0.7 s while the server's burst allowance hid its limit: half of what went
      // through in the last second is about the limit (a burst of R, R/2 or 2R: 1.0, 0.75, 1.4 times it).
      const lastSecond = this.#okTimes.length - this.#firstIndexAfter(now - 1000);
      this.#phase = 'search';
      this.#searchAt = now;
      this.#searchSteps = [];
      this.#searchGain = 0.1;
      this.#fastReturn = false;
      this.#setRate(Math.max(this.#o.minRate, lastSecond > 0 ? 0.5 * Math.min(this.#rate, lastSecond) : this.#rate * this.#o.decreaseFactor), 'rate-limited');
      return;
    }
    if (this.#phase === 'search' && !(chainMs >= 1000 && this.#okSinceChain >= 8)) {
      // Since slow start ended the rate climbed from about the limit to just over it: the successes since it
      // passed 1/1.15 of where it is now (the last step or two, at most 10 s) are the server's rate. Over the
      // whole search they undercount it (the time spent below), over the last 3 s they overcount it (the
      // tokens the server saved meanwhile: 7 % at R = 5).
      let from = this.#searchAt;
      for (const step of this.#searchSteps) if (step.rate <= this.#rate / 1.15) from = step.at;
      from = Math.max(from, now - 10_000);
      const ok = this.#okTimes.length - this.#firstIndexAfter(from);
      if (now - from >= 1000 && ok >= 8) {
        const admitted = ok / ((now - from) / 1000);
        this.#settle(0.965 * Math.min(this.#rate, admitted));
        return;
      }
      // Too soon to measure: step back below where the last increase went, and creep from there.
      this.#searchGain = 0.02;
      this.#fastReturn = false;
      this.#setRate(Math.max(this.#o.minRate, this.#rate / 1.12), 'rate-limited');
      return;
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

  /** Successes are kept for `windowMs`, and for 10 s at least (the search phase's measurement). */
  #trim(now: number): void {
    const from = now - Math.max(this.#o.windowMs, 10_000);
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
