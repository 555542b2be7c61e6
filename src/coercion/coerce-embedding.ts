/**
 * embedding: an array of finite numbers whose length is the spec's size. From text, a JSON array
 * (`[0.1, 0.2]`); from Parquet, a LIST cell. `NaN`/`Infinity` are not JSON and not accepted; nor is an
 * element a JSON number cannot hold exactly (`9007199254740993`, `1e-400`: see `exact-number.ts`). FLOAT
 * lists arrive as the shortest decimals of their float32 values and are exact.
 */
import type { SpecOf } from '../schema/field-spec.js';
import type { Cell } from '../sources/source.js';
import { type CoerceResult, describeCell, EMPTY, fail, quote, value } from './coerce-result.js';
import { exactDoubleOfBigint, inexactHint, inexactJsonNumber } from '../exact-number.js';

const NON_FINITE_WORD = /nan|infinity/i;
const NUMPY_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * numpy's print form of a 1-D array, `[ 0.7279 -0.8863  1.  ]` (numbers separated by white space, line
 * breaks included), as the JSON text of the same numbers (`[0.7279,-0.8863,1.0]`), or `null`. The numbers
 * keep their digits, so the exactness check sees what was written.
 */
export function numpyToJson(text: string): string | null {
  if (!text.startsWith('[') || !text.endsWith(']')) return null;
  const inner = text.slice(1, -1).trim();
  if (inner === '') return null;
  const out: string[] = [];
  for (const token of inner.split(/\s+/)) {
    if (!NUMPY_NUMBER.test(token)) return null;
    out.push(
      token
        .replace(/^\+/, '')
        .replace(/^(-?)\./, '$10.')
        .replace(/\.(?=$|[eE])/, '.0'),
    );
  }
  return `[${out.join(',')}]`;
}

/** What an embedding cell should be; built only for an error (it is text work on every row otherwise). */
function expectedOf(spec: SpecOf<'embedding'>): string {
  return spec.size === null ? 'a JSON array of numbers' : `a JSON array of ${spec.size} numbers`;
}

/** Coerce a cell to an embedding of `spec.size` numbers (any size from 1 when the size is unknown). */
export function coerceEmbedding(cell: Cell, spec: SpecOf<'embedding'>): CoerceResult {
  let items: readonly unknown[];
  let fromText: boolean;
  if (typeof cell === 'string') {
    let text = cell.trim();
    if (text === '') return EMPTY;
    if (text.charCodeAt(0) !== 91 /* [ */) {
      return fail('INVALID_EMBEDDING', expectedOf(spec), quote(cell), 'write it as a JSON array such as [0.1, 0.2]');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // numpy prints arrays without commas (`[ 0.7279 -0.8863  1.  ]`, wrapped over lines when long).
      const numpy = numpyToJson(text);
      if (numpy === null) {
        const hint = NON_FINITE_WORD.test(text) ? 'NaN and Infinity are not numbers' : 'not valid JSON';
        return fail('INVALID_EMBEDDING', expectedOf(spec), quote(cell), hint);
      }
      text = numpy;
      parsed = JSON.parse(text);
    }
    if (!Array.isArray(parsed)) return fail('INVALID_EMBEDDING', expectedOf(spec), quote(cell));
    // JSON.parse rounds a number it cannot hold: check the elements as written (overflow, Infinity, is
    // reported below as a non-finite element).
    const inexact = inexactJsonNumber(text);
    if (inexact !== undefined && inexact.result.reason !== 'overflow') {
      const at = parsed.findIndex((x) => typeof x === 'number' && x === Number(inexact.literal));
      const where = at >= 0 ? `element ${at} = ${inexact.literal}` : inexact.literal;
      return fail('INVALID_NUMBER', `${expectedOf(spec)}, each one a JSON number holds exactly`, where, inexactHint(inexact.result));
    }
    items = parsed;
    fromText = true;
  } else if (Array.isArray(cell)) {
    items = cell as readonly Cell[];
    fromText = false;
  } else if (cell === null) {
    return EMPTY;
  } else {
    return fail('INVALID_EMBEDDING', expectedOf(spec), describeCell(cell as Cell));
  }
  const size = spec.size;
  if (items.length === 0 || (size !== null && items.length !== size)) {
    const got = `an array of ${items.length} ${items.length === 1 ? 'number' : 'numbers'}`;
    return fail('INVALID_EMBEDDING', expectedOf(spec), got);
  }
  const out: number[] = fromText ? (items as number[]) : new Array<number>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let n: number;
    if (typeof item === 'number') n = item;
    else if (typeof item === 'bigint') {
      const exact = exactDoubleOfBigint(item);
      if (!exact.ok) return fail('INVALID_NUMBER', `${expectedOf(spec)}, each one a JSON number holds exactly`, `element ${i} = ${item.toString()}`, inexactHint(exact));
      n = exact.value;
    } else return fail('INVALID_EMBEDDING', expectedOf(spec), `element ${i} = ${describeCell(item as Cell)}`);
    if (!Number.isFinite(n)) return fail('INVALID_EMBEDDING', expectedOf(spec), `element ${i} = ${String(n)}`);
    if (!fromText) out[i] = n;
  }
  return value(out);
}

/**
 * The number of elements of an embedding-looking cell (JSON array text or LIST), or `null`; for
 * `schema check`'s "embedding sizes seen".
 */
export function embeddingLength(cell: Cell): number | null {
  if (Array.isArray(cell)) return cell.length;
  if (typeof cell !== 'string') return null;
  const text = cell.trim();
  if (text.charCodeAt(0) !== 91) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.length : null;
  } catch {
    const numpy = numpyToJson(text);
    return numpy === null ? null : (JSON.parse(numpy) as unknown[]).length;
  }
}
