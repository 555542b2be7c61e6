/**
 * A unit's current values for the file's keys, as one 64-bit fingerprint, so "would this row change the
 * unit?" is answered without holding the unit's metadata (issue 10 §2).
 *
 * Both sides build the same canonical text when, and only when, `wouldChange` (pipeline/merge.ts) says
 * "unchanged":
 *   - merge mode: every file key, sorted, as `"key"=VALUE;` with `-` for an absent key (a row must name
 *     every key: a row that leaves one out, an empty cell under `--empty keep`, has no fingerprint and is
 *     read fresh by the writer instead);
 *   - replace mode: every non-reserved key the unit holds (what replace would remove) in the same form.
 *   - VALUE is canonical JSON (object keys sorted, a number as `#` and the four 16-bit words of its IEEE-754
 *     bits, zero as +0: one number, one spelling, the same equality as its JSON text without printing it),
 *     except a datetime key's string that parses: `@<ms>`.
 *     The stored side only does this for text with a zone (the rule of `sameInstant`), the file side for
 *     any text that parses; a stored datetime without a zone never equals, so the row is read fresh.
 *
 * The text is hashed to 64 bits: MurmurHash3 (x86, 32-bit; it passes SMHasher) run twice with two seeds
 * over the text's UTF-16 code units and its length. (SHA-256 was measured first: ~11 µs a call here, 15M
 * calls for a 5M-row run; this is ~0.3 µs.) The text is never built on the hot path: `StreamHash` feeds the
 * same code units, in the same order, to both hashes as the canonical JSON is walked, so the fingerprint
 * is bit for bit `hash64(text)` (test/mapping/fingerprint.test.ts holds the text forms as the reference)
 * without a string, an array or a Map per row. Why a collision is acceptable: a fingerprint is only compared
 * for one row against the one unit it names, and a false "equal" needs two different canonical texts
 * with equal 64-bit hashes: about 2^-64 per comparison for values nobody chose to collide, ~3·10^-13 over
 * a 5M-row file. Murmur is not built to resist collisions made on purpose; making one needs control of
 * both the file and the stored metadata, and whoever can change the stored metadata can write whatever
 * it likes anyway, after our run as well as before. Every write that is not skipped still merges onto the
 * value re-read just before it (writer.ts), so the fingerprint never decides what is written, only
 * whether a row already applied costs a request.
 */
import type { JsonValue, Metadata } from '../encord/protocol/types.js';
import { isReservedMetadataKey } from '../schema/index.js';
import { asciiDigits as digits, isoFields } from '../civil-date.js';

/** What a run compares: its mode and the file's keys with their schema types. */
export interface FingerprintSpec {
  readonly replace: boolean;
  readonly fields: readonly { readonly key: string; readonly type: string }[];
}

/** 64 bits as two unsigned 32-bit halves (typed arrays hold them without BigInt). */
export interface Fingerprint64 {
  readonly hi: number;
  readonly lo: number;
}

const ZONE = /[zZ]|[+-]\d\d:?\d\d$/;

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/**
 * A finite number as `#` and its bits (low word first, 16 bits a code unit), -0 as 0: two numbers have
 * the same text exactly when their JSON texts are equal, and no digits are printed (`String(n)` of a
 * double was most of a row's fingerprint). Not finite: `null`, as `JSON.stringify` writes it.
 */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  F64[0] = n === 0 ? 0 : n;
  const lo = U32[0]!;
  const hi = U32[1]!;
  return String.fromCharCode(0x23, lo & 0xffff, lo >>> 16, hi & 0xffff, hi >>> 16);
}

/** Canonical JSON: object keys sorted, so key order never matters (as in `jsonEqual`); numbers by `numberText`. */
export function canonicalJson(value: JsonValue): string {
  if (typeof value === 'number') return numberText(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
}

/** A stored value: datetimes with a zone as their instant. */
export function storedValueText(value: JsonValue, type: string | undefined): string {
  if (type === 'datetime' && typeof value === 'string' && ZONE.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return `@${ms}`;
  }
  return canonicalJson(value);
}

/** A value about to be written: datetimes that parse as their instant. */
export function newValueText(value: JsonValue, type: string | undefined): string {
  if (type === 'datetime' && typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return `@${ms}`;
  }
  return canonicalJson(value);
}

export function hash64(text: string): Fingerprint64 {
  return { hi: murmur3(text, 0x2f0b3c9d), lo: murmur3(text, 0x9e3779b9) };
}

/** MurmurHash3_x86_32 over UTF-16 code units, two to a 32-bit block; the length (in bytes) is mixed in. */
export function murmur3(text: string, seed: number): number {
  const n = text.length;
  let h = seed | 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  return fmix(h, n);
}

function pair(key: string, valueText: string): string {
  return `${JSON.stringify(key)}=${valueText};`;
}

// ---- the hot path: both hashes fed code unit by code unit, no text built -------------------------------

const SEED_HI = 0x2f0b3c9d;
const SEED_LO = 0x9e3779b9;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * The canonical text's code units, written to a reused buffer instead of a string, then hashed by
 * `finish` exactly as `hash64` hashes the text.
 */
let buf = new Uint16Array(4096);
let length = 0;
/** Set when a value is not JSON (undefined, a function, a hole): the caller redoes the row from text. */
let unusual = false;

function begin(): void {
  length = 0;
  unusual = false;
}

function unit(c: number): void {
  if (length === buf.length) {
    const bigger = new Uint16Array(buf.length * 2);
    bigger.set(buf);
    buf = bigger;
  }
  buf[length++] = c;
}

/** `hash64` of the buffered code units. */
function finish(): Fingerprint64 {
  const b = buf;
  const n = length;
  let h1 = SEED_HI | 0;
  let h2 = SEED_LO | 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = b[i]! | (b[i + 1]! << 16);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 ^= k;
    h2 = (h2 << 13) | (h2 >>> 19);
    h2 = (Math.imul(h2, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = Math.imul(b[i]!, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h1 ^= k;
    h2 ^= k;
  }
  return { hi: fmix(h1, n), lo: fmix(h2, n) };
}

function fmix(h: number, n: number): number {
  h ^= n * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function text(t: string): void {
  for (let i = 0; i < t.length; i += 1) unit(t.charCodeAt(i));
}

const HEX = '0123456789abcdef';

function escapeU(c: number): void {
  unit(0x5c);
  unit(0x75); // u
  unit(HEX.charCodeAt((c >>> 12) & 15));
  unit(HEX.charCodeAt((c >>> 8) & 15));
  unit(HEX.charCodeAt((c >>> 4) & 15));
  unit(HEX.charCodeAt(c & 15));
}

/** `JSON.stringify(s)`, code unit by code unit (well-formed: lone surrogates as `\udxxx`). */
function jsonString(s: string): void {
  unit(0x22);
  const n = s.length;
  for (let i = 0; i < n; i += 1) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c && (c < 0xd800 || c > 0xdfff)) {
      unit(c);
    } else if (c === 0x22 || c === 0x5c) {
      unit(0x5c);
      unit(c);
    } else if (c < 0x20) {
      const short = c === 8 ? 0x62 : c === 9 ? 0x74 : c === 10 ? 0x6e : c === 12 ? 0x66 : c === 13 ? 0x72 : 0;
      if (short !== 0) {
        unit(0x5c);
        unit(short);
      } else escapeU(c);
    } else if (c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      unit(c);
      unit(s.charCodeAt(i + 1));
      i += 1;
    } else escapeU(c);
  }
  unit(0x22);
}

const DIGITS = new Uint16Array(24);

/** `String(n)` of a safe integer, without the string. */
function integer(n: number): void {
  if (n < 0) {
    unit(0x2d);
    n = -n;
  }
  let d = 0;
  do {
    const q = Math.floor(n / 10);
    DIGITS[d++] = 0x30 + (n - q * 10);
    n = q;
  } while (n > 0);
  while (d > 0) unit(DIGITS[--d]!);
}

/** `numberText(n)`. */
function jsonNumber(n: number): void {
  if (!Number.isFinite(n)) return text('null');
  F64[0] = n === 0 ? 0 : n;
  const lo = U32[0]!;
  const hi = U32[1]!;
  unit(0x23);
  unit(lo & 0xffff);
  unit(lo >>> 16);
  unit(hi & 0xffff);
  unit(hi >>> 16);
}

/** `canonicalJson(value)`, fed to the hash. */
function json(value: unknown): void {
  if (value === null) return text('null');
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      return jsonNumber(value);
    case 'boolean':
      return text(value ? 'true' : 'false');
    case 'object':
      break;
    default:
      unusual = true;
      return;
  }
  if (Array.isArray(value)) {
    unit(0x5b);
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) unit(0x2c);
      const v: unknown = value[i];
      if (v === undefined) unusual = true;
      else json(v);
    }
    unit(0x5d);
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 2) {
    // A geo point: two keys put in order without a sort (`<` is the default sort's code-unit order).
    if (keys[1]! < keys[0]!) keys.reverse();
  } else keys.sort();
  unit(0x7b);
  for (let i = 0; i < keys.length; i += 1) {
    if (i > 0) unit(0x2c);
    jsonString(keys[i]!);
    unit(0x3a);
    const v = obj[keys[i]!];
    if (v === undefined) unusual = true;
    else json(v);
  }
  unit(0x7d);
}

/**
 * `Date.parse(s)` for `YYYY-MM-DDTHH:MM:SS.sssZ` with every field in range (what coercion writes), without
 * the general parser; anything else goes to `Date.parse`. For such text `Date.parse` is defined exactly
 * (ECMA-262 date time string format), so both agree.
 */
export function isoMillis(s: string): number {
  if (s.length !== 24 || s.charCodeAt(23) !== 0x5a || s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || s.charCodeAt(10) !== 0x54) return Date.parse(s);
  if (s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a || s.charCodeAt(19) !== 0x2e) return Date.parse(s);
  const f = isoFields(s);
  const milli = digits(s, 20, 3);
  // Date.UTC reads years 0-99 as 1900-1999: those go to Date.parse.
  if (f === undefined || f.year < 1000 || milli < 0) return Date.parse(s);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, milli);
}


/** `storedValueText`, fed to the hash. */
function storedValue(value: JsonValue, type: string | undefined): void {
  if (type === 'datetime' && typeof value === 'string') {
    const ms = value.length === 24 && value.charCodeAt(23) === 0x5a ? isoMillis(value) : ZONE.test(value) ? Date.parse(value) : Number.NaN;
    if (!Number.isNaN(ms)) {
      unit(0x40);
      return integer(ms);
    }
  }
  json(value);
}

/** `newValueText`, fed to the hash. */
function newValue(value: unknown, type: string): void {
  if (type === 'datetime' && typeof value === 'string') {
    const ms = isoMillis(value);
    if (!Number.isNaN(ms)) {
      unit(0x40);
      return integer(ms);
    }
  }
  json(value);
}

/** What a spec's fingerprints need, worked out once per spec instead of once per row. */
interface PreparedSpec {
  /** Two fields name one key: the text forms are used (their rules for that case are kept as they are). */
  readonly duplicate: boolean;
  readonly types: Map<string, string>;
  /** The non-reserved keys, sorted. */
  readonly keys: readonly string[];
  /** `"key"=` of each of `keys`. */
  readonly prefixes: readonly string[];
  readonly slotOf: Map<string, number>;
  /** Per key: which entry of the row names it (-1: none), reused row after row. */
  readonly slots: Int32Array;
}

const prepared = new WeakMap<FingerprintSpec, PreparedSpec>();

function prepare(spec: FingerprintSpec): PreparedSpec {
  let p = prepared.get(spec);
  if (p === undefined) {
    const types = new Map(spec.fields.map((f) => [f.key, f.type]));
    const keys = [...types.keys()].filter((k) => !isReservedMetadataKey(k)).sort();
    p = {
      duplicate: types.size !== spec.fields.length,
      types,
      keys,
      prefixes: keys.map((k) => `${JSON.stringify(k)}=`),
      slotOf: new Map(keys.map((k, i) => [k, i])),
      slots: new Int32Array(keys.length),
    };
    prepared.set(spec, p);
  }
  return p;
}

/** The fingerprint of a unit's current metadata for `spec`. */
export function metadataFingerprint(metadata: Metadata, spec: FingerprintSpec): Fingerprint64 {
  const p = prepare(spec);
  if (p.duplicate) return metadataFingerprintText(metadata, spec);
  begin();
  if (spec.replace) {
    for (const key of Object.keys(metadata).sort()) {
      if (isReservedMetadataKey(key)) continue;
      jsonString(key);
      unit(0x3d);
      storedValue(metadata[key]!, p.types.get(key));
      unit(0x3b);
    }
  } else {
    for (let s = 0; s < p.keys.length; s += 1) {
      const key = p.keys[s]!;
      text(p.prefixes[s]!);
      if (Object.hasOwn(metadata, key)) storedValue(metadata[key]!, p.types.get(key));
      else unit(0x2d);
      unit(0x3b);
    }
  }
  return unusual ? metadataFingerprintText(metadata, spec) : finish();
}

/** `metadataFingerprint` by way of the canonical text (the definition; used for the odd cases). */
export function metadataFingerprintText(metadata: Metadata, spec: FingerprintSpec): Fingerprint64 {
  const types = new Map(spec.fields.map((f) => [f.key, f.type]));
  let text = '';
  if (spec.replace) {
    for (const key of Object.keys(metadata).sort()) {
      if (!isReservedMetadataKey(key)) text += pair(key, storedValueText(metadata[key]!, types.get(key)));
    }
  } else {
    for (const key of [...types.keys()].filter((k) => !isReservedMetadataKey(k)).sort()) {
      text += pair(key, Object.hasOwn(metadata, key) ? storedValueText(metadata[key]!, types.get(key)) : '-');
    }
  }
  return hash64(text);
}

/** A row's entry: `value` undefined (or `absent`): remove the key. */
export interface FingerprintEntry {
  readonly key: string;
  readonly value: JsonValue | undefined | symbol;
  readonly type: string;
}

/**
 * The fingerprint a unit has after a row's update when the update leaves it unchanged, from the row's
 * entries alone (`value` undefined or `absent`: remove the key); `undefined` when that needs the unit's
 * other values.
 */
export function entriesFingerprint(entries: readonly FingerprintEntry[], spec: FingerprintSpec, absent?: symbol): Fingerprint64 | undefined {
  const p = prepare(spec);
  if (p.duplicate) return entriesFingerprintText(entries, spec, absent);
  const slots = p.slots;
  slots.fill(-1);
  for (let i = 0; i < entries.length; i += 1) {
    const key = entries[i]!.key;
    if (isReservedMetadataKey(key)) continue;
    const s = p.slotOf.get(key);
    // A key outside the spec: merge mode cannot say (the text form gives undefined too); replace mode
    // writes it, so the text form decides.
    if (s === undefined) return spec.replace ? entriesFingerprintText(entries, spec, absent) : undefined;
    slots[s] = i; // the last entry for a key wins, as in the text form
  }
  if (!spec.replace) for (let s = 0; s < slots.length; s += 1) if (slots[s]! < 0) return undefined; // the row leaves this key as it is
  begin();
  for (let s = 0; s < slots.length; s += 1) {
    const i = slots[s]!;
    if (i < 0) continue;
    const e = entries[i]!;
    const removed = e.value === undefined || (absent !== undefined && e.value === absent);
    if (removed && spec.replace) continue;
    text(p.prefixes[s]!);
    if (removed) unit(0x2d);
    else newValue(e.value, e.type);
    unit(0x3b);
  }
  return unusual ? entriesFingerprintText(entries, spec, absent) : finish();
}

/** `entriesFingerprint` by way of the canonical text (the definition; used for the odd cases). */
export function entriesFingerprintText(entries: readonly FingerprintEntry[], spec: FingerprintSpec, absent?: symbol): Fingerprint64 | undefined {
  const named = new Map<string, string>();
  for (const e of entries) {
    if (isReservedMetadataKey(e.key)) continue;
    named.set(e.key, e.value === undefined || (absent !== undefined && e.value === absent) ? '-' : newValueText(e.value as JsonValue, e.type));
  }
  let text = '';
  if (spec.replace) {
    for (const key of [...named.keys()].sort()) if (named.get(key) !== '-') text += pair(key, named.get(key)!);
    return hash64(text);
  }
  const keys = spec.fields.map((f) => f.key).filter((k) => !isReservedMetadataKey(k)).sort();
  for (const key of keys) {
    const v = named.get(key);
    if (v === undefined) return undefined; // the row leaves this key as it is: unknown here
    text += pair(key, v);
  }
  return named.size === keys.length ? hash64(text) : undefined;
}
