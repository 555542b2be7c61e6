/**
 * JSON from Encord, read so that a number we cannot hold is known, never silently written back rounded.
 * Encord keeps what its (Python) clients stored, and a Python int is exact at any size: a unit may hold
 * `"external_id": 12345678901234567890`, which `JSON.parse` reads as 12345678901234567000. Every write sends
 * the unit's whole dictionary, so without this a row that sets `city` would also change `external_id`.
 *
 * `parseEncordJson` is `JSON.parse`, plus: when the text holds a number literal a double cannot hold exactly
 * (rare: checked on the text, see `exact-number.ts`), that number is still read as `JSON.parse` reads it, and
 * every object on the way to it remembers the key that leads there. `inexactStoredKeys(metadata)` then names
 * the top-level keys of a metadata dictionary whose stored value the client cannot reproduce, with the
 * literal; the write gate (`pipeline/write-guard.ts`) refuses a write that would carry one of them back.
 * The marks live in a WeakMap on the parsed objects themselves, so they follow the dictionary wherever the
 * client hands it on, and a copy (which the client never makes of what it read) carries none.
 */
import { randomUUID } from 'node:crypto';
import { inexactJsonNumber, type InexactLiteral } from '../exact-number.js';
import { setOwn } from '../own.js';

/**
 * A superset of the texts holding an inexact literal: one needs 16 significant digits (its first 16
 * characters are digits and a point) or a three-digit exponent (overflow, underflow; see `exactDouble`), and
 * a JSON number starts the text or follows `:`, `,` or `[`. Anchored on those, the test is a fraction of a
 * microsecond per dictionary (a bare `[0-9.]{16}` tried every digit and cost more than the parse); the scan
 * runs only where it matches (a long number inside a string also matches: the scan then skips the string).
 */
const MAYBE_INEXACT = /(?:^|[:,[])\s*-?(?:[0-9.]{16}|[0-9.]+[eE][+-]?[0-9]{3})/;

/** Top-level key → the literal it holds (or holds inside), per parsed object. */
const inexactKeys = new WeakMap<object, Map<string, string>>();

/** `JSON.parse(text)`, marking the objects that lead to a number a double cannot hold exactly. */
export function parseEncordJson(text: string): unknown {
  if (!MAYBE_INEXACT.test(text)) return JSON.parse(text);
  const found: InexactLiteral[] = [];
  for (let at = inexactJsonNumber(text); at !== undefined; at = inexactJsonNumber(text, at.end)) found.push(at);
  if (found.length === 0) return JSON.parse(text);
  // Each such literal becomes a unique string first, so the walk below can tell where it ended up.
  const tag = `\u0000inexact-${randomUUID()}-`;
  let marked = '';
  let last = 0;
  found.forEach((f, i) => {
    marked += `${text.slice(last, f.start)}${JSON.stringify(`${tag}${i}`)}`;
    last = f.end;
  });
  marked += text.slice(last);
  return restore(JSON.parse(marked) as unknown, tag, found).value;
}

/** `value` with each tagged string back to the number `JSON.parse` makes of it, marking the objects above it. */
function restore(value: unknown, tag: string, found: readonly InexactLiteral[]): { value: unknown; literal?: string } {
  if (typeof value === 'string') {
    if (!value.startsWith(tag)) return { value };
    const literal = found[Number(value.slice(tag.length))]!.literal;
    return { value: Number(literal), literal };
  }
  if (typeof value !== 'object' || value === null) return { value };
  let first: string | undefined;
  const container = value as Record<string, unknown>;
  for (const key of Object.keys(container)) {
    const child = restore(container[key], tag, found);
    if (child.literal === undefined) continue;
    setOwn(container, key, child.value);
    if (!Array.isArray(value)) {
      const keys = inexactKeys.get(value) ?? new Map<string, string>();
      if (!keys.has(key)) keys.set(key, child.literal);
      inexactKeys.set(value, keys);
    }
    first ??= child.literal;
  }
  return first === undefined ? { value } : { value, literal: first };
}

/**
 * The keys of `metadata` (as parsed by `parseEncordJson`) whose stored value holds a number a double cannot
 * hold exactly, each with the first such literal; `undefined` for nearly every dictionary.
 */
export function inexactStoredKeys(metadata: object): ReadonlyMap<string, string> | undefined {
  return inexactKeys.get(metadata);
}
