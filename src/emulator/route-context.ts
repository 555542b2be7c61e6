/**
 * What a route handler receives, plus the small body-reading helpers both API families share
 * (camelCase and snake_case accepted, `True`/`False` accepted in query strings).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthVerifier } from './auth.js';
import type { FiredFault } from './faults.js';
import type { EmulatorSettings } from './options.js';
import type { StateStore } from './state.js';

export interface RouteContext {
  readonly store: StateStore;
  readonly settings: EmulatorSettings;
  readonly verifier: AuthVerifier;
  readonly method: string;
  /** Raw request-target. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when there is no body or it is not JSON). */
  readonly body: unknown;
  readonly bodyIsJson: boolean;
  readonly bodyBytes: number;
  /** Public key hex of the authenticated caller. */
  readonly keyId: string;
  /** Base URL of the emulator (for fake signed URLs). */
  readonly baseUrl: string;
  /** The fault that fired for this request, if any (handlers act on `partialResults`). */
  readonly fault: FiredFault | null;
}

export function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** `obj[snake_key]`, else `obj[camelKey]` (the server accepts both spellings). */
export function field(obj: unknown, snakeKey: string): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const rec = obj as Record<string, unknown>;
  if (snakeKey in rec) return rec[snakeKey];
  const c = camel(snakeKey);
  return c in rec ? rec[c] : undefined;
}

/** Booleans in JSON bodies and query strings: true/false, True/False. */
export function parseBool(value: unknown): boolean | undefined | 'invalid' {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'True') return true;
  if (value === 'false' || value === 'False') return false;
  return 'invalid';
}

/** Parse a raw query string (`+` is a space, `%XX` decoded); repeated keys collect in order. */
export function parseQuery(rawQuery: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const key = decode(rawKey);
    const value = decode(rawValue);
    const list = out.get(key);
    if (list === undefined) out.set(key, [value]);
    else list.push(value);
  }
  return out;
}

function decode(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** SQL LIKE (`%` any run, `_` one character, `\` escapes) as a RegExp; case-sensitive like Postgres. */
export function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      i += 1;
      re += pattern[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u');
}
