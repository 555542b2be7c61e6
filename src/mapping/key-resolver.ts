/**
 * Resolve a row's key cell to the data unit it targets: by index in the dataset's server order (Encord's
 * "data unit number"), data hash, title (file name), or storage item uuid. Works over the run's
 * `DatasetIndex` (dataset-index.ts): each lookup is a probe of a typed-array hash table.
 */
import type { DataUnit, DatasetListing } from '../encord/metadata-store.js';
import type { Cell } from '../sources/source.js';
import { MetaError } from '../errors.js';
import { DatasetIndex } from './dataset-index.js';

import { isEncordHash, type KeyKind } from './mapping-options.js';

export { KEY_KINDS, isEncordHash, type KeyKind } from './mapping-options.js';

/** Column names that identify a unit (and are never imported as metadata unless mapped explicitly). */
export const ID_COLUMNS: Readonly<Record<string, KeyKind | 'info'>> = {
  index: 'index',
  data_hash: 'data_hash',
  title: 'title',
  item_uuid: 'item_uuid',
  backing_item_uuid: 'item_uuid',
  data_type: 'info',
};

/** Row-level mapping failure codes. */
export const MAPPING_CODES = {
  KEY_EMPTY: 'KEY_EMPTY',
  KEY_INVALID: 'KEY_INVALID',
  KEY_NOT_FOUND: 'KEY_NOT_FOUND',
  KEY_AMBIGUOUS_TITLE: 'KEY_AMBIGUOUS_TITLE',
  KEY_AMBIGUOUS: 'KEY_AMBIGUOUS',
  DUPLICATE_TARGET: 'DUPLICATE_TARGET',
  SHARED_ITEM_CONFLICT: 'SHARED_ITEM_CONFLICT',
} as const;
export type MappingCode = keyof typeof MAPPING_CODES;

/** When several id columns exist, the most specific wins: a hash never changes, an index can. */
const DETECT_ORDER: readonly [string, KeyKind][] = [
  ['data_hash', 'data_hash'],
  ['item_uuid', 'item_uuid'],
  ['backing_item_uuid', 'item_uuid'],
  ['title', 'title'],
  ['index', 'index'],
];

export interface KeyChoice {
  readonly kind: KeyKind;
  readonly column: string;
}

/** Pick the key column: explicit options first, else a column named like a key kind. */
export function chooseKey(columns: readonly string[], kind?: KeyKind, column?: string): KeyChoice {
  if (column !== undefined) {
    if (!columns.includes(column)) {
      throw new MetaError('USAGE_KEY_COLUMN', `--key-column "${column}" is not a column of the file (columns: ${columns.join(', ')})`);
    }
    const detected = Object.hasOwn(ID_COLUMNS, column) ? ID_COLUMNS[column] : undefined;
    const k = kind ?? (detected && detected !== 'info' ? detected : undefined);
    if (!k) throw new MetaError('USAGE_KEY_COLUMN', `say what "${column}" holds with --key index|data_hash|title|item_uuid`);
    return { kind: k, column };
  }
  if (kind !== undefined) {
    // `name` and `path` are never detected (a dataset's file may hold metadata by those names): only asked for.
    const named = (kind === 'name' || kind === 'path') && columns.includes(kind) ? ([kind, kind] as const) : undefined;
    const found = named ?? DETECT_ORDER.find(([name, k]) => k === kind && columns.includes(name));
    if (!found) {
      throw new MetaError('USAGE_KEY_COLUMN', `--key ${kind} needs a column named ${kind}, or --key-column NAME`);
    }
    return { kind, column: found[0] };
  }
  const found = DETECT_ORDER.find(([name]) => columns.includes(name));
  if (!found) {
    throw new MetaError(
      'USAGE_KEY_COLUMN',
      `no key column: name one of the columns index, data_hash, title or item_uuid, or pass --key-column NAME --key KIND (columns: ${columns.slice(0, 20).join(', ')})`,
    );
  }
  return { kind: found[1], column: found[0] };
}

export type Resolution =
  | { readonly ok: true; readonly units: readonly DataUnit[] }
  | { readonly ok: false; readonly code: MappingCode; readonly message: string };

export class KeyResolver {
  /** The dataset's or folder's index; `null` for a run on storage items by uuid (nothing listed). */
  readonly index: DatasetIndex | null;

  /** Over an index (an import), a listing in memory (indexed here), or nothing (`--key item_uuid` alone). */
  constructor(source: DatasetIndex | DatasetListing | null) {
    this.index = source === null || source instanceof DatasetIndex ? source : DatasetIndex.fromListing(source);
  }

  /** Units in the index (canonical indexes run from 0 to this, exclusive). */
  get unitCount(): number {
    return this.index?.unitCount ?? 0;
  }

  /** The unit that stands for this unit's write target (its item's first unit); -1 without an index. */
  canonicalIndex(unit: DataUnit): number {
    return this.index === null ? -1 : this.index.canonical(unit.index);
  }

  /** Whether other units of the dataset share this unit's write target (its storage item). */
  isShared(unit: DataUnit): boolean {
    return this.index !== null && this.index.isShared(unit.index);
  }

  resolve(kind: KeyKind, cell: Cell): Resolution {
    const raw = cellText(cell);
    const text = raw.trim();
    if (text === '') return fail('KEY_EMPTY', `the key cell is empty`);
    const index = this.index;
    if (index === null) return resolveItemUuid(kind, text);
    const n = index.unitCount;
    // A cell that names a unit exactly is that unit: a title (a file name) may begin or end with a blank, and a
    // hash that is not a uuid keeps its case. Trimming and case folding only find a unit no cell names exactly;
    // done first, they would send "a.jpg " to the unit titled "a.jpg".
    switch (kind) {
      case 'index': {
        if (!/^\d+$/.test(text)) return fail('KEY_INVALID', `expected a data unit index (a whole number from 0), got "${clip(text)}"`);
        const i = Number(text);
        return i < n ? { ok: true, units: [index.unit(i)] } : fail('KEY_NOT_FOUND', `index ${text} is past the end of the dataset (it has ${n} data units, 0 to ${n - 1})`);
      }
      case 'data_hash': {
        let i = index.findHash(text);
        if (i < 0) i = index.findHash(text.toLowerCase());
        if (i >= 0) return { ok: true, units: [index.unit(i)] };
        if (!isEncordHash(text)) return fail('KEY_INVALID', `expected a data hash (a uuid such as 3fa85f64-5717-4562-b3fc-2c963f66afa6), got "${clip(text)}"`);
        return fail('KEY_NOT_FOUND', `no data unit with data hash "${clip(text)}" in this dataset`);
      }
      case 'title': {
        let found = index.findTitle(raw);
        if (found.length === 0 && raw !== text) found = index.findTitle(text);
        if (found.length === 0) return fail('KEY_NOT_FOUND', `no data unit titled "${clip(text)}" in this dataset`);
        if (found.length > 1) {
          return fail('KEY_AMBIGUOUS_TITLE', `${found.length} data units are titled "${clip(text)}"; use data_hash or index to say which`);
        }
        return { ok: true, units: [index.unit(found[0]!)] };
      }
      case 'item_uuid': {
        let first = index.findItem(text);
        if (first < 0) first = index.findItem(text.toLowerCase());
        if (first >= 0) return { ok: true, units: index.unitsOfItemOf(first).map((i) => index.unit(i)) };
        if (!isEncordHash(text)) return fail('KEY_INVALID', `expected a storage item uuid (such as 3fa85f64-5717-4562-b3fc-2c963f66afa6), got "${clip(text)}"`);
        return fail('KEY_NOT_FOUND', `no data unit of this dataset is backed by storage item "${clip(text)}"`);
      }
      case 'name':
      case 'path': {
        let found = index.findTitle(raw);
        if (found.length === 0 && raw !== text) found = index.findTitle(text);
        if (found.length === 0) return fail('KEY_NOT_FOUND', `no storage item with ${kind} "${clip(text)}" in this folder`);
        if (found.length > 1) return fail('KEY_AMBIGUOUS', `${found.length} storage items have the ${kind} "${clip(text)}"; use item_uuid (or --recursive --key path) to say which`);
        return { ok: true, units: [index.unit(found[0]!)] };
      }
    }
  }
}

/**
 * A run on storage items by uuid with nothing listed: a well-formed uuid names its item (whether it exists
 * is learnt when the writer reads it); the unit stands for the item alone.
 */
function resolveItemUuid(kind: KeyKind, text: string): Resolution {
  if (kind !== 'item_uuid') return fail('KEY_INVALID', `only item_uuid keys work without --dataset or --folder, got --key ${kind}`);
  const uuid = text.toLowerCase();
  if (!ITEM_UUID.test(uuid)) return fail('KEY_INVALID', `expected a storage item uuid (such as 3fa85f64-5717-4562-b3fc-2c963f66afa6), got "${clip(text)}"`);
  return { ok: true, units: [{ index: -1, dataHash: uuid, title: uuid, dataType: '', backingItemUuid: uuid, metadata: null }] };
}

const ITEM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The write target of a unit: its storage item when it has one (shared by every unit it backs). */
export function targetOf(unit: DataUnit): string {
  return unit.backingItemUuid ?? `row:${unit.dataHash}`;
}

export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'string') return cell;
  if (Array.isArray(cell)) return JSON.stringify(cell, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(cell);
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function fail(code: MappingCode, message: string): Resolution {
  return { ok: false, code, message };
}
