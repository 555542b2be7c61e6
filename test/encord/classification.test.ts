/** v1 and v2 answers -> result or EncordApiError (code, retryable, status), without a network. */
import { describe, expect, it } from 'vitest';
import { EncordApiError, type RequestContext } from '../../src/encord/errors.js';
import type { HttpResponse } from '../../src/encord/http.js';
import { classifyNetworkError } from '../../src/encord/http.js';
import { interpretV1Response } from '../../src/encord/v1.js';
import { encodeQuery, interpretV2Response, quotePlus, v2Path } from '../../src/encord/v2.js';

const ctx: RequestContext = { method: 'POST', path: '/public', operation: 'dataset GET', traceId: '0123456789abcdef0123456789abcdef' };
const ID = 'public key ssh-ed25519 AAAAtest';
const NOW = Date.parse('2026-01-01T00:00:00Z');

function res(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(text) };
}

function v1(r: HttpResponse): unknown {
  return interpretV1Response(r, ctx, NOW, ID);
}
function v1Error(r: HttpResponse): EncordApiError {
  try {
    v1(r);
  } catch (e) {
    expect(e).toBeInstanceOf(EncordApiError);
    return e as EncordApiError;
  }
  throw new Error('expected an error');
}
function v2Error(r: HttpResponse): EncordApiError {
  try {
    interpretV2Response(r, { ...ctx, method: 'GET', path: '/v2/public/x' }, NOW, ID);
  } catch (e) {
    expect(e).toBeInstanceOf(EncordApiError);
    return e as EncordApiError;
  }
  throw new Error('expected an error');
}

describe('v1 classification (from the body envelope, whatever the HTTP status)', () => {
  it('returns the response of a status-200 envelope', () => {
    expect(v1(res(200, { status: 200, response: { a: 1 } }))).toEqual({ a: 1 });
    expect(v1(res(200, { status: 200, response: null }))).toBeNull();
  });

  it.each([
    [200, 'AUTHENTICATION_ERROR', 'AUTHENTICATION', false],
    [400, 'SSH_KEY_NOT_FOUND_ERROR', 'SSH_KEY_NOT_FOUND', false],
    [200, 'AUTHORISATION_ERROR', 'AUTHORISATION', false],
    [404, 'RESOURCE_NOT_FOUND_ERROR', 'NOT_FOUND', false],
    [200, 'INVALID_ARGUMENTS_ERROR', 'INVALID_ARGUMENTS', false],
    [200, 'METHOD_NOT_ALLOWED_ERROR', 'OPERATION_NOT_ALLOWED', false],
    [200, 'OPERATION_NOT_ALLOWED', 'OPERATION_NOT_ALLOWED', false],
    [200, 'UNKNOWN_ERROR', 'API_ERROR', false],
    [503, 'UNKNOWN_ERROR', 'API_ERROR', true],
    [503, 'INVALID_ARGUMENTS_ERROR', 'INVALID_ARGUMENTS', false],
    [200, 'RATE_LIMIT_EXCEEDED', 'RATE_LIMITED', true],
    [200, 'SOMETHING_NEW_ERROR', 'API_ERROR', false],
  ] as const)('HTTP %i with %s -> %s (retryable %s)', (http, code, expected, retryable) => {
    const e = v1Error(res(http, { status: http === 200 ? 400 : http, response: [code], payload: 'Dataset x not found' }));
    expect(e.code).toBe(expected);
    expect(e.retryable).toBe(retryable);
    expect(e.status).toBe(http);
    expect(e.encordCode).toBe(code);
    expect(e.traceId).toBe(ctx.traceId);
    expect(e.message).toContain('Dataset x not found');
    expect(e.message).toContain(`trace ${ctx.traceId}`);
    expect(e.message).toContain('POST /public dataset GET');
  });

  it('points at the public key to register on SSH_KEY_NOT_FOUND', () => {
    const e = v1Error(res(400, { status: 400, response: ['SSH_KEY_NOT_FOUND_ERROR'] }));
    expect(e.message).toContain('ssh-ed25519 AAAAtest');
  });

  it('HTTP 429 is a rate limit regardless of the body, with Retry-After', () => {
    const e = v1Error(res(429, { status: 200, response: 'whatever' }, { 'retry-after': '7' }));
    expect(e).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 7000 });
    expect(v1Error(res(429, '<html>slow</html>', { 'content-type': 'text/html' })).code).toBe('RATE_LIMITED');
  });

  it('a non-JSON body is a transport error, retryable only for 5xx, and its text is not quoted', () => {
    const e502 = v1Error(res(502, '<html>Bad gateway secret-ish</html>', { 'content-type': 'text/html' }));
    expect(e502).toMatchObject({ code: 'TRANSPORT', retryable: true, status: 502 });
    expect(e502.message).toContain('text/html');
    expect(e502.message).not.toContain('secret-ish');
    expect(v1Error(res(200, '<html/>', { 'content-type': 'text/html' }))).toMatchObject({ code: 'TRANSPORT', retryable: false });
    expect(v1Error(res(200, ''))).toMatchObject({ code: 'TRANSPORT', retryable: false });
  });

  it('JSON that is not an envelope is a bad response (retryable under 5xx)', () => {
    expect(v1Error(res(200, { ok: true }))).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
    expect(v1Error(res(200, [1, 2]))).toMatchObject({ code: 'BAD_RESPONSE' });
    expect(v1Error(res(500, { error: 'x' }))).toMatchObject({ code: 'BAD_RESPONSE', retryable: true });
    expect(v1Error(res(200, { status: 500, response: 'weird' }))).toMatchObject({ code: 'API_ERROR', retryable: false });
  });
});

describe('v2 classification (protocol §5.3)', () => {
  it('200 parses JSON, 204 is null, others fail', () => {
    expect(interpretV2Response(res(200, { a: 1 }), ctx, NOW, ID)).toEqual({ a: 1 });
    expect(interpretV2Response(res(204, ''), ctx, NOW, ID)).toBeNull();
    expect(v2Error(res(200, ''))).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
    expect(v2Error(res(200, '<html/>'))).toMatchObject({ code: 'BAD_RESPONSE' });
    expect(v2Error(res(201, { a: 1 }))).toMatchObject({ code: 'BAD_RESPONSE', status: 201 });
  });

  it.each([
    [400, 'INVALID_ARGUMENTS', false],
    [401, 'AUTHENTICATION', false],
    [403, 'AUTHORISATION', false],
    [404, 'NOT_FOUND', false],
    [405, 'OPERATION_NOT_ALLOWED', false],
    [413, 'PAYLOAD_TOO_LARGE', false],
    [422, 'INVALID_ARGUMENTS', false],
    [429, 'RATE_LIMITED', true],
    [500, 'SERVER_ERROR', true],
    [501, 'SERVER_ERROR', false],
    [502, 'SERVER_ERROR', true],
    [503, 'SERVER_ERROR', true],
    [504, 'SERVER_ERROR', true],
    [505, 'SERVER_ERROR', false],
    [409, 'API_ERROR', false],
  ] as const)('HTTP %i -> %s (retryable %s)', (status, code, retryable) => {
    const e = v2Error(res(status, { message: 'server says hi' }));
    expect(e).toMatchObject({ code, retryable, status });
    expect(e.message).toContain('server says hi');
  });

  it('takes `detail` when there is no `message`, and works with no JSON at all', () => {
    expect(v2Error(res(413, { detail: 'Request too big' })).message).toContain('Request too big');
    expect(v2Error(res(422, { detail: [{ loc: ['body'], msg: 'bad' }] })).message).toContain('"msg":"bad"');
    expect(v2Error(res(503, '<html/>', { 'content-type': 'text/html' }))).toMatchObject({ code: 'SERVER_ERROR', retryable: true });
  });

  it('parses Retry-After as seconds or HTTP date', () => {
    expect(v2Error(res(429, {}, { 'retry-after': '3' })).retryAfterMs).toBe(3000);
    expect(v2Error(res(503, {}, { 'retry-after': 'Thu, 01 Jan 2026 00:00:04 GMT' })).retryAfterMs).toBe(4000);
  });
});

describe('v2 request encoding', () => {
  it('renders booleans like Python and drops null, undefined and empty lists', () => {
    expect(encodeQuery({ a: true, b: false, c: null, d: undefined, e: [], f: 0 })).toBe('?a=True&b=False&f=0');
    expect(encodeQuery([])).toBe('');
  });

  it('quotes like urllib quote_plus', () => {
    expect(quotePlus("a b/c?d=e&f~g_h.i-j!'()*")).toBe('a+b%2Fc%3Fd%3De%26f~g_h.i-j%21%27%28%29%2A');
    expect(quotePlus('ä')).toBe('%C3%A4');
  });

  it('builds paths below /v2/public/ without leading or trailing slashes', () => {
    expect(v2Path('/storage/items/patch-bulk/')).toBe('/v2/public/storage/items/patch-bulk');
    expect(v2Path('storage/items/a b')).toBe('/v2/public/storage/items/a%20b');
  });
});

describe('network errors', () => {
  it.each([
    [{ code: 'UND_ERR_SOCKET', message: 'other side closed' }, 'TRANSPORT', true],
    [{ code: 'ECONNRESET', message: 'read ECONNRESET' }, 'TRANSPORT', true],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'TRANSPORT', true],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }, 'TRANSPORT', false],
    [{ code: 'UND_ERR_HEADERS_TIMEOUT', message: 'Headers Timeout Error' }, 'TIMEOUT', true],
    [{ code: 'UND_ERR_BODY_TIMEOUT', message: 'Body Timeout Error' }, 'TIMEOUT', true],
    [{ code: 'UND_ERR_DESTROYED', message: 'destroyed' }, 'ABORTED', false],
  ] as const)('%j -> %s', (raw, code, retryable) => {
    const error = Object.assign(new Error(raw.message), { code: raw.code });
    expect(classifyNetworkError(error, ctx)).toMatchObject({ code, retryable });
  });

  it('finds the errno on a wrapped cause, and reports aborts as ABORTED', () => {
    const wrapped = new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) });
    expect(classifyNetworkError(wrapped, ctx)).toMatchObject({ code: 'TRANSPORT', retryable: true });
    const ac = new AbortController();
    ac.abort();
    expect(classifyNetworkError(new Error('aborted'), ctx, ac.signal).code).toBe('ABORTED');
  });
});
