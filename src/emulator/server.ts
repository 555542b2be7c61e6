/**
 * `startEmulator()`: a real HTTP/1.1 server on loopback that speaks Encord's v1 querier and v2 REST APIs
 * (protocol §9). This file wires the parts (state, verifier, faults, limiter, request log) and the server's
 * life (listen, close); what happens to one request is `handleRequest` in request-path.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  type ResolvedEmulatorOptions,
} from './options.js';
import { loadState, Persistence } from './persistence.js';
import { RateLimiter } from './rate-limit.js';
import { RequestLog, type RouteCounter } from './request-log.js';
import { handleRequest, type RequestServices } from './request-path.js';
import { Rng } from './rng.js';
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

/** The state store as `opts` asks: loaded from the state directory, else schema and seeds; persisted if a directory. */
async function openStore(opts: ResolvedEmulatorOptions): Promise<{ store: StateStore; persistence: Persistence | undefined }> {
  const store = new StateStore(new Rng(opts.seed), opts.clock);
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
  return { store, persistence };
}

/** The signature and token checker, with the keys `opts` authorizes; age limits follow `settings` live. */
function openVerifier(opts: ResolvedEmulatorOptions): AuthVerifier {
  const { settings } = opts;
  const verifier = new AuthVerifier({
    clock: opts.clock,
    maxAgeSeconds: () => settings.signatureMaxAgeSeconds,
    maxFutureSeconds: () => settings.signatureMaxFutureSeconds,
    tokenTtlSeconds: opts.tokenTtlSeconds,
  });
  if (opts.defaultTestKey) verifier.authorize(SPEC_TEST_PUBLIC_KEY);
  for (const key of opts.authorizedKeys) verifier.authorize(key);
  return verifier;
}

/** An HTTP server that runs every request through `handleRequest`, tracking it in `inFlight` until done. */
function createRequestServer(svc: RequestServices, inFlight: Set<Promise<void>>): Server {
  const server = createServer({ keepAlive: true }, (req, res) => {
    // A client that disconnects mid-body makes reading throw: drop that request, never crash.
    const p = handleRequest(svc, req, res)
      .catch(() => {
        if (!res.destroyed) res.destroy();
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  return server;
}

async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/**
 * `close()`: stop accepting, give in-flight requests up to 2 s, then abort their sleeps and drop the
 * connections, and flush state last so it holds every finished write. Idempotent.
 */
function closer(server: Server, inFlight: Set<Promise<void>>, shutdown: AbortController, persistence: Persistence | undefined): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
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
}

/** Resolves once `ready(counters)` holds, checked now and after every finished request. */
function whenRequests(requestLog: RequestLog, ready: (counters: Record<string, RouteCounter>) => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ready(requestLog.counters())) return resolve();
    const off = requestLog.onFinish(() => {
      if (!ready(requestLog.counters())) return;
      off();
      resolve();
    });
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const opts = resolveOptions(options);
  const { settings } = opts;
  const { store, persistence } = await openStore(opts);
  const verifier = openVerifier(opts);
  const faults = new FaultController(new Rng(opts.seed ^ 0x5fa17), opts.clock);
  faults.set(opts.faults);
  const limiter = new RateLimiter(opts.clock);
  const requestLog = new RequestLog(opts.requestLog);
  const shutdown = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let baseUrl = '';
  const svc: RequestServices = {
    opts,
    settings,
    store,
    verifier,
    faults,
    limiter,
    jitterRng: new Rng(opts.seed ^ 0x1a7e),
    requestLog,
    shutdown: shutdown.signal,
    baseUrl: () => baseUrl,
  };
  const server = createRequestServer(svc, inFlight);
  const address = await listen(server, opts.port, opts.host);
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${hostForUrl}:${address.port}`;

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
    whenRequests: (ready) => whenRequests(requestLog, ready),
    flush: async () => {
      if (persistence !== undefined) await persistence.flush();
    },
    close: closer(server, inFlight, shutdown, persistence),
  };
}
