/**
 * The v2 REST protocol (protocol §5): `{domain}/v2/public/{path}`, camelCase JSON, query strings encoded like
 * Python `requests` (booleans as `True`/`False`, repeated keys for lists, `+` for spaces), RFC 9421
 * signatures over method + exact request target + body. Only 200 and 204 are success.
 */
import { V2_PREFIX } from './protocol/types.js';
import type { EncordAuth } from './auth.js';
import { EncordApiError, type ApiErrorCode, type RequestContext } from './errors.js';
import { headerValue, type HttpResponse } from './http.js';
import { authHint, describeBody, serverText, tryParseJson, type Scrub } from './v1.js';
import { redact } from '../errors.js';
import { parseRetryAfter } from './retry.js';

export type QueryScalar = string | number | boolean;
export type QueryValue = QueryScalar | readonly QueryScalar[] | null | undefined;
/** Query parameters in order; `null`/`undefined` and empty lists are dropped like `requests` does. */
export type QueryParams = readonly (readonly [string, QueryValue])[] | Readonly<Record<string, QueryValue>>;

export type V2Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `urllib.parse.quote_plus`: unreserved `A-Za-z0-9_.-~` kept, space as `+`, the rest `%XX` of UTF-8. */
export function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function scalar(value: QueryScalar): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** `?a=1&b=True…`, or `''` when nothing remains. */
export function encodeQuery(params: QueryParams | undefined): string {
  if (params === undefined) return '';
  const entries: readonly (readonly [string, QueryValue])[] = Array.isArray(params)
    ? (params as readonly (readonly [string, QueryValue])[])
    : Object.entries(params as Readonly<Record<string, QueryValue>>);
  const parts: string[] = [];
  for (const [key, value] of entries) {
    if (value === null || value === undefined) continue;
    const values: readonly QueryScalar[] = Array.isArray(value) ? (value as readonly QueryScalar[]) : [value as QueryScalar];
    for (const v of values) parts.push(`${quotePlus(key)}=${quotePlus(scalar(v))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** Path under `/v2/public/` with each segment percent-encoded; no leading or trailing slash kept. */
export function v2Path(path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  return `${V2_PREFIX}${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

/** Headers of one attempt (protocol §2.3, §2.4). */
export function v2Headers(
  auth: EncordAuth,
  method: V2Method,
  target: string,
  body: Buffer | undefined,
  nowMs: number,
  userAgent: string,
  traceHeader: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': userAgent,
    'x-cloud-trace-context': traceHeader,
    'accept-encoding': 'gzip',
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return { ...headers, ...auth.v2Headers(method, target, body ?? Buffer.alloc(0), nowMs) };
}

function statusCode(status: number): { code: ApiErrorCode; retryable?: boolean } {
  switch (status) {
    case 400:
    case 422:
      return { code: 'INVALID_ARGUMENTS' };
    case 401:
      return { code: 'AUTHENTICATION' };
    case 403:
      return { code: 'AUTHORISATION' };
    case 404:
      return { code: 'NOT_FOUND' };
    case 405:
      return { code: 'OPERATION_NOT_ALLOWED' };
    case 413:
      return { code: 'PAYLOAD_TOO_LARGE' };
    case 429:
      return { code: 'RATE_LIMITED' };
    default:
      if (status >= 500) return { code: 'SERVER_ERROR', retryable: status <= 504 && status !== 501 };
      if (status >= 200 && status < 400) return { code: 'BAD_RESPONSE' };
      return { code: 'API_ERROR' };
  }
}

/** The parsed JSON of a 200, `null` for a 204, or an `EncordApiError` (protocol §5.2, §5.3). */
export function interpretV2Response(
  res: HttpResponse,
  context: RequestContext,
  nowMs: number,
  identity: string,
  scrub: Scrub = redact,
): unknown {
  const status = res.status;
  if (status === 204) return null;
  const parsed = tryParseJson(res.body);
  if (status === 200) {
    if (!parsed.ok) {
      throw new EncordApiError('BAD_RESPONSE', `Expected a JSON answer from Encord, got ${describeBody(res)}`, context, {
        status,
      });
    }
    return parsed.value;
  }
  const body = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>) : undefined;
  const text = serverText(body?.['message'], scrub) ?? serverText(body?.['detail'], scrub);
  const { code, retryable } = statusCode(status);
  const lead = (() => {
    if (status >= 200 && status < 400) return `Encord answered HTTP ${status}; only 200 and 204 are success`;
    switch (code) {
      case 'PAYLOAD_TOO_LARGE':
        return 'The request body is too large for Encord';
      case 'RATE_LIMITED':
        return 'Encord rate limit exceeded';
      case 'SERVER_ERROR':
        return parsed.ok ? 'Encord failed' : `Encord failed with ${describeBody(res)}`;
      case 'AUTHENTICATION':
        return 'Encord rejected the credentials';
      case 'AUTHORISATION':
        return 'Not found, or these credentials have no access to it';
      case 'NOT_FOUND':
        return 'Not found';
      default:
        return 'Encord rejected the request';
    }
  })();
  throw new EncordApiError(code, `${lead}${text === undefined ? '' : `: ${text}`}${authHint(code, identity)}`, context, {
    status,
    retryable,
    retryAfterMs: parseRetryAfter(headerValue(res.headers, 'retry-after'), nowMs),
  });
}
