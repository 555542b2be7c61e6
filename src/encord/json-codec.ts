/**
 * JSON as the SDK writes it: ASCII only (non-ASCII escaped as `\uXXXX`) with Python's separators `", "` and
 * `": "`, keys in insertion order. The server verifies signatures over the bytes it receives, so the format
 * is free in principle; ASCII-only avoids any re-encoding ambiguity between proxies and the server, and the
 * separators make our bodies byte-identical to the SDK's (protocol §3 vectors).
 */

/** Thrown for values JSON cannot carry faithfully (NaN, Infinity, bigint, functions, cycles). */
export class JsonEncodeError extends TypeError {
  override readonly name = 'JsonEncodeError';
}

const NON_ASCII = /[\u0080-\uffff]/g;

function escapeNonAscii(json: string): string {
  return json.replace(NON_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Serialize like Python's `json.dumps(value)` (ensure_ascii, default separators). `undefined` members of
 * objects are omitted like `JSON.stringify` does; non-finite numbers throw instead of becoming `null`, which
 * would silently change the user's data.
 */
export function toAsciiJson(value: unknown): string {
  const seen = new Set<object>();
  const write = (v: unknown, where: string): string => {
    switch (typeof v) {
      case 'string':
        return escapeNonAscii(JSON.stringify(v));
      case 'number':
        if (!Number.isFinite(v)) throw new JsonEncodeError(`Cannot encode ${String(v)} as JSON (at ${where})`);
        return JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'object': {
        if (v === null) return 'null';
        if (seen.has(v)) throw new JsonEncodeError(`Cannot encode a cyclic structure as JSON (at ${where})`);
        seen.add(v);
        try {
          if (Array.isArray(v)) {
            return `[${v.map((item, i) => (item === undefined ? 'null' : write(item, `${where}[${i}]`))).join(', ')}]`;
          }
          const toJson = (v as { toJSON?: unknown }).toJSON;
          if (typeof toJson === 'function') return write((toJson as () => unknown).call(v), where);
          const parts: string[] = [];
          for (const [key, item] of Object.entries(v)) {
            if (item === undefined) continue;
            parts.push(`${escapeNonAscii(JSON.stringify(key))}: ${write(item, `${where}.${key}`)}`);
          }
          return `{${parts.join(', ')}}`;
        } finally {
          seen.delete(v);
        }
      }
      default:
        throw new JsonEncodeError(`Cannot encode a ${typeof v} as JSON (at ${where})`);
    }
  };
  return write(value, '$');
}

/** UTF-8 bytes of `toAsciiJson(value)` (pure ASCII, so one byte per character). */
export function encodeAsciiJson(value: unknown): Buffer {
  return Buffer.from(toAsciiJson(value), 'utf8');
}

/**
 * Structural equality of two JSON values: object key order does not matter, array order does. Used to check
 * that the server stored exactly what was sent.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b as object, k)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
