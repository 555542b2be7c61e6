/**
 * `EncordClient`: the `MetadataStore` over HTTP, plus the few extra calls the CLI needs. One instance owns
 * one connection pool, one adaptive rate limit and one set of counters, shared by all its calls.
 */
import type { Metadata, WireTypedSchema } from './protocol/types.js';
import type { ClientStats, DataUnit, DatasetListing, FolderStore, GetItemsOptions, ItemMetadata, MetadataStore, PatchOutcome } from './metadata-store.js';
import {
  getFolder,
  getFolderSummary,
  listFolderItems,
  listFolders,
  type FolderItemPage,
  type FolderSummaryInfo,
  type ListFolderItemsOptions,
  type ListFoldersOptions,
  type StorageFolderInfo,
} from './storage-folders.js';
import { MAX_BULK_CHUNK, resolveClientOptions, type EncordClientOptions, type ResolvedClientOptions } from './client-options.js';
import { EncordApiError, type RequestContext } from './errors.js';
import { jsonEqual } from './json-codec.js';
import { Requester } from './requester.js';
import {
  parseBearerToken,
  parseDataRow,
  parseDataRowList,
  parseDataset,
  parseDatasetList,
  parseSaveResponse,
  parseSimpleSchema,
  parseTypedSchema,
  type DatasetSummary,
  type ParsedDataRow,
  type StorageItemInfo,
} from './response-schemas.js';
import { assertId, getItems, getStorageItem, patchItems } from './storage-items.js';

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

/** A data row found by a filter (v1 B): like `DataUnit` but without a dataset index. */
export type DataRowSummary = Omit<DataUnit, 'index'>;

/** Filters of v1 call B. Absent filters are sent as `null`, like the SDK. */
export interface DataRowFilter {
  readonly titleEq?: string | undefined;
  /** SQL LIKE pattern (`%`, `_`). */
  readonly titleLike?: string | undefined;
  readonly dataHashes?: readonly string[] | undefined;
  readonly createdBefore?: string | undefined;
  readonly createdAfter?: string | undefined;
  /** Upper-case data types, e.g. `IMAGE`, `VIDEO`. */
  readonly dataTypes?: readonly string[] | undefined;
}

function summary(row: ParsedDataRow): DataRowSummary {
  return {
    dataHash: row.dataHash,
    title: row.title,
    dataType: row.dataType,
    backingItemUuid: row.backingItemUuid,
    metadata: row.metadata,
  };
}

/** A falsy v1 `response` (`null`, `{}`, `[]`) means "not found" to the SDK's `basic_getter`. */
function isEmptyResponse(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

function assertMetadata(metadata: unknown): asserts metadata is Metadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new EncordApiError('INVALID_ARGUMENTS', 'Expected metadata to be a JSON object', undefined);
  }
}

export class EncordClient implements MetadataStore, FolderStore {
  readonly options: ResolvedClientOptions;
  readonly #requester: Requester;

  /** Validates `options` (throws `EncordConfigError` `USAGE_OPTION`); sends nothing until a call. */
  constructor(options: EncordClientOptions) {
    this.options = resolveClientOptions(options);
    this.#requester = new Requester(this.options);
  }

  /** Live counters: HTTP attempts, retries scheduled, 429 answers. */
  get stats(): ClientStats {
    return this.#requester.stats;
  }

  /** The API origin in use, e.g. `https://api.encord.com`. */
  get domain(): string {
    return this.options.domain;
  }

  /** Current adaptive request rate (requests per second). */
  get currentRate(): number {
    return this.#requester.limiter.rate;
  }

  /**
   * v1 A with `fetch_client_metadata: true`: every row in server order (index = Encord's data unit number).
   * A missing dataset and a dataset this key cannot see are the same error, `DATASET_NOT_FOUND`.
   */
  async getDataset(datasetHash: string, options: CallOptions = {}): Promise<DatasetListing> {
    const units: DataUnit[] = [];
    const info = await this.streamDataset(datasetHash, (unit) => void (units.length = unit.index, units.push(unit)), options);
    return { ...info, units };
  }

  /**
   * `getDataset`, handing each unit to `onUnit` as it is parsed (in server order, `index` counting from 0)
   * instead of keeping them: the answer is never whole in memory, as text or as units. A retried request
   * starts over: its first unit has `index` 0 again, and the units handed out before are void.
   */
  async streamDataset(datasetHash: string, onUnit: (unit: DataUnit) => void, options: CallOptions = {}): Promise<Omit<DatasetListing, 'units'>> {
    assertId('a dataset hash', datasetHash);
    const notFound = (e?: EncordApiError): EncordApiError =>
      new EncordApiError(
        'DATASET_NOT_FOUND',
        `Dataset ${datasetHash} not found or this key has no access to it`,
        e?.context,
        { status: e?.status, encordCode: e?.encordCode, cause: e },
      );
    let result;
    // The rows are stream-parsed one by one: a large dataset's answer does not fit in one string.
    let streamed = 0;
    const rowContext: RequestContext = { method: 'POST', path: '/public', operation: 'dataset GET', traceId: '' };
    const extract = () => {
      streamed = 0;
      return {
        path: ['response', 'data_rows'],
        onItem: (json: string) => {
          // Plain JSON.parse: a listing's metadata is never what a write merges into (the writer, set and
          // rollback re-read each target first, through parseEncordJson), and this runs a million times.
          onUnit({ index: streamed, ...summary(parseDataRow(JSON.parse(json) as unknown, rowContext)) });
          streamed += 1;
        },
      };
    };
    try {
      result = await this.#requester.v1(
        {
          resourceType: 'dataset',
          resourceId: datasetHash,
          queryType: 'dataset',
          queryMethod: 'GET',
          uid: null,
          payload: { dataset_access_settings: { fetch_client_metadata: true } },
        },
        options.signal,
        extract,
      );
    } catch (error) {
      if (error instanceof EncordApiError && (error.code === 'NOT_FOUND' || error.code === 'AUTHORISATION')) {
        throw notFound(error);
      }
      throw error;
    }
    if (isEmptyResponse(result.value)) throw notFound();
    const d = parseDataset(result.value, result.context);
    // A server that sends rows outside `response.data_rows` streaming (or a test double) still works.
    if (streamed === 0) d.rows.forEach((row, index) => onUnit({ index, ...summary(row) }));
    return {
      datasetHash: d.datasetHash,
      title: d.title,
      description: d.description,
      backingFolderUuid: d.backingFolderUuid,
    };
  }

  /** v1 B: rows matching the filters (all filter keys are sent; absent ones as `null`). */
  async listDataRows(datasetHash: string, filter: DataRowFilter = {}, options: CallOptions = {}): Promise<DataRowSummary[]> {
    assertId('a dataset hash', datasetHash);
    const { value, context } = await this.#requester.v1(
      {
        resourceType: 'dataset',
        resourceId: datasetHash,
        queryType: 'datarows',
        queryMethod: 'GET',
        uid: null,
        payload: {
          title_eq: filter.titleEq ?? null,
          title_like: filter.titleLike ?? null,
          created_before: filter.createdBefore ?? null,
          created_after: filter.createdAfter ?? null,
          data_types: filter.dataTypes ?? null,
          dataset_access_settings: { fetch_client_metadata: true },
          data_hashes: filter.dataHashes ?? null,
        },
      },
      options.signal,
    );
    if (value === null) throw new EncordApiError('NOT_FOUND', `No data rows answer for dataset ${datasetHash}`, context);
    return parseDataRowList(value, context).map(summary);
  }

  /** v1 B by data hashes, in chunks of ≤ 1000: the fresh metadata of many rows in few requests. */
  async getDataUnits(datasetHash: string, dataHashes: readonly string[], options: CallOptions = {}): Promise<Map<string, DataUnit>> {
    const out = new Map<string, DataUnit>();
    for (let i = 0; i < dataHashes.length; i += MAX_BULK_CHUNK) {
      const rows = await this.listDataRows(datasetHash, { dataHashes: dataHashes.slice(i, i + MAX_BULK_CHUNK) }, options);
      for (const row of rows) out.set(row.dataHash, { index: -1, ...row });
    }
    return out;
  }

  /**
   * v1 C: the row's current metadata, fetched fresh. The returned `index` is -1: this call does not say
   * where the row sits in the dataset (take it from `getDataset`).
   */
  async refetchDataUnit(datasetHash: string, dataHash: string, options: CallOptions = {}): Promise<DataUnit> {
    assertId('a dataset hash', datasetHash);
    assertId('a data hash', dataHash);
    const { value, context } = await this.#requester.v1(
      {
        resourceType: 'dataset',
        resourceId: datasetHash,
        queryType: 'datarow',
        queryMethod: 'GET',
        uid: dataHash,
        payload: { additional_data: { signed_url: false, images_data_fetch_options: null, client_metadata: true } },
      },
      options.signal,
    );
    if (isEmptyResponse(value)) {
      throw new EncordApiError('NOT_FOUND', `Data unit ${dataHash} not found in dataset ${datasetHash}`, context);
    }
    return { index: -1, ...summary(parseDataRow(value, context)) };
  }

  /**
   * v1 D (`DataRow.save`): writes the complete dictionary and checks the answer: `updated_fields` must be
   * exactly `["client_metadata"]` and the echoed metadata must equal what was sent (`UNEXPECTED_UPDATE`).
   * An answer without the metadata (absent or null) is confirmed by re-reading the row (v1 C).
   * Retried like every call: the write is absolute, so repeating it is harmless.
   */
  async saveMetadata(datasetHash: string, dataHash: string, metadata: Metadata, options: CallOptions = {}): Promise<Metadata> {
    assertId('a dataset hash', datasetHash);
    assertId('a data hash', dataHash);
    assertMetadata(metadata);
    const { value, context } = await this.#requester.v1(
      {
        resourceType: 'dataset',
        resourceId: datasetHash,
        queryType: 'datarow',
        queryMethod: 'POST',
        uid: dataHash,
        payload: { client_metadata: metadata },
      },
      options.signal,
    );
    if (value === null || value === undefined) {
      throw new EncordApiError('BAD_RESPONSE', `Encord returned no save result for data unit ${dataHash}`, context);
    }
    const saved = parseSaveResponse(value, context);
    const fields = [...new Set(saved.updatedFields)];
    if (fields.length !== 1 || fields[0] !== 'client_metadata') {
      throw new EncordApiError(
        'UNEXPECTED_UPDATE',
        `Encord reported updated fields ${JSON.stringify(saved.updatedFields)} for data unit ${dataHash}; expected ["client_metadata"]`,
        context,
        { details: { dataHash } },
      );
    }
    if (saved.row.metadata === null) {
      // The SDK only checks `updated_fields` and drops null fields of the returned row: an answer without
      // the metadata (or with null) is not proof of a bad write. Confirm by reading the row back.
      const fresh = await this.refetchDataUnit(datasetHash, dataHash, options);
      if (fresh.metadata === null || !jsonEqual(fresh.metadata, metadata)) {
        throw new EncordApiError(
          'UNEXPECTED_UPDATE',
          `Encord's save answer for data unit ${dataHash} did not include the metadata, and reading it back shows different metadata than was sent`,
          context,
          { details: { dataHash } },
        );
      }
      return fresh.metadata;
    }
    if (!jsonEqual(saved.row.metadata, metadata)) {
      throw new EncordApiError('UNEXPECTED_UPDATE', `Encord holds different metadata for data unit ${dataHash} than was sent`, context, {
        details: { dataHash },
      });
    }
    return saved.row.metadata;
  }

  /** v2 E: one storage item, with its metadata decoded. */
  getStorageItem(uuid: string, options: CallOptions = {}): Promise<StorageItemInfo> {
    return getStorageItem(this.#requester, uuid, options.signal);
  }

  /**
   * v2 F in chunks of ≤ `bulkChunkSize`, in request order, following paged answers. Items Encord refuses one
   * by one (no access to their folder, deleted) are left out and reported to `onItemError`.
   */
  getItems(uuids: readonly string[], options: GetItemsOptions = {}): Promise<ItemMetadata[]> {
    return getItems(this.#requester, uuids, this.options.bulkChunkSize, this.options.concurrency, options.signal, options.onItemError);
  }

  /** v2 H in chunks of ≤ `bulkChunkSize`: one outcome per patch, in input order (see `MetadataStore`). */
  patchItems(patches: ReadonlyMap<string, Metadata>, options: CallOptions = {}): Promise<PatchOutcome[]> {
    return patchItems(this.#requester, patches, this.options.bulkChunkSize, this.options.concurrency, options.signal);
  }

  /** v2 J: one storage folder; `FOLDER_NOT_FOUND` when unknown or not shared with this key. */
  getFolder(uuid: string, options: CallOptions = {}): Promise<StorageFolderInfo> {
    return getFolder(this.#requester, uuid, options.signal);
  }

  /** v2 V: how many files and subfolders a folder holds. */
  getFolderSummary(uuid: string, options: CallOptions = {}): Promise<FolderSummaryInfo> {
    return getFolderSummary(this.#requester, uuid, options.signal);
  }

  /** v2 Q / R / S: the top-level folders, folders matching `search`, or the subfolders of `parent`. */
  listFolders(options: ListFoldersOptions = {}): Promise<StorageFolderInfo[]> {
    return listFolders(this.#requester, options);
  }

  /** v2 S: the direct subfolders of a folder. */
  listSubfolders(uuid: string, options: CallOptions = {}): Promise<StorageFolderInfo[]> {
    return listFolders(this.#requester, { parent: uuid, signal: options.signal });
  }

  /**
   * v2 I: the items of a folder, page by page (≤ 1000 items a page); `recursive` walks subfolders and gives
   * each item its path relative to the folder. See `FolderStore.listFolderItems`.
   */
  listFolderItems(folderUuid: string, options: ListFolderItemsOptions = {}): AsyncIterable<FolderItemPage> {
    return listFolderItems(this.#requester, folderUuid, options);
  }

  /** v2 M: the typed schema as received (unknown options kept), or `null` when none is set. */
  async getTypedSchema(options: CallOptions = {}): Promise<WireTypedSchema | null> {
    const { value, context } = await this.#requester.v2(
      { method: 'GET', path: 'organisation/client-metadata-schema-v2' },
      options.signal,
    );
    return parseTypedSchema(value, context);
  }

  /** v2 N: replaces the whole typed schema; the body is sent as given (snake_case keys, nulls kept). */
  async setTypedSchema(schema: WireTypedSchema, options: CallOptions = {}): Promise<void> {
    assertMetadata(schema);
    await this.#requester.v2({ method: 'POST', path: 'organisation/client-metadata-schema-v2', body: schema }, options.signal);
  }

  /** v2 K (deprecated by Encord, kept as a fallback): `{key: type}` or `null`. */
  async getSimpleSchema(options: CallOptions = {}): Promise<Record<string, string> | null> {
    const { value, context } = await this.#requester.v2(
      { method: 'GET', path: 'organisation/client-metadata-schema' },
      options.signal,
    );
    return parseSimpleSchema(value, context);
  }

  /** v2 L: posts the bare `{key: type}` map. */
  async setSimpleSchema(schema: Record<string, string>, options: CallOptions = {}): Promise<void> {
    assertMetadata(schema);
    await this.#requester.v2({ method: 'POST', path: 'organisation/client-metadata-schema', body: schema }, options.signal);
  }

  /** v2 O: a bearer token for these credentials. Treat the result as a secret. */
  async getBearerToken(options: CallOptions = {}): Promise<string> {
    const { value, context } = await this.#requester.v2({ method: 'GET', path: 'user/bearer-token' }, options.signal);
    return parseBearerToken(value, context);
  }

  /** v2 P: datasets visible to these credentials, optionally filtered by title. */
  async listDatasets(
    filter: { readonly titleEq?: string; readonly titleLike?: string; readonly includeOrgAccess?: boolean } = {},
    options: CallOptions = {},
  ): Promise<DatasetSummary[]> {
    const { value, context } = await this.#requester.v2(
      {
        method: 'GET',
        path: 'datasets/list',
        query: [
          ['titleEq', filter.titleEq],
          ['titleLike', filter.titleLike],
          ['includeOrgAccess', filter.includeOrgAccess ?? false],
        ],
      },
      options.signal,
    );
    return parseDatasetList(value, context);
  }

  /** Close the connection pool after in-flight requests finish; later calls fail with `ABORTED`. */
  close(): Promise<void> {
    return this.#requester.close();
  }
}

/** Shorthand for `new EncordClient(options)`. */
export function createEncordClient(options: EncordClientOptions): EncordClient {
  return new EncordClient(options);
}
