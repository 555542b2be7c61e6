/** The retry policy with an injected sleep: no real waits. */
import { describe, expect, it } from 'vitest';
import { EncordApiError, type ApiErrorCode, type RequestContext } from '../../src/encord/errors.js';
import { backoffDelay, parseRetryAfter, retryDelay, withRetry, type RetryPolicy } from '../../src/encord/retry.js';

const ctx: RequestContext = { method: 'GET', path: '/v2/public/x', operation: 'x', traceId: 'abc' };
const err = (code: ApiErrorCode, init: { retryAfterMs?: number; retryable?: boolean; status?: number } = {}): EncordApiError =>
  new EncordApiError(code, `failed with ${code}`, ctx, init);

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy & { slept: number[] } {
  const slept: number[] = [];
  return {
    maxRetries: 3,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    maxRetryAfterMs: 60_000,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...overrides,
    slept,
  };
}

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['5', 5000],
    [' 0 ', 0],
    ['1.5', 1500],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 10_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
    ['-3', undefined],
  ])('%j -> %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('backoff', () => {
  it('is full jitter under an exponential ceiling, capped', () => {
    const p = { baseDelayMs: 1000, maxDelayMs: 5000 };
    expect(backoffDelay(1, { ...p, random: () => 0.999 })).toBe(999);
    expect(backoffDelay(2, { ...p, random: () => 0.999 })).toBe(1998);
    expect(backoffDelay(3, { ...p, random: () => 0.5 })).toBe(2000);
    expect(backoffDelay(10, { ...p, random: () => 0.999 })).toBe(4995);
    expect(backoffDelay(4, { ...p, random: () => 0 })).toBe(0);
  });

  it('uses Retry-After when given, capped by maxRetryAfterMs', () => {
    expect(retryDelay(err('RATE_LIMITED', { retryAfterMs: 2000 }), 1, policy())).toEqual({ delayMs: 2000, source: 'retry-after' });
    expect(retryDelay(err('RATE_LIMITED', { retryAfterMs: 600_000 }), 1, policy())).toEqual({ delayMs: 60_000, source: 'retry-after' });
    expect(retryDelay(err('SERVER_ERROR'), 2, policy())).toEqual({ delayMs: 1000, source: 'backoff' });
  });
});

describe('withRetry', () => {
  it('retries retryable errors with the injected sleep, then succeeds', async () => {
    const p = policy();
    const seen: number[] = [];
    const notices: string[] = [];
    const out = await withRetry(
      async (n) => {
        seen.push(n);
        if (n === 1) throw err('RATE_LIMITED', { retryAfterMs: 3000 });
        if (n === 2) throw err('SERVER_ERROR');
        if (n === 3) throw err('TRANSPORT');
        return 'ok';
      },
      p,
      { onRetry: (r) => notices.push(`${r.retryNumber}:${r.error.code}:${r.source}:${r.delayMs}`) },
    );
    expect(out).toBe('ok');
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(p.slept).toEqual([3000, 1000, 2000]);
    expect(notices).toEqual(['1:RATE_LIMITED:retry-after:3000', '2:SERVER_ERROR:backoff:1000', '3:TRANSPORT:backoff:2000']);
  });

  it.each(['INVALID_ARGUMENTS', 'AUTHENTICATION', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'BAD_RESPONSE'] as const)(
    'never retries %s',
    async (code) => {
      const p = policy();
      let calls = 0;
      await expect(
        withRetry(async () => {
          calls += 1;
          throw err(code);
        }, p),
      ).rejects.toMatchObject({ code, attempts: 1 });
      expect(calls).toBe(1);
      expect(p.slept).toEqual([]);
    },
  );

  it('gives up after maxRetries and reports the attempts', async () => {
    const p = policy({ maxRetries: 2 });
    const error = await withRetry(async () => {
      throw err('SERVER_ERROR', { status: 503 });
    }, p).catch((e: unknown) => e as EncordApiError);
    expect(error.code).toBe('SERVER_ERROR');
    expect(error.attempts).toBe(3);
    expect(error.message).toContain('after 3 attempts');
    expect(error.message).toContain('trace abc');
    expect(p.slept).toHaveLength(2);
  });

  it('honours an explicit retryable=false on a normally retryable code', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw err('TRANSPORT', { retryable: false });
      }, policy()),
    ).rejects.toMatchObject({ code: 'TRANSPORT' });
    expect(calls).toBe(1);
  });

  it('does not retry foreign errors', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw new Error('bug');
      }, policy()),
    ).rejects.toThrow('bug');
    expect(calls).toBe(1);
  });

  it('an abort during the wait ends with ABORTED', async () => {
    const ac = new AbortController();
    const p = policy({
      sleep: async (_ms, signal) => {
        ac.abort(new Error('stop'));
        signal?.throwIfAborted();
      },
    });
    await expect(
      withRetry(async () => {
        throw err('SERVER_ERROR');
      }, p, { signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
