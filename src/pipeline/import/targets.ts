/**
 * What an import writes to, and how its rows are counted per write target before the first write.
 *
 *   dataset  `--dataset H`: the dataset listed into an index (mapping/dataset-index.ts);
 *   folder   `--folder F [--recursive]`: the folder's items listed page by page into the same index, named
 *            by `name`, `path` (relative to F) or `item_uuid`;
 *   items    `--key item_uuid` alone: nothing listed; every item is read fresh (get-bulk) by the writer.
 */
import { DatasetIndex, type IndexSpec } from '../../mapping/dataset-index.js';
import { murmur3 } from '../../mapping/fingerprint.js';
import type { KeyChoice } from '../../mapping/key-resolver.js';
import type { DataUnit } from '../../encord/metadata-store.js';
import { folderStoreOf } from '../../encord/metadata-store.js';
import type { RunBase, RunTarget } from './state.js';

export type { RunTarget } from './state.js';

export function targetOf(opts: { datasetHash?: string | undefined; folderUuid?: string | undefined; recursive?: boolean | undefined }): RunTarget {
  if (opts.datasetHash) return { kind: 'dataset', datasetHash: opts.datasetHash };
  if (opts.folderUuid) return { kind: 'folder', folderUuid: opts.folderUuid, recursive: opts.recursive === true };
  return { kind: 'items' };
}

/** List the run's target into an index (`null` for items by uuid: nothing to list). */
export async function listTarget(base: RunBase, key: KeyChoice, spec: IndexSpec): Promise<DatasetIndex | null> {
  const { opts, target, store } = base;
  if (target.kind === 'dataset') return (await DatasetIndex.list(store, target.datasetHash, spec, opts.signal)).index;
  if (target.kind === 'items') return null;
  const folders = folderStoreOf(store);
  const index = new DatasetIndex({ ...spec, backed: true });
  let i = 0;
  for await (const page of folders.listFolderItems(target.folderUuid, { recursive: target.recursive, signal: opts.signal })) {
    for (const item of page.items) {
      // An item is its own write target; `title` holds what rows name it by (its name, or its path).
      const title = key.kind === 'path' ? item.path : item.name;
      index.add({ index: i, dataHash: item.uuid, title, dataType: item.itemType ?? '', backingItemUuid: item.uuid, metadata: item.metadata }, item.backedDataUnitsCount);
      i += 1;
    }
  }
  index.compact();
  return index;
}

/**
 * Rows per write target, from the planning pass. Over an index: a byte per target (saturating at 255).
 * Without one (items by uuid), in bounded memory: each row's item uuid as a 64-bit hash (two MurmurHash3
 * seeds), in 256 buckets sorted at the end of the pass; only hashes seen twice are kept after. That is 8
 * bytes per resolved row during the pass (40 MB for 5M rows), a few bytes per duplicate after. Two uuids
 * with one hash would make both rows fail as duplicates: refused, never a wrong write.
 */
export interface TargetCounts {
  note(unit: DataUnit, canonical: number): void;
  /** After the pass: rows naming this target. */
  rowsFor(unit: DataUnit, canonical: number): number;
  /** Targets named more than once, with their row counts (after `seal`). */
  repeated(): Iterable<[number | bigint, number]>;
  seal(): void;
}

export function targetCounts(units: number | null): TargetCounts {
  return units === null ? new UuidCounts() : new IndexCounts(units);
}

class IndexCounts implements TargetCounts {
  private readonly rows: Uint8Array;
  constructor(units: number) {
    this.rows = new Uint8Array(units);
  }
  note(_unit: DataUnit, canonical: number): void {
    if (this.rows[canonical]! < 255) this.rows[canonical]! += 1;
  }
  rowsFor(_unit: DataUnit, canonical: number): number {
    return this.rows[canonical]!;
  }
  *repeated(): Iterable<[number, number]> {
    for (let i = 0; i < this.rows.length; i += 1) if (this.rows[i]! > 1) yield [i, this.rows[i]!];
  }
  seal(): void {}
}

export function uuidHash(uuid: string): bigint {
  return (BigInt(murmur3(uuid, 0x2f0b3c9d)) << 32n) | BigInt(murmur3(uuid, 0x9e3779b9));
}

class UuidCounts implements TargetCounts {
  private buckets: { data: BigUint64Array; size: number }[] = Array.from({ length: 256 }, () => ({ data: new BigUint64Array(64), size: 0 }));
  private dups = new Map<bigint, number>();
  note(unit: DataUnit): void {
    const h = uuidHash(unit.backingItemUuid!);
    const b = this.buckets[Number(h >> 56n)]!;
    if (b.size === b.data.length) {
      const next = new BigUint64Array(Math.ceil(b.data.length * 1.5));
      next.set(b.data);
      b.data = next;
    }
    b.data[b.size] = h;
    b.size += 1;
  }
  seal(): void {
    for (const b of this.buckets) {
      const sorted = b.data.subarray(0, b.size).sort();
      for (let i = 1; i < sorted.length; i += 1) {
        if (sorted[i] === sorted[i - 1]) this.dups.set(sorted[i]!, (this.dups.get(sorted[i]!) ?? 1) + 1);
      }
    }
    this.buckets = [];
  }
  rowsFor(unit: DataUnit): number {
    return this.dups.get(uuidHash(unit.backingItemUuid!)) ?? 1;
  }
  repeated(): Iterable<[bigint, number]> {
    return this.dups;
  }
}
