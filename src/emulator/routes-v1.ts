/**
 * The v1 querier on `POST /public` (protocol §4): calls A (dataset/GET), B (datarows/GET), C (datarow/GET) and
 * D (datarow/POST), all scoped by the `ResourceType`/`ResourceID` headers, and `POST /public/user`.
 */
import type { Metadata } from '../encord/protocol/types.js';
import { combineMetadata, checkMetadata, isPlainObject } from './metadata-rules.js';
import { rowMetadata, rowTitle, wireDataRow, type DatasetRecord, type RowRecord } from './model.js';
import { json, v1Error, v1Ok, type Reply } from './reply.js';
import { field, likeToRegExp, parseBool, type RouteContext } from './route-context.js';
import type { RouteName } from './routes.js';

/** Above this many rows, the dataset listing is streamed in chunks instead of built as one string. */
const STREAM_ROWS = 2000;
const ROWS_PER_CHUNK = 500;

const V1_CALLS: ReadonlySet<string> = new Set(['v1:dataset:GET', 'v1:datarows:GET', 'v1:datarow:GET', 'v1:datarow:POST']);

/** Route name of a v1 request, from its path and parsed body. */
export function v1RouteOf(path: string, body: unknown): RouteName {
  if (path === '/public/user') return 'v1:user';
  const type = field(body, 'query_type');
  const method = field(body, 'query_method');
  const name = `v1:${String(type).toLowerCase()}:${String(method).toUpperCase()}`;
  return V1_CALLS.has(name) ? (name as RouteName) : 'v1:other';
}

function header(ctx: RouteContext, name: string): string {
  const v = ctx.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/** The dataset named by the resource headers, or the error reply. */
function resolveDataset(ctx: RouteContext): DatasetRecord | Reply {
  const type = header(ctx, 'resourcetype');
  const id = header(ctx, 'resourceid');
  if (type.toLowerCase() !== 'dataset') {
    return v1Error(ctx.settings, 400, 'INVALID_ARGUMENTS_ERROR', `ResourceType must be "dataset", got "${type}"`);
  }
  const dataset = ctx.store.datasets.get(id);
  if (dataset !== undefined) return dataset;
  return ctx.settings.unknownDataset === 'not-found'
    ? v1Error(ctx.settings, 404, 'RESOURCE_NOT_FOUND_ERROR', `Dataset ${id} not found`)
    : v1Error(ctx.settings, 403, 'AUTHORISATION_ERROR', `You do not have access to dataset ${id}`);
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'kind' in value && 'status' in value;
}

function payloadOf(ctx: RouteContext): unknown {
  return field(field(ctx.body, 'values'), 'payload');
}

function uidOf(ctx: RouteContext): unknown {
  return field(field(ctx.body, 'values'), 'uid');
}

function fetchMetadataFlag(payload: unknown): boolean {
  return parseBool(field(field(payload, 'dataset_access_settings'), 'fetch_client_metadata')) === true;
}

function findRow(ctx: RouteContext, dataset: DatasetRecord): RowRecord | Reply {
  const uid = uidOf(ctx);
  if (typeof uid !== 'string') {
    return v1Error(ctx.settings, 400, 'INVALID_ARGUMENTS_ERROR', 'values.uid must be the data hash (a string)');
  }
  const row = dataset.byHash.get(uid);
  return row ?? v1Error(ctx.settings, 404, 'RESOURCE_NOT_FOUND_ERROR', `Data row ${uid} not found in dataset ${dataset.hash}`);
}

export function handleV1(ctx: RouteContext, route: RouteName): Reply {
  if (!ctx.bodyIsJson || !isPlainObject(ctx.body)) {
    return v1Error(ctx.settings, 400, 'INVALID_ARGUMENTS_ERROR', 'The request body must be a JSON object');
  }
  switch (route) {
    case 'v1:user':
      return v1Error(ctx.settings, 400, 'UNKNOWN_ERROR', 'User-scoped v1 queries are not implemented by the emulator');
    case 'v1:dataset:GET':
      return getDataset(ctx);
    case 'v1:datarows:GET':
      return listRows(ctx);
    case 'v1:datarow:GET':
      return getRow(ctx);
    case 'v1:datarow:POST':
      return saveRow(ctx);
    default: {
      const type = String(field(ctx.body, 'query_type'));
      const method = String(field(ctx.body, 'query_method'));
      return v1Error(ctx.settings, 400, 'METHOD_NOT_ALLOWED_ERROR', `The emulator does not implement ${type}/${method}`);
    }
  }
}

/** Call A: the dataset and every row in stable server order. */
function getDataset(ctx: RouteContext): Reply {
  const dataset = resolveDataset(ctx);
  if (isReply(dataset)) return dataset;
  const withMetadata = fetchMetadataFlag(payloadOf(ctx));
  const head = {
    dataset_hash: dataset.hash,
    title: dataset.title,
    description: dataset.description,
    dataset_type: dataset.datasetType,
    backing_folder_uuid: dataset.folderUuid,
  };
  const rows = dataset.rows;
  if (rows.length <= STREAM_ROWS) {
    return v1Ok({ ...head, data_rows: rows.map((r) => wireDataRow(dataset, r, withMetadata)) });
  }
  const prefix = JSON.stringify({ status: 200, response: { ...head, data_rows: [] } });
  // prefix ends with `[]}}`: split it so the rows go between the brackets.
  const open = prefix.slice(0, -3);
  return {
    kind: 'stream',
    status: 200,
    *chunks() {
      yield open;
      const count = rows.length;
      for (let start = 0; start < count; start += ROWS_PER_CHUNK) {
        let chunk = '';
        const end = Math.min(count, start + ROWS_PER_CHUNK);
        for (let i = start; i < end; i += 1) {
          chunk += (i === 0 ? '' : ',') + JSON.stringify(wireDataRow(dataset, rows[i]!, withMetadata));
        }
        yield chunk;
      }
      yield ']}}';
    },
  };
}

/** Call B: rows filtered by title (exact or LIKE), data hashes, creation time and data type. */
function listRows(ctx: RouteContext): Reply {
  const dataset = resolveDataset(ctx);
  if (isReply(dataset)) return dataset;
  const payload = payloadOf(ctx) ?? {};
  const titleEq = field(payload, 'title_eq');
  const titleLike = field(payload, 'title_like');
  const hashes = field(payload, 'data_hashes');
  const types = field(payload, 'data_types');
  const before = field(payload, 'created_before');
  const after = field(payload, 'created_after');
  const bad = (what: string): Reply => v1Error(ctx.settings, 400, 'INVALID_ARGUMENTS_ERROR', what);
  if (titleEq != null && typeof titleEq !== 'string') return bad('title_eq must be a string or null');
  if (titleLike != null && typeof titleLike !== 'string') return bad('title_like must be a string or null');
  if (hashes != null && (!Array.isArray(hashes) || !hashes.every((h) => typeof h === 'string'))) {
    return bad('data_hashes must be a list of strings or null');
  }
  if (types != null && (!Array.isArray(types) || !types.every((t) => typeof t === 'string'))) {
    return bad('data_types must be a list of strings or null');
  }
  const time = (v: unknown, name: string): number | null | Reply => {
    if (v == null) return null;
    const t = typeof v === 'string' ? Date.parse(v.includes('T') || v.endsWith('Z') ? v : `${v.replace(' ', 'T')}Z`) : NaN;
    return Number.isNaN(t) ? bad(`${name} must be a date time`) : t;
  };
  const beforeMs = time(before, 'created_before');
  if (isReply(beforeMs)) return beforeMs;
  const afterMs = time(after, 'created_after');
  if (isReply(afterMs)) return afterMs;
  const like = typeof titleLike === 'string' ? likeToRegExp(titleLike) : null;
  const hashSet = Array.isArray(hashes) ? new Set(hashes as string[]) : null;
  const typeSet = Array.isArray(types) ? new Set((types as string[]).map((t) => t.toUpperCase())) : null;
  const withMetadata = fetchMetadataFlag(payload);
  const out = [];
  for (const row of dataset.rows) {
    if (hashSet !== null && !hashSet.has(row.dataHash)) continue;
    const title = rowTitle(row);
    if (typeof titleEq === 'string' && title !== titleEq) continue;
    if (like !== null && !like.test(title)) continue;
    if (typeSet !== null && !typeSet.has(wireType(row))) continue;
    if (beforeMs !== null && row.createdAt >= beforeMs) continue;
    if (afterMs !== null && row.createdAt <= afterMs) continue;
    out.push(wireDataRow(dataset, row, withMetadata));
  }
  return v1Ok(out);
}

function wireType(row: RowRecord): string {
  return (row.item?.kind ?? row.own!.kind).dataType;
}

/** Call C: one row; `additional_data.client_metadata` decides whether metadata is included. */
function getRow(ctx: RouteContext): Reply {
  const dataset = resolveDataset(ctx);
  if (isReply(dataset)) return dataset;
  const row = findRow(ctx, dataset);
  if (isReply(row)) return row;
  const extra = field(payloadOf(ctx), 'additional_data');
  const withMetadata = parseBool(field(extra, 'client_metadata')) === true;
  const wire = wireDataRow(dataset, row, withMetadata);
  if (parseBool(field(extra, 'signed_url')) === true && row.item !== null) {
    wire.signed_url = `${ctx.baseUrl}/signed/${row.item.uuid}`;
  }
  return v1Ok(wire);
}

const SETTABLE = ['client_metadata', 'data_title'] as const;

/** Call D: `DataRow.save()` of the dirty fields; answers `{updated_fields, data_row}`. */
function saveRow(ctx: RouteContext): Reply {
  const dataset = resolveDataset(ctx);
  if (isReply(dataset)) return dataset;
  const row = findRow(ctx, dataset);
  if (isReply(row)) return row;
  const payload = payloadOf(ctx) ?? {};
  const bad = (what: string): Reply => v1Error(ctx.settings, 400, 'INVALID_ARGUMENTS_ERROR', what);
  if (!isPlainObject(payload)) return bad('values.payload must be an object of the fields to update');
  const updated: string[] = [];
  let metadata: Metadata | undefined;
  let title: string | undefined;
  for (const [key, value] of Object.entries(payload)) {
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (snake === 'client_metadata') {
      if (!isPlainObject(value)) return bad('client_metadata must be a JSON object');
      metadata = value;
    } else if (snake === 'data_title') {
      if (typeof value !== 'string' || value === '') return bad('data_title must be a non-empty string');
      title = value;
    } else {
      return bad(`Field ${JSON.stringify(key)} cannot be updated (settable: ${SETTABLE.join(', ')})`);
    }
    if (!updated.includes(snake)) updated.push(snake);
  }
  if (metadata !== undefined) {
    const problems = checkMetadata(ctx.store, metadata, ctx.settings);
    if (problems.length > 0) return bad(problems.join('; '));
    ctx.store.setRowMetadata(row, combineMetadata(rowMetadata(row), metadata, ctx.settings));
  }
  if (title !== undefined) ctx.store.setRowTitle(row, title);
  const dataRow: Record<string, unknown> = { ...wireDataRow(dataset, row, true) };
  // A real server may leave the metadata out of the answer (the SDK only checks `updated_fields`).
  if (ctx.settings.v1SaveEcho === 'omit') delete dataRow['client_metadata'];
  else if (ctx.settings.v1SaveEcho === 'null') dataRow['client_metadata'] = null;
  return json(200, { status: 200, response: { updated_fields: updated, data_row: dataRow } });
}
