/**
 * A dataset's listing as an index, not a copy (issue 10 §2): per data unit only what key resolution and
 * "would this row change?" need, in typed arrays, filled while the listing streams in.
 *
 * Per unit: its data hash and storage item as 16 binary bytes (uuid text that is not lower-case
 * `8-4-4-4-12` is kept as text on the side, so every hash prints back exactly as Encord sent it), its
 * title as UTF-8 in one buffer, its data type as a small code, and a 64-bit fingerprint of its current
 * values for the file's keys (fingerprint.ts). Metadata itself is not held: the writer reads it fresh
 * before every write, the dry run's diff preview reads its few units fresh. Only when the file needs a
 * unit's listed values to read a cell (unknown-key columns, a `list` export's cells) are those keys' values
 * kept, as JSON text.
 *
 * Lookups are open-addressing tables of unit indexes: by storage item (built while streaming: it gives
 * every unit the first unit of its item, the write target), by data hash and by title (built on first use).
 * Bytes per unit at 1M units, roughly: 16 hash + 16 item + title + 8 fingerprint + 4+4 item chain + 8 item
 * table + 2 = ~60 + title.
 */
import type { DataUnit, DatasetListing, MetadataStore } from '../encord/metadata-store.js';
import type { Metadata } from '../encord/protocol/types.js';
import { metadataFingerprint, type Fingerprint64, type FingerprintSpec } from './fingerprint.js';

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EMPTY = -1;
const FLAG_KNOWN = 1; // metadata listed (not `null`: unknown)
const FLAG_ITEM = 2; // backed by a storage item

/** What the index keeps of a listing besides identity: the fingerprint spec and the keys whose values a cell needs. */
export interface IndexSpec extends FingerprintSpec {
  /** Keys whose listed values are kept (unknown-key cells, a list export's cells). */
  readonly keep: readonly string[];
  /** Keep each unit's `backedDataUnitsCount` (a folder's items). @default false */
  readonly backed?: boolean | undefined;
}

/** uuid text → 16 bytes at `out[at]`; false when `text` is not a lower-case canonical uuid. */
export function uuidBytes(text: string, out: Uint8Array, at: number): boolean {
  if (!CANONICAL_UUID.test(text)) return false;
  let j = at;
  for (let i = 0; i < 36; i += 1) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    out[j] = (hex(text.charCodeAt(i)) << 4) | hex(text.charCodeAt(i + 1));
    i += 1;
    j += 1;
  }
  return true;
}

function hex(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x57;
}

const HEX = Array.from({ length: 256 }, (_v, i) => i.toString(16).padStart(2, '0'));

export function uuidText(bytes: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[bytes[at + i]!]!;
  }
  return s;
}

/** A 32-bit mix of 16 bytes (murmur3's finaliser over the xor of its words): sequential uuids spread too. */
function mix16(bytes: Uint8Array, at: number): number {
  let h = 0x9747b28c;
  for (let w = 0; w < 4; w += 1) {
    const o = at + w * 4;
    let k = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function fnv(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i += 1) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

type Typed = Uint8Array | Int32Array | Uint32Array;
interface TypedCtor<T extends Typed> {
  new (length: number): T;
  new (buffer: ArrayBuffer): T;
  readonly BYTES_PER_ELEMENT: number;
}
/** ES2024's resizable `ArrayBuffer`, which lib ES2023 does not describe (Node 20 has it). */
interface ResizableBuffer extends ArrayBuffer {
  readonly resizable?: boolean;
  readonly maxByteLength?: number;
  resize?(byteLength: number): void;
}
type ResizableCtor = new (byteLength: number, options: { maxByteLength: number }) => ResizableBuffer;

/** Address space (not memory) reserved per large array: V8's largest resizable buffer, 4 GiB. */
const MAX_RESERVED_BYTES = 2 ** 32;
/** Arrays grow by copying up to this size (small indexes reserve nothing), in place beyond it. */
const IN_PLACE_FROM_BYTES = 1 << 20;

/**
 * `arr` with room for at least `need` elements. A large array grows in place: a length-tracking view of a
 * resizable buffer, which reserves address space and commits pages only as they are written, so growing never
 * copies and the room kept for growth costs no memory (copying and growing by half held 2.5× the arrays at each
 * step, and `compact` one more copy: the listing's peak). A small one, or any when resizable buffers are
 * refused (an address-space limit), is copied into a larger array.
 */
function grown<T extends Typed>(arr: T, need: number, ctor: TypedCtor<T>): T {
  if (need <= arr.length) return arr;
  const bytes = ctor.BYTES_PER_ELEMENT;
  const want = Math.max(need, Math.ceil(arr.length * 1.5) + 1024);
  const buffer = arr.buffer as ResizableBuffer;
  if (buffer.resizable === true && buffer.resize !== undefined && need * bytes <= (buffer.maxByteLength ?? 0)) {
    buffer.resize(Math.min(want * bytes, buffer.maxByteLength!));
    return arr;
  }
  let next: T | undefined;
  if (want * bytes >= IN_PLACE_FROM_BYTES && need * bytes <= MAX_RESERVED_BYTES) {
    try {
      const room = new (ArrayBuffer as unknown as ResizableCtor)(Math.min(want * bytes, MAX_RESERVED_BYTES), { maxByteLength: MAX_RESERVED_BYTES });
      next = new ctor(room);
    } catch {
      // no address space for it: copy as below
    }
  }
  next ??= new ctor(want);
  next.set(arr);
  return next;
}

/** `arr` cut to `n` elements: in place when it grows in place (pages past the end are released), else a copy. */
function trimmed<T extends Typed>(arr: T, n: number, ctor: TypedCtor<T>): T {
  const buffer = arr.buffer as ResizableBuffer;
  if (buffer.resizable === true && buffer.resize !== undefined) {
    buffer.resize(n * ctor.BYTES_PER_ELEMENT);
    return arr;
  }
  return arr.slice(0, n) as T;
}

/** An open-addressing table of unit indexes (EMPTY where free), sized to a power of two ≥ 2× its entries. */
class IndexTable {
  slots: Int32Array;
  size = 0;
  constructor(capacity: number) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.slots = new Int32Array(n).fill(EMPTY);
  }
  /** The slot holding a unit for which `same` is true, else the free slot where it would go. */
  probe(hash: number, same: (unit: number) => boolean): number {
    const mask = this.slots.length - 1;
    let s = hash & mask;
    for (;;) {
      const u = this.slots[s]!;
      if (u === EMPTY || same(u)) return s;
      s = (s + 1) & mask;
    }
  }
}

/** The dataset's own fields, without its units. */
export type DatasetInfo = Omit<DatasetListing, 'units'>;

export class DatasetIndex {
  private n = 0;
  private hashBytes = new Uint8Array(0);
  private itemBytes = new Uint8Array(0);
  private flags = new Uint8Array(0);
  private typeCode = new Uint8Array(0);
  private readonly typeNames: string[] = [];
  private titleBytes = new Uint8Array(0);
  private titleLength = 0;
  /** End offset of each unit's title in `titleBytes` (its start is the previous unit's end). */
  private titleEnd = new Uint32Array(0);
  private fpHi = new Uint32Array(0);
  /** Per unit (folder items): data units it backs, in any dataset; absent unless `spec.backed`. */
  private backedCount: Uint32Array | undefined;
  private fpLo = new Uint32Array(0);
  /** Per unit: the first unit of its storage item (itself when it has none, or is the first). */
  private head = new Int32Array(0);
  /** Per unit: the next unit of the same storage item, in listing order. */
  private itemNext = new Int32Array(0);
  /** Last unit of each shared item while listing (only items backing two or more units). */
  private readonly itemTail = new Map<number, number>();
  private readonly oddHash = new Map<number, string>();
  private readonly oddItem = new Map<number, string>();
  private readonly oddItemHead = new Map<string, number>();
  private items = new IndexTable(1024);
  private hashTable: IndexTable | undefined;
  private oddHashIndex: Map<string, number> | undefined;
  private titleTable: IndexTable | undefined;
  private titleNext: Int32Array | undefined;
  private readonly kept: (string | undefined)[] | undefined;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(private readonly spec: IndexSpec) {
    this.kept = spec.keep.length > 0 ? [] : undefined;
    if (spec.backed) this.backedCount = new Uint32Array(0);
  }

  /** Index a listing already in memory (tests, stores without streaming). */
  static fromListing(listing: DatasetListing, spec: IndexSpec = { replace: false, fields: [], keep: [] }): DatasetIndex {
    const index = new DatasetIndex(spec);
    for (const unit of listing.units) index.add(unit);
    return index;
  }

  /** List a dataset straight into an index: units are never all in memory at once when the store streams. */
  static async list(store: MetadataStore, datasetHash: string, spec: IndexSpec, signal?: AbortSignal): Promise<{ info: DatasetInfo; index: DatasetIndex }> {
    const index = new DatasetIndex(spec);
    if (store.streamDataset) {
      const info = await store.streamDataset(datasetHash, (unit) => index.add(unit), { signal });
      index.compact();
      return { info, index };
    }
    const { units, ...info } = await store.getDataset(datasetHash, { signal });
    for (const unit of units) index.add(unit);
    index.compact();
    return { info, index };
  }

  get unitCount(): number {
    return this.n;
  }

  /**
   * Append the next unit of the listing (units arrive in server order). A unit with `index` 0 after others
   * is a retried listing starting over: what was indexed is dropped first.
   */
  add(unit: DataUnit, backedDataUnits?: number | null): void {
    if (unit.index === 0 && this.n > 0) this.clear();
    const i = this.n;
    this.reserve(i + 1);
    this.n += 1;
    if (this.backedCount) this.backedCount[i] = Math.min(backedDataUnits ?? 0, 0xffffffff);
    if (!uuidBytes(unit.dataHash, this.hashBytes, i * 16)) this.oddHash.set(i, unit.dataHash);
    let code = this.typeNames.indexOf(unit.dataType);
    if (code < 0 && this.typeNames.length < 255) code = this.typeNames.push(unit.dataType) - 1;
    this.typeCode[i] = code < 0 ? 255 : code;
    this.addTitle(i, unit.title);
    let flags = 0;
    if (unit.metadata !== null) {
      flags |= FLAG_KNOWN;
      const fp = metadataFingerprint(unit.metadata, this.spec);
      this.fpHi[i] = fp.hi;
      this.fpLo[i] = fp.lo;
      if (this.kept) this.kept[i] = keptText(unit.metadata, this.spec.keep);
    }
    this.head[i] = i;
    this.itemNext[i] = EMPTY;
    if (unit.backingItemUuid !== null) {
      flags |= FLAG_ITEM;
      this.addItem(i, unit.backingItemUuid);
    }
    this.flags[i] = flags;
  }

  /** Drop the room kept for growth once the listing is complete (in place where the arrays grow in place). */
  compact(): void {
    const n = this.n;
    this.hashBytes = trimmed(this.hashBytes, n * 16, Uint8Array);
    this.itemBytes = trimmed(this.itemBytes, n * 16, Uint8Array);
    this.flags = trimmed(this.flags, n, Uint8Array);
    this.typeCode = trimmed(this.typeCode, n, Uint8Array);
    this.titleEnd = trimmed(this.titleEnd, n, Uint32Array);
    this.titleBytes = trimmed(this.titleBytes, this.titleLength, Uint8Array);
    this.fpHi = trimmed(this.fpHi, n, Uint32Array);
    this.fpLo = trimmed(this.fpLo, n, Uint32Array);
    this.head = trimmed(this.head, n, Int32Array);
    this.itemNext = trimmed(this.itemNext, n, Int32Array);
    if (this.backedCount) this.backedCount = trimmed(this.backedCount, n, Uint32Array);
    this.itemTail.clear();
  }

  private clear(): void {
    this.n = 0;
    this.titleLength = 0;
    this.itemTail.clear();
    this.oddHash.clear();
    this.oddItem.clear();
    this.oddItemHead.clear();
    this.items = new IndexTable(1024);
    this.kept?.splice(0);
  }

  private reserve(need: number): void {
    if (need <= this.flags.length) return;
    const cap = Math.max(need, Math.ceil(this.flags.length * 1.5) + 1024);
    this.hashBytes = grown(this.hashBytes, cap * 16, Uint8Array);
    this.itemBytes = grown(this.itemBytes, cap * 16, Uint8Array);
    this.flags = grown(this.flags, cap, Uint8Array);
    this.typeCode = grown(this.typeCode, cap, Uint8Array);
    this.titleEnd = grown(this.titleEnd, cap, Uint32Array);
    this.fpHi = grown(this.fpHi, cap, Uint32Array);
    this.fpLo = grown(this.fpLo, cap, Uint32Array);
    this.head = grown(this.head, cap, Int32Array);
    this.itemNext = grown(this.itemNext, cap, Int32Array);
    if (this.backedCount) this.backedCount = grown(this.backedCount, cap, Uint32Array);
  }

  /** Data units (in any dataset) the unit's storage item backs, when the listing said (folders); else 0. */
  backed(i: number): number {
    return this.backedCount?.[i] ?? 0;
  }

  private addTitle(i: number, title: string): void {
    const need = this.titleLength + title.length * 3;
    if (need > this.titleBytes.length) this.titleBytes = grown(this.titleBytes, need, Uint8Array);
    const { written } = this.encoder.encodeInto(title, this.titleBytes.subarray(this.titleLength));
    this.titleLength += written;
    this.titleEnd[i] = this.titleLength;
  }

  private addItem(i: number, uuid: string): void {
    let first: number;
    if (!uuidBytes(uuid, this.itemBytes, i * 16)) {
      this.oddItem.set(i, uuid);
      first = this.oddItemHead.get(uuid) ?? EMPTY;
      if (first === EMPTY) this.oddItemHead.set(uuid, i);
    } else {
      if ((this.items.size + 1) * 2 > this.items.slots.length) this.rehashItems();
      const s = this.items.probe(mix16(this.itemBytes, i * 16), (u) => sameBytes(this.itemBytes, u * 16, i * 16));
      first = this.items.slots[s]!;
      if (first === EMPTY) {
        this.items.slots[s] = i;
        this.items.size += 1;
      }
    }
    if (first === EMPTY) return;
    this.head[i] = first;
    const tail = this.itemTail.get(first) ?? first;
    this.itemNext[tail] = i;
    this.itemTail.set(first, i);
  }

  private rehashItems(): void {
    const table = new IndexTable(this.items.size * 2 + 16);
    for (const u of this.items.slots) {
      if (u === EMPTY) continue;
      table.slots[table.probe(mix16(this.itemBytes, u * 16), () => false)] = u;
      table.size += 1;
    }
    this.items = table;
  }

  dataHash(i: number): string {
    return this.oddHash.get(i) ?? uuidText(this.hashBytes, i * 16);
  }

  item(i: number): string | null {
    if ((this.flags[i]! & FLAG_ITEM) === 0) return null;
    return this.oddItem.get(i) ?? uuidText(this.itemBytes, i * 16);
  }

  title(i: number): string {
    const start = i === 0 ? 0 : this.titleEnd[i - 1]!;
    return this.decoder.decode(this.titleBytes.subarray(start, this.titleEnd[i]!));
  }

  /** Whether the listing gave this unit's metadata (`null` metadata is unknown, never "empty"). */
  known(i: number): boolean {
    return (this.flags[i]! & FLAG_KNOWN) !== 0;
  }

  /** Whether the unit's listed values for the file's keys fingerprint as `fp`. */
  fingerprintIs(i: number, fp: Fingerprint64): boolean {
    return this.known(i) && this.fpHi[i] === fp.hi && this.fpLo[i] === fp.lo;
  }

  /**
   * A view of unit `i`: `metadata` holds only the kept keys' listed values (`{}` when none are kept;
   * `null` when the listing did not give them): never the unit's whole metadata.
   */
  unit(i: number): DataUnit {
    return new UnitView(this, i);
  }

  /** The kept keys' listed values of unit `i` (see `unit`). */
  keptMetadata(i: number): Metadata | null {
    if (!this.known(i)) return null;
    return this.kept?.[i] !== undefined ? (JSON.parse(this.kept[i]!) as Metadata) : {};
  }

  dataType(i: number): string {
    return this.typeNames[this.typeCode[i]!] ?? 'unknown';
  }

  /** The first unit of this unit's storage item: the write target every unit of the item shares. */
  canonical(i: number): number {
    return this.head[i]!;
  }

  /** Whether other units share this unit's storage item. */
  isShared(i: number): boolean {
    const first = this.head[i]!;
    return first !== i || this.itemNext[first] !== EMPTY;
  }

  /** The units backed by this unit's storage item, in listing order. */
  unitsOfItemOf(i: number): number[] {
    const out: number[] = [];
    for (let u = this.head[i]!; u !== EMPTY; u = this.itemNext[u]!) out.push(u);
    return out;
  }

  /** The first unit backed by storage item `uuid` (as written), else -1. */
  findItem(uuid: string): number {
    const probe = new Uint8Array(16);
    if (!uuidBytes(uuid, probe, 0)) return this.oddItemHead.get(uuid) ?? EMPTY;
    const s = this.items.probe(mix16(probe, 0), (u) => sameBytesOf(this.itemBytes, u * 16, probe));
    return this.items.slots[s]!;
  }

  /** The unit with data hash `hash` (as written), else -1. */
  findHash(hash: string): number {
    this.buildHashTable();
    const probe = new Uint8Array(16);
    if (!uuidBytes(hash, probe, 0)) return this.oddHashIndex!.get(hash) ?? EMPTY;
    const s = this.hashTable!.probe(mix16(probe, 0), (u) => sameBytesOf(this.hashBytes, u * 16, probe));
    return this.hashTable!.slots[s]!;
  }

  /** Every unit titled `title`, in listing order. */
  findTitle(title: string): number[] {
    this.buildTitleTable();
    const bytes = this.encoder.encode(title);
    const s = this.titleTable!.probe(fnv(bytes, 0, bytes.length), (u) => this.titleIs(u, bytes));
    const out: number[] = [];
    for (let u = this.titleTable!.slots[s]!; u !== EMPTY; u = this.titleNext![u]!) out.push(u);
    return out;
  }

  private titleIs(u: number, bytes: Uint8Array): boolean {
    const start = u === 0 ? 0 : this.titleEnd[u - 1]!;
    const end = this.titleEnd[u]!;
    if (end - start !== bytes.length) return false;
    for (let k = 0; k < bytes.length; k += 1) if (this.titleBytes[start + k] !== bytes[k]) return false;
    return true;
  }

  private buildHashTable(): void {
    if (this.hashTable) return;
    const table = new IndexTable(this.n);
    const odd = new Map<string, number>();
    for (let i = 0; i < this.n; i += 1) {
      const text = this.oddHash.get(i);
      if (text !== undefined) {
        if (!odd.has(text)) odd.set(text, i);
        continue;
      }
      const s = table.probe(mix16(this.hashBytes, i * 16), (u) => sameBytes(this.hashBytes, u * 16, i * 16));
      if (table.slots[s] === EMPTY) table.slots[s] = i;
    }
    this.hashTable = table;
    this.oddHashIndex = odd;
  }

  private buildTitleTable(): void {
    if (this.titleTable) return;
    const table = new IndexTable(this.n);
    const next = new Int32Array(this.n).fill(EMPTY);
    const tails = new Map<number, number>();
    for (let i = 0; i < this.n; i += 1) {
      const start = i === 0 ? 0 : this.titleEnd[i - 1]!;
      const bytes = this.titleBytes.subarray(start, this.titleEnd[i]!);
      const s = table.probe(fnv(this.titleBytes, start, this.titleEnd[i]!), (u) => this.titleIs(u, bytes));
      const first = table.slots[s]!;
      if (first === EMPTY) table.slots[s] = i;
      else {
        next[tails.get(first) ?? first] = i;
        tails.set(first, i);
      }
    }
    this.titleTable = table;
    this.titleNext = next;
  }
}

/**
 * A unit of the index as a `DataUnit`, its texts decoded only when read: every row resolves to one, most
 * rows never need its title or hashes.
 */
class UnitView implements DataUnit {
  #metadata: Metadata | null | undefined;
  constructor(
    private readonly of: DatasetIndex,
    readonly index: number,
  ) {}
  get dataHash(): string {
    return this.of.dataHash(this.index);
  }
  get title(): string {
    return this.of.title(this.index);
  }
  get dataType(): string {
    return this.of.dataType(this.index);
  }
  get backingItemUuid(): string | null {
    return this.of.item(this.index);
  }
  get metadata(): Metadata | null {
    if (this.#metadata === undefined) this.#metadata = this.of.keptMetadata(this.index);
    return this.#metadata;
  }
}

function sameBytes(bytes: Uint8Array, a: number, b: number): boolean {
  for (let k = 0; k < 16; k += 1) if (bytes[a + k] !== bytes[b + k]) return false;
  return true;
}

function sameBytesOf(bytes: Uint8Array, a: number, probe: Uint8Array): boolean {
  for (let k = 0; k < 16; k += 1) if (bytes[a + k] !== probe[k]) return false;
  return true;
}

/** The listed values of `keys` (those present), as JSON text; undefined when none is present. */
function keptText(metadata: Metadata, keys: readonly string[]): string | undefined {
  const out: Metadata = {};
  let any = false;
  for (const k of keys) {
    if (Object.hasOwn(metadata, k)) {
      Object.defineProperty(out, k, { value: metadata[k], enumerable: true, writable: true, configurable: true });
      any = true;
    }
  }
  return any ? JSON.stringify(out) : undefined;
}
