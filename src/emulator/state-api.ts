/**
 * `emulator.state`: what tests see of the emulator's data. Reads return copies (a test cannot change the
 * state by mutating a result); writes go through the store so they persist like API writes.
 */
import type { Metadata, WireTypedSchema } from '../encord/protocol/types.js';
import { MetaError } from '../errors.js';
import { cloneMetadata, kindById, rowKind, rowMetadata, rowTitle, type DatasetRecord, type ItemRecord, type RowRecord } from './model.js';
import { seedDataset } from './seed.js';
import type { DatasetSeed, DatasetSummary, FolderSummary, StateStore } from './state.js';

export interface RowView {
  /** Position in server order (the "data unit number"). */
  readonly index: number;
  readonly dataHash: string;
  readonly title: string;
  readonly dataType: string;
  readonly backingItemUuid: string | null;
  readonly metadata: Metadata;
}

export interface ItemView {
  readonly uuid: string;
  readonly parent: string;
  readonly name: string;
  readonly itemType: string;
  readonly metadata: Metadata;
  readonly backedDataUnitsCount: number;
}

export interface DatasetView extends DatasetSummary {
  readonly description: string;
  readonly rowList: readonly RowView[];
}

export interface StateSnapshot {
  readonly datasets: readonly DatasetView[];
  readonly items: readonly ItemView[];
  readonly typedSchema: WireTypedSchema | null;
  readonly simpleSchema: Record<string, string> | null;
}

function rowView(row: RowRecord, index: number): RowView {
  return {
    index,
    dataHash: row.dataHash,
    title: rowTitle(row),
    dataType: rowKind(row).dataType,
    backingItemUuid: row.item?.uuid ?? null,
    metadata: cloneMetadata(rowMetadata(row)),
  };
}

function itemView(item: ItemRecord): ItemView {
  return {
    uuid: item.uuid,
    parent: item.parent,
    name: item.name,
    itemType: item.kind.itemType,
    metadata: cloneMetadata(item.metadata),
    backedDataUnitsCount: item.backed,
  };
}

function checkMetadataArg(metadata: unknown): Metadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new MetaError('USAGE_OPTION', 'Expected metadata to be a JSON object');
  }
  return structuredClone(metadata) as Metadata;
}

export class EmulatorStateApi {
  readonly #store: StateStore;

  constructor(store: StateStore) {
    this.#store = store;
  }

  #dataset(hash: string): DatasetRecord {
    const ds = this.#store.datasets.get(hash);
    if (ds === undefined) throw new MetaError('EMULATOR_NOT_FOUND', `No dataset ${hash} in the emulator`);
    return ds;
  }

  #row(hash: string, dataHash: string): RowRecord {
    const row = this.#dataset(hash).byHash.get(dataHash);
    if (row === undefined) throw new MetaError('EMULATOR_NOT_FOUND', `No data row ${dataHash} in dataset ${hash}`);
    return row;
  }

  #item(uuid: string): ItemRecord {
    const item = this.#store.items.get(uuid);
    if (item === undefined) throw new MetaError('EMULATOR_NOT_FOUND', `No storage item ${uuid} in the emulator`);
    return item;
  }

  /** Every dataset, in creation order. */
  datasets(): DatasetSummary[] {
    return [...this.#store.datasets.values()].map((d) => ({
      hash: d.hash,
      title: d.title,
      folderUuid: d.folderUuid,
      rows: d.rows.length,
    }));
  }

  /** Every storage folder, in creation order (parents before children), with its own item count. */
  folders(): FolderSummary[] {
    return [...this.#store.folders.values()].map((f) => ({
      uuid: f.uuid,
      name: f.name,
      parent: f.parent,
      items: f.items.length,
      syncedDatasetHash: f.syncedDatasetHash,
    }));
  }

  /**
   * Create a folder (test setup), under `parent` when given, with `items` (name, metadata) in it.
   * Returns the folder's uuid and the items' uuids in order.
   */
  createFolder(init: {
    readonly uuid?: string;
    readonly name: string;
    readonly parent?: string | null;
    readonly items?: readonly { readonly uuid?: string; readonly name: string; readonly metadata?: Metadata }[];
  }): { uuid: string; items: string[] } {
    if (init.parent != null && !this.#store.folders.has(init.parent)) throw new MetaError('EMULATOR_NOT_FOUND', `No folder ${init.parent} in the emulator`);
    const folder = this.#store.createFolder({ ...(init.uuid !== undefined && { uuid: init.uuid }), name: init.name, parent: init.parent ?? null });
    const kind = kindById('image-jpg-1080')!;
    const items = (init.items ?? []).map(
      (it) =>
        this.#store.createItem({
          ...(it.uuid !== undefined && { uuid: it.uuid }),
          folder,
          name: it.name,
          kind,
          fileSize: 1024,
          ...(it.metadata !== undefined && { metadata: checkMetadataArg(it.metadata) }),
        }).uuid,
    );
    this.#store.changed();
    return { uuid: folder.uuid, items };
  }

  dataset(hash: string): DatasetView {
    const d = this.#dataset(hash);
    return {
      hash: d.hash,
      title: d.title,
      description: d.description,
      folderUuid: d.folderUuid,
      rows: d.rows.length,
      rowList: d.rows.map(rowView),
    };
  }

  /** Rows of a dataset in server order, with their current metadata. */
  rows(hash: string): RowView[] {
    return this.#dataset(hash).rows.map(rowView);
  }

  row(hash: string, dataHash: string): RowView {
    const ds = this.#dataset(hash);
    const row = this.#row(hash, dataHash);
    return rowView(row, ds.rows.indexOf(row));
  }

  rowMetadata(hash: string, dataHash: string): Metadata {
    return cloneMetadata(rowMetadata(this.#row(hash, dataHash)));
  }

  /** Set a row's metadata directly (test setup); a backed row's item changes too. */
  setRowMetadata(hash: string, dataHash: string, metadata: Metadata): void {
    this.#store.setRowMetadata(this.#row(hash, dataHash), checkMetadataArg(metadata));
  }

  item(uuid: string): ItemView {
    return itemView(this.#item(uuid));
  }

  itemMetadata(uuid: string): Metadata {
    return cloneMetadata(this.#item(uuid).metadata);
  }

  setItemMetadata(uuid: string, metadata: Metadata): void {
    this.#store.setItemMetadata(this.#item(uuid), checkMetadataArg(metadata));
  }

  /** Create datasets (with shared items and legacy rows as described by each seed). */
  seedDatasets(seeds: readonly DatasetSeed[]): DatasetSummary[] {
    const start = this.#store.datasets.size;
    return seeds.map((seed, i) => seedDataset(this.#store, seed, start + i + 1));
  }

  typedSchema(): WireTypedSchema | null {
    return this.#store.typedSchema === null ? null : structuredClone(this.#store.typedSchema);
  }

  setTypedSchema(schema: WireTypedSchema | null): void {
    this.#store.setTypedSchema(schema === null ? null : structuredClone(schema));
  }

  simpleSchema(): Record<string, string> | null {
    return this.#store.simpleSchema === null ? null : { ...this.#store.simpleSchema.schema };
  }

  setSimpleSchema(schema: Record<string, string> | null): void {
    this.#store.setSimpleSchema(schema === null ? null : { ...schema });
  }

  /** A deep, plain copy of everything (for assertions; avoid on million-row states). */
  snapshot(): StateSnapshot {
    return {
      datasets: [...this.#store.datasets.keys()].map((h) => this.dataset(h)),
      items: [...this.#store.items.values()].map(itemView),
      typedSchema: this.typedSchema(),
      simpleSchema: this.simpleSchema(),
    };
  }
}
