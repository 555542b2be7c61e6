/**
 * The v2 REST API under `/v2/public/` (protocol §5.4): storage items (get, get-bulk, patch, patch-bulk),
 * folder listing with real paging, folders, organisation schemas, bearer tokens and dataset listing.
 * Responses are camelCase; `clientMetadata` is a JSON string.
 */
import type { Metadata } from '../encord/protocol/types.js';
import { checkMetadata, combineMetadata, isPlainObject } from './metadata-rules.js';
import { folderSummary, getFolder, listFolder, listFolders } from './folder-listing.js';
import { wireStorageItem, type ItemRecord } from './model.js';
import { json, v2Error, type Reply } from './reply.js';
import { field, parseBool, type RouteContext } from './route-context.js';
import { accessibleItem, boolParam, page, queryOf, signedBase, unknownStorage } from './v2-common.js';
import type { RouteName } from './routes.js';
import { listDatasets, postSimpleSchema, postTypedSchema, simpleSchemaWire } from './routes-v2-org.js';

const PREFIX = '/v2/public/';

interface Matched {
  readonly route: RouteName;
  readonly params: readonly string[];
  /** Set when the path exists but not for this method. */
  readonly wrongMethod?: boolean;
}

function seg(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Match a v2 path (without query) and method to a route. */
export function v2RouteOf(method: string, path: string): Matched {
  const rest = path.slice(PREFIX.length).replace(/\/+$/, '');
  const s = rest.split('/').map(seg);
  const is = (m: string, route: RouteName, params: string[] = []): Matched =>
    method === m ? { route, params } : { route: 'v2:unknown', params, wrongMethod: true };
  if (s[0] === 'storage' && s[1] === 'items' && s.length === 3) {
    if (s[2] === 'get-bulk') return is('POST', 'v2:get-bulk');
    if (s[2] === 'patch-bulk') return is('PATCH', 'v2:patch-bulk');
    return is('GET', 'v2:item:GET', [s[2]!]);
  }
  if (s[0] === 'storage' && s[1] === 'search' && s[2] === 'folders' && s.length === 3) return is('GET', 'v2:search-folders:GET');
  if (s[0] === 'storage' && s[1] === 'folders') {
    if (s.length === 2) return is('GET', 'v2:folders:GET');
    // Literal segments before `{uuid}` (protocol §A.1): folder patch-bulk and move are not emulated.
    if (s[2] === 'patch-bulk' || s[2] === 'move') return { route: 'v2:unknown', params: [] };
    if (s.length === 5 && s[3] === 'items') return is('PATCH', 'v2:item:PATCH', [s[2]!, s[4]!]);
    if (s.length === 4 && s[3] === 'items') return is('GET', 'v2:folder-items:GET', [s[2]!]);
    if (s.length === 4 && s[3] === 'folders') return is('GET', 'v2:subfolders:GET', [s[2]!]);
    if (s.length === 4 && s[3] === 'summary') return is('GET', 'v2:folder-summary:GET', [s[2]!]);
    if (s.length === 3) return is('GET', 'v2:folder:GET', [s[2]!]);
  }
  if (s[0] === 'organisation' && s.length === 2 && (s[1] === 'client-metadata-schema' || s[1] === 'client-metadata-schema-v2')) {
    const base = s[1] === 'client-metadata-schema' ? 'v2:schema' : 'v2:schema-v2';
    if (method === 'GET') return { route: `${base}:GET` as RouteName, params: [] };
    if (method === 'POST') return { route: `${base}:POST` as RouteName, params: [] };
    return { route: 'v2:unknown', params: [], wrongMethod: true };
  }
  if (s[0] === 'user' && s[1] === 'bearer-token' && s.length === 2) return is('GET', 'v2:bearer-token');
  if (s[0] === 'datasets' && s[1] === 'list' && s.length === 2) return is('GET', 'v2:datasets-list');
  return { route: 'v2:unknown', params: [] };
}





export function handleV2(ctx: RouteContext, matched: Matched): Reply {
  if (matched.wrongMethod === true) return v2Error(405, `Method ${ctx.method} is not allowed here`);
  const p = matched.params;
  switch (matched.route) {
    case 'v2:item:GET':
      return getItem(ctx, p[0]!);
    case 'v2:get-bulk':
      return getBulk(ctx);
    case 'v2:item:PATCH':
      return patchItem(ctx, p[0]!, p[1]!);
    case 'v2:patch-bulk':
      return patchBulk(ctx);
    case 'v2:folder-items:GET':
      return listFolder(ctx, p[0]!);
    case 'v2:folder:GET':
      return getFolder(ctx, p[0]!);
    case 'v2:folders:GET':
      return listFolders(ctx, { kind: 'top' });
    case 'v2:search-folders:GET':
      return listFolders(ctx, { kind: 'search' });
    case 'v2:subfolders:GET':
      return listFolders(ctx, { kind: 'sub', parent: p[0]! });
    case 'v2:folder-summary:GET':
      return folderSummary(ctx, p[0]!);
    case 'v2:schema:GET':
      return json(200, simpleSchemaWire(ctx));
    case 'v2:schema:POST':
      return postSimpleSchema(ctx);
    case 'v2:schema-v2:GET':
      return json(200, ctx.store.typedSchema);
    case 'v2:schema-v2:POST':
      return postTypedSchema(ctx);
    case 'v2:bearer-token': {
      const { token } = ctx.verifier.issueToken(ctx.keyId);
      return { kind: 'json', status: 200, text: JSON.stringify({ token }), logText: '{"token":"[REDACTED]"}' };
    }
    case 'v2:datasets-list':
      return listDatasets(ctx);
    default:
      return v2Error(404, 'Not Found');
  }
}


function getItem(ctx: RouteContext, uuid: string): Reply {
  const sign = boolParam(queryOf(ctx.target), 'signUrl');
  if (sign === 'invalid') return v2Error(400, 'signUrl must be True or False');
  const item = accessibleItem(ctx, uuid);
  return item === undefined ? unknownStorage(ctx, 'item', [uuid]) : json(200, wireStorageItem(item, signedBase(ctx, sign)));
}

function bulkLimitError(ctx: RouteContext, count: number, what: string): Reply | null {
  const limit = ctx.settings.bulkLimit;
  return limit > 0 && count > limit ? v2Error(400, `At most ${limit} ${what} per request, got ${count}`) : null;
}

function getBulk(ctx: RouteContext): Reply {
  const uuids = field(ctx.body, 'item_uuids');
  if (!Array.isArray(uuids) || !uuids.every((u) => typeof u === 'string')) {
    return v2Error(400, 'itemUuids must be a list of uuid strings');
  }
  const sign = parseBool(field(ctx.body, 'sign_urls'));
  if (sign === 'invalid') return v2Error(400, 'signUrls must be a boolean');
  const tooMany = bulkLimitError(ctx, uuids.length, 'itemUuids');
  if (tooMany !== null) return tooMany;
  const items: ItemRecord[] = [];
  const missing: string[] = [];
  for (const u of uuids as string[]) {
    const item = accessibleItem(ctx, u);
    if (item === undefined) missing.push(u);
    else items.push(item);
  }
  if (missing.length > 0) return unknownStorage(ctx, 'item', missing);
  const base = signedBase(ctx, sign);
  const wire = items.map((it) => wireStorageItem(it, base));
  const size = ctx.settings.getBulkPageSize;
  if (size === 0) return page(wire);
  // Paged answers: the offset rides in an opaque token sent back as `?pageToken=`, with the same body.
  const tokenText = queryOf(ctx.target).get('pageToken')?.[0];
  const start = tokenText === undefined ? 0 : Number.parseInt(Buffer.from(tokenText, 'base64url').toString('utf8').replace(/^o:/, ''), 10);
  if (!Number.isInteger(start) || start < 0 || start > wire.length) return v2Error(400, 'Invalid pageToken');
  const end = Math.min(wire.length, start + size);
  return page(wire.slice(start, end), end < wire.length ? Buffer.from(`o:${end}`, 'utf8').toString('base64url') : null);
}

interface ItemPatch {
  readonly item: ItemRecord;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly metadata: Metadata | undefined;
}

/** Validate one patch body; returns the parsed patch or a problem. */
function parsePatch(ctx: RouteContext, item: ItemRecord, body: unknown, where: string): ItemPatch | string {
  if (!isPlainObject(body)) return `${where}: the patch must be an object`;
  const name = field(body, 'name');
  const description = field(body, 'description');
  const metadata = field(body, 'client_metadata');
  if (name != null && (typeof name !== 'string' || name === '')) return `${where}: name must be a non-empty string`;
  if (description != null && typeof description !== 'string') return `${where}: description must be a string`;
  if (metadata != null && !isPlainObject(metadata)) return `${where}: clientMetadata must be a JSON object`;
  if (metadata != null) {
    const problems = checkMetadata(ctx.store, metadata, ctx.settings);
    if (problems.length > 0) return `${where}: ${problems.join('; ')}`;
  }
  return {
    item,
    name: typeof name === 'string' ? name : undefined,
    description: typeof description === 'string' ? description : undefined,
    metadata: isPlainObject(metadata) ? metadata : undefined,
  };
}

function applyPatch(ctx: RouteContext, patch: ItemPatch): void {
  if (patch.metadata !== undefined) {
    ctx.store.setItemMetadata(patch.item, combineMetadata(patch.item.metadata, patch.metadata, ctx.settings));
  }
  if (patch.name !== undefined) ctx.store.renameItem(patch.item, patch.name);
  if (patch.description !== undefined) ctx.store.setItemDescription(patch.item, patch.description);
}

function patchItem(ctx: RouteContext, folderUuid: string, uuid: string): Reply {
  const item = accessibleItem(ctx, uuid);
  if (item === undefined || item.parent !== folderUuid) return unknownStorage(ctx, 'item', [uuid]);
  const patch = parsePatch(ctx, item, ctx.body, `item ${uuid}`);
  if (typeof patch === 'string') return v2Error(400, patch);
  applyPatch(ctx, patch);
  return json(200, wireStorageItem(item, null));
}

/** Validate every patch first (all-or-nothing), then apply; `partialResults` faults omit one uuid. */
function patchBulk(ctx: RouteContext): Reply {
  const patches = field(ctx.body, 'item_patches');
  if (!isPlainObject(patches)) return v2Error(400, 'itemPatches must be an object of uuid -> patch');
  const entries = Object.entries(patches);
  const tooMany = bulkLimitError(ctx, entries.length, 'itemPatches');
  if (tooMany !== null) return tooMany;
  const missing = entries.map(([u]) => u).filter((u) => accessibleItem(ctx, u) === undefined);
  if (missing.length > 0) return unknownStorage(ctx, 'item', missing);
  const parsed: ItemPatch[] = [];
  const problems: string[] = [];
  for (const [uuid, body] of entries) {
    const patch = parsePatch(ctx, accessibleItem(ctx, uuid)!, body, `item ${uuid}`);
    if (typeof patch === 'string') problems.push(patch);
    else parsed.push(patch);
  }
  if (problems.length > 0) {
    const more = problems.length > 5 ? `; … (${problems.length} problems in all)` : '';
    return v2Error(400, problems.slice(0, 5).join('; ') + more);
  }
  let omitted = -1;
  let applyOmitted = true;
  const action = ctx.fault?.action;
  if (action?.type === 'partialResults' && parsed.length > 0) {
    const how = action.omit ?? 'last';
    omitted = how === 'first' ? 0 : how === 'last' ? parsed.length - 1 : ctx.store.rng.int(0, parsed.length - 1);
    applyOmitted = action.applyOmitted ?? true;
  }
  const results = [];
  for (const [i, patch] of parsed.entries()) {
    if (i === omitted) {
      if (applyOmitted) applyPatch(ctx, patch);
      continue;
    }
    applyPatch(ctx, patch);
    results.push(wireStorageItem(patch.item, null));
  }
  return page(results);
}

