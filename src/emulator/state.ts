/**
 * The emulator's data: storage folders and items, datasets whose rows point at items, and the
 * organisation schemas. Routes and the test facade change it only through these methods, so every change
 * marks the state dirty for persistence.
 */
import type { Metadata, WireTypedSchema } from '../encord/protocol/types.js';
import {
  EMPTY_METADATA,
  type DatasetRecord,
  type FolderRecord,
  type ItemRecord,
  type MediaKind,
  type RowRecord,
} from './model.js';
import type { Rng } from './rng.js';

/** One data unit to create (tests, `startEmulator({datasets})`). */
export interface RowSeed {
  /** @default a random uuid */
  readonly dataHash?: string;
  /**
   * Title of the row; for a backed row this is its item's name, so it is ignored when the row reuses an
   * existing item (both rows then show that item's name). @default `item-<n>.jpg`-style name
   */
  readonly title?: string;
  /** v1 data type: IMAGE, VIDEO, IMG_GROUP, DICOM, AUDIO, PDF, PLAIN_TEXT, NIFTI. @default 'IMAGE' */
  readonly dataType?: string;
  /** Initial metadata (of the backing item, or of the row itself when legacy). @default {} */
  readonly metadata?: Metadata;
  /**
   * Backing item: absent creates a new item with a random uuid; a uuid creates that item, or reuses it
   * when it already exists (so two rows share one item); `null` makes a legacy row with no item.
   */
  readonly backingItemUuid?: string | null;
  /** ISO time. @default now */
  readonly createdAt?: string;
}

export interface DatasetSeed {
  /** @default a random uuid */
  readonly hash?: string;
  /** @default 'Emulator dataset <n>' */
  readonly title?: string;
  readonly description?: string;
  /** Uuid of the backing folder (created when absent). @default a random uuid */
  readonly folderUuid?: string;
  /** Explicit rows, in order. */
  readonly rows?: readonly RowSeed[];
  /** Generate this many realistic rows (after `rows`), deterministic from the emulator seed. */
  readonly generate?: number;
}

/** What a seeded dataset looks like to a test. */
export interface DatasetSummary {
  readonly hash: string;
  readonly title: string;
  readonly folderUuid: string | null;
  readonly rows: number;
}

/** What a storage folder looks like to a test and in `emulator --json`. */
export interface FolderSummary {
  readonly uuid: string;
  readonly name: string;
  readonly parent: string | null;
  /** Items directly in the folder (not in its subfolders). */
  readonly items: number;
  /** The dataset this folder backs, if any. */
  readonly syncedDatasetHash: string | null;
}

export interface SimpleSchemaRecord {
  readonly uuid: string;
  readonly schema: Record<string, string>;
  readonly createdAt: number;
  updatedAt: number;
}

export interface ListingFilter {
  readonly order: 'name' | 'createdAt';
  readonly desc: boolean;
  readonly search: string | null;
  readonly itemTypes: readonly string[];
  readonly isInDataset: boolean | null;
  /** Items of every folder below too (`isRecursive=True`). @default false */
  readonly recursive?: boolean;
  /** Folders whose items are left out (and not descended into): the key has no access to them. */
  readonly hidden?: ReadonlySet<string>;
}

interface ListingCache {
  readonly key: string;
  readonly version: number;
  readonly items: ItemRecord[];
}

export class StateStore {
  readonly datasets = new Map<string, DatasetRecord>();
  readonly items = new Map<string, ItemRecord>();
  readonly folders = new Map<string, FolderRecord>();
  typedSchema: WireTypedSchema | null = null;
  simpleSchema: SimpleSchemaRecord | null = null;
  /** Called after every change (persistence schedules a flush). */
  onChange: () => void = () => {};
  readonly #rng: Rng;
  readonly #clock: () => number;
  readonly #listingCaches = new Map<string, ListingCache[]>();

  constructor(rng: Rng, clock: () => number) {
    this.#rng = rng;
    this.#clock = clock;
  }

  get rng(): Rng {
    return this.#rng;
  }

  /** A random uuid not yet used by any dataset, item, folder or row in this store. */
  freshUuid(): string {
    for (;;) {
      const u = this.#rng.uuid();
      if (!this.items.has(u) && !this.folders.has(u) && !this.datasets.has(u)) return u;
    }
  }

  now(): number {
    return this.#clock();
  }

  isEmpty(): boolean {
    return this.datasets.size === 0 && this.items.size === 0 && this.folders.size === 0;
  }

  changed(): void {
    this.onChange();
  }

  createFolder(init: { uuid?: string; name: string; description?: string; parent?: string | null; createdAt?: number }): FolderRecord {
    const uuid = init.uuid ?? this.freshUuid();
    if (this.folders.has(uuid)) throw new Error(`Folder ${uuid} already exists`);
    const at = init.createdAt ?? this.now();
    const folder: FolderRecord = {
      uuid,
      parent: init.parent ?? null,
      name: init.name,
      description: init.description ?? '',
      metadata: null,
      createdAt: at,
      lastEditedAt: at,
      syncedDatasetHash: null,
      items: [],
      version: 0,
    };
    this.folders.set(uuid, folder);
    return folder;
  }

  createItem(init: {
    uuid?: string;
    folder: FolderRecord;
    name: string;
    kind: MediaKind;
    fileSize?: number | null;
    metadata?: Metadata;
    createdAt?: number;
    description?: string;
  }): ItemRecord {
    const uuid = init.uuid ?? this.freshUuid();
    if (this.items.has(uuid)) throw new Error(`Item ${uuid} already exists`);
    const at = init.createdAt ?? this.now();
    const item: ItemRecord = {
      uuid,
      parent: init.folder.uuid,
      name: init.name,
      description: init.description ?? '',
      kind: init.kind,
      fileSize: init.fileSize ?? null,
      createdAt: at,
      lastEditedAt: at,
      metadata: init.metadata ?? EMPTY_METADATA,
      backed: 0,
    };
    this.items.set(uuid, item);
    init.folder.items.push(item);
    init.folder.version += 1;
    return item;
  }

  createDataset(init: { hash?: string; title: string; description?: string; folder: FolderRecord | null; createdAt?: number }): DatasetRecord {
    const hash = init.hash ?? this.freshUuid();
    if (this.datasets.has(hash)) throw new Error(`Dataset ${hash} already exists`);
    const at = init.createdAt ?? this.now();
    const dataset: DatasetRecord = {
      hash,
      title: init.title,
      description: init.description ?? '',
      datasetType: 'CORD_STORAGE',
      folderUuid: init.folder?.uuid ?? null,
      createdAt: at,
      lastEditedAt: at,
      rows: [],
      byHash: new Map(),
    };
    if (init.folder !== null) init.folder.syncedDatasetHash = hash;
    this.datasets.set(hash, dataset);
    return dataset;
  }

  /** Append a row; a backed row bumps its item's `backedDataUnitsCount`. */
  addRow(dataset: DatasetRecord, row: RowRecord): void {
    if (dataset.byHash.has(row.dataHash)) throw new Error(`Data hash ${row.dataHash} already in dataset ${dataset.hash}`);
    dataset.rows.push(row);
    dataset.byHash.set(row.dataHash, row);
    if (row.item !== null) {
      row.item.backed += 1;
      const folder = this.folders.get(row.item.parent);
      if (folder !== undefined) folder.version += 1;
    }
  }

  /** Store the item's metadata as given (the write mode was applied by the caller). */
  setItemMetadata(item: ItemRecord, metadata: Metadata): void {
    item.metadata = metadata;
    item.lastEditedAt = this.now();
    this.changed();
  }

  setRowMetadata(row: RowRecord, metadata: Metadata): void {
    if (row.item !== null) {
      this.setItemMetadata(row.item, metadata);
      return;
    }
    row.own!.metadata = metadata;
    row.own!.lastEditedAt = this.now();
    this.changed();
  }

  /** Rename an item: every row it backs shows the new title. */
  renameItem(item: ItemRecord, name: string): void {
    item.name = name;
    item.lastEditedAt = this.now();
    const folder = this.folders.get(item.parent);
    if (folder !== undefined) folder.version += 1;
    this.changed();
  }

  setItemDescription(item: ItemRecord, description: string): void {
    item.description = description;
    item.lastEditedAt = this.now();
    this.changed();
  }

  setRowTitle(row: RowRecord, title: string): void {
    if (row.item !== null) {
      this.renameItem(row.item, title);
      return;
    }
    row.own!.title = title;
    row.own!.lastEditedAt = this.now();
    this.changed();
  }

  setTypedSchema(schema: WireTypedSchema | null): void {
    this.typedSchema = schema;
    this.changed();
  }

  setSimpleSchema(schema: Record<string, string> | null): void {
    if (schema === null) {
      this.simpleSchema = null;
    } else {
      const at = this.now();
      this.simpleSchema = {
        uuid: this.simpleSchema?.uuid ?? this.#rng.uuid(),
        schema,
        createdAt: this.simpleSchema?.createdAt ?? at,
        updatedAt: at,
      };
    }
    this.changed();
  }

  /** Direct subfolders of `parent` (`null`: the top level), in creation order. */
  childFolders(parent: string | null): FolderRecord[] {
    const out: FolderRecord[] = [];
    for (const f of this.folders.values()) if (f.parent === parent) out.push(f);
    return out;
  }

  /** Every folder below `folder` (depth first, parents before children), skipping `hidden` subtrees. */
  descendants(folder: FolderRecord, hidden?: ReadonlySet<string>): FolderRecord[] {
    const byParent = new Map<string, FolderRecord[]>();
    for (const f of this.folders.values()) {
      if (f.parent === null) continue;
      const list = byParent.get(f.parent);
      if (list === undefined) byParent.set(f.parent, [f]);
      else list.push(f);
    }
    const out: FolderRecord[] = [];
    const seen = new Set<string>([folder.uuid]);
    const walk = (f: FolderRecord): void => {
      for (const child of byParent.get(f.uuid) ?? []) {
        if (seen.has(child.uuid) || hidden?.has(child.uuid.toLowerCase()) === true) continue;
        seen.add(child.uuid);
        out.push(child);
        walk(child);
      }
    };
    walk(folder);
    return out;
  }

  /**
   * Items of a folder, filtered and sorted for v2 listing. Cached per folder and filter until the folder's
   * item set or names change, so paging through a million items sorts once, not once per page.
   */
  listing(folder: FolderRecord, filter: ListingFilter): ItemRecord[] {
    const key = listingKey(filter);
    const tree = filter.recursive === true ? [folder, ...this.descendants(folder, filter.hidden)] : [folder];
    // A recursive listing depends on every folder of the subtree (and on which folders it holds).
    const version = filter.recursive === true ? tree.reduce((n, f) => n + f.version, 0) * 1009 + tree.length : folder.version;
    const caches = this.#listingCaches.get(folder.uuid) ?? [];
    const hit = caches.find((c) => c.key === key && c.version === version);
    if (hit !== undefined) return hit.items;
    const search = filter.search?.toLowerCase() ?? null;
    const types = filter.itemTypes.length > 0 ? new Set(filter.itemTypes) : null;
    const all = tree.length === 1 ? folder.items : tree.flatMap((f) => f.items);
    const items = all.filter(
      (it) =>
        (search === null || it.name.toLowerCase().includes(search)) &&
        (types === null || types.has(it.kind.itemType)) &&
        (filter.isInDataset === null || filter.isInDataset === it.backed > 0),
    );
    const cmp = listingComparator(filter);
    items.sort(cmp);
    const kept = caches.filter((c) => c.key !== key).slice(-3);
    kept.push({ key, version, items });
    this.#listingCaches.set(folder.uuid, kept);
    return items;
  }
}

export function listingKey(filter: ListingFilter): string {
  return JSON.stringify([filter.order, filter.desc, filter.search, filter.itemTypes, filter.isInDataset, filter.recursive === true]);
}

/** Sort key of an item for a listing order. */
export function sortKey(item: ItemRecord, order: 'name' | 'createdAt'): string | number {
  return order === 'name' ? item.name : item.createdAt;
}

/** Compare (key, uuid) pairs: key first, uuid breaks ties; `desc` reverses both. */
export function compareKeys(
  ka: string | number,
  ua: string,
  kb: string | number,
  ub: string,
  desc: boolean,
): number {
  let c = ka < kb ? -1 : ka > kb ? 1 : 0;
  if (c === 0) c = ua < ub ? -1 : ua > ub ? 1 : 0;
  return desc ? -c : c;
}

function listingComparator(filter: ListingFilter): (a: ItemRecord, b: ItemRecord) => number {
  const { order, desc } = filter;
  return (a, b) => compareKeys(sortKey(a, order), a.uuid, sortKey(b, order), b.uuid, desc);
}
