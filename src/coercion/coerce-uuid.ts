/**
 * uuid: canonical lower-case `8-4-4-4-12` hexadecimal. Upper case and `{…}` braces are accepted and
 * normalised; anything else (no dashes, `urn:uuid:`, wrong group lengths) is refused.
 */
import type { Cell } from '../sources/source.js';
import { type CoerceResult, describeCell, EMPTY, fail, quote, value } from './coerce-result.js';

const UUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;
const EXPECTED = 'a uuid such as 123e4567-e89b-12d3-a456-426614174000';

/** Coerce a cell to a lower-case uuid string. */
export function coerceUuid(cell: Cell): CoerceResult {
  if (typeof cell !== 'string') return cell === null ? EMPTY : fail('INVALID_UUID', EXPECTED, describeCell(cell));
  const text = cell.trim();
  if (text === '') return EMPTY;
  const m = UUID.exec(text);
  // Braces must come in pairs: `{uuid` alone is a typo, not a form.
  if (m === null || (text.charCodeAt(0) === 123) !== (text.charCodeAt(text.length - 1) === 125)) {
    return fail('INVALID_UUID', EXPECTED, quote(cell));
  }
  return value(m[1]!.toLowerCase());
}
