/**
 * `runList`: every data unit of a dataset with its index (position in server order, Encord's "data unit
 * number"), data hash, title, storage item and current metadata, plus the metadata keys to show as
 * columns: the schema's keys first (in schema order, deleted keys left out), then any other key seen,
 * sorted. Writing the result as a table, CSV, JSONL or Parquet is `report/list-writers.ts`' job.
 */
import { folderStoreOf, type DataUnit, type MetadataStore } from '../encord/metadata-store.js';
import type { FieldSpec, MetaSchema } from '../schema/index.js';
import { FOLDER_LIST_ID_COLUMNS, type ListIdColumns, type ListingView } from '../report/list-writers.js';
import { pullSchema, type SchemaForm } from './pull-schema.js';

export interface ListOptions {
  readonly store: MetadataStore;
  readonly datasetHash: string;
  /** Schema that orders and types the columns. @default the org schema, read from `store` */
  readonly schema?: MetaSchema | undefined;
  /** Only the schema's keys as columns (keys outside the schema left out). @default false */
  readonly schemaKeysOnly?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface ListResult extends ListingView {
  readonly datasetHash: string;
  readonly datasetTitle: string;
  /** Metadata keys shown as columns, in column order. */
  readonly keys: readonly string[];
  /** The schema spec of each key; absent for keys the schema does not have. */
  readonly specs: ReadonlyMap<string, FieldSpec>;
  readonly schemaForm: SchemaForm | 'given';
  /** Data units in server order (`index` = position). */
  readonly units: readonly DataUnit[];
  /** Units whose metadata Encord did not return (shown empty; never meaning "no metadata"). */
  readonly unknownMetadata: number;
  /** Keys present on some unit but left out by `schemaKeysOnly`. */
  readonly omittedKeys: readonly string[];
}

/** Schema keys first (schema order, deleted keys left out), then other keys seen, sorted. */
function columnsOf(
  schema: MetaSchema,
  units: readonly DataUnit[],
  schemaKeysOnly: boolean | undefined,
): { keys: string[]; specs: Map<string, FieldSpec>; unknownMetadata: number; omittedKeys: string[] } {
  const specs = new Map<string, FieldSpec>();
  const keys: string[] = [];
  for (const [key, spec] of schema.fields) {
    if (spec.type === 'tombstone') continue;
    specs.set(key, spec);
    keys.push(key);
  }
  const others = new Set<string>();
  let unknownMetadata = 0;
  for (const unit of units) {
    if (unit.metadata === null) {
      unknownMetadata += 1;
      continue;
    }
    for (const key of Object.keys(unit.metadata)) if (!specs.has(key)) others.add(key);
  }
  const extra = [...others].sort();
  return { keys: schemaKeysOnly ? keys : [...keys, ...extra], specs, unknownMetadata, omittedKeys: schemaKeysOnly ? extra : [] };
}

async function schemaFor(options: { store: MetadataStore; schema?: MetaSchema | undefined }, signal: { signal?: AbortSignal }): Promise<{ schema: MetaSchema; form: ListResult['schemaForm'] }> {
  if (options.schema) return { schema: options.schema, form: 'given' };
  const org = await pullSchema(options.store, signal);
  return { schema: org.schema, form: org.form };
}

export async function runList(options: ListOptions): Promise<ListResult> {
  const signal = options.signal ? { signal: options.signal } : {};
  const { schema, form } = await schemaFor(options, signal);
  const listing = await options.store.getDataset(options.datasetHash, signal);
  const cols = columnsOf(schema, listing.units, options.schemaKeysOnly);
  return {
    datasetHash: listing.datasetHash,
    datasetTitle: listing.title,
    keys: cols.keys,
    specs: cols.specs,
    schemaForm: form,
    units: listing.units,
    unknownMetadata: cols.unknownMetadata,
    omittedKeys: cols.omittedKeys,
  };
}

// ------------------------------------------------------------------------------------------ folders

/**
 * A storage item of a folder listing, in the shape the list writers and `set` share with data units:
 * `index` is its position in the listing, `title` its name, `backingItemUuid` its own uuid, `dataHash` empty
 * (an item is not a data unit).
 */
export interface FolderUnit extends DataUnit {
  /** Path relative to the listed folder (`name`, or `sub/dir/name` with `recursive`). */
  readonly path: string;
  /** The folder holding the item. */
  readonly folderUuid: string;
  /** Data units (in any dataset) the item backs; `null` when Encord did not say. */
  readonly backedDataUnitsCount: number | null;
}

export interface FolderListOptions {
  readonly store: MetadataStore;
  readonly folderUuid: string;
  /** Items of every folder below too, with paths `sub/name`. @default false */
  readonly recursive?: boolean | undefined;
  readonly schema?: MetaSchema | undefined;
  readonly schemaKeysOnly?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Called after each page of the listing with the items read so far. */
  readonly onItems?: ((count: number) => void) | undefined;
}

export interface FolderListResult extends ListingView {
  readonly folderUuid: string;
  readonly folderName: string;
  readonly recursive: boolean;
  readonly keys: readonly string[];
  readonly specs: ReadonlyMap<string, FieldSpec>;
  readonly schemaForm: SchemaForm | 'given';
  /** Items in listing order (by name, folder by folder). */
  readonly units: readonly FolderUnit[];
  readonly unknownMetadata: number;
  readonly omittedKeys: readonly string[];
  readonly idColumns: ListIdColumns;
}

/** The id columns of a folder listing: item_uuid, name, path. */
export const FOLDER_ID_COLUMNS: ListIdColumns = {
  names: FOLDER_LIST_ID_COLUMNS,
  parquetTypes: ['VARCHAR', 'VARCHAR', 'VARCHAR'],
  cells: (unit) => {
    const u = unit as FolderUnit;
    return [u.backingItemUuid, u.title, u.path];
  },
  record: (unit) => {
    const u = unit as FolderUnit;
    return { item_uuid: u.backingItemUuid, name: u.title, path: u.path, item_type: u.dataType, backed_data_units: u.backedDataUnitsCount, metadata: u.metadata };
  },
};

/** Read every item of a folder (and of its subfolders with `recursive`) into folder units. */
export async function readFolderUnits(
  store: MetadataStore,
  folderUuid: string,
  options: { recursive?: boolean | undefined; signal?: AbortSignal | undefined; onItems?: ((count: number) => void) | undefined } = {},
): Promise<FolderUnit[]> {
  const folders = folderStoreOf(store);
  const units: FolderUnit[] = [];
  for await (const page of folders.listFolderItems(folderUuid, { recursive: options.recursive, signal: options.signal })) {
    for (const it of page.items) {
      units.push({
        index: units.length,
        dataHash: '',
        title: it.name,
        dataType: it.itemType ?? '',
        backingItemUuid: it.uuid,
        metadata: it.metadata,
        path: it.path,
        folderUuid: it.parent,
        backedDataUnitsCount: it.backedDataUnitsCount,
      });
    }
    options.onItems?.(units.length);
  }
  return units;
}

/** `list --folder UUID [--recursive]`: every item of a storage folder with its metadata. */
export async function runFolderList(options: FolderListOptions): Promise<FolderListResult> {
  const signal = options.signal ? { signal: options.signal } : {};
  const folders = folderStoreOf(options.store);
  // The folder first: an unknown folder fails with FOLDER_NOT_FOUND before the schema is read.
  const folder = await folders.getFolder(options.folderUuid, signal);
  const { schema, form } = await schemaFor(options, signal);
  const units = await readFolderUnits(options.store, options.folderUuid, options);
  const cols = columnsOf(schema, units, options.schemaKeysOnly);
  return {
    folderUuid: folder.uuid,
    folderName: folder.name,
    recursive: options.recursive === true,
    keys: cols.keys,
    specs: cols.specs,
    schemaForm: form,
    units,
    unknownMetadata: cols.unknownMetadata,
    omittedKeys: cols.omittedKeys,
    idColumns: FOLDER_ID_COLUMNS,
  };
}
