/**
 * Storage listings with real paging (protocol §A.2, §A.4, §A.7, §A.10):
 *
 * - I `GET storage/folders/{uuid}/items` (`isRecursive` honoured: items of every folder below too);
 * - Q `GET storage/folders` (top-level folders; every folder with `isRecursive=True`);
 * - R `GET storage/search/folders` (every folder: the path carries the recursion, the flag is ignored);
 * - S `GET storage/folders/{uuid}/folders` (direct subfolders; every folder below with `isRecursive=True`);
 * - V `GET storage/folders/{uuid}/summary` (counts of the folder's own items and direct subfolders).
 *
 * Q, R and S share one folder pager, I has the item pager. Tokens are opaque keyset positions (last key +
 * uuid + a hash of the filter), so pages stay consistent while metadata changes and a token cannot be
 * replayed with other parameters; the last page says `nextPageToken: null`. Folders the key may not see
 * (`forbiddenFolders`) answer 403 and are left out of listings.
 */
import { createHash } from 'node:crypto';
import { wireFolder, wireStorageItem, type FolderRecord } from './model.js';
import { json, v2Error, type Reply } from './reply.js';
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

function hashOf(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 12);
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

type Query = Map<string, string[]>;

/** Parsed common listing parameters, or the 400 to answer. */
interface Common {
  readonly order: 'name' | 'createdAt';
  readonly bools: Readonly<Record<string, boolean | undefined>>;
  readonly pageSize: number;
}

function commonParams(ctx: RouteContext, q: Query, boolNames: readonly string[]): Common | Reply {
  const order = q.get('order')?.[0] ?? 'name';
  if (order !== 'name' && order !== 'createdAt') return v2Error(400, `order must be name or createdAt, got ${order}`);
  const bools: Record<string, boolean | undefined> = {};
  for (const name of boolNames) {
    const b = boolParam(q, name);
    if (b === 'invalid') return v2Error(400, `${name} must be True or False`);
    bools[name] = b;
  }
  const sizeText = q.get('pageSize')?.[0];
  let pageSize = sizeText === undefined ? 100 : Number(sizeText);
  if (!Number.isInteger(pageSize)) return v2Error(400, `pageSize must be an integer from 1 to 1000, got ${sizeText}`);
  if (pageSize < 1 || pageSize > 1000) {
    if (ctx.settings.pageSizeOutOfRange === 'reject') return v2Error(400, `pageSize must be an integer from 1 to 1000, got ${sizeText}`);
    pageSize = Math.min(1000, Math.max(1, pageSize));
  }
  return { order, bools, pageSize };
}

/**
 * One page of `rows` (already filtered and sorted by (key, uuid)) after the token's position; the token's
 * filter hash must match `fh`.
 */
function pageOf<T extends { readonly uuid: string }>(
  rows: readonly T[],
  key: (row: T) => string | number,
  desc: boolean,
  q: Query,
  fh: string,
  pageSize: number,
): { slice: T[]; next: string | null } | Reply {
  let start = 0;
  const tokenText = q.get('pageToken')?.[0];
  if (tokenText !== undefined && tokenText !== '') {
    const token = decodeToken(tokenText);
    if (token === null || token.f !== fh) return v2Error(400, 'Invalid pageToken (or the other parameters changed)');
    // First row strictly after the token's (key, uuid) in listing order.
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = rows[mid]!;
      if (compareKeys(key(r), r.uuid, token.k, token.u, desc) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const slice = rows.slice(start, start + pageSize);
  const last = slice[slice.length - 1];
  const next =
    start + pageSize < rows.length && last !== undefined
      ? Buffer.from(JSON.stringify({ k: key(last), u: last.uuid, f: fh })).toString('base64url')
      : null;
  return { slice, next };
}

function isReply(v: unknown): v is Reply {
  return typeof v === 'object' && v !== null && 'kind' in v && 'status' in v;
}

/** The folder `uuid` as this key may see it, or `undefined` (unknown or forbidden). */
export function visibleFolder(ctx: RouteContext, uuid: string): FolderRecord | undefined {
  const folder = ctx.store.folders.get(uuid.toLowerCase()) ?? ctx.store.folders.get(uuid);
  if (folder === undefined || ctx.settings.forbiddenFolders.has(folder.uuid.toLowerCase())) return undefined;
  return folder;
}

/** GET storage/folders/{uuid}/items: filtered, sorted, paged with opaque keyset tokens. */
export function listFolder(ctx: RouteContext, folderUuid: string): Reply {
  const folder = visibleFolder(ctx, folderUuid);
  if (folder === undefined) return unknownStorage(ctx, 'folder', [folderUuid]);
  const q = queryOf(ctx.target);
  const common = commonParams(ctx, q, ['desc', 'isRecursive', 'isInDataset', 'signUrls', 'includeOrgAccess']);
  if (isReply(common)) return common;
  const { order, bools, pageSize } = common;
  const itemTypes = q.get('itemTypes') ?? [];
  const badType = itemTypes.find((t) => !ITEM_TYPES.has(t));
  if (badType !== undefined) return v2Error(400, `Unknown itemTypes value ${badType}`);
  const filter: ListingFilter = {
    order,
    desc: bools['desc'] ?? false,
    search: q.get('search')?.[0] ?? null,
    itemTypes: [...itemTypes].sort(),
    isInDataset: bools['isInDataset'] ?? null,
    recursive: bools['isRecursive'] ?? false,
    hidden: ctx.settings.forbiddenFolders,
  };
  const items = ctx.store.listing(folder, filter);
  const paged = pageOf(items, (it) => sortKey(it, order), filter.desc, q, hashOf(listingKey(filter)), pageSize);
  if (isReply(paged)) return paged;
  const base = signedBase(ctx, bools['signUrls']);
  return page(paged.slice.map((it) => wireStorageItem(it, base)), paged.next);
}

/** Which folder listing: Q (top level), R (search everywhere) or S (below a folder). */
export type FolderListing = { readonly kind: 'top' } | { readonly kind: 'search' } | { readonly kind: 'sub'; readonly parent: string };

function nameMatches(ctx: RouteContext, name: string, search: string | null): boolean {
  if (search === null || search === '') return true;
  const n = name.toLowerCase();
  const s = search.toLowerCase();
  switch (ctx.settings.folderSearch) {
    case 'exact':
      return n === s;
    case 'prefix':
      return n.startsWith(s);
    default:
      return n.includes(s);
  }
}

/** Q, R and S: one pager over folders, with `search`, `datasetSynced`, `order`, `desc`. */
export function listFolders(ctx: RouteContext, which: FolderListing): Reply {
  const q = queryOf(ctx.target);
  const common = commonParams(ctx, q, ['desc', 'isRecursive', 'datasetSynced', 'includeOrgAccess']);
  if (isReply(common)) return common;
  const { order, bools, pageSize } = common;
  const hidden = ctx.settings.forbiddenFolders;
  let pool: FolderRecord[];
  if (which.kind === 'sub') {
    const parent = visibleFolder(ctx, which.parent);
    if (parent === undefined) return unknownStorage(ctx, 'folder', [which.parent]);
    pool = bools['isRecursive'] === true ? ctx.store.descendants(parent, hidden) : ctx.store.childFolders(parent.uuid);
  } else if (which.kind === 'top' && bools['isRecursive'] !== true) {
    pool = ctx.store.childFolders(null);
  } else {
    // R searches everywhere whatever `isRecursive` says (the path carries the recursion, protocol §A.2).
    pool = [];
    for (const top of ctx.store.childFolders(null)) {
      if (hidden.has(top.uuid.toLowerCase())) continue;
      pool.push(top, ...ctx.store.descendants(top, hidden));
    }
  }
  const search = q.get('search')?.[0] ?? null;
  const synced = bools['datasetSynced'];
  const desc = bools['desc'] ?? false;
  const key = (f: FolderRecord): string | number => (order === 'name' ? f.name : f.createdAt);
  const rows = pool
    .filter((f) => !hidden.has(f.uuid.toLowerCase()))
    .filter((f) => nameMatches(ctx, f.name, search))
    .filter((f) => synced === undefined || synced === (f.syncedDatasetHash !== null))
    .sort((a, b) => compareKeys(key(a), a.uuid, key(b), b.uuid, desc));
  const fh = hashOf(JSON.stringify([which, order, desc, search, synced ?? null, bools['isRecursive'] === true]));
  const paged = pageOf(rows, key, desc, q, fh, pageSize);
  if (isReply(paged)) return paged;
  const folderOf = (u: string): FolderRecord | undefined => ctx.store.folders.get(u);
  return page(paged.slice.map((f) => wireFolder(f, folderOf)), paged.next);
}

/** J: one folder. */
export function getFolder(ctx: RouteContext, uuid: string): Reply {
  const folder = visibleFolder(ctx, uuid);
  return folder === undefined ? unknownStorage(ctx, 'folder', [uuid]) : json(200, wireFolder(folder, (u) => ctx.store.folders.get(u)));
}

const SUMMARY_KEYS: Readonly<Record<string, string>> = {
  video: 'videos',
  image: 'images',
  imageGroup: 'imageGroups',
  imageSequence: 'imageSequences',
  dicomFile: 'dicomFiles',
  dicomSeries: 'dicomSeries',
  nifti: 'niftis',
  audio: 'audios',
  pdf: 'pdfs',
  plainText: 'plainTexts',
};

/** V: counts of the folder's own items by type, and of its direct subfolders (recursion is [UNKNOWN]). */
export function folderSummary(ctx: RouteContext, uuid: string): Reply {
  const folder = visibleFolder(ctx, uuid);
  if (folder === undefined) return unknownStorage(ctx, 'folder', [uuid]);
  const out: Record<string, number> = {
    files: folder.items.length,
    folders: ctx.store.childFolders(folder.uuid).length,
    videos: 0,
    images: 0,
    imageGroups: 0,
    imageSequences: 0,
    dicomFiles: 0,
    dicomSeries: 0,
    niftis: 0,
    audios: 0,
    pdfs: 0,
    plainTexts: 0,
    tombstones: 0,
    uploadJobs: 0,
    totalSize: 0,
  };
  for (const it of folder.items) {
    const k = SUMMARY_KEYS[it.kind.itemType];
    if (k !== undefined) out[k]! += 1;
    if (ctx.settings.tombstonedItems.has(it.uuid.toLowerCase())) out['tombstones']! += 1;
    out['totalSize']! += it.fileSize ?? 0;
  }
  return json(200, out);
}
