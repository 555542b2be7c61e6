/**
 * Reading a cell of a column with no key in the schema (`--unknown-columns json|string`, and `json` by
 * default for a `list` export). `list` writes strings as they are and every other value as JSON text, so a
 * cell alone cannot say whether `5` was the number 5 or the string "5". Three rules keep a round trip exact:
 *
 * 1. A cell equal to what `list` writes for the unit's current value keeps that value exactly (the string
 *    "5" stays a string, `[1,5,9]` stays an array), under both policies.
 * 2. `json`: `true`/`false`, a JSON number, or a JSON array/object is that value; any other text is a string;
 *    text starting with `[` or `{` that is not valid JSON fails the row (`UNKNOWN_COLUMN_INVALID_JSON`), as
 *    does a number (alone or inside an array/object) a double cannot hold exactly (`INVALID_NUMBER`, the
 *    same check as every other number: `coercion/exact-number.ts`).
 * 3. `string`: text is a string, but a cell that reads as a JSON array, object, number or boolean fails the
 *    row (`UNKNOWN_COLUMN_NOT_TEXT`) instead of being silently written as text.
 *
 * Parquet cells arrive typed: numbers, booleans and lists are values under `json` (and fail under `string`).
 */
import { coerce } from '../coercion/coerce.js';
import { exactDouble, inexactHint, inexactJsonNumber } from '../exact-number.js';
import { describeCell, EMPTY, isBlank, quote, value, type CoerceResult } from '../coercion/coerce-result.js';
import type { ResolvedCoercionOptions } from '../coercion/coercion-options.js';
import type { DataUnit } from '../encord/metadata-store.js';
import type { JsonValue } from '../encord/protocol/types.js';
import type { UnknownKeyPolicy } from '../mapping/column-plan.js';
import { listCell } from '../report/list-cell.js';
import type { FieldSpec } from '../schema/index.js';
import type { Cell } from '../sources/source.js';
import { jsonEqual } from './merge.js';
import { hasOwn } from '../own.js';

/** Row failure codes of unknown-key cells. */
export const UNKNOWN_CELL_CODES = {
  UNKNOWN_COLUMN_NOT_TEXT: 'with --unknown-columns string, a cell that reads as a JSON array, object, number or boolean',
  UNKNOWN_COLUMN_INVALID_JSON: 'with --unknown-columns json, a cell starting with [ or { that is not valid JSON',
} as const;

export interface UnknownCellError {
  readonly kind: 'error';
  readonly code: keyof typeof UNKNOWN_CELL_CODES | 'INVALID_NUMBER';
  readonly message: string;
}

const STRING_SPEC: FieldSpec = { type: 'string', maxLength: 8192 };
const PASS_SPEC: FieldSpec = { type: 'unknown', ty: 'json', option: {} };
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** `cell` for key `key` of `units` (the row's targets, as listed at the start of the run). */
export function coerceUnknownCell(
  cell: Cell,
  key: string,
  units: readonly DataUnit[],
  policy: UnknownKeyPolicy,
  options: ResolvedCoercionOptions,
): CoerceResult | UnknownCellError {
  if (cell === null || (typeof cell === 'string' && (isBlank(cell) || options.nullValues.has(cell.trim())))) return EMPTY;
  const current = currentValue(units, key);
  if (typeof cell !== 'string') {
    const result = coerce(cell, PASS_SPEC, options);
    if (result.kind !== 'value') return result;
    if (current !== undefined && jsonEqual(current, result.value)) return value(current);
    if (policy === 'string') return notText(cell, result.value);
    return result;
  }
  // Rule 1: unchanged since `list` wrote it.
  if (current !== undefined && listCell(current) === cell) return value(current);
  const literal = jsonLiteral(cell);
  if (policy === 'string') return literal === undefined || 'error' in literal ? coerce(cell, STRING_SPEC, options) : notText(cell, literal.json);
  if (literal === undefined) return coerce(cell, STRING_SPEC, options);
  if ('error' in literal) return literal.error;
  return value(literal.json);
}

/** Text that is a string whatever it reads as (a job-config constant given as a JSON string): kept exactly. */
export function coerceUnknownText(text: string, options: ResolvedCoercionOptions): CoerceResult {
  return coerce(text, STRING_SPEC, options);
}

/**
 * The value the targets hold now when `cell` is exactly what `list` writes for it (else `undefined`). For
 * the schema's keys of a listing: an unedited cell keeps a stored value even when it is off-type (the
 * string "fast" on a number key), instead of failing the row or re-typing it.
 */
export function unchangedSinceListed(cell: Cell, key: string, units: readonly DataUnit[]): JsonValue | undefined {
  if (typeof cell !== 'string' || isBlank(cell)) return undefined;
  const current = currentValue(units, key);
  return current !== undefined && listCell(current) === cell ? current : undefined;
}

/** The value every target holds now, when they all hold the same one (else `undefined`: nothing to keep). */
function currentValue(units: readonly DataUnit[], key: string): JsonValue | undefined {
  let found: JsonValue | undefined;
  for (const unit of units) {
    if (unit.metadata === null || !hasOwn(unit.metadata, key)) return undefined;
    const v = unit.metadata[key]!;
    if (found !== undefined && !jsonEqual(found, v)) return undefined;
    found = v;
  }
  return found === null ? undefined : found;
}

/** The JSON value a cell spells (`undefined`: plain text), or why it cannot be written exactly. */
function jsonLiteral(text: string): { json: JsonValue } | { error: UnknownCellError } | undefined {
  if (text === 'true') return { json: true };
  if (text === 'false') return { json: false };
  if (JSON_NUMBER.test(text)) {
    const exact = exactDouble(text);
    return exact.ok ? { json: exact.value } : { error: inexact(text, inexactHint(exact)) };
  }
  const first = text.charCodeAt(0);
  if (first !== 0x5b && first !== 0x7b) return undefined; // [ {
  try {
    const json = JSON.parse(text) as JsonValue;
    if (json !== null && typeof json === 'object') {
      const bad = inexactJsonNumber(text);
      return bad === undefined ? { json } : { error: inexact(bad.literal, inexactHint(bad.result)) };
    }
  } catch {
    // reported below
  }
  return {
    error: {
      kind: 'error',
      code: 'UNKNOWN_COLUMN_INVALID_JSON',
      message: `Invalid JSON: expected a JSON array or object (the cell starts with ${text[0]}), got ${quote(text)}; fix the JSON, or add the key to the schema as a string (encord-meta schema push --set KEY=string) to write text`,
    },
  };
}

function inexact(literal: string, hint: string): UnknownCellError {
  return { kind: 'error', code: 'INVALID_NUMBER', message: `Invalid number: expected a number a JSON number holds exactly, got ${quote(literal)}; ${hint}` };
}

function notText(cell: Cell, json: JsonValue): UnknownCellError {
  const what = Array.isArray(json) ? 'a JSON array' : typeof json === 'object' ? 'a JSON object' : `the JSON ${typeof json} ${String(json)}`;
  return {
    kind: 'error',
    code: 'UNKNOWN_COLUMN_NOT_TEXT',
    message:
      `Not text: ${describeCell(cell)} reads as ${what}, and --unknown-columns string would write it as text; ` +
      `use --unknown-columns json to write the value, or add the key to the schema (encord-meta schema push --set KEY=TYPE)`,
  };
}
