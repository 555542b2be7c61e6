/**
 * The emulator's request path (protocol §9) as named steps: read the body → classify → refuse what cannot be
 * routed → authenticate → throttle (latency, rate limit) → fault → route → commit-then-fail. Each step
 * answers with a {@link Step} result: a reply (or a reset) ends the request there, `undefined` lets the next
 * step run. {@link handleRequest} runs them in order, logs the request and sends the answer; the emulator's
 * parts (store, verifier, limiter, …) come in as {@link RequestServices}, wired by `startEmulator`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AuthVerifier } from './auth.js';
import type { FaultController, FiredFault } from './faults.js';
import type { EmulatorSettings, ResolvedEmulatorOptions } from './options.js';
import { authFailure, faultReply, rateLimited } from './pipeline-replies.js';
import type { RateLimiter } from './rate-limit.js';
import { htmlPage, json, sendReply, v1Error, v2Error, type Reply } from './reply.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';
import type { Rng } from './rng.js';
import type { RouteContext } from './route-context.js';
import { routeClass, type RouteName } from './routes.js';
import { handleV1, v1RouteOf } from './routes-v1.js';
import { handleV2, v2RouteOf } from './routes-v2.js';
import type { StateStore } from './state.js';

/** The emulator's parts a request uses; one object for the server's lifetime. */
export interface RequestServices {
  readonly opts: Pick<ResolvedEmulatorOptions, 'maxBodyBytes' | 'gzip' | 'sleep' | 'clock'>;
  readonly settings: EmulatorSettings;
  readonly store: StateStore;
  readonly verifier: AuthVerifier;
  readonly faults: FaultController;
  readonly limiter: RateLimiter;
  /** Draws the latency jitter. */
  readonly jitterRng: Rng;
  readonly requestLog: RequestLog;
  /** Aborted when the emulator closes: cuts latency and delay sleeps short. */
  readonly shutdown: AbortSignal;
  /** Base URL once listening (for fake signed URLs). */
  readonly baseUrl: () => string;
}

interface RequestFamily {
  readonly family: 'v1' | 'v2' | 'none';
  readonly route: RouteName;
  readonly wrongMethod?: boolean;
  readonly v2?: ReturnType<typeof v2RouteOf>;
}

/** One request on its way through the steps; `log`, `keyId` and `fault` fill in as steps pass. */
interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** Raw request-target, query included. */
  readonly target: string;
  readonly path: string;
  readonly body: Buffer;
  readonly tooLarge: boolean;
  readonly json: { readonly value: unknown; readonly ok: boolean };
  readonly family: RequestFamily;
  /** The log entry as it will be finished: auth and fault are added by their steps. */
  log: RequestLogEntry;
  /** Set by `authenticate`: the caller's key hex, and what the rate limiter keys on. */
  keyId: string;
  credential: string;
  fault: FiredFault | null;
}

/** A reply ends the request; `'reset'` ends it by resetting the socket; `undefined` goes on. */
type Step = Reply | 'reset' | undefined;

// ---- read body, classify ------------------------------------------------------------------------------

/** The raw body; past `maxBytes` it stops keeping chunks (but drains the rest) and says `tooLarge`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<{ buf: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  return { buf: Buffer.concat(chunks), tooLarge };
}

function parseJson(buf: Buffer): { value: unknown; ok: boolean } {
  if (buf.length === 0) return { value: undefined, ok: false };
  try {
    return { value: JSON.parse(buf.toString('utf8')) as unknown, ok: true };
  } catch {
    return { value: undefined, ok: false };
  }
}

/** Which API family and route a request is for (v1 names its route in the body). */
export function classify(method: string, path: string, body: unknown): RequestFamily {
  if (path === '/public' || path === '/public/user') {
    return { family: 'v1', route: v1RouteOf(path, body), wrongMethod: method !== 'POST' };
  }
  if (path.startsWith('/v2/public/')) {
    const v2 = v2RouteOf(method, path);
    return { family: 'v2', route: v2.route, v2 };
  }
  return { family: 'none', route: 'unknown' };
}

// ---- the steps ---------------------------------------------------------------------------------------

/** 413 for a body over the limit (and close the connection), 404 for a path outside both APIs. */
function refuseUnroutable(svc: RequestServices, ex: Exchange): Step {
  if (ex.tooLarge) {
    ex.res.setHeader('connection', 'close');
    return json(413, { detail: `Request body larger than ${svc.opts.maxBodyBytes} bytes` });
  }
  if (ex.family.family === 'none') return v2Error(404, `Not Found: ${ex.path}`);
  return undefined;
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Verify the signature or token (logged either way); a v1 query that is not a POST is refused after it. */
function authenticate(svc: RequestServices, ex: Exchange, fam: 'v1' | 'v2'): Step {
  const h = ex.req.headers;
  const auth =
    fam === 'v1'
      ? svc.verifier.verifyV1(headerText(h.authorization), ex.body)
      : svc.verifier.verifyV2(
          ex.method,
          ex.target,
          {
            ...(h.authorization !== undefined ? { authorization: h.authorization } : {}),
            ...(h['content-digest'] !== undefined ? { contentDigest: headerText(h['content-digest'])! } : {}),
            ...(h['signature-input'] !== undefined ? { signatureInput: headerText(h['signature-input'])! } : {}),
            ...(h.signature !== undefined ? { signature: headerText(h.signature)! } : {}),
          },
          ex.body,
        );
  ex.log = {
    ...ex.log,
    auth: auth.ok
      ? { ok: true, scheme: auth.scheme, keyId: auth.keyId }
      : { ok: false, scheme: auth.scheme, reason: auth.reason, ...(auth.keyId !== undefined ? { keyId: auth.keyId } : {}) },
  };
  if (!auth.ok) return authFailure(svc.settings, fam, auth);
  ex.keyId = auth.keyId;
  ex.credential = auth.credential;
  if (fam === 'v1' && ex.family.wrongMethod === true) {
    return v1Error(svc.settings, 405, 'METHOD_NOT_ALLOWED_ERROR', 'v1 queries must be POST');
  }
  return undefined;
}

/** The configured latency (with jitter), then the rate limit per credential and route class: 429 past it. */
async function throttle(svc: RequestServices, ex: Exchange, fam: 'v1' | 'v2'): Promise<Step> {
  const { settings } = svc;
  if (settings.latency !== null) {
    const { ms, jitterMs } = settings.latency;
    await svc.opts.sleep(ms + (jitterMs > 0 ? svc.jitterRng.int(0, jitterMs) : 0), svc.shutdown);
  }
  if (settings.rateLimit !== null) {
    const decision = svc.limiter.take(settings.rateLimit, ex.credential, routeClass(ex.family.route));
    if (!decision.ok) return rateLimited(fam, settings.rateLimit.retryAfter ? decision.retryAfterSeconds : null);
  }
  return undefined;
}

/**
 * Pick a fault rule for this request (logged). A fault that answers instead of the handler answers here;
 * a delay sleeps and goes on; a reset without `commit` resets before anything is written. Faults that act
 * after the handler are left in `ex.fault` for {@link commitThenFail}.
 */
async function injectFault(svc: RequestServices, ex: Exchange, fam: 'v1' | 'v2'): Promise<Step> {
  const fault = svc.faults.pick(ex.family.route, ex.method, ex.body.length);
  ex.fault = fault;
  if (fault === null) return undefined;
  ex.log = { ...ex.log, fault: `${fault.ruleId}:${fault.action.type}` };
  const early = faultReply(fam, fault, svc.opts.clock());
  if (early !== null) return early;
  if (fault.action.type === 'delay') await svc.opts.sleep(fault.action.ms, svc.shutdown);
  if (fault.action.type === 'reset' && fault.action.commit !== true) return 'reset';
  return undefined;
}

/** Run the route's handler: the only step that reads or changes the store. */
function route(svc: RequestServices, ex: Exchange, fam: 'v1' | 'v2'): Reply {
  const ctx: RouteContext = {
    store: svc.store,
    settings: svc.settings,
    verifier: svc.verifier,
    method: ex.method,
    target: ex.target,
    headers: ex.req.headers,
    body: ex.json.value,
    bodyIsJson: ex.json.ok,
    bodyBytes: ex.body.length,
    keyId: ex.keyId,
    baseUrl: svc.baseUrl(),
    fault: ex.fault,
  };
  return fam === 'v1' ? handleV1(ctx, ex.family.route) : handleV2(ctx, ex.family.v2!);
}

/**
 * Faults that act after the handler has committed its change: a reset (`commit: true`), or a failure
 * status / HTML page in place of the handler's reply: the client sees an error for a write that happened.
 */
function commitThenFail(ex: Exchange, fam: 'v1' | 'v2', reply: Reply): Reply | 'reset' {
  const fault = ex.fault;
  const a = fault?.action;
  if (a?.type === 'reset') return 'reset';
  if (a?.type === 'commitThenFail') {
    const status = a.status ?? 500;
    return a.html === true ? htmlPage(status) : faultReply(fam, { ...fault!, action: { type: 'status', status } })!;
  }
  return reply;
}

/** The steps in order: the first that answers ends the request. */
async function answer(svc: RequestServices, ex: Exchange): Promise<Reply | 'reset'> {
  const early = refuseUnroutable(svc, ex);
  if (early !== undefined) return early;
  const fam = ex.family.family as 'v1' | 'v2';
  return (
    authenticate(svc, ex, fam) ??
    (await throttle(svc, ex, fam)) ??
    (await injectFault(svc, ex, fam)) ??
    commitThenFail(ex, fam, route(svc, ex, fam))
  );
}

// ---- framing: log, send, errors ----------------------------------------------------------------------

function resetSocket(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

/** Read and classify the request and open its log entry. */
async function receive(svc: RequestServices, req: IncomingMessage, res: ServerResponse): Promise<Exchange> {
  const time = new Date(svc.opts.clock()).toISOString();
  const method = (req.method ?? 'GET').toUpperCase();
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const { buf, tooLarge } = await readBody(req, svc.opts.maxBodyBytes);
  const parsed = parseJson(buf);
  const family = classify(method, path, parsed.value);
  const log = svc.requestLog.begin({
    time,
    method,
    target,
    route: family.route,
    headers: req.headers,
    rawBody: buf.toString('utf8'),
    bodyBytes: buf.length,
    auth: null,
    fault: null,
  });
  return { req, res, method, target, path, body: buf, tooLarge, json: parsed, family, log, keyId: '', credential: '', fault: null };
}

/** Send the answer (or reset the socket) and finish the log entry. */
async function respond(svc: RequestServices, ex: Exchange, reply: Reply | 'reset', startedReal: number): Promise<void> {
  if (reply === 'reset') {
    resetSocket(ex.req.socket);
    svc.requestLog.finish(ex.log, null, performance.now() - startedReal);
    return;
  }
  const sent = await sendReply(ex.res, reply, {
    gzip: svc.opts.gzip,
    acceptEncoding: headerText(ex.req.headers['accept-encoding']),
    logChars: svc.requestLog.maxBodyChars,
  });
  svc.requestLog.finish(ex.log, sent, performance.now() - startedReal);
}

/**
 * One request, start to end. A handler that throws is a 500 (or a destroyed response once headers went);
 * during shutdown the socket is dropped instead. Reading the body can throw (the client went away): that
 * rejects, and the server drops the request.
 */
export async function handleRequest(svc: RequestServices, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const startedReal = performance.now();
  const ex = await receive(svc, req, res);
  try {
    await respond(svc, ex, await answer(svc, ex), startedReal);
  } catch (error) {
    if (svc.shutdown.aborted) {
      if (!res.headersSent) req.socket.destroy();
      svc.requestLog.finish(ex.log, null, performance.now() - startedReal);
      return;
    }
    if (!res.headersSent) {
      await respond(svc, ex, v2Error(500, `Emulator internal error: ${(error as Error).message}`), startedReal);
    } else {
      res.destroy();
    }
  }
}
