/**
 * enum: one of the spec's values: the cell as written, else trimmed (so `"Fog "` is the value `"Fog "` when
 * the enum has one, never `"Fog"`). A value that differs only in case is refused with a "did you mean"
 * (Encord compares exactly). An enum without values (simple form) accepts
 * any text. Parquet numbers and booleans are compared as their text.
 */
import type { SpecOf } from '../schema/field-spec.js';
import type { Cell } from '../sources/source.js';
import { type CoerceResult, describeCell, EMPTY, fail, failWith, quote, value } from './coerce-result.js';

interface EnumIndex {
  readonly exact: ReadonlySet<string>;
  /** lower-cased value → the values with that spelling */
  readonly folded: ReadonlyMap<string, readonly string[]>;
  readonly expected: string;
}

const INDEXES = new WeakMap<readonly string[], EnumIndex>();

/** Coerce a cell to one of `spec.values`. */
export function coerceEnum(cell: Cell, spec: SpecOf<'enum'>): CoerceResult {
  let raw: string;
  switch (typeof cell) {
    case 'string':
      raw = cell;
      break;
    case 'number':
    case 'bigint':
    case 'boolean':
      raw = String(cell);
      break;
    default:
      if (cell === null) return EMPTY;
      return fail('INVALID_ENUM', spec.values.length === 0 ? 'a single text value' : indexOf(spec).expected, describeCell(cell));
  }
  const text = raw.trim();
  if (text === '') return EMPTY;
  if (spec.values.length === 0) return value(text);
  const index = indexOf(spec);
  if (index.exact.has(raw)) return value(raw); // a value that itself has blanks is named by its exact text
  if (index.exact.has(text)) return value(text);
  const of = spec.key === undefined ? '' : ` of ${spec.key}`;
  const near = index.folded.get(text.toLowerCase());
  if (near !== undefined) {
    return failWith(
      'INVALID_ENUM',
      index.expected,
      `${quote(text)} is not an allowed value${of}; did you mean ${quote(near[0]!)}? (values differ only in case)`,
    );
  }
  return failWith('INVALID_ENUM', index.expected, `${quote(text)} is not an allowed value${of}; expected ${index.expected}`);
}

function indexOf(spec: SpecOf<'enum'>): EnumIndex {
  let index = INDEXES.get(spec.values);
  if (index === undefined) {
    const folded = new Map<string, string[]>();
    for (const v of spec.values) {
      const k = v.trim().toLowerCase();
      const list = folded.get(k);
      if (list === undefined) folded.set(k, [v]);
      else list.push(v);
    }
    const shown = spec.values.slice(0, 12).map((v) => JSON.stringify(v)).join(', ');
    const more = spec.values.length > 12 ? `, … (${spec.values.length - 12} more)` : '';
    index = { exact: new Set(spec.values), folded, expected: `one of ${shown}${more}` };
    INDEXES.set(spec.values, index);
  }
  return index;
}
