/**
 * `startEmulator()`: a real HTTP/1.1 server on loopback that speaks Encord's v1 querier and v2 REST APIs
 * (protocol §9). Each request goes: read the raw body → name the route → verify the signature → latency →
 * rate limit → fault → handler → (post-fault) → reply, and is recorded in the request log.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ParsedPublicKey } from '../encord/protocol/public-key.js';
import { AuthVerifier, SPEC_TEST_PUBLIC_KEY } from './auth.js';
import { FaultController } from './faults.js';
import {
  applySettingsPatch,
  resolveOptions,
  type EmulatorOptions,
  type EmulatorSettings,
  type EmulatorSettingsPatch,
} from './options.js';
import { loadState, Persistence } from './persistence.js';
import { RateLimiter } from './rate-limit.js';
import { authFailure, faultReply, rateLimited } from './pipeline-replies.js';
import { htmlPage, json, sendReply, v1Error, v2Error, type Reply } from './reply.js';
import { RequestLog, type RequestLogEntry, type RouteCounter } from './request-log.js';
import { Rng } from './rng.js';
import type { RouteContext } from './route-context.js';
import { routeClass, type RouteName } from './routes.js';
import { handleV1, v1RouteOf } from './routes-v1.js';
import { handleV2, v2RouteOf } from './routes-v2.js';
import { seedDataset, seedFolderTree, seedGenerated } from './seed.js';
import { EmulatorStateApi } from './state-api.js';
import { StateStore, type DatasetSummary, type FolderSummary } from './state.js';

export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`: use it as the client's domain. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Test access to the data (read copies, set metadata, seed datasets, snapshot). */
  readonly state: EmulatorStateApi;
  readonly requestLog: RequestLog;
  /** Fault rules: `set([...])`, `add(rule)`, `clear()`, `list()`, `stats()`. */
  readonly faults: FaultController;
  readonly auth: {
    /** Register a public key (OpenSSH line or 64 hex); returns its hex. */
    authorize(key: string | ParsedPublicKey): string;
    revoke(publicKeyHex: string): void;
    keys(): string[];
    /** Issue a bearer token as `user/bearer-token` would. */
    issueToken(publicKeyHex: string): string;
  };
  /** Current behaviour switches (read-only view; change them with `configure`). */
  readonly settings: Readonly<EmulatorSettings>;
  /** Change behaviour switches at run time (validated, all-or-nothing). */
  configure(patch: EmulatorSettingsPatch): void;
  /** Datasets and their row counts. */
  datasets(): DatasetSummary[];
  /** Storage folders (parents before children) with their own item counts. */
  folders(): FolderSummary[];
  /** Requests per route, by status, faults and auth failures. */
  counters(): Record<string, RouteCounter>;
  /**
   * Resolves once `ready(counters())` holds, checked now and after every finished request: tests wait on
   * the requests themselves instead of polling against a clock. Never resolves if it never holds.
   */
  whenRequests(ready: (counters: Record<string, RouteCounter>) => boolean): Promise<void>;
  /** Write the state directory now (no-op in memory). */
  flush(): Promise<void>;
  /** Stop accepting, finish in-flight requests (briefly), flush state, close. Idempotent. */
  close(): Promise<void>;
}

interface RequestFamily {
  readonly family: 'v1' | 'v2' | 'none';
  readonly route: RouteName;
  readonly wrongMethod?: boolean;
  readonly v2?: ReturnType<typeof v2RouteOf>;
}

function parseJson(buf: Buffer): { value: unknown; ok: boolean } {
  if (buf.length === 0) return { value: undefined, ok: false };
  try {
    return { value: JSON.parse(buf.toString('utf8')) as unknown, ok: true };
  } catch {
    return { value: undefined, ok: false };
  }
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

function resetSocket(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const opts = resolveOptions(options);
  const { settings, clock } = opts;
  const store = new StateStore(new Rng(opts.seed), clock);
  let loaded = false;
  if (opts.stateDir !== undefined) loaded = await loadState(opts.stateDir, store);
  if (loaded) {
    // Fresh ids after a restart must not replay the ids of the first run's generator.
    store.rng.nextUint32();
  } else {
    store.typedSchema = opts.typedSchema === null ? null : structuredClone(opts.typedSchema);
    if (opts.simpleSchema !== null) store.setSimpleSchema({ ...opts.simpleSchema });
    if (opts.seedRows > 0 || opts.seedLegacy > 0) seedGenerated(store, opts.seedRows, opts.seedLegacy);
    for (const seed of opts.datasets) seedDataset(store, seed, store.datasets.size + 1);
    if (opts.seedFolders !== null) seedFolderTree(store, opts.seedFolders);
  }
  const persistence = opts.stateDir === undefined ? undefined : new Persistence(opts.stateDir, store, opts.flushDelayMs);
  if (persistence !== undefined) {
    store.onChange = () => persistence.markDirty();
    if (!loaded) await persistence.flush(true);
  }

  const verifier = new AuthVerifier({
    clock,
    maxAgeSeconds: () => settings.signatureMaxAgeSeconds,
    maxFutureSeconds: () => settings.signatureMaxFutureSeconds,
    tokenTtlSeconds: opts.tokenTtlSeconds,
  });
  if (opts.defaultTestKey) verifier.authorize(SPEC_TEST_PUBLIC_KEY);
  for (const key of opts.authorizedKeys) verifier.authorize(key);

  const faults = new FaultController(new Rng(opts.seed ^ 0x5fa17), clock);
  faults.set(opts.faults);
  const jitterRng = new Rng(opts.seed ^ 0x1a7e);
  const limiter = new RateLimiter(clock);
  const requestLog = new RequestLog(opts.requestLog);
  const shutdown = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let baseUrl = '';

  const classify = (method: string, path: string, body: unknown): RequestFamily => {
    if (path === '/public' || path === '/public/user') {
      return { family: 'v1', route: v1RouteOf(path, body), wrongMethod: method !== 'POST' };
    }
    if (path.startsWith('/v2/public/')) {
      const v2 = v2RouteOf(method, path);
      return { family: 'v2', route: v2.route, v2 };
    }
    return { family: 'none', route: 'unknown' };
  };

  const readBody = async (req: IncomingMessage): Promise<{ buf: Buffer; tooLarge: boolean }> => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > opts.maxBodyBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    }
    return { buf: Buffer.concat(chunks), tooLarge };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedReal = performance.now();
    const time = new Date(clock()).toISOString();
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const { buf, tooLarge } = await readBody(req);
    const parsed = parseJson(buf);
    const family = classify(method, path, parsed.value);
    const entry: RequestLogEntry = requestLog.begin({
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
    let logged: RequestLogEntry = entry;
    const finish = async (reply: Reply | null): Promise<void> => {
      if (reply === null) {
        resetSocket(req.socket);
        requestLog.finish(logged, null, performance.now() - startedReal);
        return;
      }
      const sent = await sendReply(res, reply, {
        gzip: opts.gzip,
        acceptEncoding: headerText(req.headers['accept-encoding']),
        logChars: requestLog.maxBodyChars,
      });
      requestLog.finish(logged, sent, performance.now() - startedReal);
    };
    try {
      if (tooLarge) {
        res.setHeader('connection', 'close');
        await finish(json(413, { detail: `Request body larger than ${opts.maxBodyBytes} bytes` }));
        return;
      }
      if (family.family === 'none') {
        await finish(v2Error(404, `Not Found: ${path}`));
        return;
      }
      const fam = family.family;
      const auth =
        fam === 'v1'
          ? verifier.verifyV1(headerText(req.headers.authorization), buf)
          : verifier.verifyV2(
              method,
              target,
              {
                ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
                ...(req.headers['content-digest'] !== undefined ? { contentDigest: headerText(req.headers['content-digest'])! } : {}),
                ...(req.headers['signature-input'] !== undefined
                  ? { signatureInput: headerText(req.headers['signature-input'])! }
                  : {}),
                ...(req.headers.signature !== undefined ? { signature: headerText(req.headers.signature)! } : {}),
              },
              buf,
            );
      logged = {
        ...entry,
        auth: auth.ok
          ? { ok: true, scheme: auth.scheme, keyId: auth.keyId }
          : { ok: false, scheme: auth.scheme, reason: auth.reason, ...(auth.keyId !== undefined ? { keyId: auth.keyId } : {}) },
      };
      if (!auth.ok) {
        await finish(authFailure(settings, fam, auth));
        return;
      }
      if (fam === 'v1' && family.wrongMethod === true) {
        await finish(v1Error(settings, 405, 'METHOD_NOT_ALLOWED_ERROR', 'v1 queries must be POST'));
        return;
      }
      if (settings.latency !== null) {
        const { ms, jitterMs } = settings.latency;
        await opts.sleep(ms + (jitterMs > 0 ? jitterRng.int(0, jitterMs) : 0), shutdown.signal);
      }
      if (settings.rateLimit !== null) {
        const decision = limiter.take(settings.rateLimit, auth.credential, routeClass(family.route));
        if (!decision.ok) {
          await finish(rateLimited(fam, settings.rateLimit.retryAfter ? decision.retryAfterSeconds : null));
          return;
        }
      }
      const fault = faults.pick(family.route, method, buf.length);
      if (fault !== null) {
        logged = { ...logged, fault: `${fault.ruleId}:${fault.action.type}` };
        const early = faultReply(fam, fault, clock());
        if (early !== null) {
          await finish(early);
          return;
        }
        if (fault.action.type === 'delay') await opts.sleep(fault.action.ms, shutdown.signal);
        if (fault.action.type === 'reset' && fault.action.commit !== true) {
          await finish(null);
          return;
        }
      }
      const ctx: RouteContext = {
        store,
        settings,
        verifier,
        method,
        target,
        headers: req.headers,
        body: parsed.value,
        bodyIsJson: parsed.ok,
        bodyBytes: buf.length,
        keyId: auth.keyId,
        baseUrl,
        fault,
      };
      let reply = fam === 'v1' ? handleV1(ctx, family.route) : handleV2(ctx, family.v2!);
      const a = fault?.action;
      if (a?.type === 'reset') {
        await finish(null);
        return;
      }
      if (a?.type === 'commitThenFail') {
        const status = a.status ?? 500;
        reply = a.html === true ? htmlPage(status) : faultReply(fam, { ...fault!, action: { type: 'status', status } })!;
      }
      await finish(reply);
    } catch (error) {
      if (shutdown.signal.aborted) {
        if (!res.headersSent) req.socket.destroy();
        requestLog.finish(logged, null, performance.now() - startedReal);
        return;
      }
      if (!res.headersSent) {
        await finish(v2Error(500, `Emulator internal error: ${(error as Error).message}`));
      } else {
        res.destroy();
      }
    }
  };

  const server = createServer({ keepAlive: true }, (req, res) => {
    // A client that disconnects mid-body makes reading throw: drop that request, never crash.
    const p = handle(req, res)
      .catch(() => {
        if (!res.destroyed) res.destroy();
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${hostForUrl}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      server.close();
      server.closeIdleConnections();
      const grace = sleep(2000, undefined, { ref: false }).then(() => 'timeout' as const);
      await Promise.race([Promise.allSettled([...inFlight]), grace]);
      shutdown.abort();
      server.closeAllConnections();
      await Promise.allSettled([...inFlight]);
      if (persistence !== undefined) await persistence.flush();
    })();
    return closing;
  };

  const stateApi = new EmulatorStateApi(store);
  return {
    url: baseUrl,
    host: address.address,
    port: address.port,
    state: stateApi,
    requestLog,
    faults,
    auth: {
      authorize: (key) => verifier.authorize(key),
      revoke: (hex) => verifier.revoke(hex),
      keys: () => verifier.keys(),
      issueToken: (hex) => verifier.issueToken(hex.toLowerCase()).token,
    },
    settings,
    configure(patch) {
      const before = settings.rateLimit;
      applySettingsPatch(settings, patch);
      if (settings.rateLimit !== before) limiter.reset();
    },
    datasets: () => stateApi.datasets(),
    folders: () => stateApi.folders(),
    counters: () => requestLog.counters(),
    whenRequests: (ready) =>
      new Promise<void>((resolve) => {
        if (ready(requestLog.counters())) return resolve();
        const off = requestLog.onFinish(() => {
          if (!ready(requestLog.counters())) return;
          off();
          resolve();
        });
      }),
    flush: async () => {
      if (persistence !== undefined) await persistence.flush();
    },
    close,
  };
}
