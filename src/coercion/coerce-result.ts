/**
 * What a coercer returns, and how a failure is described. Messages say what was expected and what was got,
 * quoting the value; the caller knows where the cell is and adds it with `formatCellError`.
 */
import type { JsonValue } from '../encord/protocol/types.js';
import type { Cell } from '../sources/source.js';
import { COERCION_ERROR_CODES, type CoercionErrorCode } from './coercion-codes.js';

/** `empty`: the cell holds no value (`''`, blanks, NULL); the caller applies the `--empty` policy. */
export type CoerceResult =
  | { readonly kind: 'value'; readonly value: JsonValue }
  | { readonly kind: 'empty' }
  | { readonly kind: 'error'; readonly code: CoercionErrorCode; readonly expected: string; readonly message: string };

export type CoerceError = Extract<CoerceResult, { kind: 'error' }>;

/** The one `empty` result (no allocation per cell). */
export const EMPTY: CoerceResult = Object.freeze({ kind: 'empty' });

export function value(v: JsonValue): CoerceResult {
  return { kind: 'value', value: v };
}

/**
 * An error whose message is `<Title>: expected <expected>, got <got>[; <hint>]`, e.g.
 * `Invalid number: expected a decimal, got "12,5"; decimal comma? use --decimal-comma`.
 */
export function fail(code: CoercionErrorCode, expected: string, got: string, hint?: string): CoerceError {
  const title = COERCION_ERROR_CODES[code].title;
  const message = `${title}: expected ${expected}, got ${got}${hint === undefined ? '' : `; ${hint}`}`;
  return { kind: 'error', code, expected, message };
}

/** An error with a message that does not follow the expected/got pattern (still starting with the title). */
export function failWith(code: CoercionErrorCode, expected: string, text: string): CoerceError {
  return { kind: 'error', code, expected, message: `${COERCION_ERROR_CODES[code].title}: ${text}` };
}

/** Longest value quoted verbatim in a message. */
export const QUOTE_LIMIT = 80;

/** A string in double quotes, JSON-escaped, cut to ~80 characters: `"12,5"`, `"aaaa…" (9000 characters)`. */
export function quote(text: string): string {
  if (text.length <= QUOTE_LIMIT) return JSON.stringify(text);
  return `${JSON.stringify(`${text.slice(0, QUOTE_LIMIT)}…`)} (${text.length} characters)`;
}

/** How to name a cell in a message: strings quoted, other kinds named. */
export function describeCell(cell: Cell | JsonValue | undefined): string {
  if (cell === undefined || cell === null) return 'null';
  switch (typeof cell) {
    case 'string':
      return quote(cell);
    case 'number':
      return `number ${String(cell)}`;
    case 'bigint':
      return `integer ${cell.toString()}`;
    case 'boolean':
      return `boolean ${String(cell)}`;
    default:
      if (Array.isArray(cell)) return `a list of ${cell.length} ${cell.length === 1 ? 'value' : 'values'}`;
      return 'an object';
  }
}

/** Where a cell is, for messages. `line` is omitted when unknown. */
export interface CellLocation {
  readonly file: string;
  readonly line?: number;
  readonly column: string;
}

/** `Invalid number: expected a decimal, got "12,5" (weather.csv line 418, column temperature)`. */
export function formatCellError(result: CoerceError, location: CellLocation): string {
  const line = location.line === undefined ? '' : ` line ${location.line}`;
  return `${result.message} (${location.file}${line}, column ${location.column})`;
}

/**
 * Whether a string holds no value. Only blank strings are empty: `"N/A"` or `"null"` are values (and fail
 * for non-string types, with a hint).
 */
export function isBlank(text: string): boolean {
  // Fast path: most cells start with a non-blank character.
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  if (c > 32 && c !== 0xa0 && c < 0x1680) return false;
  return text.trim().length === 0;
}

/** Words people write for a missing value; they fail as values, and the message says to leave the cell empty. */
const MISSING_WORDS = new Set(['n/a', 'na', 'nan', 'null', 'none', 'nil', '-', '--', '?', '#n/a', 'missing', 'undefined']);

/** A hint for placeholder words (`N/A`, `null`, `-`), else `undefined`. */
export function missingValueHint(trimmed: string): string | undefined {
  return trimmed.length <= 9 && MISSING_WORDS.has(trimmed.toLowerCase())
    ? `for a missing value leave the cell empty (see --empty), or read it as empty with --null-values ${JSON.stringify(trimmed)}`
    : undefined;
}
