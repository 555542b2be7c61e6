/**
 * The v1 "querier" protocol (protocol §4): every call is `POST {domain}/public` with a JSON envelope body, signed
 * over the exact body bytes. Errors are classified from the *body* envelope whatever the HTTP status (the
 * SDK ignores the status for v1), except that HTTP 429 is a rate limit regardless of the body.
 */
import type { V1Request } from './protocol/types.js';
import { V1_PATH, V1_USER_PATH } from './protocol/types.js';
import type { EncordAuth } from './auth.js';
import { EncordApiError, type ApiErrorCode, type RequestContext } from './errors.js';
import { headerValue, type HttpResponse } from './http.js';
import { parseEncordJson } from './exact-json.js';
import { encodeAsciiJson } from './json-codec.js';
import { parseRetryAfter } from './retry.js';
import { redact } from '../errors.js';

/** One v1 call. */
export interface V1Call {
  /** `dataset`, `project`, `ontology`, or `''` for user-scoped calls. Sent as `ResourceType`. */
  readonly resourceType: 'dataset' | 'project' | 'ontology' | '';
  /** Sent as `ResourceID` (always present, possibly empty). */
  readonly resourceId: string;
  readonly queryType: string;
  readonly queryMethod: V1Request['query_method'];
  readonly uid: unknown;
  readonly payload: unknown;
  /** `POST /public/user` instead of `/public`. @default false */
  readonly userScoped?: boolean;
}

/** HTTP statuses the retry policy repeats. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** v1 server codes and what they become. Anything else is `API_ERROR`. */
const V1_CODE_MAP: Readonly<Record<string, ApiErrorCode>> = {
  AUTHENTICATION_ERROR: 'AUTHENTICATION',
  AUTHORISATION_ERROR: 'AUTHORISATION',
  RESOURCE_NOT_FOUND_ERROR: 'NOT_FOUND',
  METHOD_NOT_ALLOWED_ERROR: 'OPERATION_NOT_ALLOWED',
  OPERATION_NOT_ALLOWED: 'OPERATION_NOT_ALLOWED',
  INVALID_ARGUMENTS_ERROR: 'INVALID_ARGUMENTS',
  INVALID_DATE_FORMAT_ERROR: 'INVALID_ARGUMENTS',
  SSH_KEY_NOT_FOUND_ERROR: 'SSH_KEY_NOT_FOUND',
  RATE_LIMIT_EXCEEDED: 'RATE_LIMITED',
};

/** Codes that say something definite about the request: a 5xx status does not make them retryable. */
const DEFINITE: ReadonlySet<ApiErrorCode> = new Set([
  'AUTHENTICATION',
  'AUTHORISATION',
  'NOT_FOUND',
  'OPERATION_NOT_ALLOWED',
  'INVALID_ARGUMENTS',
  'SSH_KEY_NOT_FOUND',
]);

/** The exact body bytes: SDK key order, ASCII-only JSON with Python separators. */
export function v1Body(call: V1Call): Buffer {
  const envelope: V1Request = {
    query_type: call.queryType,
    query_method: call.queryMethod,
    values: { uid: call.uid, payload: call.payload },
  };
  return encodeAsciiJson(envelope);
}

export function v1Path(call: V1Call): string {
  return call.userScoped === true ? V1_USER_PATH : V1_PATH;
}

/** Headers of one attempt (protocol §2.2, §1.3). */
export function v1Headers(
  auth: EncordAuth,
  call: V1Call,
  body: Buffer,
  userAgent: string,
  traceHeader: string,
  compress = true,
): Record<string, string> {
  return {
    accept: 'application/json',
    'content-type': 'application/json',
    // gzip is what the SDK asks for; on loopback (the emulator) compressing a 600 MB listing costs more
    // CPU than it saves, so the caller may turn it off there.
    'accept-encoding': compress ? 'gzip' : 'identity',
    resourcetype: call.resourceType,
    resourceid: call.resourceId,
    authorization: auth.v1Authorization(body),
    'user-agent': userAgent,
    'x-cloud-trace-context': traceHeader,
  };
}

/** Content type and size of a body, never its text (a proxy page might echo request headers). */
export function describeBody(res: HttpResponse): string {
  const type = headerValue(res.headers, 'content-type') ?? 'no content type';
  return res.body.length === 0 ? 'an empty body' : `${res.body.length} bytes of ${type.split(';')[0]}`;
}

/** A JSON answer, read by `parseEncordJson` (a stored number a double cannot hold is known, not lost). */
export function tryParseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: false };
  try {
    return { ok: true, value: parseEncordJson(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** Removes secrets from server-supplied text before it reaches a message. */
export type Scrub = (text: string) => string;

/**
 * Server-supplied text for a message: strings as they are, other JSON stringified; scrubbed of the
 * request's own secrets (a server or proxy may echo request headers back); at most 500 chars.
 */
export function serverText(value: unknown, scrub: Scrub): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return undefined;
  }
  const clean = scrub(text);
  return clean.length > 500 ? `${clean.slice(0, 500)}…` : clean;
}

/** Hint appended to authentication failures: which public key Encord must know. */
export function authHint(code: ApiErrorCode, identity: string): string {
  if (code === 'SSH_KEY_NOT_FOUND') return `; register this ${identity} with your Encord user`;
  if (code === 'AUTHENTICATION') return `; check that this ${identity} is registered with Encord and that the system clock is right`;
  return '';
}

/**
 * The `response` of a successful envelope, or an `EncordApiError`. `identity` is the safe description of
 * the credentials for authentication messages.
 */
export function interpretV1Response(
  res: HttpResponse,
  context: RequestContext,
  nowMs: number,
  identity: string,
  scrub: Scrub = redact,
): unknown {
  const status = res.status;
  const retryAfterMs = parseRetryAfter(headerValue(res.headers, 'retry-after'), nowMs);
  const parsed = tryParseJson(res.body);
  const envelope =
    parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value)
      ? (parsed.value as Record<string, unknown>)
      : undefined;
  if (status === 429) {
    const text = serverText(envelope?.['payload'], scrub);
    return fail('RATE_LIMITED', `Encord rate limit exceeded${text === undefined ? '' : `: ${text}`}`);
  }
  if (!parsed.ok) {
    return fail('TRANSPORT', `Expected a JSON answer from Encord, got ${describeBody(res)}`, status >= 500);
  }
  if (envelope === undefined || typeof envelope['status'] !== 'number') {
    return fail('BAD_RESPONSE', 'Expected a v1 envelope {"status", "response"} from Encord', RETRY_STATUSES.has(status));
  }
  if (envelope['status'] === 200) {
    if (!('response' in envelope)) return fail('BAD_RESPONSE', 'The v1 envelope has no `response`');
    return envelope['response'];
  }
  const list = envelope['response'];
  const encordCode = Array.isArray(list) && list.length === 1 && typeof list[0] === 'string' ? list[0] : undefined;
  const text = serverText(envelope['payload'], scrub);
  const code: ApiErrorCode = encordCode === undefined ? 'API_ERROR' : (V1_CODE_MAP[encordCode] ?? 'API_ERROR');
  const retryable = code === 'RATE_LIMITED' || (RETRY_STATUSES.has(status) && !DEFINITE.has(code));
  const what =
    encordCode === undefined
      ? `Encord reported an error (envelope status ${String(envelope['status'])})`
      : `Encord reported ${encordCode}`;
  return fail(code, `${what}${text === undefined ? '' : `: ${text}`}${authHint(code, identity)}`, retryable, encordCode);

  function fail(code: ApiErrorCode, reason: string, retryable?: boolean, encordCode?: string): never {
    throw new EncordApiError(code, reason, context, { status, retryAfterMs, retryable, encordCode });
  }
}
