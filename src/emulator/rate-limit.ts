/**
 * Token buckets per credential and route class (protocol §9 "Rate limiting"). A request takes one token; an
 * empty bucket answers 429 with the whole seconds until the next token as `Retry-After`.
 */
import type { ResolvedRateLimit, RouteClass } from './options.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Forget all buckets (after a configuration change). */
  reset(): void {
    this.#buckets.clear();
  }

  take(config: ResolvedRateLimit, credential: string, cls: RouteClass): RateDecision {
    const { rate, burst } = config.buckets[cls];
    const key = `${cls}\u0000${credential}`;
    const now = this.#clock();
    let b = this.#buckets.get(key);
    if (b === undefined) {
      b = { tokens: burst, updatedAt: now };
      this.#buckets.set(key, b);
    } else {
      const elapsed = Math.max(0, now - b.updatedAt) / 1000;
      b.tokens = Math.min(burst, b.tokens + elapsed * rate);
      b.updatedAt = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    const wait = (1 - b.tokens) / rate;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
  }
}
