/**
 * string (varchar) and text: any scalar as text, kept exactly as written (no trimming: leading spaces may
 * matter). Parquet numbers, bigints and booleans are written as JS prints them (`12.5`, `true`, and `-0`);
 * a NaN or infinite float is refused. A list is not a string. varchar counts characters as the SDK does
 * (Unicode code points) against `maxLength`.
 */
import type { Cell } from '../sources/source.js';
import { type CoerceResult, describeCell, EMPTY, fail, isBlank, quote, value } from './coerce-result.js';

/** Coerce a cell to a string of at most `maxLength` code points (`Infinity` for text). */
export function coerceString(cell: Cell, maxLength: number): CoerceResult {
  let text: string;
  switch (typeof cell) {
    case 'string':
      if (isBlank(cell)) return EMPTY;
      text = cell;
      break;
    case 'number':
      // NaN is how pandas and DuckDB mark a missing float, not the text "NaN": refused, as a number key
      // refuses it, rather than guessed. -0 keeps its sign (String(-0) is "0").
      if (!Number.isFinite(cell)) {
        return fail('INVALID_STRING', 'text, or a finite number', String(cell), 'a NaN or infinite float is not text (pandas writes NaN for a missing value: leave the cell null, or write the text in a string column)');
      }
      text = Object.is(cell, -0) ? '-0' : String(cell);
      break;
    case 'bigint':
    case 'boolean':
      text = String(cell);
      break;
    default:
      if (cell === null) return EMPTY;
      return fail('INVALID_STRING', 'a single text value', describeCell(cell));
  }
  // `length` counts UTF-16 units, never fewer than code points: count code points only when it matters.
  if (text.length > maxLength) {
    const points = countCodePoints(text);
    if (points > maxLength) {
      return fail('INVALID_STRING_TOO_LONG', `at most ${maxLength} characters`, `${points} characters: ${quote(text)}`);
    }
  }
  return value(text);
}

function countCodePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
