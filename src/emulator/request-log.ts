/**
 * What the emulator received and answered, for tests: method, raw target, route, headers (secrets
 * redacted), raw body text, verification result, fault, response status and body. A ring buffer bounded by
 * entry count and by total body characters, so a million-row benchmark cannot exhaust memory. Per-route
 * counters are kept separately and are never dropped.
 */
import type { AuthFailure, AuthScheme } from './auth.js';
import type { RequestLogOptions } from './options.js';
import type { RouteName } from './routes.js';

export interface LoggedAuth {
  readonly ok: boolean;
  readonly scheme: AuthScheme | 'none';
  readonly keyId?: string;
  readonly reason?: AuthFailure;
}

export interface LoggedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Response body text (cut at `maxBodyChars`; streamed bodies keep their beginning). */
  readonly body: string;
  readonly bodyTruncated: boolean;
}

export interface RequestLogEntry {
  readonly id: number;
  /** ISO time the request arrived. */
  readonly time: string;
  readonly method: string;
  /** The request-target exactly as on the request line. */
  readonly target: string;
  readonly route: RouteName;
  /** Header names lowercased; Authorization, Signature and Cookie values redacted. */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw request body as UTF-8 text (cut at `maxBodyChars`). */
  readonly body: string;
  readonly bodyBytes: number;
  readonly bodyTruncated: boolean;
  readonly auth: LoggedAuth | null;
  /** The fault rule that fired, if any: `<rule id>:<action type>`. */
  readonly fault: string | null;
  /** null when the connection was reset without a response. */
  response: LoggedResponse | null;
  durationMs: number;
}

export interface RequestLogFilter {
  readonly route?: RouteName | readonly RouteName[];
  readonly method?: string;
  readonly status?: number;
  readonly authOk?: boolean;
  /** Only entries with a greater id. */
  readonly afterId?: number;
  /** Substring of the raw target. */
  readonly targetIncludes?: string;
  readonly predicate?: (entry: RequestLogEntry) => boolean;
}

export interface RouteCounter {
  requests: number;
  byStatus: Record<number, number>;
  faults: number;
  authFailures: number;
}

const SECRET_HEADERS = new Set(['authorization', 'signature', 'cookie', 'proxy-authorization']);

/** Redact a header value: keep the public key of a v1 Authorization, drop signatures and tokens. */
export function redactHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name)) return value;
  if (name === 'authorization') {
    if (value.startsWith('Bearer ')) return 'Bearer [REDACTED]';
    const m = /^([0-9a-fA-F]{64}):/.exec(value);
    return m !== null ? `${m[1]}:[REDACTED]` : '[REDACTED]';
  }
  if (name === 'signature') return value.replace(/=:[^:]*:/g, '=:[REDACTED]:');
  return '[REDACTED]';
}

function cut(text: string, max: number): { text: string; truncated: boolean } {
  return text.length <= max ? { text, truncated: false } : { text: text.slice(0, max), truncated: true };
}

export class RequestLog {
  readonly #options: Required<RequestLogOptions> | false;
  #entries: RequestLogEntry[] = [];
  #head = 0;
  #chars = 0;
  #nextId = 1;
  readonly #counters = new Map<RouteName, RouteCounter>();
  readonly #listeners = new Set<() => void>();

  constructor(options: Required<RequestLogOptions> | false) {
    this.#options = options;
  }

  get maxBodyChars(): number {
    return this.#options === false ? 0 : this.#options.maxBodyChars;
  }

  /** Call `listener` after every finished request (counted and stored); returns the unsubscribe. */
  onFinish(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Start an entry (the response is attached later with `finish`). */
  begin(init: Omit<RequestLogEntry, 'id' | 'response' | 'durationMs' | 'body' | 'bodyTruncated' | 'headers'> & {
    headers: Record<string, string | string[] | undefined>;
    rawBody: string;
  }): RequestLogEntry {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(init.headers)) {
      if (value === undefined) continue;
      headers[name] = redactHeader(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const body = cut(init.rawBody, this.maxBodyChars);
    const { rawBody: _ignored, ...rest } = init;
    void _ignored;
    return { ...rest, id: this.#nextId++, headers, body: body.text, bodyTruncated: body.truncated, response: null, durationMs: 0 };
  }

  /** Attach the response (or none, for a reset), count it, and store the entry. */
  finish(
    entry: RequestLogEntry,
    response: { status: number; headers: Record<string, string>; body: string; truncated?: boolean } | null,
    durationMs: number,
  ): void {
    if (response !== null) {
      const body = cut(response.body, this.maxBodyChars);
      entry.response = {
        status: response.status,
        headers: response.headers,
        body: body.text,
        bodyTruncated: body.truncated || response.truncated === true,
      };
    }
    entry.durationMs = durationMs;
    const c = this.#counters.get(entry.route) ?? { requests: 0, byStatus: {}, faults: 0, authFailures: 0 };
    c.requests += 1;
    const status = response?.status ?? 0;
    c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
    if (entry.fault !== null) c.faults += 1;
    if (entry.auth !== null && !entry.auth.ok) c.authFailures += 1;
    this.#counters.set(entry.route, c);
    this.#store(entry);
    for (const listener of [...this.#listeners]) listener();
  }

  #store(entry: RequestLogEntry): void {
    if (this.#options === false) return;
    this.#entries.push(entry);
    this.#chars += entry.body.length + (entry.response?.body.length ?? 0);
    const { maxEntries, maxTotalChars } = this.#options;
    while (this.#entries.length - this.#head > maxEntries || (this.#chars > maxTotalChars && this.#entries.length - this.#head > 1)) {
      const old = this.#entries[this.#head]!;
      this.#chars -= old.body.length + (old.response?.body.length ?? 0);
      this.#head += 1;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Every kept entry, oldest first. */
  all(): RequestLogEntry[] {
    return this.#entries.slice(this.#head);
  }

  find(filter: RequestLogFilter = {}): RequestLogEntry[] {
    const routes = filter.route === undefined ? null : new Set(Array.isArray(filter.route) ? filter.route : [filter.route]);
    return this.all().filter(
      (e) =>
        (routes === null || routes.has(e.route)) &&
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.status === undefined || e.response?.status === filter.status) &&
        (filter.authOk === undefined || (e.auth?.ok ?? false) === filter.authOk) &&
        (filter.afterId === undefined || e.id > filter.afterId) &&
        (filter.targetIncludes === undefined || e.target.includes(filter.targetIncludes)) &&
        (filter.predicate === undefined || filter.predicate(e)),
    );
  }

  /** The newest matching entry. */
  last(filter: RequestLogFilter = {}): RequestLogEntry | undefined {
    const found = this.find(filter);
    return found[found.length - 1];
  }

  /** Id of the newest entry ever logged (0 if none): use as `afterId` to look at later requests only. */
  lastId(): number {
    return this.#nextId - 1;
  }

  /** Drop kept entries (counters stay). */
  clear(): void {
    this.#entries = [];
    this.#head = 0;
    this.#chars = 0;
  }

  counters(): Record<string, RouteCounter> {
    const out: Record<string, RouteCounter> = {};
    for (const [route, c] of this.#counters) out[route] = { ...c, byStatus: { ...c.byStatus } };
    return out;
  }

  resetCounters(): void {
    this.#counters.clear();
  }
}
