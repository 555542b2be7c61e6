/**
 * `GET storage/folders/{uuid}/items` (spec §5.4 I): filtered, sorted listing with real paging. Tokens are
 * opaque keyset positions (last key + uuid + a hash of the filter), so pages stay consistent while
 * metadata changes and a token cannot be replayed with other parameters.
 */
import { createHash } from 'node:crypto';
import { wireStorageItem } from './model.js';
import { v2Error, type Reply } from './reply.js';
import type { RouteContext } from './route-context.js';
import { boolParam, page, queryOf, signedBase, unknownStorage } from './v2-common.js';
import { compareKeys, listingKey, sortKey, type ListingFilter } from './state.js';

const ITEM_TYPES = new Set([
  'video', 'image', 'group', 'imageGroup', 'imageSequence', 'dicomFile', 'dicomSeries', 'audio', 'nifti', 'plainText', 'pdf', 'scene',
]);

interface PageToken {
  readonly k: string | number;
  readonly u: string;
  readonly f: string;
}

function filterHash(filter: ListingFilter): string {
  return createHash('sha256').update(listingKey(filter)).digest('base64url').slice(0, 12);
}

function decodeToken(token: string): PageToken | null {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<PageToken>;
    if ((typeof v.k !== 'string' && typeof v.k !== 'number') || typeof v.u !== 'string' || typeof v.f !== 'string') return null;
    return v as PageToken;
  } catch {
    return null;
  }
}

/** GET storage/folders/{uuid}/items: filtered, sorted, paged with opaque keyset tokens. */
export function listFolder(ctx: RouteContext, folderUuid: string): Reply {
  const folder = ctx.store.folders.get(folderUuid);
  if (folder === undefined) return unknownStorage(ctx, 'folder', [folderUuid]);
  const q = queryOf(ctx.target);
  const order = q.get('order')?.[0] ?? 'name';
  if (order !== 'name' && order !== 'createdAt') return v2Error(400, `order must be name or createdAt, got ${order}`);
  const bools: Record<string, boolean | undefined> = {};
  for (const name of ['desc', 'isRecursive', 'isInDataset', 'signUrls', 'includeOrgAccess']) {
    const b = boolParam(q, name);
    if (b === 'invalid') return v2Error(400, `${name} must be True or False`);
    bools[name] = b;
  }
  const sizeText = q.get('pageSize')?.[0];
  const pageSize = sizeText === undefined ? 100 : Number(sizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    return v2Error(400, `pageSize must be an integer from 1 to 1000, got ${sizeText}`);
  }
  const itemTypes = q.get('itemTypes') ?? [];
  const badType = itemTypes.find((t) => !ITEM_TYPES.has(t));
  if (badType !== undefined) return v2Error(400, `Unknown itemTypes value ${badType}`);
  const filter: ListingFilter = {
    order,
    desc: bools['desc'] ?? false,
    search: q.get('search')?.[0] ?? null,
    itemTypes: [...itemTypes].sort(),
    isInDataset: bools['isInDataset'] ?? null,
  };
  const items = ctx.store.listing(folder, filter);
  const fh = filterHash(filter);
  let start = 0;
  const tokenText = q.get('pageToken')?.[0];
  if (tokenText !== undefined && tokenText !== '') {
    const token = decodeToken(tokenText);
    if (token === null || token.f !== fh) return v2Error(400, 'Invalid pageToken (or the other parameters changed)');
    // First item strictly after the token's (key, uuid) in listing order.
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const it = items[mid]!;
      if (compareKeys(sortKey(it, order), it.uuid, token.k, token.u, filter.desc) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const slice = items.slice(start, start + pageSize);
  const last = slice[slice.length - 1];
  const next =
    start + pageSize < items.length && last !== undefined
      ? Buffer.from(JSON.stringify({ k: sortKey(last, order), u: last.uuid, f: fh })).toString('base64url')
      : null;
  const base = signedBase(ctx, bools['signUrls']);
  return page(slice.map((it) => wireStorageItem(it, base)), next);
}

