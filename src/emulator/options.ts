/**
 * Options of `startEmulator()`: the user type (everything optional, documented with defaults) and the
 * resolved type. `resolveOptions()` validates and fails fast with
 * `` Expected `port` to be an integer from 0 to 65535, got `-1` (number) ``.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { check } from '../option-check.js';
import type { Metadata, WireTypedSchema } from '../encord/protocol/types.js';
import type { FaultRule } from './faults.js';
import { ROUTE_CLASSES, type RouteClass } from './routes.js';
import type { DatasetSeed } from './state.js';

export const WRITE_MODES = ['replace', 'merge'] as const;
export type MetadataWriteMode = (typeof WRITE_MODES)[number];
export const UNKNOWN_KEY_MODES = ['accept', 'reject'] as const;
export type UnknownSchemaKeys = (typeof UNKNOWN_KEY_MODES)[number];
export const TYPE_VALIDATION_MODES = ['off', 'strict'] as const;
export type TypeValidation = (typeof TYPE_VALIDATION_MODES)[number];
export const UNKNOWN_DATASET_MODES = ['not-found', 'authorisation'] as const;
export type UnknownDatasetMode = (typeof UNKNOWN_DATASET_MODES)[number];
export const V1_ERROR_STATUS_MODES = ['mirror', 'always-200'] as const;
export type V1ErrorStatusMode = (typeof V1_ERROR_STATUS_MODES)[number];
export const UNKNOWN_STORAGE_STATUSES = [403, 404] as const;
/** What the v1 save (`datarow` POST) echoes in `data_row.client_metadata`. */
export const V1_SAVE_ECHO_MODES = ['metadata', 'omit', 'null'] as const;
export type V1SaveEcho = (typeof V1_SAVE_ECHO_MODES)[number];
export type UnknownStorageStatus = (typeof UNKNOWN_STORAGE_STATUSES)[number];
/** A listing `pageSize` outside 1..1000: refused with 400, or clamped into range (the real answer is [UNKNOWN]). */
export const PAGE_SIZE_MODES = ['reject', 'clamp'] as const;
export type PageSizeMode = (typeof PAGE_SIZE_MODES)[number];
/** How folder `search` matches names (the real rule is [UNKNOWN]): case-insensitive substring, prefix or exact. */
export const FOLDER_SEARCH_MODES = ['contains', 'prefix', 'exact'] as const;
export type FolderSearchMode = (typeof FOLDER_SEARCH_MODES)[number];

export { ROUTE_CLASSES, type RouteClass };

export interface BucketOptions {
  /** Sustained requests per second. */
  readonly requestsPerSecond: number;
  /** Bucket size: requests allowed back to back. @default max(1, ceil(requestsPerSecond)) */
  readonly burst?: number;
}

export interface RateLimitOptions extends BucketOptions {
  /** Send `Retry-After` (integer seconds) with 429. `false` tests a client's fallback backoff. @default true */
  readonly retryAfter?: boolean;
  /** Per-class overrides of rate and burst. */
  readonly perClass?: Readonly<Partial<Record<RouteClass, BucketOptions>>>;
}

export interface LatencyOptions {
  /** Fixed delay before every response, in ms. */
  readonly ms: number;
  /** Extra uniform random delay from 0 to this, in ms (seeded). @default 0 */
  readonly jitterMs?: number;
}

export interface RequestLogOptions {
  /** Most entries kept (oldest dropped first). @default 10000 */
  readonly maxEntries?: number;
  /** Longest request or response body kept per entry, in characters; longer ones are cut. @default 1000000 */
  readonly maxBodyChars?: number;
  /** Total body characters kept across entries; oldest entries are dropped beyond it. @default 64000000 */
  readonly maxTotalChars?: number;
}

export interface EmulatorOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Directory that holds the state across restarts. Absent: state lives in memory only. */
  readonly stateDir?: string;
  /** Debounce of state flushes after a write, in ms. A graceful `close()` always flushes. @default 500 */
  readonly flushDelayMs?: number;
  /** Public keys allowed to sign: OpenSSH lines (`ssh-ed25519 AAAA…`) or 64-hex keys. */
  readonly authorizedKeys?: readonly string[];
  /** Register the published TEST-ONLY key (protocol §3.1). @default true */
  readonly defaultTestKey?: boolean;
  /** Seed one dataset with this many data units (only when the state is empty). @default 0 */
  readonly seedRows?: number;
  /** Add this many legacy data units (no storage item) to the seeded dataset (only when the state is empty). @default 0 */
  readonly seedLegacy?: number;
  /** Seed of every random choice (ids, seeded data, fault probabilities, jitter). @default 1 */
  readonly seed?: number;
  /** Datasets to create at start (only when the state is empty), for tests. */
  readonly datasets?: readonly DatasetSeed[];
  /** Initial typed organisation schema (protocol §5.6). @default null */
  readonly typedSchema?: WireTypedSchema | null;
  /** Initial simple organisation schema (`{key: "number", …}`). @default null */
  readonly simpleSchema?: Readonly<Record<string, string>> | null;
  /** How a metadata write combines with what is stored. @default 'replace' */
  readonly metadataWriteMode?: MetadataWriteMode;
  /** Keys absent from the organisation schema: stored, or rejected with 400. @default 'accept' */
  readonly unknownSchemaKeys?: UnknownSchemaKeys;
  /** Check values against the schema types. @default 'off' */
  readonly typeValidation?: TypeValidation;
  /** Answer to an unknown dataset hash on v1. @default 'not-found' */
  readonly unknownDataset?: UnknownDatasetMode;
  /** HTTP status of v1 error envelopes: the envelope's `status`, or always 200. @default 'mirror' */
  readonly v1ErrorStatus?: V1ErrorStatusMode;
  /** HTTP status for unknown storage items or folders. @default 403 */
  readonly unknownStorageStatus?: UnknownStorageStatus;
  /**
   * What the v1 save answers in `data_row.client_metadata`: the stored metadata, nothing (key omitted), or
   * `null`. The SDK only checks `updated_fields`, so a real server may answer either way. @default 'metadata'
   */
  readonly v1SaveEcho?: V1SaveEcho;
  /**
   * Page get-bulk answers: at most this many results per answer, the rest behind `nextPageToken` (sent back
   * as the `pageToken` query parameter). 0: no paging. @default 0
   */
  readonly getBulkPageSize?: number;
  /**
   * Storage folders this key (every key) cannot read or write: their items answer 403 in get-bulk,
   * patch-bulk and item calls, while the dataset's rows stay listed (dataset access without storage access).
   * @default []
   */
  readonly forbiddenFolders?: readonly string[];
  /**
   * Items deleted in storage (`isTombstone`) whose data units are still listed in their datasets: storage
   * calls answer 403 for them, like Encord does for items it no longer serves. @default []
   */
  readonly tombstonedItems?: readonly string[];
  /** Accepted age of a v2 signature's `created`, in seconds before now. @default 600 */
  readonly signatureMaxAgeSeconds?: number;
  /** Accepted clock skew of `created` into the future, in seconds. @default 60 */
  readonly signatureMaxFutureSeconds?: number;
  /** Lifetime of bearer tokens from `user/bearer-token`, in seconds. @default 3600 */
  readonly tokenTtlSeconds?: number;
  /** Token-bucket rate limiting; absent or null: no limit. */
  readonly rateLimit?: RateLimitOptions | null;
  /** Latency added to every response; absent or null: none. */
  readonly latency?: LatencyOptions | null;
  /** Fault injection rules (see faults.ts); can be changed at run time with `emulator.faults`. */
  readonly faults?: readonly FaultRule[];
  /** Largest request body accepted; beyond it the answer is 413. @default 67108864 (64 MiB) */
  readonly maxBodyBytes?: number;
  /** Most uuids per get-bulk and patches per patch-bulk (0: no limit); beyond it, 400. @default 1000 */
  readonly bulkLimit?: number;
  /** Listings (items, folders) given a `pageSize` outside 1..1000: 400, or clamp. @default 'reject' */
  readonly pageSizeOutOfRange?: PageSizeMode;
  /** How folder listings match `search` against folder names. @default 'contains' */
  readonly folderSearch?: FolderSearchMode;
  /**
   * Seed a folder tree for rehearsing `--folder` runs (only when the state is empty): a top-level folder
   * `Rehearsal uploads` with `items` files, `subfolders` folders `cam-01`… each holding `items` files with the
   * same names as the top folder's, and one `archive` subfolder each (a tenth of `items`). @default none
   */
  readonly seedFolders?: { readonly subfolders: number; readonly items?: number } | null;
  /** Request log bounds; `false` keeps no log (counters still run). */
  readonly requestLog?: RequestLogOptions | false;
  /** Compress JSON responses when the request accepts gzip. @default true */
  readonly gzip?: boolean;
  /** Clock in ms since the epoch (signature window, tokens, timestamps, rate limits). @default Date.now */
  readonly clock?: () => number;
  /**
   * Waits of `latency` and `delay` faults, beside `clock` so tests control time instead of measuring it.
   * Rejects when `signal` aborts (the emulator is closing). @default node:timers/promises setTimeout
   */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface ResolvedRateLimit {
  readonly buckets: Readonly<Record<RouteClass, { readonly rate: number; readonly burst: number }>>;
  readonly retryAfter: boolean;
}

export interface ResolvedEmulatorOptions {
  readonly host: string;
  readonly port: number;
  readonly stateDir: string | undefined;
  readonly flushDelayMs: number;
  readonly authorizedKeys: readonly string[];
  readonly defaultTestKey: boolean;
  readonly seedRows: number;
  readonly seedLegacy: number;
  readonly seedFolders: { readonly subfolders: number; readonly items: number } | null;
  readonly seed: number;
  readonly datasets: readonly DatasetSeed[];
  readonly typedSchema: WireTypedSchema | null;
  readonly simpleSchema: Readonly<Record<string, string>> | null;
  readonly faults: readonly FaultRule[];
  readonly maxBodyBytes: number;
  readonly requestLog: Required<RequestLogOptions> | false;
  readonly gzip: boolean;
  readonly clock: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly tokenTtlSeconds: number;
  /** The switches that may change at run time (`emulator.configure`). */
  readonly settings: EmulatorSettings;
}

/** Behaviour switches, changeable while running through `emulator.configure()`. */
export interface EmulatorSettings {
  metadataWriteMode: MetadataWriteMode;
  unknownSchemaKeys: UnknownSchemaKeys;
  typeValidation: TypeValidation;
  unknownDataset: UnknownDatasetMode;
  v1ErrorStatus: V1ErrorStatusMode;
  unknownStorageStatus: UnknownStorageStatus;
  v1SaveEcho: V1SaveEcho;
  getBulkPageSize: number;
  forbiddenFolders: ReadonlySet<string>;
  tombstonedItems: ReadonlySet<string>;
  signatureMaxAgeSeconds: number;
  signatureMaxFutureSeconds: number;
  rateLimit: ResolvedRateLimit | null;
  latency: { ms: number; jitterMs: number } | null;
  bulkLimit: number;
  pageSizeOutOfRange: PageSizeMode;
  folderSearch: FolderSearchMode;
}

/** The subset of options `emulator.configure()` accepts. */
export type EmulatorSettingsPatch = Pick<
  EmulatorOptions,
  | 'metadataWriteMode'
  | 'unknownSchemaKeys'
  | 'typeValidation'
  | 'unknownDataset'
  | 'v1ErrorStatus'
  | 'unknownStorageStatus'
  | 'v1SaveEcho'
  | 'getBulkPageSize'
  | 'forbiddenFolders'
  | 'tombstonedItems'
  | 'signatureMaxAgeSeconds'
  | 'signatureMaxFutureSeconds'
  | 'rateLimit'
  | 'latency'
  | 'bulkLimit'
  | 'pageSizeOutOfRange'
  | 'folderSearch'
>;

function fail(name: string, expected: string, value: unknown): never {
  check.fail(name, expected, value);
}

function integer(name: string, value: unknown, min: number, max: number, fallback: number): number {
  return check.integer(name, value, min, max, fallback);
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(name, 'a finite number > 0', value);
  return value;
}

function oneOf<T extends string | number>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  return check.oneOf(name, value, allowed, fallback);
}

function resolveBucket(name: string, b: BucketOptions): { rate: number; burst: number } {
  const rate = positive(`${name}.requestsPerSecond`, b.requestsPerSecond, 0);
  const burst = integer(`${name}.burst`, b.burst, 1, 1_000_000, Math.max(1, Math.ceil(rate)));
  return { rate, burst };
}

export function resolveRateLimit(value: RateLimitOptions | null | undefined): ResolvedRateLimit | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') fail('rateLimit', 'an object or null', value);
  const base = resolveBucket('rateLimit', value);
  const buckets = {} as Record<RouteClass, { rate: number; burst: number }>;
  for (const cls of ROUTE_CLASSES) {
    const override = value.perClass?.[cls];
    buckets[cls] = override === undefined ? base : resolveBucket(`rateLimit.perClass.${cls}`, override);
  }
  if (value.retryAfter !== undefined && typeof value.retryAfter !== 'boolean') {
    fail('rateLimit.retryAfter', 'a boolean', value.retryAfter);
  }
  return { buckets, retryAfter: value.retryAfter ?? true };
}

function resolveLatency(value: LatencyOptions | null | undefined): { ms: number; jitterMs: number } | null {
  if (value === undefined || value === null) return null;
  const ms = integer('latency.ms', value.ms, 0, 3_600_000, 0);
  const jitterMs = integer('latency.jitterMs', value.jitterMs, 0, 3_600_000, 0);
  return ms === 0 && jitterMs === 0 ? null : { ms, jitterMs };
}

function resolveIds(name: string, value: unknown, fallback: ReadonlySet<string>): ReadonlySet<string> {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(name, 'an array of uuids', value);
  return new Set((value as string[]).map((v) => v.toLowerCase()));
}

/** Validate a settings patch and apply it onto `settings` (all-or-nothing). */
export function applySettingsPatch(settings: EmulatorSettings, patch: EmulatorSettingsPatch): void {
  const next: EmulatorSettings = {
    metadataWriteMode: oneOf('metadataWriteMode', patch.metadataWriteMode, WRITE_MODES, settings.metadataWriteMode),
    unknownSchemaKeys: oneOf('unknownSchemaKeys', patch.unknownSchemaKeys, UNKNOWN_KEY_MODES, settings.unknownSchemaKeys),
    typeValidation: oneOf('typeValidation', patch.typeValidation, TYPE_VALIDATION_MODES, settings.typeValidation),
    unknownDataset: oneOf('unknownDataset', patch.unknownDataset, UNKNOWN_DATASET_MODES, settings.unknownDataset),
    v1ErrorStatus: oneOf('v1ErrorStatus', patch.v1ErrorStatus, V1_ERROR_STATUS_MODES, settings.v1ErrorStatus),
    unknownStorageStatus: oneOf(
      'unknownStorageStatus',
      patch.unknownStorageStatus,
      UNKNOWN_STORAGE_STATUSES,
      settings.unknownStorageStatus,
    ),
    v1SaveEcho: oneOf('v1SaveEcho', patch.v1SaveEcho, V1_SAVE_ECHO_MODES, settings.v1SaveEcho),
    getBulkPageSize: integer('getBulkPageSize', patch.getBulkPageSize, 0, 1_000_000, settings.getBulkPageSize),
    forbiddenFolders: resolveIds('forbiddenFolders', patch.forbiddenFolders, settings.forbiddenFolders),
    tombstonedItems: resolveIds('tombstonedItems', patch.tombstonedItems, settings.tombstonedItems),
    signatureMaxAgeSeconds: integer(
      'signatureMaxAgeSeconds',
      patch.signatureMaxAgeSeconds,
      0,
      10_000_000,
      settings.signatureMaxAgeSeconds,
    ),
    signatureMaxFutureSeconds: integer(
      'signatureMaxFutureSeconds',
      patch.signatureMaxFutureSeconds,
      0,
      10_000_000,
      settings.signatureMaxFutureSeconds,
    ),
    rateLimit: 'rateLimit' in patch ? resolveRateLimit(patch.rateLimit) : settings.rateLimit,
    latency: 'latency' in patch ? resolveLatency(patch.latency) : settings.latency,
    bulkLimit: integer('bulkLimit', patch.bulkLimit, 0, 10_000_000, settings.bulkLimit),
    pageSizeOutOfRange: oneOf('pageSizeOutOfRange', patch.pageSizeOutOfRange, PAGE_SIZE_MODES, settings.pageSizeOutOfRange),
    folderSearch: oneOf('folderSearch', patch.folderSearch, FOLDER_SEARCH_MODES, settings.folderSearch),
  };
  Object.assign(settings, next);
}

export function resolveOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') fail('host', 'a non-empty string', host);
  const settings: EmulatorSettings = {
    metadataWriteMode: 'replace',
    unknownSchemaKeys: 'accept',
    typeValidation: 'off',
    unknownDataset: 'not-found',
    v1ErrorStatus: 'mirror',
    unknownStorageStatus: 403,
    v1SaveEcho: 'metadata',
    getBulkPageSize: 0,
    forbiddenFolders: new Set(),
    tombstonedItems: new Set(),
    signatureMaxAgeSeconds: 600,
    signatureMaxFutureSeconds: 60,
    rateLimit: null,
    latency: null,
    bulkLimit: 1000,
    pageSizeOutOfRange: 'reject',
    folderSearch: 'contains',
  };
  applySettingsPatch(settings, options);
  let requestLog: Required<RequestLogOptions> | false = false;
  if (options.requestLog !== false) {
    const rl = options.requestLog ?? {};
    requestLog = {
      maxEntries: integer('requestLog.maxEntries', rl.maxEntries, 1, 100_000_000, 10_000),
      maxBodyChars: integer('requestLog.maxBodyChars', rl.maxBodyChars, 0, 500_000_000, 1_000_000),
      maxTotalChars: integer('requestLog.maxTotalChars', rl.maxTotalChars, 0, 4_000_000_000, 64_000_000),
    };
  }
  if (options.stateDir !== undefined && (typeof options.stateDir !== 'string' || options.stateDir === '')) {
    fail('stateDir', 'a non-empty path', options.stateDir);
  }
  if (options.authorizedKeys !== undefined && !Array.isArray(options.authorizedKeys)) {
    fail('authorizedKeys', 'an array of public keys', options.authorizedKeys);
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') fail('clock', 'a function', options.clock);
  if (options.sleep !== undefined && typeof options.sleep !== 'function') fail('sleep', 'a function', options.sleep);
  return {
    host,
    port: integer('port', options.port, 0, 65535, 0),
    stateDir: options.stateDir,
    flushDelayMs: integer('flushDelayMs', options.flushDelayMs, 0, 3_600_000, 500),
    authorizedKeys: options.authorizedKeys ?? [],
    defaultTestKey: options.defaultTestKey ?? true,
    seedRows: integer('seedRows', options.seedRows, 0, 50_000_000, 0),
    seedLegacy: integer('seedLegacy', options.seedLegacy, 0, 50_000_000, 0),
    seedFolders: resolveSeedFolders(options.seedFolders),
    seed: integer('seed', options.seed, 0, 2 ** 32 - 1, 1),
    datasets: options.datasets ?? [],
    typedSchema: options.typedSchema ?? null,
    simpleSchema: options.simpleSchema ?? null,
    faults: options.faults ?? [],
    maxBodyBytes: integer('maxBodyBytes', options.maxBodyBytes, 1, 2 ** 31 - 1, 64 * 1024 * 1024),
    requestLog,
    gzip: options.gzip ?? true,
    clock: options.clock ?? Date.now,
    sleep: options.sleep ?? ((ms, signal) => sleep(ms, undefined, { signal })),
    tokenTtlSeconds: integer('tokenTtlSeconds', options.tokenTtlSeconds, 1, 100_000_000, 3600),
    settings,
  };
}

function resolveSeedFolders(value: EmulatorOptions['seedFolders']): ResolvedEmulatorOptions['seedFolders'] {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') fail('seedFolders', 'an object {subfolders, items?}', value);
  return {
    subfolders: integer('seedFolders.subfolders', value.subfolders, 0, 1000, 0),
    items: integer('seedFolders.items', value.items, 0, 1_000_000, 100),
  };
}

/** Metadata type re-exported for option authors. */
export type { Metadata };
