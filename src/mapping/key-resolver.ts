/**
 * Resolve a row's key cell to the data unit it targets: by index in the dataset's server order (Encord's
 * "data unit number"), data hash, title (file name), or storage item uuid. Built once per run from the
 * listing; each lookup is a Map hit.
 */
import type { DataUnit, DatasetListing } from '../encord/metadata-store.js';
import type { Cell } from '../sources/source.js';
import { MetaError } from '../errors.js';

export const KEY_KINDS = ['index', 'data_hash', 'title', 'item_uuid'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

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
    const found = DETECT_ORDER.find(([name, k]) => k === kind && columns.includes(name));
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
  // Built on first use: a 1M-unit dataset keyed by index needs neither.
  private hashes: Map<string, DataUnit> | undefined;
  private titles: Map<string, DataUnit | DataUnit[]> | undefined;
  private readonly byItem = new Map<string, DataUnit[]>();
  /** Per unit index: the index of the first unit sharing its storage item (itself when not shared). */
  private readonly canonical: Int32Array;

  constructor(private readonly listing: DatasetListing) {
    this.canonical = new Int32Array(listing.units.length);
    for (const unit of listing.units) {
      this.canonical[unit.index] = unit.index;
      if (unit.backingItemUuid) {
        const list = this.byItem.get(unit.backingItemUuid);
        if (list) {
          list.push(unit);
          this.canonical[unit.index] = list[0]!.index;
        } else this.byItem.set(unit.backingItemUuid, [unit]);
      }
    }
  }

  /** Data units in the listing (canonical indexes run from 0 to this, exclusive). */
  get unitCount(): number {
    return this.listing.units.length;
  }

  /** The unit that stands for this unit's write target (its item's first unit). */
  canonicalIndex(unit: DataUnit): number {
    return this.canonical[unit.index] ?? unit.index;
  }

  /** Whether other units of the dataset share this unit's write target (its storage item). */
  isShared(unit: DataUnit): boolean {
    if (this.sharedItems === undefined) {
      this.sharedItems = new Set();
      for (const [uuid, units] of this.byItem) if (units.length > 1) this.sharedItems.add(uuid);
    }
    return unit.backingItemUuid !== null && this.sharedItems.has(unit.backingItemUuid);
  }

  private sharedItems: Set<string> | undefined;

  private get byHash(): Map<string, DataUnit> {
    if (!this.hashes) {
      this.hashes = new Map();
      for (const unit of this.listing.units) this.hashes.set(unit.dataHash, unit);
    }
    return this.hashes;
  }

  private get byTitle(): Map<string, DataUnit | DataUnit[]> {
    if (!this.titles) {
      const titles = new Map<string, DataUnit | DataUnit[]>();
      for (const unit of this.listing.units) {
        const seen = titles.get(unit.title);
        if (seen === undefined) titles.set(unit.title, unit);
        else if (Array.isArray(seen)) seen.push(unit);
        else titles.set(unit.title, [seen, unit]);
      }
      this.titles = titles;
    }
    return this.titles;
  }

  /** Units that share this unit's storage item (itself included). */
  unitsOfItem(itemUuid: string): readonly DataUnit[] {
    return this.byItem.get(itemUuid) ?? [];
  }

  resolve(kind: KeyKind, cell: Cell): Resolution {
    const text = cellText(cell).trim();
    if (text === '') return fail('KEY_EMPTY', `the key cell is empty`);
    switch (kind) {
      case 'index': {
        if (!/^\d+$/.test(text)) return fail('KEY_INVALID', `expected a data unit index (a whole number from 0), got "${clip(text)}"`);
        const unit = this.listing.units[Number(text)];
        return unit
          ? { ok: true, units: [unit] }
          : fail('KEY_NOT_FOUND', `index ${text} is past the end of the dataset (it has ${this.listing.units.length} data units, 0 to ${this.listing.units.length - 1})`);
      }
      case 'data_hash': {
        const unit = this.byHash.get(text.toLowerCase()) ?? this.byHash.get(text);
        if (unit) return { ok: true, units: [unit] };
        if (!isEncordHash(text)) return fail('KEY_INVALID', `expected a data hash (a uuid such as 3fa85f64-5717-4562-b3fc-2c963f66afa6), got "${clip(text)}"`);
        return fail('KEY_NOT_FOUND', `no data unit with data hash "${clip(text)}" in this dataset`);
      }
      case 'title': {
        const found = this.byTitle.get(text);
        if (found === undefined) return fail('KEY_NOT_FOUND', `no data unit titled "${clip(text)}" in this dataset`);
        if (Array.isArray(found)) {
          return fail('KEY_AMBIGUOUS_TITLE', `${found.length} data units are titled "${clip(text)}"; use data_hash or index to say which`);
        }
        return { ok: true, units: [found] };
      }
      case 'item_uuid': {
        const units = this.byItem.get(text.toLowerCase()) ?? this.byItem.get(text);
        if (units) return { ok: true, units };
        if (!isEncordHash(text)) return fail('KEY_INVALID', `expected a storage item uuid (such as 3fa85f64-5717-4562-b3fc-2c963f66afa6), got "${clip(text)}"`);
        return fail('KEY_NOT_FOUND', `no data unit of this dataset is backed by storage item "${clip(text)}"`);
      }
    }
  }
}

/**
 * Whether `text` is shaped like an Encord hash: data hashes, dataset hashes and storage item uuids are uuids
 * (`8-4-4-4-12` hexadecimal, any case; the 32 digits without dashes are taken too). A key cell that matches
 * a unit as written always resolves; this only decides between `KEY_INVALID` and `KEY_NOT_FOUND`.
 */
export function isEncordHash(text: string): boolean {
  return ENCORD_HASH.test(text);
}

const ENCORD_HASH = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;

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
