/**
 * The answers the request pipeline gives before or instead of a handler: authentication failures
 * (protocol §9 table), rate limiting (429 ± Retry-After) and injected faults.
 */
import type { AuthResult } from './auth.js';
import type { FiredFault } from './faults.js';
import type { EmulatorSettings } from './options.js';
import { htmlPage, json, v1Error, v2Error, type Reply } from './reply.js';

/** v1: an error envelope with HTTP 400; v2: 401 `{"message"}`. */
export function authFailure(settings: EmulatorSettings, family: 'v1' | 'v2', auth: Extract<AuthResult, { ok: false }>): Reply {
  if (family === 'v2') return v2Error(401, auth.message);
  if (auth.reason === 'unknown-key') {
    return v1Error(
      settings,
      400,
      'SSH_KEY_NOT_FOUND_ERROR',
      'Your used SSH key does not exist. Please add this SSH key to your user profile.',
    );
  }
  return v1Error(settings, 400, 'AUTHENTICATION_ERROR', auth.message);
}

/** 429 with the family's body; `retryAfter` null omits the header. */
export function rateLimited(family: 'v1' | 'v2', retryAfter: number | null, httpDateFrom?: number): Reply {
  const value = retryAfter === null ? null : httpDateFrom === undefined ? String(retryAfter) : new Date(httpDateFrom + retryAfter * 1000).toUTCString();
  const headers: Record<string, string> = value === null ? {} : { 'retry-after': value };
  return family === 'v1'
    ? json(429, { status: 429, response: ['RATE_LIMIT_EXCEEDED'] }, headers)
    : json(429, { message: 'Rate limit exceeded' }, headers);
}

/** The reply of a fault that answers instead of the handler, or null (delay, reset, post-handler faults). */
export function faultReply(family: 'v1' | 'v2', fault: FiredFault, now: number = Date.now()): Reply | null {
  const a = fault.action;
  switch (a.type) {
    case 'status': {
      const headers: Record<string, string> = a.retryAfter === undefined ? {} : { 'retry-after': String(a.retryAfter) };
      const message = a.message ?? `Injected fault: HTTP ${a.status}`;
      return family === 'v1'
        ? json(a.status, { status: a.status, response: ['UNKNOWN_ERROR'], payload: message }, headers)
        : json(a.status, { message }, headers);
    }
    case 'html':
      return htmlPage(a.status ?? 502);
    case 'tooLarge413':
      return json(413, { detail: 'Request Entity Too Large' });
    case 'rateLimit':
      return rateLimited(family, a.retryAfter === undefined ? 1 : a.retryAfter, a.retryAfterForm === 'http-date' ? now : undefined);
    default:
      return null;
  }
}
