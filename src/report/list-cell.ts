/**
 * A metadata value as `list` writes it in a CSV cell: strings as they are, numbers and booleans as JSON
 * text, objects and arrays as JSON, `null` and absent as an empty cell. Its own module (no DuckDB, no fs)
 * because the import compares cells with it: an unknown-key cell equal to what `list` writes for the
 * unit's current value leaves that value exactly as it is.
 */
import type { JsonValue } from '../encord/protocol/types.js';

export function listCell(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
