/**
 * Storage folders over v2 (protocol §A.1–§A.4, §A.7): one folder (J), folder listings (Q top level, R search,
 * S subfolders) and the paged item listing of a folder (I), walked into subfolders for `recursive`.
 *
 * Paging follows the SDK: `pageToken` is the previous `nextPageToken`, every other key re-sent unchanged;
 * the listing ends when `nextPageToken` is absent or null. A token that repeats (including `""` twice) would
 * page forever: that is a `BAD_RESPONSE`, never a silently shortened listing.
 */
import { EncordApiError, type RequestContext } from './errors.js';
import type { Requester } from './requester.js';
import type { QueryParams } from './v2.js';
import { assertId } from './storage-items.js';
import { hasBackedCount, parsePage, parseStorageFolder, parseStorageItem, type StorageFolderInfo } from './response-schemas.js';

export type { StorageFolderInfo } from './response-schemas.js';
export type { FolderItem, FolderItemPage, FolderSummaryInfo, ListFolderItemsOptions, ListFoldersOptions } from './folder-types.js';
import type { FolderItem, FolderItemPage, FolderSummaryInfo, ListFolderItemsOptions, ListFoldersOptions } from './folder-types.js';

/** Most results per listing page Encord allows (protocol §A.2). */
export const MAX_PAGE_SIZE = 1000;


function checkPageSize(size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new EncordApiError('INVALID_ARGUMENTS', `Expected pageSize to be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(size)}`, undefined);
  }
  return size;
}

/** A 403/404 on a folder: `FOLDER_NOT_FOUND` (Encord answers both for "no such folder" and "no access"). */
function folderNotFound(uuid: string, error: unknown): unknown {
  if (!(error instanceof EncordApiError) || (error.code !== 'AUTHORISATION' && error.code !== 'NOT_FOUND')) return error;
  return new EncordApiError('FOLDER_NOT_FOUND', `Storage folder ${uuid} not found or this key has no access to it`, error.context, {
    status: error.status,
    encordCode: error.encordCode,
    cause: error,
  });
}

/**
 * The pages of one paged GET: `query` is sent with `pageToken` set from the second request on (placed
 * before `pageSize`, as the SDK does).
 */
async function* pagesOf(
  requester: Requester,
  path: string,
  query: (token: string | undefined) => QueryParams,
  what: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<{ results: readonly unknown[]; context: RequestContext }> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (;;) {
    const { value, context } = await requester.v2({ method: 'GET', path, query: query(token) }, signal);
    const page = parsePage(value, context, what);
    yield { results: page.results, context };
    if (page.nextPageToken === null) return;
    if (seen.has(page.nextPageToken)) {
      throw new EncordApiError('BAD_RESPONSE', `The ${what} pages without end (next page token ${JSON.stringify(page.nextPageToken.slice(0, 40))} repeats)`, context);
    }
    seen.add(page.nextPageToken);
    token = page.nextPageToken;
  }
}

/** J: one folder. */
export async function getFolder(requester: Requester, uuid: string, signal?: AbortSignal): Promise<StorageFolderInfo> {
  assertId('a folder uuid', uuid);
  try {
    const { value, context } = await requester.v2({ method: 'GET', path: `storage/folders/${uuid}` }, signal);
    return parseStorageFolder(value, context);
  } catch (error) {
    throw folderNotFound(uuid, error);
  }
}

/** Q (top level), R (`search` without `parent`) or S (`parent`): every page, in Encord's order (by name). */
export async function listFolders(requester: Requester, options: ListFoldersOptions = {}): Promise<StorageFolderInfo[]> {
  const parent = options.parent === undefined ? undefined : assertId('a folder uuid', options.parent);
  const path = parent !== undefined ? `storage/folders/${parent}/folders` : options.search !== undefined ? 'storage/search/folders' : 'storage/folders';
  const out: StorageFolderInfo[] = [];
  try {
    const pages = pagesOf(
      requester,
      path,
      (token) => [
        ['search', options.search],
        ['isRecursive', options.recursive === true],
        ['order', 'name'],
        ['desc', false],
        ['pageToken', token],
        ['pageSize', MAX_PAGE_SIZE],
      ],
      'folder listing',
      options.signal,
    );
    for await (const { results, context } of pages) for (const r of results) out.push(parseStorageFolder(r, context));
  } catch (error) {
    throw parent === undefined ? error : folderNotFound(parent, error);
  }
  return out;
}

/** The pages of one folder's own items (I, `isRecursive=False`). */
async function* itemPagesOf(
  requester: Requester,
  folderUuid: string,
  folderPath: string,
  pageSize: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<FolderItemPage> {
  const pages = pagesOf(
    requester,
    `storage/folders/${folderUuid}/items`,
    (token) => [
      ['isRecursive', false],
      ['order', 'name'],
      ['desc', false],
      ['pageToken', token],
      ['pageSize', pageSize],
      ['signUrls', false],
    ],
    'folder item listing',
    signal,
  );
  for await (const { results, context } of pages) {
    const items = results.map((raw): FolderItem => {
      const it = parseStorageItem(raw, context);
      if (it.name === null) throw new EncordApiError('BAD_RESPONSE', `Storage item ${it.uuid} in folder ${folderUuid} has no name`, context);
      return {
        uuid: it.uuid,
        name: it.name,
        path: folderPath === '' ? it.name : `${folderPath}/${it.name}`,
        parent: it.parent ?? folderUuid,
        itemType: it.itemType,
        metadata: it.metadata,
        backedDataUnitsCount: hasBackedCount(raw) ? it.backedDataUnitsCount : null,
      };
    });
    yield { folderUuid, folderPath, items };
  }
}

/**
 * I: the items of a folder, page by page (≤ `pageSize` items each), so a folder of millions is never held
 * whole. With `recursive`, the folder's own items come first, then each subfolder's (breadth first, each
 * level in name order), with `path` relative to the listed folder. A folder that is unknown or not shared
 * with the key fails with `FOLDER_NOT_FOUND`.
 */
export async function* listFolderItems(
  requester: Requester,
  folderUuid: string,
  options: ListFolderItemsOptions = {},
): AsyncGenerator<FolderItemPage> {
  assertId('a folder uuid', folderUuid);
  const pageSize = checkPageSize(options.pageSize ?? MAX_PAGE_SIZE);
  const queue: { uuid: string; path: string }[] = [{ uuid: folderUuid, path: '' }];
  const visited = new Set<string>([folderUuid.toLowerCase()]);
  while (queue.length > 0) {
    const folder = queue.shift()!;
    try {
      yield* itemPagesOf(requester, folder.uuid, folder.path, pageSize, options.signal);
      if (options.recursive !== true) return;
      for (const sub of await listFolders(requester, { parent: folder.uuid, signal: options.signal })) {
        // A folder that lists itself or an ancestor as a subfolder would loop forever.
        if (visited.has(sub.uuid.toLowerCase())) continue;
        visited.add(sub.uuid.toLowerCase());
        queue.push({ uuid: sub.uuid, path: folder.path === '' ? sub.name : `${folder.path}/${sub.name}` });
      }
    } catch (error) {
      throw error instanceof EncordApiError && error.code === 'FOLDER_NOT_FOUND' ? error : folderNotFound(folder.uuid, error);
    }
  }
}


/** V: the folder summary; `FOLDER_NOT_FOUND` for an unknown or unshared folder. */
export async function getFolderSummary(requester: Requester, uuid: string, signal?: AbortSignal): Promise<FolderSummaryInfo> {
  assertId('a folder uuid', uuid);
  try {
    const { value, context } = await requester.v2({ method: 'GET', path: `storage/folders/${uuid}/summary` }, signal);
    const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const files = v['files'];
    const folders = v['folders'];
    if (typeof files !== 'number' || typeof folders !== 'number') {
      throw new EncordApiError('BAD_RESPONSE', `Unexpected folder summary from Encord for folder ${uuid}: files and folders must be numbers`, context);
    }
    return { files, folders };
  } catch (error) {
    throw folderNotFound(uuid, error);
  }
}
