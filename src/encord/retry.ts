/**
 * The one retry policy of the client (STYLE: "One retry policy module"). Retries an `EncordApiError` whose
 * `retryable` is true — 429, 500/502/503/504, network errors and timeouts — with exponential backoff and
 * full jitter, or for exactly the server's `Retry-After` (capped). Every other error, in particular any other
 * 4xx, is returned at once. Writes are full-dictionary and therefore idempotent, so PATCH and the v1 save are
 * retried too (unlike the SDK). This is the only module that imports p-retry; waits go through the injected
 * `sleep`, never p-retry's own timer, so tests run with no real delays.
 */
import pRetry from 'p-retry';
import { EncordApiError } from './errors.js';

/** Wait `ms` milliseconds; reject when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** `setTimeout`-based sleep that honours an `AbortSignal`. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface RetryPolicy {
  /** Retries after the first attempt (so at most `maxRetries + 1` attempts). */
  readonly maxRetries: number;
  /** Backoff ceiling of the first retry; doubles per retry. */
  readonly baseDelayMs: number;
  /** Upper bound of any backoff delay. */
  readonly maxDelayMs: number;
  /** Upper bound of a `Retry-After` wait. */
  readonly maxRetryAfterMs: number;
  readonly sleep: Sleep;
  /** Uniform in [0, 1): the jitter source. */
  readonly random: () => number;
  /**
   * Retries past `maxRetries` for errors this says yes to, given how long the call has been retrying (a time
   * budget instead of a count: e.g. 429 while the server keeps answering 429). @default none
   */
  readonly retryBeyond?: ((error: EncordApiError, elapsedMs: number) => boolean) | undefined;
  /** Clock for `retryBeyond`'s elapsed time. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/**
 * Parse `Retry-After`: delay-seconds (`"120"`) or an HTTP date. Returns milliseconds from `nowMs` (0 for a
 * date in the past), or `undefined` when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (/^\d+\.\d+$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at) || !/[a-z]/i.test(v)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Full-jitter exponential backoff before retry number `retryNumber` (1-based). */
export function backoffDelay(retryNumber: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(policy.random() * ceiling);
}

export interface RetryDelay {
  readonly delayMs: number;
  /** `retry-after` when the server said how long to wait, else `backoff`. */
  readonly source: 'retry-after' | 'backoff';
}

/** How long to wait before retry `retryNumber` after `error`. */
export function retryDelay(error: EncordApiError, retryNumber: number, policy: RetryPolicy): RetryDelay {
  if (error.retryAfterMs !== undefined) {
    // Retry-After is a floor, not a replacement for backoff: "Retry-After: 0" from a server under a
    // 429 storm must not turn into a tight loop that spends every retry within milliseconds.
    const backoff = backoffDelay(retryNumber, policy);
    const told = Math.min(error.retryAfterMs, policy.maxRetryAfterMs);
    return told >= backoff ? { delayMs: told, source: 'retry-after' } : { delayMs: backoff, source: 'backoff' };
  }
  return { delayMs: backoffDelay(retryNumber, policy), source: 'backoff' };
}

export interface RetryNotice extends RetryDelay {
  /** 1 for the first retry. */
  readonly retryNumber: number;
  readonly error: EncordApiError;
}

/**
 * Run `attempt` until it succeeds, fails with a non-retryable error, or `maxRetries` retries are spent.
 * `attempt` receives the 1-based attempt number and must build (and sign) a fresh request each time. The
 * final error reports how many attempts were made.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  options: { readonly signal?: AbortSignal | undefined; readonly onRetry?: ((notice: RetryNotice) => void) | undefined } = {},
): Promise<T> {
  let attempts = 0;
  const isAborted = (): boolean => options.signal?.aborted === true;
  const now = policy.now ?? Date.now;
  const started = now();
  try {
    return await pRetry(
      (n) => {
        attempts = n;
        return attempt(n);
      },
      {
        // The count is checked in shouldRetry, so that some errors can retry on a time budget instead.
        retries: policy.retryBeyond === undefined ? policy.maxRetries : Number.POSITIVE_INFINITY,
        // p-retry's own timer stays at 0: the delay is taken in shouldRetry with the injected sleep.
        minTimeout: 0,
        factor: 1,
        shouldRetry: async ({ error, retriesConsumed }) => {
          if (!(error instanceof EncordApiError) || !error.retryable) return false;
          const retryNumber = retriesConsumed + 1;
          if (retryNumber > policy.maxRetries && policy.retryBeyond?.(error, now() - started) !== true) return false;
          const delay = retryDelay(error, retryNumber, policy);
          options.onRetry?.({ ...delay, retryNumber, error });
          if (isAborted()) throw abortedDuringWait(error);
          try {
            await policy.sleep(delay.delayMs, options.signal);
          } catch (sleepError) {
            if (isAborted()) throw abortedDuringWait(error, sleepError);
            throw sleepError;
          }
          return true;
        },
      },
    );
  } catch (error) {
    if (error instanceof EncordApiError) throw error.withAttempts(Math.max(attempts, error.attempts));
    throw error;
  }
}

function abortedDuringWait(last: EncordApiError, cause?: unknown): EncordApiError {
  return new EncordApiError('ABORTED', `Aborted while waiting to retry (last error: ${last.reason})`, last.context, {
    cause: cause ?? last,
  });
}
