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
 *   - VALUE is canonical JSON (object keys sorted), except a datetime key's string that parses: `@<ms>`.
 *     The stored side only does this for text with a zone (the rule of `sameInstant`), the file side for
 *     any text that parses; a stored datetime without a zone never equals, so the row is read fresh.
 *
 * The text is hashed to 64 bits: MurmurHash3 (x86, 32-bit; it passes SMHasher) run twice with two seeds
 * over the text's UTF-16 code units and its length. (SHA-256 was measured first: ~11 µs a call here, 15M
 * calls for a 5M-row run; this is ~0.3 µs.) Why a collision is acceptable: a fingerprint is only compared
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

/** Canonical JSON: object keys sorted, so key order never matters (as in `jsonEqual`). */
export function canonicalJson(value: JsonValue): string {
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
  h ^= n * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function pair(key: string, valueText: string): string {
  return `${JSON.stringify(key)}=${valueText};`;
}

/** The fingerprint of a unit's current metadata for `spec`. */
export function metadataFingerprint(metadata: Metadata, spec: FingerprintSpec): Fingerprint64 {
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

/**
 * The fingerprint a unit has after a row's update when the update leaves it unchanged, from the row's
 * entries alone (`value` undefined: remove the key); `undefined` when that needs the unit's other values.
 */
export function entriesFingerprint(
  entries: readonly { readonly key: string; readonly value: JsonValue | undefined; readonly type: string }[],
  spec: FingerprintSpec,
): Fingerprint64 | undefined {
  const named = new Map<string, string>();
  for (const e of entries) {
    if (isReservedMetadataKey(e.key)) continue;
    named.set(e.key, e.value === undefined ? '-' : newValueText(e.value, e.type));
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
