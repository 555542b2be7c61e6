/**
 * Validation of API answers at the boundary (zod; the only module of src/encord that imports it). Parsers
 * check what the client relies on and let every other key through; they return plain typed values or throw
 * `BAD_RESPONSE`. v2 answers are accepted in camelCase and snake_case (pydantic accepts both).
 */
import { z } from 'zod';
import type { Metadata, WireTypedSchema } from './protocol/types.js';
import { EncordApiError, type RequestContext } from './errors.js';
import { parseEncordJson } from './exact-json.js';

/**
 * A metadata dictionary exactly as parsed, the same object: `z.record` would rebuild it by assignment and drop
 * a key named `__proto__`, and the next merge would then erase that key on the server; a copy would also
 * lose what `exact-json.ts` noted about it (a stored number a double cannot hold).
 */
const metadataObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { message: 'expected a JSON object' },
);
const nullableString = z.string().nullable().optional();

const dataRow = z.looseObject({
  data_hash: z.string(),
  data_title: z.string(),
  data_type: z.string(),
  client_metadata: metadataObject.nullable().optional(),
  backing_item_uuid: nullableString,
});

const dataset = z.looseObject({
  dataset_hash: z.string(),
  title: z.string(),
  description: z.string().nullable().optional(),
  dataset_type: z.string(),
  backing_folder_uuid: nullableString,
  data_rows: z.array(dataRow).nullable().optional(),
});

const saveResponse = z.looseObject({
  updated_fields: z.array(z.string()),
  data_row: dataRow,
});

const clientMetadataField = z.union([z.string(), metadataObject, z.null()]).optional();
const storageItem = z.looseObject({
  uuid: z.string(),
  clientMetadata: clientMetadataField,
  client_metadata: clientMetadataField,
  backedDataUnitsCount: z.number().optional(),
  backed_data_units_count: z.number().optional(),
  parent: nullableString,
  name: nullableString,
  itemType: nullableString,
  item_type: nullableString,
});

const page = z.looseObject({
  results: z.array(z.unknown()),
  nextPageToken: nullableString,
  next_page_token: nullableString,
});

const simpleSchema = z.looseObject({
  metadataSchema: z.record(z.string(), z.string()).optional(),
  metadata_schema: z.record(z.string(), z.string()).optional(),
});

const typedSchema = z.record(z.string(), z.looseObject({ ty: z.string() }));
const bearerToken = z.looseObject({ token: z.string().min(1) });

const datasetSummary = z.looseObject({
  datasetUuid: z.string().optional(),
  dataset_uuid: z.string().optional(),
  title: z.string(),
  description: z.string().nullable().optional(),
  createdAt: nullableString,
  lastEditedAt: nullableString,
  userRole: nullableString,
  backingFolderUuid: nullableString,
});
const datasetList = z.looseObject({ result: z.array(datasetSummary) });

function check<T>(schema: z.ZodType<T>, value: unknown, context: RequestContext, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.map(String).join('.')}`;
  throw new EncordApiError('BAD_RESPONSE', `Unexpected ${what} from Encord${where}: ${issue?.message ?? 'invalid'}`, context);
}

function bad(context: RequestContext, reason: string): EncordApiError {
  return new EncordApiError('BAD_RESPONSE', reason, context);
}

/** A v1 DataRow, reduced to what the import needs. `metadata: null` = not fetched (unknown), never "empty". */
export interface ParsedDataRow {
  readonly dataHash: string;
  readonly title: string;
  readonly dataType: string;
  readonly backingItemUuid: string | null;
  readonly metadata: Metadata | null;
}

function toRow(row: z.infer<typeof dataRow>): ParsedDataRow {
  return {
    dataHash: row.data_hash,
    title: row.data_title,
    dataType: row.data_type,
    backingItemUuid: row.backing_item_uuid ?? null,
    metadata: row.client_metadata === undefined || row.client_metadata === null ? null : (row.client_metadata as Metadata),
  };
}

export interface ParsedDataset {
  readonly datasetHash: string;
  readonly title: string;
  readonly description: string;
  readonly backingFolderUuid: string | null;
  /** In server order. */
  readonly rows: readonly ParsedDataRow[];
}

export function parseDataset(value: unknown, context: RequestContext): ParsedDataset {
  const d = check(dataset, value, context, 'dataset');
  return {
    datasetHash: d.dataset_hash,
    title: d.title,
    description: d.description ?? '',
    backingFolderUuid: d.backing_folder_uuid ?? null,
    rows: (d.data_rows ?? []).map(toRow),
  };
}

export function parseDataRow(value: unknown, context: RequestContext): ParsedDataRow {
  return toRow(check(dataRow, value, context, 'data row'));
}

export function parseDataRowList(value: unknown, context: RequestContext): ParsedDataRow[] {
  return check(z.array(dataRow), value, context, 'data row list').map(toRow);
}

export function parseSaveResponse(
  value: unknown,
  context: RequestContext,
): { readonly updatedFields: readonly string[]; readonly row: ParsedDataRow } {
  const r = check(saveResponse, value, context, 'save result');
  return { updatedFields: r.updated_fields, row: toRow(r.data_row) };
}

/** A v2 storage item with `clientMetadata` decoded from its JSON string. */
export interface StorageItemInfo {
  readonly uuid: string;
  readonly parent: string | null;
  readonly name: string | null;
  readonly itemType: string | null;
  readonly metadata: Metadata;
  readonly backedDataUnitsCount: number;
}

/**
 * Decode `clientMetadata`: a JSON string in v2 answers (an object is tolerated). `null` means the item has
 * no metadata; a missing key is an error, because reading it as `{}` would make a merge erase real keys.
 */
export function decodeClientMetadata(value: unknown, context: RequestContext, uuid: string): Metadata {
  if (value === null) return {};
  let decoded: unknown = value;
  if (typeof value === 'string') {
    try {
      decoded = parseEncordJson(value);
    } catch {
      throw bad(context, `clientMetadata of item ${uuid} is not valid JSON`);
    }
    if (decoded === null) return {};
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
    throw bad(context, `clientMetadata of item ${uuid} is not a JSON object`);
  }
  return decoded as Metadata;
}

export function parseStorageItem(value: unknown, context: RequestContext): StorageItemInfo {
  const it = check(storageItem, value, context, 'storage item');
  const raw = it.clientMetadata !== undefined ? it.clientMetadata : it.client_metadata;
  if (raw === undefined) throw bad(context, `Storage item ${it.uuid} has no clientMetadata`);
  return {
    uuid: it.uuid,
    parent: it.parent ?? null,
    name: it.name ?? null,
    itemType: it.itemType ?? it.item_type ?? null,
    metadata: decodeClientMetadata(raw, context, it.uuid),
    backedDataUnitsCount: it.backedDataUnitsCount ?? it.backed_data_units_count ?? 0,
  };
}

export function parseItemPage(
  value: unknown,
  context: RequestContext,
): { readonly items: StorageItemInfo[]; readonly nextPageToken: string | null } {
  const p = check(page, value, context, 'page of storage items');
  return {
    items: p.results.map((r) => parseStorageItem(r, context)),
    nextPageToken: p.nextPageToken ?? p.next_page_token ?? null,
  };
}

/** Old-form schema `{key: type}`, or `null` when the organisation has none. */
export function parseSimpleSchema(value: unknown, context: RequestContext): Record<string, string> | null {
  if (value === null) return null;
  const s = check(simpleSchema, value, context, 'metadata schema');
  const map = s.metadataSchema ?? s.metadata_schema;
  if (map === undefined) throw bad(context, 'The metadata schema answer has no metadataSchema');
  return map;
}

/**
 * Typed schema, or `null` when there is none. Returns the JSON as received (after checking each option has a
 * string `ty`), so unknown option types and fields survive a read-modify-write untouched.
 */
export function parseTypedSchema(value: unknown, context: RequestContext): WireTypedSchema | null {
  if (value === null) return null;
  check(typedSchema, value, context, 'typed metadata schema');
  return value as WireTypedSchema;
}

export function parseBearerToken(value: unknown, context: RequestContext): string {
  return check(bearerToken, value, context, 'bearer token answer').token;
}

export interface DatasetSummary {
  readonly datasetHash: string;
  readonly title: string;
  readonly description: string;
  readonly backingFolderUuid: string | null;
  readonly userRole: string | null;
  readonly createdAt: string | null;
  readonly lastEditedAt: string | null;
}

export function parseDatasetList(value: unknown, context: RequestContext): DatasetSummary[] {
  return check(datasetList, value, context, 'dataset list').result.map((d) => {
    const hash = d.datasetUuid ?? d.dataset_uuid;
    if (hash === undefined) throw bad(context, `Dataset "${d.title}" in the list has no datasetUuid`);
    return {
      datasetHash: hash,
      title: d.title,
      description: d.description ?? '',
      backingFolderUuid: d.backingFolderUuid ?? null,
      userRole: d.userRole ?? null,
      createdAt: d.createdAt ?? null,
      lastEditedAt: d.lastEditedAt ?? null,
    };
  });
}

// ------------------------------------------------------------------------------ storage folders (protocol §A.3)

const storageFolder = z.looseObject({
  uuid: z.string(),
  parent: nullableString,
  name: z.string(),
  description: z.string().nullable().optional(),
  syncedDatasetHash: nullableString,
  synced_dataset_hash: nullableString,
});

/** A v2 storage folder, reduced to what the tool shows. */
export interface StorageFolderInfo {
  readonly uuid: string;
  /** `null` at the top level. */
  readonly parent: string | null;
  readonly name: string;
  readonly description: string;
  /** The dataset that mirrors this folder, if any. */
  readonly syncedDatasetHash: string | null;
}

export function parseStorageFolder(value: unknown, context: RequestContext): StorageFolderInfo {
  const f = check(storageFolder, value, context, 'storage folder');
  return {
    uuid: f.uuid,
    parent: f.parent ?? null,
    name: f.name,
    description: f.description ?? '',
    syncedDatasetHash: f.syncedDatasetHash ?? f.synced_dataset_hash ?? null,
  };
}

/** `results` (required, protocol §A.7) and `nextPageToken` of any v2 page; results left unparsed. */
export function parsePage(value: unknown, context: RequestContext, what: string): { readonly results: readonly unknown[]; readonly nextPageToken: string | null } {
  const p = check(page, value, context, what);
  return { results: p.results, nextPageToken: p.nextPageToken ?? p.next_page_token ?? null };
}

/** Whether a raw storage item says how many data units it backs (absent: unknown, not 0). */
export function hasBackedCount(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['backedDataUnitsCount'] === 'number' || typeof v['backed_data_units_count'] === 'number';
}
