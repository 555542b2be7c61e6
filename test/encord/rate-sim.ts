/**
 * A discrete-event model of an import against a server rate limit, on virtual time (nothing waits): the
 * requester's shape around `AdaptiveRateLimiter` — `concurrency` callers, each taking a rate slot, then a
 * round trip of `latencyMs` with the server's token bucket deciding half way, a 429 answered with
 * `Retry-After` (whole seconds, at least 1, as the emulator does) that its request waits out before trying
 * again. Used by the limiter's tests and by `scripts/bench/rate-limit-sim.ts` (tuning in seconds instead of
 * the real benchmark's minutes). The figures are computed as `scripts/bench/rate-limit.ts` computes them:
 * the sustained rate from `warmup` s after the first accepted request to `warmup + window` s after it, the
 * 429 share over every request sent.
 */
import { AdaptiveRateLimiter, type RateLimiterOptions } from '../../src/encord/rate-limiter.js';

/** Virtual time: sleeps resolve in time order; the loop lets every promise settle before the next wake. */
export class VirtualClock {
  #t = 0;
  #seq = 0;
  readonly #queue: { at: number; seq: number; resolve: () => void }[] = [];

  readonly now = (): number => this.#t;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    signal?.throwIfAborted();
    return new Promise((resolve) => {
      this.#queue.push({ at: this.#t + Math.max(0, ms), seq: this.#seq++, resolve });
    });
  };

  /** Run until no sleeper is left or virtual time passes `untilMs`. */
  async run(untilMs: number): Promise<void> {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.#queue.length === 0) return;
      let best = 0;
      for (let i = 1; i < this.#queue.length; i++) {
        const a = this.#queue[i]!;
        const b = this.#queue[best]!;
        if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) best = i;
      }
      const next = this.#queue[best]!;
      if (next.at > untilMs) return;
      this.#queue.splice(best, 1);
      this.#t = next.at;
      next.resolve();
    }
  }
}

/** A server's token bucket: `rate` per second, `burst` tokens, full at the start. */
export function tokenBucket(rate: number, burst = Math.max(1, Math.ceil(rate))): { take: (now: number) => boolean } {
  let tokens = burst;
  let last = 0;
  return {
    take(now) {
      tokens = Math.min(burst, tokens + ((now - last) * rate) / 1000);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

export interface SimInput {
  /** The server's limit (requests per second) and burst (@default the emulator's: ceil(r)). */
  readonly r: number;
  readonly burst?: number;
  /** Callers at once (the requester's slots). @default 8 */
  readonly concurrency?: number;
  /** Round trip of an answered request, ms; the server decides half way. @default 20 */
  readonly latencyMs?: number;
  /** Extra ms each timer wakes late (a busy machine). @default 0 */
  readonly lateMs?: number;
  /** Unpaced requests at the very start (the requester gives 4 to v1 and v2 reads). @default 4 */
  readonly startBurst?: number;
  readonly warmup?: number;
  readonly window?: number;
  readonly limiter?: Partial<RateLimiterOptions>;
}

export interface SimFigures {
  readonly requests: number;
  readonly rejected: number;
  readonly pct429: number;
  readonly sustained: number;
  readonly share: number;
  readonly finalRate: number;
  readonly met: boolean;
  /** Rate changes: [virtual ms, new rate]. */
  readonly changes: readonly (readonly [number, number])[];
}

export async function simulate(input: SimInput): Promise<SimFigures> {
  const clock = new VirtualClock();
  const warmup = input.warmup ?? 10;
  const window = input.window ?? 60;
  const latency = input.latencyMs ?? 20;
  const late = input.lateMs ?? 0;
  const changes: [number, number][] = [];
  const limiter = new AdaptiveRateLimiter({
    maxRate: 250,
    minRate: 1,
    startBurst: input.startBurst ?? 4,
    now: clock.now,
    sleep: (ms, signal) => clock.sleep(ms + late, signal),
    onRateChange: (c) => changes.push([clock.now(), c.rate]),
    ...input.limiter,
  });
  const server = tokenBucket(input.r, input.burst);
  let requests = 0;
  let rejected = 0;
  let firstOk: number | undefined;
  const okTimes: number[] = [];
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop) {
      await limiter.acquire();
      if (stop) return;
      requests += 1;
      await clock.sleep(latency / 2);
      const ok = server.take(clock.now());
      await clock.sleep(latency / 2);
      if (ok) {
        firstOk ??= clock.now();
        okTimes.push(clock.now());
        limiter.onSuccess();
      } else {
        rejected += 1;
        limiter.onRateLimited(1000);
        await clock.sleep(1000); // Retry-After: 1 (the same request again)
      }
    }
  };
  const workers = Array.from({ length: input.concurrency ?? 8 }, () => worker());
  const horizon = 300_000;
  // Run until the window after the first success has closed.
  for (let until = 1000; until <= horizon; until += 1000) {
    await clock.run(until);
    if (firstOk !== undefined && clock.now() >= firstOk + (warmup + window) * 1000) break;
  }
  stop = true;
  const from = firstOk! + warmup * 1000;
  const to = firstOk! + (warmup + window) * 1000;
  const inWindow = okTimes.filter((t) => t >= from && t < to).length;
  void Promise.allSettled(workers);
  const sustained = inWindow / window;
  return {
    requests,
    rejected,
    pct429: (100 * rejected) / requests,
    sustained,
    share: sustained / input.r,
    finalRate: limiter.rate,
    met: sustained >= 0.95 * input.r && rejected < 0.01 * requests,
    changes,
  };
}
