/**
 * Runs one logical API call: one trace id for all its attempts; per attempt a concurrency slot, a rate
 * token, freshly built and signed headers (a v2 `created` is never stale), the HTTP exchange and the
 * protocol's verdict; between attempts the retry policy. Keeps the counters and emits the events.
 */
import { randomBytes } from 'node:crypto';
import type { ClientStats } from './client-stats.js';
import type { ClientEvent, RateClass } from './client-events.js';
import type { ResolvedClientOptions } from './client-options.js';
import { redact } from '../errors.js';
import { EncordApiError, type RequestContext } from './errors.js';
import { HttpTransport, type HttpRequest, type HttpResponse } from './http.js';
import { JsonEncodeError, encodeAsciiJson } from './json-codec.js';
import { childSignal } from './abort-fan-out.js';
import { AdaptiveRateLimiter } from './rate-limiter.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { interpretV1Response, v1Body, v1Headers, v1Path, type Scrub, type V1Call } from './v1.js';
import { encodeQuery, interpretV2Response, v2Headers, v2Path, type QueryParams, type V2Method } from './v2.js';

/** One v2 call. `body` is a JSON value sent as is (no key aliasing); `undefined` sends no body. */
export interface V2Call {
  readonly method: V2Method;
  /** Path below `/v2/public/`, e.g. `storage/items/patch-bulk`. */
  readonly path: string;
  readonly query?: QueryParams | undefined;
  readonly body?: unknown;
}

/**
 * A scrubber for server text that removes this attempt's own secret header values (the bearer token, the
 * v1 signature, the v2 signature) wherever they appear, then applies the generic `redact()`.
 */
function scrubberFor(headers: Readonly<Record<string, string>>): Scrub {
  const secrets = new Set<string>();
  const auth = headers['authorization'];
  if (auth !== undefined) {
    secrets.add(auth);
    const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
    if (bearer !== undefined) secrets.add(bearer);
    const sig = auth.split(':')[1];
    if (sig !== undefined) secrets.add(sig);
  }
  const signature = headers['signature'];
  if (signature !== undefined) {
    secrets.add(signature);
    const b64 = /^[^=]+=:(.+):$/.exec(signature)?.[1];
    if (b64 !== undefined) secrets.add(b64);
  }
  const list = [...secrets].filter((s) => s.length >= 8).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of list) out = out.split(s).join('[REDACTED]');
    return redact(out);
  };
}

/** A body that cannot be JSON (NaN, Infinity, a cycle) is the caller's data problem: INVALID_ARGUMENTS. */
function unencodable(error: unknown, method: string, path: string, operation: string): unknown {
  if (!(error instanceof JsonEncodeError)) return error;
  return new EncordApiError('INVALID_ARGUMENTS', `The request body cannot be sent as JSON: ${error.message}`, {
    method,
    path,
    operation,
    traceId: '',
  }, { cause: error });
}

/** A failure with no answer from Encord itself: the network, a timeout, or a gateway page (502/503/504). */
function isOutageFailure(error: EncordApiError): boolean {
  if (error.code !== 'TRANSPORT' && error.code !== 'TIMEOUT' && error.code !== 'SERVER_ERROR') return false;
  if (!error.retryable) return false;
  return error.status === undefined || error.status === 502 || error.status === 503 || error.status === 504;
}

/** The errno-style code of a network error (undici may wrap it in a cause). */
function networkCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** FIFO counting semaphore whose waiters can be aborted. */
class Slots {
  #free: number;
  readonly #waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }
  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#free += 1;
    else next.resolve();
  }
}

/**
 * Rate classes, each paced by its own limiter. The emulator limits per credential and route class (v1 calls,
 * v2 reads, v2 writes); Encord's own classes are not documented (protocol §6.3). One limiter over every
 * route measured the mix: while writes waited out their limit the reads went on, so the rate it settled at
 * held the writes at 93-94 % of a write limit of 5/s. If a server has one bucket for everything, the
 * classes share it like independent workers do (each settles under what it is let through).
 */
export type { RateClass };

/** Unpaced requests at the start of a read class (see the constructor). */
const START_BURST = 4;

/** A v2 call's class: GETs and get-bulk (a POST that only reads) are reads; everything else writes. */
export function v2RateClass(method: string, path: string): RateClass {
  return method === 'GET' || /(^|\/)get-bulk$/.test(path.replace(/\/+$/, '')) ? 'v2-read' : 'v2-write';
}

/** The answer of a call and the context it ran in (for messages about what the answer contained). */
export interface ApiResult {
  readonly value: unknown;
  readonly context: RequestContext;
}

export class Requester {
  readonly stats: ClientStats = { requests: 0, retries: 0, rateLimited: 0 };
  /** One adaptive limiter per rate class: a 429 on writes says nothing about the rate reads may go at. */
  readonly #limiters: Readonly<Record<RateClass, AdaptiveRateLimiter>>;
  #lastClass: RateClass = 'v2-read';
  readonly #o: ResolvedClientOptions;
  readonly #transport: HttpTransport;
  readonly #slots: Slots;
  readonly #policy: RetryPolicy;
  /** The domain is this machine (the emulator): no point compressing answers. */
  readonly #loopback: boolean;
  /** When the current run of consecutive outage failures began (any other answer ends it). */
  #downSince: number | undefined;

  constructor(options: ResolvedClientOptions) {
    this.#o = options;
    this.#loopback = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i.test(options.domain);
    this.#transport = new HttpTransport({ connections: options.concurrency, timeoutMs: options.timeoutMs, proxyUrl: options.proxy?.url });
    this.#slots = new Slots(options.concurrency);
    this.#policy = {
      maxRetries: options.maxRetries,
      baseDelayMs: options.retryBaseDelayMs,
      maxDelayMs: options.retryMaxDelayMs,
      maxRetryAfterMs: options.maxRetryAfterMs,
      sleep: options.sleep,
      random: options.random,
      now: options.now,
      // Time budgets instead of counts: 429 while the server keeps answering 429; no answer at all until
      // the outage limit turns it into SERVICE_UNREACHABLE (see #noteFailure).
      retryBeyond: (error, elapsedMs) =>
        (error.code === 'RATE_LIMITED' && elapsedMs < options.rateLimitRetryBudgetMs) || isOutageFailure(error),
    };
    const limiter = (rateClass: RateClass | 'all'): AdaptiveRateLimiter =>
      new AdaptiveRateLimiter({
        maxRate: options.maxRequestsPerSecond,
        startRate: options.startRequestsPerSecond,
        minRate: options.minRequestsPerSecond,
        // Reads (and v1 calls, whose first are the dataset's listing) go back to back at the very start, so
        // a one-unit `set` or `list` does not wait out slow start; the write class gets no such burst (N
        // workers starting together would spend a low write limit in their first second), nor does a ceiling
        // the user gave (it is a promise about every second).
        startBurst: rateClass === 'v1' || rateClass === 'v2-read' ? START_BURST : 0,
        now: options.now,
        sleep: options.sleep,
        onRateChange: (c) => this.#emit({ type: 'rate', rateClass, ...c }),
      });
    if (options.rateLimitPerClass) {
      this.#limiters = { v1: limiter('v1'), 'v2-read': limiter('v2-read'), 'v2-write': limiter('v2-write') };
    } else {
      const all = limiter('all');
      this.#limiters = { v1: all, 'v2-read': all, 'v2-write': all };
    }
  }

  /** The limiter of the class used last (the rate a caller watching one kind of traffic wants). */
  get limiter(): AdaptiveRateLimiter {
    return this.#limiters[this.#lastClass];
  }

  /** The limiter of one rate class. */
  limiterOf(rateClass: RateClass): AdaptiveRateLimiter {
    return this.#limiters[rateClass];
  }

  /** A v1 call; resolves with the envelope's `response`. */
  v1(call: V1Call, signal?: AbortSignal, extract?: () => HttpRequest['extract']): Promise<ApiResult> {
    const path = v1Path(call);
    const operation = `${call.queryType} ${call.queryMethod}`;
    let body: Buffer;
    try {
      body = v1Body(call);
    } catch (error) {
      return Promise.reject(unencodable(error, 'POST', path, operation));
    }
    return this.#execute('v1', 'v1', 'POST', path, operation, signal, (_now, trace) => ({
      method: 'POST',
      target: path,
      body,
      headers: v1Headers(this.#o.auth, call, body, this.#o.userAgent, trace, !this.#loopback),
      // A fresh sink per attempt: rows of a failed attempt are dropped.
      extract: extract?.(),
    }), interpretV1Response);
  }

  /** A v2 call; resolves with the parsed JSON (`null` for 204). */
  v2(call: V2Call, signal?: AbortSignal): Promise<ApiResult> {
    const path = v2Path(call.path);
    const target = `${path}${encodeQuery(call.query)}`;
    const operation = call.path.replace(/^\/+|\/+$/g, '');
    let body: Buffer | undefined;
    try {
      body = call.body === undefined ? undefined : encodeAsciiJson(call.body);
    } catch (error) {
      return Promise.reject(unencodable(error, call.method, path, operation));
    }
    return this.#execute('v2', v2RateClass(call.method, call.path), call.method, path, operation, signal, (now, trace) => ({
      method: call.method,
      target,
      body,
      headers: v2Headers(this.#o.auth, call.method, target, body, now, this.#o.userAgent, trace),
    }), interpretV2Response);
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }

  /** Every class waits: an overloaded server (503 + Retry-After) is not overloaded for one kind of call. */
  #pauseAll(delayMs: number): void {
    let extended = false;
    for (const limiter of new Set(Object.values(this.#limiters))) extended = limiter.pause(delayMs) || extended;
    if (extended) this.#emit({ type: 'pause', untilMs: this.#o.now() + delayMs, delayMs });
  }

  #emit(event: ClientEvent): void {
    try {
      this.#o.onEvent?.(event);
    } catch {
      // A logging callback must not break requests.
    }
  }

  #execute(
    api: 'v1' | 'v2',
    rateClass: RateClass,
    method: string,
    path: string,
    operation: string,
    outer: AbortSignal | undefined,
    prepare: (nowMs: number, traceHeader: string) => HttpRequest,
    interpret: (res: HttpResponse, context: RequestContext, nowMs: number, identity: string, scrub: Scrub) => unknown,
  ): Promise<ApiResult> {
    const traceId = randomBytes(16).toString('hex');
    const traceHeader = `${traceId}/1;o=1`;
    const context: RequestContext = { method, path, operation, traceId };
    const aborted = (cause: unknown): EncordApiError =>
      new EncordApiError('ABORTED', 'The request was aborted before it was sent', context, { cause });
    // Every wait of this call listens on its own child signal: the caller's shared signal gets one listener.
    const child = childSignal(outer);
    const signal = child.signal;
    const limiter = this.#limiters[rateClass];
    this.#lastClass = rateClass;

    return withRetry(
      async (attempt) => {
        try {
          await this.#slots.acquire(signal);
        } catch (error) {
          throw aborted(error);
        }
        try {
          try {
            await limiter.acquire(signal);
          } catch (error) {
            throw aborted(error);
          }
          const now = this.#o.now();
          const request = { ...prepare(now, traceHeader), signal };
          const scrub = scrubberFor(request.headers);
          const started = performance.now();
          this.stats.requests += 1;
          let status: number | undefined;
          try {
            const res = await this.#transport.send(this.#o.domain, request, context);
            status = res.status;
            if (!(status === 502 || status === 503 || status === 504)) this.#downSince = undefined;
            const value = interpret(res, context, this.#o.now(), this.#o.auth.identity, scrub);
            limiter.onSuccess();
            this.#emitRequest(api, context, attempt, status, undefined, started);
            return { value, context };
          } catch (caught) {
            const error = caught instanceof EncordApiError ? this.#noteFailure(caught) : caught;
            const e = error instanceof EncordApiError ? error : undefined;
            const wait = e?.retryAfterMs === undefined ? undefined : Math.min(e.retryAfterMs, this.#o.maxRetryAfterMs);
            if (e?.code === 'RATE_LIMITED') {
              this.stats.rateLimited += 1;
              limiter.onRateLimited(wait);
            } else if (wait !== undefined && wait > 0) {
              // e.g. 503 + Retry-After: the server asked everyone to wait, not just this request.
              this.#pauseAll(wait);
            } else if (e?.status !== undefined && e.status < 500) {
              // The server answered promptly (a 4xx about this request): it is not overloaded.
              limiter.onSuccess();
            }
            this.#emitRequest(api, context, attempt, e?.status ?? status, e?.code ?? 'BAD_RESPONSE', started);
            throw error;
          }
        } finally {
          this.#slots.release();
        }
      },
      this.#policy,
      {
        signal,
        onRetry: (notice) => {
          this.stats.retries += 1;
          this.#emit({
            type: 'retry',
            api,
            method,
            path,
            operation,
            retryNumber: notice.retryNumber,
            code: notice.error.code,
            status: notice.error.status,
            delayMs: notice.delayMs,
            delaySource: notice.source,
            traceId,
          });
        },
      },
    ).finally(() => child.release());
  }

  /**
   * Outage bookkeeping: a host name that does not resolve, or outage failures lasting longer than
   * `unreachableAfterMs`, become the fatal SERVICE_UNREACHABLE (the run stops; its rows are not attempted,
   * not failed). Any other answer ends the outage.
   */
  #noteFailure(error: EncordApiError): EncordApiError {
    const code = networkCode(error.cause);
    if (error.code === 'TRANSPORT' && code === 'ENOTFOUND') {
      return new EncordApiError(
        'SERVICE_UNREACHABLE',
        `Encord is unreachable: the host name of ${this.#o.domain} does not resolve (DNS). Check --domain (a URL such as https://api.encord.com, or "us") and the network`,
        error.context,
        { cause: error },
      );
    }
    if (!isOutageFailure(error)) {
      if (error.status !== undefined) this.#downSince = undefined;
      return error;
    }
    const now = this.#o.now();
    this.#downSince ??= now;
    const down = now - this.#downSince;
    if (down < this.#o.unreachableAfterMs) return error;
    return new EncordApiError(
      'SERVICE_UNREACHABLE',
      `Encord is unreachable at ${this.#o.domain}: no answer for ${Math.round(down / 1000)} s (last: ${error.reason}). Your data is not at fault: rerun the same command when the service is back (it resumes)`,
      error.context,
      { cause: error, status: error.status },
    );
  }

  #emitRequest(
    api: 'v1' | 'v2',
    context: RequestContext,
    attempt: number,
    status: number | undefined,
    code: EncordApiError['code'] | undefined,
    started: number,
  ): void {
    this.#emit({
      type: 'request',
      api,
      method: context.method,
      path: context.path,
      operation: context.operation,
      attempt,
      status,
      code,
      durationMs: Math.round(performance.now() - started),
      traceId: context.traceId,
    });
  }
}
