/** Small pieces every v2 handler uses: query parsing, Page replies, the unknown-storage answer. */
import type { ItemRecord } from './model.js';
import { json, v2Error, type Reply } from './reply.js';
import { parseBool, parseQuery, type RouteContext } from './route-context.js';

export function unknownStorage(ctx: RouteContext, what: 'item' | 'folder', uuids: readonly string[]): Reply {
  const list = uuids.slice(0, 5).join(', ') + (uuids.length > 5 ? `, … (${uuids.length} in all)` : '');
  return ctx.settings.unknownStorageStatus === 404
    ? v2Error(404, `Storage ${what}(s) not found: ${list}`)
    : v2Error(403, `You do not have access to storage ${what}(s), or they do not exist: ${list}`);
}

export function page(results: unknown[], nextPageToken: string | null = null): Reply {
  return json(200, { results, nextPageToken });
}

export function queryOf(target: string): Map<string, string[]> {
  const q = target.indexOf('?');
  return parseQuery(q < 0 ? '' : target.slice(q + 1));
}

export function boolParam(query: Map<string, string[]>, name: string): boolean | undefined | 'invalid' {
  return parseBool(query.get(name)?.[0]);
}

export function signedBase(ctx: RouteContext, flag: boolean | undefined | 'invalid'): string | null {
  return flag === true ? ctx.baseUrl : null;
}

/**
 * The item this key may touch through storage calls, or `undefined`: unknown, in a folder the key has no
 * access to (`forbiddenFolders`), or deleted in storage (`tombstonedItems`) while its data units remain.
 */
export function accessibleItem(ctx: RouteContext, uuid: string): ItemRecord | undefined {
  const item = ctx.store.items.get(uuid.toLowerCase()) ?? ctx.store.items.get(uuid);
  if (item === undefined) return undefined;
  const s = ctx.settings;
  if (s.tombstonedItems.has(item.uuid.toLowerCase()) || s.forbiddenFolders.has(item.parent.toLowerCase())) return undefined;
  return item;
}
