/**
 * The `_listed` column of a `list` export (CSV and Parquet): a stamp of each unit's whole metadata as it
 * was when listed. A listing edited in a spreadsheet and imported back writes every cell that differs from
 * what the unit holds now, and an import alone cannot tell a cell the user edited from one that went stale
 * because someone changed the unit in Encord after the listing: writing it back would silently undo their
 * change. So when a row of such a file would change its unit, the writer compares the unit's metadata as
 * re-read just before the write with the row's stamp; if the unit changed since it was listed, the row
 * fails (`STALE_LISTING`) instead of being written. A row whose unit did not change is written as usual,
 * and a file without the column (or with its cell emptied) is not checked.
 *
 * The stamp is the first 96 bits of SHA-256 over the metadata as canonical JSON (object keys sorted at
 * every level, top-level keys holding null left out), in base64url: 16 characters. Shared by `report/`
 * (the list writers) and `pipeline/` (the writer), which is why it lives at the top of `src/`, like
 * `formula-cells.ts`.
 */
import { createHash } from 'node:crypto';
import { setOwn } from './own.js';

/** The column a listing stamps each unit's metadata in; `_` keeps it out of the imported keys. */
export const LISTED_COLUMN = '_listed';

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** The stamp of a unit's metadata (`''` when the listing did not know it: such a row is not checked). */
export function listedStamp(metadata: Readonly<Record<string, Json>> | null | undefined): string {
  if (metadata === null || metadata === undefined) return '';
  // A key holding null counts as absent: one read may drop such keys where another keeps them (the SDK drops
  // the null fields of a v1 row), and a stamp that differed by that would refuse rows nobody changed.
  const present: Record<string, Json> = {};
  for (const key of Object.keys(metadata)) if (metadata[key] !== null) setOwn(present, key, metadata[key]!);
  return createHash('sha256').update(canonicalJson(present)).digest('base64url').slice(0, 16);
}

/** Whether `cell` is a stamp this module writes (a user's own `_listed` text is not one, and is ignored). */
export function isListedStamp(cell: string | undefined): cell is string {
  return cell !== undefined && /^[A-Za-z0-9_-]{16}$/.test(cell);
}

function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as readonly Json[]).map(canonicalJson).join(',')}]`;
  const obj = value as { readonly [key: string]: Json };
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k]!)}`).join(',')}}`;
}
