/**
 * Merging a row's update into the metadata a unit has now. The write always carries the complete merged
 * dictionary, so keys the file does not mention survive (the reserved `keyframes` key included, even in
 * replace mode), and a row whose merged value equals the current one is not written at all. Keys are user
 * text, so every lookup and store is by own property (`own.ts`): `constructor` is a key like `city`.
 * What is finally sent is decided by `guardWrite` (write-guard.ts), after this merge.
 */
import type { JsonValue, Metadata } from '../encord/protocol/types.js';
import { getOwn, hasOwn, setOwn } from '../own.js';
import { entriesFingerprint, type Fingerprint64, type FingerprintSpec } from '../mapping/fingerprint.js';
import { RESERVED_METADATA_KEYS, isReservedMetadataKey } from '../schema/index.js';
import type { WriteMode } from './option-sets.js';

/** Marker for "remove this key" (`--empty delete`). */
export const DELETE: unique symbol = Symbol('delete');

export interface UpdateEntry {
  readonly key: string;
  readonly value: JsonValue | typeof DELETE;
  /** The schema type of the key: datetimes compare by instant, not by spelling. */
  readonly type: string;
}

export { WRITE_MODES, type WriteMode } from './option-sets.js';

/**
 * `current` with `update` applied. Reserved keys are never changed by an update, whatever the mode (an
 * entry naming one is ignored here and refused earlier, when the plan is made).
 */
export function applyUpdate(current: Metadata, update: readonly UpdateEntry[], mode: WriteMode): Metadata {
  let next: Metadata;
  if (mode === 'merge') next = { ...current }; // spread defines own properties: `__proto__` is copied as a key
  else {
    next = {};
    for (const k of RESERVED_METADATA_KEYS) if (hasOwn(current, k)) setOwn(next, k, current[k]!);
  }
  for (const entry of update) {
    if (isReservedMetadataKey(entry.key)) continue;
    if (entry.value === DELETE) {
      delete next[entry.key];
      continue;
    }
    const old = getOwn(current, entry.key);
    // Keep the stored spelling when it means the same instant: a nightly rerun must not rewrite
    // "2026-11-28T10:00:00Z" as "2026-11-28T10:00:00.000Z" forever.
    if (entry.type === 'datetime' && old !== undefined && sameInstant(old, entry.value)) setOwn(next, entry.key, old);
    else setOwn(next, entry.key, entry.value);
  }
  return next;
}

/**
 * Whether applying `update` would change `current`: the same answer as
 * `!jsonEqual(applyUpdate(current, update, mode), current)`, without building the merged copy (this runs
 * for every row of a file).
 */
export function wouldChange(current: Metadata, update: readonly UpdateEntry[], mode: WriteMode): boolean {
  if (mode === 'replace') return !jsonEqual(applyUpdate(current, update, mode), current);
  for (const entry of update) {
    if (isReservedMetadataKey(entry.key)) continue;
    const has = hasOwn(current, entry.key);
    if (entry.value === DELETE) {
      if (has) return true;
      continue;
    }
    if (!has) return true;
    const old = current[entry.key]!;
    if (jsonEqual(old, entry.value)) continue;
    if (entry.type === 'datetime' && sameInstant(old, entry.value)) continue;
    return true;
  }
  return false;
}

function sameInstant(a: JsonValue, b: JsonValue): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  if (a === b) return true;
  const ta = Date.parse(a);
  return !Number.isNaN(ta) && ta === Date.parse(b) && /[zZ]|[+-]\d\d:?\d\d$/.test(a);
}

/** Deep equality of JSON values; object key order does not matter. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!hasOwn(b, k) || !jsonEqual(a[k], b[k])) return false;
  }
  return true;
}

/** A stable text form of an update, for comparing two rows aimed at one shared item. */
export function updateFingerprint(update: readonly UpdateEntry[]): string {
  return JSON.stringify(
    [...update].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)).map((e) => [e.key, e.value === DELETE ? { $delete: true } : e.value]),
  );
}

/** Keys whose value differs, for dry-run diffs. */
export function changedKeys(before: Metadata, after: Metadata): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => hasOwn(before, k) !== hasOwn(after, k) || !jsonEqual(getOwn(before, k), getOwn(after, k)));
}

/**
 * The fingerprint a unit holds when `update` leaves it unchanged (mapping/fingerprint.ts), or `undefined`
 * when the row alone cannot say (merge mode, a file key the row leaves out): then the writer's fresh read
 * decides.
 */
export function rowFingerprint(update: readonly UpdateEntry[], spec: FingerprintSpec): Fingerprint64 | undefined {
  return entriesFingerprint(update, spec, DELETE);
}
