/**
 * The one gate between a merge and a request. Every dictionary that `import`, `set` and `rollback` send to
 * a data unit or storage item passes through `guardWrite` with the metadata the target holds now (read
 * fresh just before), and nothing else decides what may be written:
 *
 * - Reserved keys (`keyframes`) are written back exactly as the target holds them now, present or
 *   absent: no file, mode, `--empty` policy or journal can change or drop them.
 * - Own properties only: keys named like `Object.prototype` members (`constructor`, `toString`,
 *   `__proto__`, …) are ordinary keys, stored and compared as such.
 * - Exact values: every value is plain JSON that means what it says once serialised: finite numbers,
 *   well-formed strings (no lone UTF-16 surrogate), arrays and plain objects. Anything else fails the
 *   target with a code, never reaches the wire. (Whether a number is the cell's exact value is decided
 *   by the coercer, which still sees the cell's text.)
 * - Stored values kept exactly: a key whose stored value holds a number a double cannot hold (a Python int
 *   such as 12345678901234567890, read as 12345678901234567000; `encord/exact-json.ts`) is never sent back
 *   as read. A write that would carry it fails the target (`STORED_NUMBER_INEXACT`); a write that gives the
 *   key a new value or leaves it out (replace mode) may go, and a target nothing changes is left alone.
 *
 * Key-level rules used before any row is read (a file column or a `set` key naming a reserved key) live
 * in `schema/metadata-key.ts` (`reservedKeyProblem`), so the plan refuses them early with exit 2.
 */
import { inexactStoredKeys } from '../encord/exact-json.js';
import type { JsonValue, Metadata } from '../encord/protocol/types.js';
import { hasOwn, setOwn } from '../own.js';
import { jsonEqual } from './merge.js';
import { RESERVED_METADATA_KEYS, isReservedMetadataKey } from '../schema/index.js';

export type GuardResult = { readonly ok: true; readonly metadata: Metadata } | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * What may be written to a target whose metadata is `current` when the merge produced `next`: `next`'s own
 * keys, with every reserved key exactly as in `current`, or a failure when a value is not exact JSON.
 */
export function guardWrite(current: Metadata, next: Metadata): GuardResult {
  const out: Metadata = {};
  for (const key of Object.keys(next)) {
    if (isReservedMetadataKey(key)) continue;
    const value = next[key]!;
    const problem = valueProblem(value);
    if (problem !== null) {
      return { ok: false, code: problem.code, message: `metadata key "${key}": ${problem.message}; nothing was written to this target` };
    }
    setOwn(out, key, value);
  }
  for (const key of RESERVED_METADATA_KEYS) if (hasOwn(current, key)) setOwn(out, key, current[key]!);
  const carried = carriedInexact(current, out);
  if (carried !== undefined) return { ok: false, code: 'STORED_NUMBER_INEXACT', message: carried };
  return { ok: true, metadata: out };
}

/** Why writing `out` would change a stored number `current` holds but cannot reproduce, or `undefined`. */
function carriedInexact(current: Metadata, out: Metadata): string | undefined {
  const inexact = inexactStoredKeys(current);
  if (inexact === undefined || jsonEqual(out, current)) return undefined;
  for (const [key, literal] of inexact) {
    if (!hasOwn(out, key) || !jsonEqual(out[key], current[key])) continue;
    return (
      `metadata key "${key}" holds the number ${literal} in Encord, which a JSON double cannot hold exactly: ` +
      `writing this target's metadata back would store it as ${String(Number(literal))}; nothing was written to this target ` +
      `(store that value as a string in Encord, or give "${key}" a value in the file)`
    );
  }
  return undefined;
}

/** Why `value` cannot be written as exact JSON, or `null`. */
function valueProblem(value: unknown, depth = 0): { code: string; message: string } | null {
  if (depth > 64) return { code: 'INVALID_VALUE', message: 'the value is nested more than 64 levels deep' };
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? null : { code: 'INVALID_NUMBER', message: `${String(value)} is not a number JSON can hold` };
  }
  if (typeof value === 'string') {
    return isWellFormed(value) ? null : { code: 'INVALID_STRING', message: 'the text holds a lone UTF-16 surrogate, which no UTF-8 text can carry' };
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = valueProblem(v, depth + 1);
      if (p !== null) return p;
    }
    return null;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return { code: 'INVALID_VALUE', message: 'the value is not a plain JSON object' };
    for (const key of Object.keys(value)) {
      const p = valueProblem((value as Record<string, unknown>)[key], depth + 1);
      if (p !== null) return p;
    }
    return null;
  }
  return { code: 'INVALID_VALUE', message: `a ${typeof value} is not a JSON value` };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** For callers that must treat a value as JSON (e.g. `set --json`): the same rule, as a message. */
export function jsonValueProblem(value: JsonValue): string | null {
  return valueProblem(value)?.message ?? null;
}
