/**
 * Bulk reads and writes of storage-item metadata over v2 (protocol §5.4 F and H, §8). Reads keep request order.
 * Writes report per item: a write is only "ok" when the server's echo equals what was sent; 413, 400/422 and
 * 403/404 split the chunk (bounded, see `bisect`) so only the items at fault fail; a chunk that still fails with
 * a non-fatal error fails each of its items; fatal errors (authentication, abort) reject the whole call and
 * stop the other chunks.
 */
import type { ItemMetadata, PatchOutcome } from './metadata-store.js';
import type { Metadata } from './protocol/types.js';
import { EncordApiError, isFatalError } from './errors.js';
import { JsonEncodeError, jsonEqual, toAsciiJson } from './json-codec.js';
import type { Requester } from './requester.js';
import { childSignal } from './abort-fan-out.js';
import { parseItemPage, parseStorageItem, type StorageItemInfo } from './response-schemas.js';

/** Split into chunks of at most `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Reject ids that cannot be a UUID/hash before they reach a header or path. */
export function assertId(kind: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new EncordApiError('INVALID_ARGUMENTS', `Expected ${kind} to be a UUID or hash, got ${shown}`, undefined);
  }
  return value;
}

/**
 * Run `fn` over chunks with at most `parallel` at a time (so request bodies are built only when a worker is
 * free); the first error aborts the rest and is rethrown.
 */
async function forEachChunk<T>(
  chunks: readonly T[],
  parallel: number,
  signal: AbortSignal | undefined,
  fn: (chunk: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const inner = new AbortController();
  // Many bulk calls may share the caller's signal: one fanned-out listener, not one per call.
  const parent = childSignal(signal);
  const onAbort = (): void => inner.abort(signal?.reason);
  if (parent.signal?.aborted === true) inner.abort(signal?.reason);
  parent.signal?.addEventListener('abort', onAbort, { once: true });
  let first: { error: unknown } | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (first === undefined && next < chunks.length) {
      const chunk = chunks[next]!;
      next += 1;
      try {
        await fn(chunk, inner.signal);
      } catch (error) {
        if (first === undefined) {
          first = { error };
          inner.abort(error);
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, worker));
  } finally {
    parent.signal?.removeEventListener('abort', onAbort);
    parent.release();
  }
  if (first !== undefined) throw first.error;
}

/** v2 E: one item. */
export async function getStorageItem(requester: Requester, uuid: string, signal?: AbortSignal): Promise<StorageItemInfo> {
  assertId('an item uuid', uuid);
  const { value, context } = await requester.v2(
    { method: 'GET', path: `storage/items/${uuid}`, query: [['signUrl', false]] },
    signal,
  );
  return parseStorageItem(value, context);
}

/** Errors about some items of a request (not the request as a whole): worth splitting the request to find them. */
function isolatable(error: EncordApiError): boolean {
  return (
    error.code === 'PAYLOAD_TOO_LARGE' ||
    error.code === 'INVALID_ARGUMENTS' ||
    error.code === 'AUTHORISATION' ||
    error.code === 'NOT_FOUND'
  );
}

/** Forbidden items a bisection isolates fully before the rest of the chunk is failed wholesale. */
const FORBIDDEN_ISOLATED = 4;

/** Requests a bisection of `n` items may spend on 403/404 (isolating up to `FORBIDDEN_ISOLATED` items). */
export function forbiddenBudget(n: number): number {
  return 2 + 2 * FORBIDDEN_ISOLATED * Math.ceil(Math.log2(Math.max(2, n)));
}

/**
 * Split a failed request in halves until the failing items are isolated, bounded:
 * - 400/422 (invalid items): when *both* halves of a split fail whole, stop and fail both (a batch rejected
 *   wholesale costs 3 requests; one bad item in 1000 costs 21).
 * - 403/404 (items this key cannot touch; scattered through a dataset when a folder is not shared): keep
 *   halving as on 413, within `forbiddenBudget(n)` requests per chunk (so a key with no storage access at all
 *   costs at most that per chunk); past the budget the unresolved parts fail whole.
 * - 413: both halves of a too-large body may be too large, so it always halves until it fits.
 * Fatal errors (authentication, abort) are thrown; other errors fail the part they hit.
 */
async function bisect<T, R>(
  part: readonly T[],
  error: EncordApiError,
  send: (part: readonly T[]) => Promise<R[]>,
  failAll: (part: readonly T[], error: EncordApiError, isolated: boolean) => R[],
  budget: { left: number } = { left: forbiddenBudget(part.length) },
): Promise<R[]> {
  if (part.length === 1 || !isolatable(error)) return failAll(part, error, part.length === 1);
  const forbidden = (e: EncordApiError): boolean => e.code === 'AUTHORISATION' || e.code === 'NOT_FOUND';
  if (forbidden(error) && budget.left < 2) return failAll(part, error, false);
  const half = Math.ceil(part.length / 2);
  const halves = [part.slice(0, half), part.slice(half)];
  // One half after the other: a bisection never adds a burst of requests.
  const tried: ({ ok: true; value: R[] } | { ok: false; error: EncordApiError })[] = [];
  for (const h of halves) {
    budget.left -= 1;
    try {
      tried.push({ ok: true, value: await send(h) });
    } catch (e) {
      if (!(e instanceof EncordApiError) || isFatalError(e)) throw e;
      tried.push({ ok: false, error: e });
    }
  }
  const [a, b] = tried as [(typeof tried)[0], (typeof tried)[0]];
  const invalid = (e: EncordApiError): boolean => e.code === 'INVALID_ARGUMENTS';
  if (!a.ok && !b.ok && invalid(a.error) && invalid(b.error)) {
    return [...failAll(halves[0]!, a.error, halves[0]!.length === 1), ...failAll(halves[1]!, b.error, halves[1]!.length === 1)];
  }
  const out: R[] = [];
  for (const [i, r] of tried.entries()) out.push(...(r.ok ? r.value : await bisect(halves[i]!, r.error, send, failAll, budget)));
  return out;
}

/**
 * The per-item error for an item-level refusal: 403 on a storage item means the key may see the dataset but
 * not this item (its folder is not shared with the key, or the item was deleted while its data unit remains).
 */
function itemError(uuid: string, error: EncordApiError, isolated: boolean, doing: string): EncordApiError {
  if (error.code !== 'AUTHORISATION') return error;
  const which = isolated
    ? `Encord refused access to storage item ${uuid}`
    : `Encord refused access to every part of a batch holding storage item ${uuid}`;
  return new EncordApiError(
    'ITEM_FORBIDDEN',
    `${which} while ${doing}: this key has no permission on the item's storage folder, or the item was deleted; nothing was written. Ask for access to the folder, or leave the row out`,
    error.context,
    { status: error.status, encordCode: error.encordCode, cause: error, details: { uuid } },
  );
}

/** A get-bulk item that could not be read, and why. */
export interface ItemReadFailure {
  readonly uuid: string;
  readonly error: EncordApiError;
}

/** One get-bulk request, following `nextPageToken` (sent back as `?pageToken=` with the same body). */
async function getBulkPages(requester: Requester, chunk: readonly string[], signal: AbortSignal): Promise<StorageItemInfo[]> {
  const items: StorageItemInfo[] = [];
  const seen = new Set<string>();
  let token: string | null = null;
  for (let pages = 0; ; pages += 1) {
    const { value, context } = await requester.v2(
      { method: 'POST', path: 'storage/items/get-bulk', query: [['pageToken', token ?? undefined]], body: { itemUuids: chunk, signUrls: false } },
      signal,
    );
    const page = parseItemPage(value, context);
    items.push(...page.items);
    token = page.nextPageToken === '' ? null : page.nextPageToken;
    if (token === null) return items;
    if (seen.has(token) || pages >= chunk.length) {
      throw new EncordApiError('BAD_RESPONSE', 'The get-bulk answer pages without end (a next page token repeats)', context);
    }
    seen.add(token);
  }
}

/**
 * v2 F in chunks: current metadata of each uuid, in request order (duplicates answered once each). Paged
 * answers are followed. Items Encord refuses one by one (403: no access to their folder, or deleted; 404) are
 * isolated by bisection, left out of the result and passed to `onItemError` (`ITEM_FORBIDDEN`, `NOT_FOUND`);
 * the rest of their chunk is still read.
 */
export async function getItems(
  requester: Requester,
  uuids: readonly string[],
  chunkSize: number,
  parallel: number,
  signal?: AbortSignal,
  onItemError?: (failure: ItemReadFailure) => void,
): Promise<ItemMetadata[]> {
  const unique = [...new Set(uuids.map((u) => assertId('an item uuid', u)))];
  const found = new Map<string, ItemMetadata>();
  await forEachChunk(chunked(unique, chunkSize), parallel, signal, async (chunk, s) => {
    type Read = { uuid: string; item: ItemMetadata } | ItemReadFailure;
    const send = async (part: readonly string[]): Promise<Read[]> => {
      const answered = await getBulkPages(requester, part, s);
      const byUuid = new Map(answered.map((i) => [i.uuid.toLowerCase(), i]));
      return part.map((uuid): Read => {
        const item = byUuid.get(uuid.toLowerCase());
        if (item === undefined) {
          throw new EncordApiError('BAD_RESPONSE', `Item ${uuid} is missing from the get-bulk answer`, undefined);
        }
        return { uuid, item: { uuid, metadata: item.metadata, backedDataUnitsCount: item.backedDataUnitsCount } };
      });
    };
    const failAll = (part: readonly string[], error: EncordApiError, isolated: boolean): Read[] => {
      if (error.code !== 'AUTHORISATION' && error.code !== 'NOT_FOUND') throw error;
      return part.map((uuid) => ({ uuid, error: itemError(uuid, error, isolated, 'reading its metadata') }));
    };
    let reads: Read[];
    try {
      reads = await send(chunk);
    } catch (error) {
      if (!(error instanceof EncordApiError) || isFatalError(error)) throw error;
      reads = await bisect(chunk, error, send, failAll);
    }
    for (const r of reads) {
      if ('item' in r) found.set(r.uuid, r.item);
      else onItemError?.(r);
    }
  });
  return uuids.filter((u) => found.has(u)).map((u) => found.get(u)!);
}

function failed(uuid: string, error: Error): PatchOutcome {
  return { uuid, ok: false, error };
}

type Entry = readonly [string, Metadata];

async function patchChunk(requester: Requester, entries: readonly Entry[], signal: AbortSignal): Promise<PatchOutcome[]> {
  try {
    return await patchOnce(requester, entries, signal);
  } catch (error) {
    if (!(error instanceof EncordApiError) || isFatalError(error)) throw error;
    if (error.cause instanceof JsonEncodeError) return splitUnencodable(requester, entries, signal);
    // 413: the body is too big, halve it. 400/422: an item is invalid (strict validation, unknown key);
    // 403/404: the key cannot touch an item. Bisect (bounded) so only those items fail.
    return bisect(
      entries,
      error,
      (part) => patchOnce(requester, part, signal),
      (part, e, isolated) => part.map(([uuid]) => failed(uuid, itemError(uuid, e, isolated, 'writing its metadata'))),
    );
  }
}

/** One patch-bulk request; throws the request's error, or reports per item from the answer. */
async function patchOnce(requester: Requester, entries: readonly Entry[], signal: AbortSignal): Promise<PatchOutcome[]> {
  const itemPatches: Record<string, { clientMetadata: Metadata }> = {};
  for (const [uuid, metadata] of entries) itemPatches[uuid] = { clientMetadata: metadata };
  const { value, context } = await requester.v2({ method: 'PATCH', path: 'storage/items/patch-bulk', body: { itemPatches } }, signal);
  let results: StorageItemInfo[];
  try {
    results = parseItemPage(value, context).items;
  } catch (error) {
    // The write may or may not have happened; each item is reported failed so a re-run writes it again.
    return entries.map(([uuid]) => failed(uuid, error as Error));
  }
  const byUuid = new Map(results.map((i) => [i.uuid.toLowerCase(), i]));
  return entries.map(([uuid, sent]): PatchOutcome => {
    const item = byUuid.get(uuid.toLowerCase());
    if (item === undefined) {
      return failed(
        uuid,
        new EncordApiError('UNEXPECTED_UPDATE', `Item ${uuid} is missing from the patch-bulk results`, context, {
          details: { uuid },
        }),
      );
    }
    if (!jsonEqual(item.metadata, sent)) {
      return failed(
        uuid,
        new EncordApiError('UNEXPECTED_UPDATE', `Encord holds different metadata for item ${uuid} than was sent`, context, {
          details: { uuid },
        }),
      );
    }
    return { uuid, ok: true, metadata: item.metadata };
  });
}

/** Some metadata cannot be JSON (NaN, Infinity, cycles): fail those items, send the rest. */
async function splitUnencodable(requester: Requester, entries: readonly Entry[], signal: AbortSignal): Promise<PatchOutcome[]> {
  const bad = new Map<string, PatchOutcome>();
  const good: Entry[] = [];
  for (const entry of entries) {
    try {
      toAsciiJson(entry[1]);
      good.push(entry);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      bad.set(
        entry[0],
        failed(entry[0], new EncordApiError('INVALID_ARGUMENTS', `Metadata of item ${entry[0]} is not valid JSON: ${reason}`, undefined, { cause: error })),
      );
    }
  }
  const sent = good.length === 0 ? [] : await patchChunk(requester, good, signal);
  const byUuid = new Map(sent.map((o) => [o.uuid, o]));
  return entries.map(([uuid]) => bad.get(uuid) ?? byUuid.get(uuid)!);
}

/** v2 H in chunks: one outcome per patch, in the order of `patches`. */
export async function patchItems(
  requester: Requester,
  patches: ReadonlyMap<string, Metadata>,
  chunkSize: number,
  parallel: number,
  signal?: AbortSignal,
): Promise<PatchOutcome[]> {
  const entries: Entry[] = [];
  const outcomes = new Map<string, PatchOutcome>();
  for (const [uuid, metadata] of patches) {
    try {
      assertId('an item uuid', uuid);
    } catch (error) {
      outcomes.set(uuid, failed(uuid, error as Error));
      continue;
    }
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      outcomes.set(uuid, failed(uuid, new EncordApiError('INVALID_ARGUMENTS', `Metadata of item ${uuid} must be a JSON object`, undefined)));
      continue;
    }
    entries.push([uuid, metadata]);
  }
  await forEachChunk(chunked(entries, chunkSize), parallel, signal, async (chunk, s) => {
    for (const o of await patchChunk(requester, chunk, s)) outcomes.set(o.uuid, o);
  });
  return [...patches.keys()].map((uuid) => outcomes.get(uuid)!);
}
