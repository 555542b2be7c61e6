/**
 * The seam between the pipeline and Encord: everything the import needs, nothing more. `EncordClient`
 * implements it over HTTP; tests may implement it in memory. All metadata values are plain JSON objects.
 */
import type { ClientStats } from './client-stats.js';
import type { Metadata, WireTypedSchema } from './protocol/types.js';
import type { FolderItemPage, ListFolderItemsOptions, ListFoldersOptions } from './folder-types.js';
import type { StorageFolderInfo } from './response-schemas.js';

export type { FolderItem, FolderItemPage, ListFolderItemsOptions, ListFoldersOptions } from './folder-types.js';
export type { StorageFolderInfo } from './response-schemas.js';

/** One data unit of a dataset as listed (v1 call A), with its position in server order. */
export interface DataUnit {
  /** Position in the dataset's `data_rows`, in server order: Encord's "data unit number". */
  readonly index: number;
  readonly dataHash: string;
  readonly title: string;
  readonly dataType: string;
  /** Storage item behind the row; `null` for legacy rows (those can only be written with the v1 save). */
  readonly backingItemUuid: string | null;
  /** Current custom metadata; `null` means "unknown" and must never be treated as empty. */
  readonly metadata: Metadata | null;
}

export interface DatasetListing {
  readonly datasetHash: string;
  readonly title: string;
  readonly description: string;
  readonly backingFolderUuid: string | null;
  readonly units: readonly DataUnit[];
}

/** Current metadata of one storage item (v2 get-bulk). */
export interface ItemMetadata {
  readonly uuid: string;
  readonly metadata: Metadata;
  readonly backedDataUnitsCount: number;
}

export interface GetItemsOptions {
  readonly signal?: AbortSignal | undefined;
  /** Called for each item that could not be read (its error has the code to report). */
  readonly onItemError?: ((failure: { readonly uuid: string; readonly error: Error }) => void) | undefined;
}

/** Outcome of one item in a bulk patch: either written (with what the server now holds) or failed. */
export type PatchOutcome =
  | { readonly uuid: string; readonly ok: true; readonly metadata: Metadata }
  | { readonly uuid: string; readonly ok: false; readonly error: Error };

export type { ClientStats } from './client-stats.js';

/**
 * Storage folders (v2): what `--folder` runs need. `EncordClient` implements it; the members are optional on
 * `MetadataStore` so in-memory stores written for datasets keep working (`folderStoreOf` checks).
 */
export interface FolderStore {
  /** J: one folder; `FOLDER_NOT_FOUND` when unknown or not shared with the key. */
  getFolder(uuid: string, options?: { signal?: AbortSignal | undefined }): Promise<StorageFolderInfo>;
  /** Q (top level), R (`search`), S (`parent`): every folder of the listing, by name. */
  listFolders(options?: ListFoldersOptions): Promise<StorageFolderInfo[]>;
  /** S: the direct subfolders of a folder. */
  listSubfolders(uuid: string, options?: { signal?: AbortSignal | undefined }): Promise<StorageFolderInfo[]>;
  /**
   * I: the items of a folder as an async iterator of pages (≤ 1000 items each, `pageToken` followed), each
   * item with uuid, name, path relative to the folder, metadata and `backedDataUnitsCount`. `recursive`
   * walks the subfolders (paths `sub/name`).
   */
  listFolderItems(folderUuid: string, options?: ListFolderItemsOptions): AsyncIterable<FolderItemPage>;
}

export interface MetadataStore extends Partial<FolderStore> {
  /** v1 call A with `fetch_client_metadata: true`; rows in server order. */
  getDataset(datasetHash: string, options?: { signal?: AbortSignal | undefined }): Promise<DatasetListing>;
  /**
   * v1 call A like `getDataset`, handing each unit to `onUnit` as it is parsed instead of keeping them:
   * what an import uses to index a dataset of millions of units in little memory. Optional (a store
   * without it is listed with `getDataset`).
   */
  streamDataset?(
    datasetHash: string,
    onUnit: (unit: DataUnit) => void,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<Omit<DatasetListing, 'units'>>;
  /** v1 call C: fresh metadata of one row. */
  refetchDataUnit(datasetHash: string, dataHash: string, options?: { signal?: AbortSignal | undefined }): Promise<DataUnit>;
  /**
   * v1 call B filtered by data hashes: fresh metadata of many rows in one request (chunks of ≤ 1000).
   * Rows the server does not return are absent from the map. `index` is -1 (B does not give positions).
   */
  getDataUnits(
    datasetHash: string,
    dataHashes: readonly string[],
    options?: { signal?: AbortSignal | undefined },
  ): Promise<Map<string, DataUnit>>;
  /**
   * v1 call D (`DataRow.save`): writes the complete dictionary. Resolves with what the server now
   * holds; rejects if `updated_fields` is not `["client_metadata"]` or the echoed value differs.
   */
  saveMetadata(
    datasetHash: string,
    dataHash: string,
    metadata: Metadata,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<Metadata>;
  /**
   * v2 get-bulk in chunks of ≤ 1000, in request order. Items Encord refuses one by one (403 `ITEM_FORBIDDEN`:
   * the key has no access to the item's folder, or the item was deleted; 404 `NOT_FOUND`) are absent from the
   * result and reported to `onItemError`; the other items of their chunk are still returned.
   */
  getItems(uuids: readonly string[], options?: GetItemsOptions): Promise<ItemMetadata[]>;
  /**
   * v2 patch-bulk in chunks of ≤ 1000 (halving on 413; bisecting, bounded, on 400/422/403/404 so only the
   * items at fault fail, 403 as `ITEM_FORBIDDEN`). Never rejects for per-item problems: a uuid missing
   * from `results` or a chunk that failed after retries becomes a failed outcome of each of its items.
   * Rejects only for fatal errors (authentication, abort).
   */
  patchItems(
    patches: ReadonlyMap<string, Metadata>,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<PatchOutcome[]>;
  getTypedSchema(options?: { signal?: AbortSignal | undefined }): Promise<WireTypedSchema | null>;
  setTypedSchema(schema: WireTypedSchema, options?: { signal?: AbortSignal | undefined }): Promise<void>;
  getSimpleSchema(options?: { signal?: AbortSignal | undefined }): Promise<Record<string, string> | null>;
  setSimpleSchema(schema: Record<string, string>, options?: { signal?: AbortSignal | undefined }): Promise<void>;
  readonly stats: ClientStats;
  close(): Promise<void>;
}

/** `store` as a `FolderStore`, or a clear error when it cannot list folders (an in-memory test store). */
export function folderStoreOf<S extends MetadataStore>(store: S): S & FolderStore {
  const s = store as S & Partial<FolderStore>;
  if (typeof s.getFolder !== 'function' || typeof s.listFolders !== 'function' || typeof s.listSubfolders !== 'function' || typeof s.listFolderItems !== 'function') {
    throw new TypeError('This metadata store cannot list storage folders (getFolder, listFolders, listSubfolders, listFolderItems)');
  }
  return s as S & FolderStore;
}
