/**
 * Bulk reads and writes of storage-item metadata over v2 (spec §5.4 F and H, §8). Reads keep request order.
 * Writes report per item: a write is only "ok" when the server's echo equals what was sent; 413 and 400 halve
 * the chunk down to single items; a chunk that still fails with a non-fatal error fails each of its items; fatal
 * errors (authentication, abort) reject the whole call and stop the other chunks.
 */
import type { ItemMetadata, PatchOutcome } from './metadata-store.js';
import type { Metadata } from './protocol/types.js';
import { EncordApiError, isFatalError, type RequestContext } from './errors.js';
import { JsonEncodeError, jsonEqual, toAsciiJson } from './json-codec.js';
import type { Requester } from './requester.js';
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
  const onAbort = (): void => inner.abort(signal?.reason);
  if (signal?.aborted === true) inner.abort(signal.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
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
    signal?.removeEventListener('abort', onAbort);
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

/** v2 F in chunks: current metadata of each uuid, in request order (duplicates answered once each). */
export async function getItems(
  requester: Requester,
  uuids: readonly string[],
  chunkSize: number,
  parallel: number,
  signal?: AbortSignal,
): Promise<ItemMetadata[]> {
  const unique = [...new Set(uuids.map((u) => assertId('an item uuid', u)))];
  const found = new Map<string, ItemMetadata>();
  await forEachChunk(chunked(unique, chunkSize), parallel, signal, async (chunk, s) => {
    const { value, context } = await requester.v2(
      { method: 'POST', path: 'storage/items/get-bulk', body: { itemUuids: chunk, signUrls: false } },
      s,
    );
    const byUuid = new Map(parseItemPage(value, context).items.map((i) => [i.uuid.toLowerCase(), i]));
    for (const uuid of chunk) {
      const item = byUuid.get(uuid.toLowerCase());
      if (item === undefined) {
        throw new EncordApiError('BAD_RESPONSE', `Item ${uuid} is missing from the get-bulk answer`, context);
      }
      found.set(uuid, { uuid, metadata: item.metadata, backedDataUnitsCount: item.backedDataUnitsCount });
    }
  });
  return uuids.map((u) => found.get(u)!);
}

function failed(uuid: string, error: Error): PatchOutcome {
  return { uuid, ok: false, error };
}

type Entry = readonly [string, Metadata];

async function patchChunk(requester: Requester, entries: readonly Entry[], signal: AbortSignal): Promise<PatchOutcome[]> {
  const itemPatches: Record<string, { clientMetadata: Metadata }> = {};
  for (const [uuid, metadata] of entries) itemPatches[uuid] = { clientMetadata: metadata };
  let value: unknown;
  let context: RequestContext;
  try {
    ({ value, context } = await requester.v2({ method: 'PATCH', path: 'storage/items/patch-bulk', body: { itemPatches } }, signal));
  } catch (error) {
    if (!(error instanceof EncordApiError) || isFatalError(error)) throw error;
    if (error.cause instanceof JsonEncodeError) return splitUnencodable(requester, entries, signal);
    // 413: the body is too big, halve it. 400: one item is invalid (strict validation, unknown key):
    // bisect so only that item fails instead of the whole chunk.
    if ((error.code === 'PAYLOAD_TOO_LARGE' || error.code === 'INVALID_ARGUMENTS') && entries.length > 1) {
      const half = Math.ceil(entries.length / 2);
      const first = await patchChunk(requester, entries.slice(0, half), signal);
      const second = await patchChunk(requester, entries.slice(half), signal);
      return [...first, ...second];
    }
    return entries.map(([uuid]) => failed(uuid, error));
  }
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
