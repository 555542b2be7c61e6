/**
 * boolean: the configured words (default true/yes/y/1/on/t and false/no/n/0/off/f), trimmed, any case.
 * Parquet booleans pass; Parquet integers are read through the same words (`1`, `0`).
 */
import type { Cell } from '../sources/source.js';
import type { ResolvedCoercionOptions } from './coercion-options.js';
import { type CoerceResult, describeCell, EMPTY, fail, missingValueHint, quote } from './coerce-result.js';

const TRUE: CoerceResult = Object.freeze({ kind: 'value', value: true });
const FALSE: CoerceResult = Object.freeze({ kind: 'value', value: false });

/** Coerce a cell to `true` / `false`. */
export function coerceBoolean(cell: Cell, options: ResolvedCoercionOptions): CoerceResult {
  if (typeof cell === 'boolean') return cell ? TRUE : FALSE;
  let word: string;
  if (typeof cell === 'string') {
    word = cell.trim().toLowerCase();
    if (word === '') return EMPTY;
  } else if (typeof cell === 'number' || typeof cell === 'bigint') {
    word = String(cell);
  } else if (cell === null) {
    return EMPTY;
  } else {
    return fail('INVALID_BOOLEAN', expected(options), describeCell(cell));
  }
  if (options.trueValues.has(word)) return TRUE;
  if (options.falseValues.has(word)) return FALSE;
  const got = typeof cell === 'string' ? quote(cell) : describeCell(cell);
  return fail(
    'INVALID_BOOLEAN',
    expected(options),
    got,
    typeof cell === 'string' ? (missingValueHint(cell.trim()) ?? `if "${cell.trim()}" is a yes/no word of your data, add it with --true-values or --false-values`) : undefined,
  );
}

const EXPECTED_CACHE = new WeakMap<ResolvedCoercionOptions, string>();

function expected(options: ResolvedCoercionOptions): string {
  let text = EXPECTED_CACHE.get(options);
  if (text === undefined) {
    text = `one of ${[...options.trueValues].join('/')} or ${[...options.falseValues].join('/')}`;
    EXPECTED_CACHE.set(options, text);
  }
  return text;
}
