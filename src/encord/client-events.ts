/**
 * Events the client reports through `onEvent`, for logs and progress. They carry method, path, status,
 * codes, timings and trace ids — never headers, bodies, signatures, keys or tokens.
 */
import type { ApiErrorCode } from './errors.js';

export const CLIENT_EVENT_TYPES = ['request', 'retry', 'rate', 'pause'] as const;
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

/** One HTTP attempt finished (with an answer or a network error). */
export interface RequestEvent {
  readonly type: 'request';
  readonly api: 'v1' | 'v2';
  readonly method: string;
  /** Path without query string. */
  readonly path: string;
  /** e.g. `datarow POST` (v1) or `storage/items/patch-bulk` (v2). */
  readonly operation: string;
  /** 1-based attempt number of this logical call. */
  readonly attempt: number;
  /** HTTP status, or `undefined` when no answer arrived. */
  readonly status: number | undefined;
  /** Error code when the attempt failed. */
  readonly code: ApiErrorCode | undefined;
  readonly durationMs: number;
  readonly traceId: string;
}

/** A failed attempt will be retried after `delayMs`. */
export interface RetryEvent {
  readonly type: 'retry';
  readonly api: 'v1' | 'v2';
  readonly method: string;
  readonly path: string;
  readonly operation: string;
  /** 1 for the first retry. */
  readonly retryNumber: number;
  readonly code: ApiErrorCode;
  readonly status: number | undefined;
  readonly delayMs: number;
  /** `retry-after` when the server set the wait, `backoff` otherwise. */
  readonly delaySource: 'retry-after' | 'backoff';
  readonly traceId: string;
}

/** What one limiter paces: v1 calls, v2 reads, v2 writes (the emulator's route classes; see requester.ts). */
export type RateClass = 'v1' | 'v2-read' | 'v2-write';

/** The adaptive rate limit changed. */
export interface RateEvent {
  readonly type: 'rate';
  /** Which limiter: v1 calls, v2 reads or v2 writes (each paced on its own), or `all` under a given ceiling. */
  readonly rateClass: RateClass | 'all';
  readonly previousRate: number;
  readonly rate: number;
  readonly reason: 'rate-limited' | 'recovered';
}

/** A `Retry-After` paused every request of this client. */
export interface PauseEvent {
  readonly type: 'pause';
  readonly delayMs: number;
  /** Clock time (ms) when requests resume. */
  readonly untilMs: number;
}

export type ClientEvent = RequestEvent | RetryEvent | RateEvent | PauseEvent;
