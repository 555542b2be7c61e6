/**
 * Options of `EncordClient`: the user type (everything optional but `auth`, with TSDoc defaults), the
 * resolved type, and `resolveClientOptions()`, which validates and fails fast before any I/O.
 */
import { packageVersion } from '../package-root.js';
import type { EncordAuth } from './auth.js';
import type { ClientEvent } from './client-events.js';
import { EncordConfigError } from './errors.js';
import { realSleep, type Sleep } from './retry.js';
import { MAX_BULK_CHUNK } from './protocol/limits.js';
import { BAD_OPTION, optionCheck, optionMessage } from '../option-check.js';

export const DEFAULT_DOMAIN = 'https://api.encord.com';
/** Short names accepted for `domain`. */
export const DOMAIN_ALIASES = {
  default: DEFAULT_DOMAIN,
  us: 'https://api.us.encord.com',
} as const;

/** Most items the SDK puts in one patch-bulk / get-bulk request (`STORAGE_BUNDLE_CREATE_LIMIT`). */
export { MAX_BULK_CHUNK };

export interface EncordClientOptions {
  /** Credentials: from `loadCredentials()`, `sshKeyAuth()` or `bearerTokenAuth()`. */
  readonly auth: EncordAuth;
  /**
   * API origin: `us` for the US platform, or any `http(s)://host[:port]` (a path, query or trailing slash is
   * dropped; a bare host name gets `https://`).
   * @default "https://api.encord.com"
   */
  readonly domain?: string | undefined;
  /** Requests in flight at once, and connections in the pool. @default 8 */
  readonly concurrency?: number | undefined;
  /**
   * Ceiling of the adaptive rate, requests per second. The rate starts at 2 and doubles about every 0.7 s
   * until the first 429 (slow start), so the ceiling only bounds a server that never says 429. Given, it
   * bounds every request of the client together (one limiter); by default each rate class (v1 calls, v2
   * reads, v2 writes) has its own limiter with this ceiling. @default 250
   */
  readonly maxRequestsPerSecond?: number | undefined;
  /**
   * Rate of slow start's first second, requests per second; `maxRequestsPerSecond` turns slow start off
   * (a limit known to be high, tests). @default min(2, maxRequestsPerSecond)
   */
  readonly startRequestsPerSecond?: number | undefined;
  /** Floor of the adaptive rate after repeated 429s. @default 1, or maxRequestsPerSecond / 20 when that is given */
  readonly minRequestsPerSecond?: number | undefined;
  /** Retries after the first attempt for 429, 5xx and network errors. @default 5 */
  readonly maxRetries?: number | undefined;
  /** Backoff ceiling of the first retry (full jitter, doubling per retry). @default 1000 */
  readonly retryBaseDelayMs?: number | undefined;
  /** Largest backoff delay. @default 30000 */
  readonly retryMaxDelayMs?: number | undefined;
  /** Largest wait honoured from a `Retry-After` header (seconds or HTTP-date form). @default 600000 (10 min) */
  readonly maxRetryAfterMs?: number | undefined;
  /**
   * While Encord keeps answering 429, a call is retried for this long (not `maxRetries` times): rows do not
   * fail because the service is busy. @default 3600000 (1 h)
   */
  readonly rateLimitRetryBudgetMs?: number | undefined;
  /**
   * An outage: after this long with no answer from Encord at all (connection refused/reset, timeouts,
   * gateway 502/503/504), calls stop with the fatal `SERVICE_UNREACHABLE` instead of failing rows one by
   * one; until then they are retried. A host name that does not resolve stops at once. @default 60000
   */
  readonly unreachableAfterMs?: number | undefined;
  /** Connect, headers and body timeout of each attempt (the SDK uses 180 s). @default 180000 */
  readonly timeoutMs?: number | undefined;
  /** Items per get-bulk / patch-bulk request (halved automatically on HTTP 413). @default 1000 */
  readonly bulkChunkSize?: number | undefined;
  /**
   * Forward proxy: an `http(s)://[user:pass@]host:port` URL, `false` for none, or absent to follow the
   * environment like the SDK (requests): `HTTPS_PROXY` / `HTTP_PROXY` (either case) by the domain's scheme,
   * skipped for hosts in `NO_PROXY`. An explicit URL still honours `NO_PROXY`.
   * @default from the environment
   */
  readonly proxy?: string | false | undefined;
  /** Environment read for the proxy variables (tests). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Appended to the `User-Agent` (`encord-meta/<version> node/<version> <suffix>`). @default none */
  readonly userAgentSuffix?: string | undefined;
  /** Receives request, retry, rate and pause events; must not throw (errors are ignored). @default none */
  readonly onEvent?: ((event: ClientEvent) => void) | undefined;
  /** Clock in ms (tests). @default Date.now */
  readonly now?: (() => number) | undefined;
  /** Sleep used for backoff and pacing (tests). @default a setTimeout-based sleep */
  readonly sleep?: Sleep | undefined;
  /** Jitter source in [0, 1) (tests). @default Math.random */
  readonly random?: (() => number) | undefined;
}

export interface ResolvedClientOptions {
  readonly auth: EncordAuth;
  readonly domain: string;
  readonly concurrency: number;
  readonly maxRequestsPerSecond: number;
  readonly startRequestsPerSecond: number;
  readonly minRequestsPerSecond: number;
  /** One limiter per rate class (v1, v2 reads, v2 writes), or one for every request (a given ceiling). */
  readonly rateLimitPerClass: boolean;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly rateLimitRetryBudgetMs: number;
  readonly unreachableAfterMs: number;
  readonly timeoutMs: number;
  readonly bulkChunkSize: number;
  /** The proxy requests to `domain` go through, or `null` for a direct connection. */
  readonly proxy: ResolvedProxy | null;
  readonly userAgent: string;
  readonly onEvent: ((event: ClientEvent) => void) | undefined;
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly random: () => number;
}

export interface ResolvedProxy {
  /** The proxy URL as given (may hold credentials: never print it; print `display`). */
  readonly url: string;
  /** The proxy's origin without user name or password, safe to print. */
  readonly display: string;
  /** Where it came from: `--proxy`/`proxy` option, or the environment variable's name. */
  readonly source: string;
}

function envValue(env: Readonly<Record<string, string | undefined>>, name: string): { name: string; value: string } | undefined {
  for (const n of [name.toLowerCase(), name.toUpperCase()]) {
    const v = env[n];
    if (v !== undefined && v.trim() !== '') return { name: n, value: v.trim() };
  }
  return undefined;
}

/** `NO_PROXY` matching as curl/requests do: `*`, exact hosts, domain suffixes (`.corp` or `corp`), optional `:port`. */
export function bypassesProxy(domain: string, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const url = new URL(domain);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\]$/g, ''))!;
    const name = m[1]!.replace(/^\*?\./, '');
    if (m[2] !== undefined && m[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

function proxyDisplay(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    // Do not echo the value: it may hold a password.
    throw new EncordConfigError(BAD_OPTION, `Expected ${name} to be a proxy URL such as http://proxy.example.com:3128`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EncordConfigError(BAD_OPTION, `Expected ${name} to be an http:// or https:// proxy URL, got a ${url.protocol} URL`);
  }
  return url.origin;
}

/** The proxy for `domain` from the option or the environment, or `null` (direct). */
export function resolveProxy(
  domain: string,
  proxy: string | false | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedProxy | null {
  if (proxy === false) return null;
  const noProxy = envValue(env, 'no_proxy')?.value;
  let chosen: { name: string; value: string } | undefined;
  if (proxy !== undefined) {
    if (typeof proxy !== 'string' || proxy.trim() === '') throw invalid('proxy', 'a proxy URL or false', typeof proxy === 'string' ? '' : proxy);
    chosen = { name: 'proxy', value: proxy.trim() };
  } else {
    chosen = domain.startsWith('https:') ? envValue(env, 'https_proxy') ?? envValue(env, 'http_proxy') : envValue(env, 'http_proxy');
  }
  if (chosen === undefined || bypassesProxy(domain, noProxy)) return null;
  const display = proxyDisplay(chosen.name === 'proxy' ? '`proxy`' : chosen.name, chosen.value);
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(chosen.value) ? chosen.value : `http://${chosen.value}`;
  return { url, display, source: chosen.name === 'proxy' ? 'the proxy option' : chosen.name };
}

/** The client's bad options are `EncordConfigError`s, with the one bad-option code and message of `option-check.ts`. */
const checks = optionCheck((message) => new EncordConfigError(BAD_OPTION, message));

function invalid(name: string, expected: string, value: unknown): EncordConfigError {
  return new EncordConfigError(BAD_OPTION, optionMessage(name, expected, value));
}

function integer(name: string, value: unknown, def: number, min: number, max: number): number {
  return checks.integer(name, value, min, max, def);
}

function number(name: string, value: unknown, def: number, min: number, max: number): number {
  return checks.number(name, value, min, max, def);
}

function fn<T>(name: string, value: unknown, def: T): T {
  return checks.fn(name, value, def);
}

/**
 * Normalise a domain: an alias (`us`), or a URL reduced to its origin. Throws `USAGE_OPTION` for
 * anything else, and for URLs with credentials in them.
 */
export function resolveDomain(domain: string | undefined): string {
  if (domain === undefined || domain.trim() === '') return DEFAULT_DOMAIN;
  const raw = domain.trim();
  const alias = (DOMAIN_ALIASES as Record<string, string | undefined>)[raw.toLowerCase()];
  if (alias !== undefined) return alias;
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  if (!hasScheme && !/^(localhost|[^/:]*\.[^/:]*|\[[0-9a-f:.]+\])(:\d+)?(\/.*)?$/i.test(raw)) {
    // `eu`, `prod`: not a host name anyone meant; only `us` is a shorthand.
    throw invalid('domain', `"us" or an http(s) URL such as ${DEFAULT_DOMAIN} (only "us" is a shorthand)`, domain);
  }
  const withScheme = hasScheme ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalid('domain', `"us" or an http(s) URL such as ${DEFAULT_DOMAIN}`, domain);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('domain', 'an http: or https: URL', domain);
  }
  if (url.username !== '' || url.password !== '') {
    // Do not echo the value: it holds a password.
    throw new EncordConfigError(BAD_OPTION, 'Expected `domain` to be a URL without user name or password');
  }
  return url.origin;
}

/** Validate options and fill in defaults. Throws `EncordConfigError` (`USAGE_OPTION`) on the first problem. */
export function resolveClientOptions(options: EncordClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'an object', options);
  const auth = options.auth as unknown;
  if (
    typeof auth !== 'object' ||
    auth === null ||
    typeof (auth as EncordAuth).v1Authorization !== 'function' ||
    typeof (auth as EncordAuth).v2Headers !== 'function'
  ) {
    throw invalid('auth', 'credentials from loadCredentials(), sshKeyAuth() or bearerTokenAuth()', auth);
  }
  const concurrency = integer('concurrency', options.concurrency, 8, 1, 256);
  const maxRequestsPerSecond = number('maxRequestsPerSecond', options.maxRequestsPerSecond, 250, 0.01, 10_000);
  const minRequestsPerSecond = number(
    'minRequestsPerSecond',
    options.minRequestsPerSecond,
    // A ceiling the user raised says the server takes a lot: keep the old floor (1/20 of it), or 429 storms
    // every few seconds hold a --rate-limit 10000 run at 1 request/s (the soak). The default ceiling is
    // only a bound, and R may be as low as 5: floor 1.
    options.maxRequestsPerSecond === undefined ? Math.min(1, maxRequestsPerSecond) : maxRequestsPerSecond / 20,
    0.01,
    maxRequestsPerSecond,
  );
  const startRequestsPerSecond = number(
    'startRequestsPerSecond',
    options.startRequestsPerSecond,
    Math.min(2, maxRequestsPerSecond),
    0.01,
    maxRequestsPerSecond,
  );
  const suffix = options.userAgentSuffix;
  if (suffix !== undefined && (typeof suffix !== 'string' || !/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(suffix))) {
    throw invalid('userAgentSuffix', 'product tokens such as "my-tool/1.2" (visible ASCII)', suffix);
  }
  const domain = options.domain;
  if (domain !== undefined && typeof domain !== 'string') throw invalid('domain', 'a string', domain);
  const retryBaseDelayMs = number('retryBaseDelayMs', options.retryBaseDelayMs, 1000, 0, 600_000);
  const retryMaxDelayMs = number('retryMaxDelayMs', options.retryMaxDelayMs, 30_000, 0, 3_600_000);
  const resolvedDomain = resolveDomain(domain);
  const env = options.env ?? process.env;
  return {
    auth: options.auth,
    domain: resolvedDomain,
    proxy: resolveProxy(resolvedDomain, options.proxy, env),
    concurrency,
    maxRequestsPerSecond,
    startRequestsPerSecond,
    minRequestsPerSecond,
    // A ceiling the user gave bounds the client as a whole (`--rate-limit N`: at most N requests/s in all);
    // the default one is only a bound, and each rate class adapts on its own.
    rateLimitPerClass: options.maxRequestsPerSecond === undefined,
    maxRetries: integer('maxRetries', options.maxRetries, 5, 0, 100),
    retryBaseDelayMs,
    retryMaxDelayMs: Math.max(retryMaxDelayMs, 0),
    maxRetryAfterMs: number('maxRetryAfterMs', options.maxRetryAfterMs, 600_000, 0, 86_400_000),
    rateLimitRetryBudgetMs: number('rateLimitRetryBudgetMs', options.rateLimitRetryBudgetMs, 3_600_000, 0, 604_800_000),
    unreachableAfterMs: number('unreachableAfterMs', options.unreachableAfterMs, 60_000, 0, 86_400_000),
    timeoutMs: integer('timeoutMs', options.timeoutMs, 180_000, 1, 3_600_000),
    bulkChunkSize: integer('bulkChunkSize', options.bulkChunkSize, MAX_BULK_CHUNK, 1, MAX_BULK_CHUNK),
    userAgent: `encord-meta/${packageVersion()} node/${process.versions.node}${suffix === undefined ? '' : ` ${suffix}`}`,
    onEvent: fn('onEvent', options.onEvent, undefined),
    now: fn('now', options.now, Date.now),
    sleep: fn('sleep', options.sleep, realSleep),
    random: fn('random', options.random, Math.random),
  };
}
