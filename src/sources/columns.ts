import { MetaError } from '../errors.js';

/**
 * Refuse a header with two columns of the same name: the second would silently overwrite the first in
 * every row object.
 */
export function checkUniqueColumns(name: string, columns: readonly string[]): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const first = seen.get(column);
    if (first !== undefined) {
      throw new MetaError(
        'SOURCE_DUPLICATE_COLUMN',
        `Duplicate column name: expected unique names, got ${JSON.stringify(column)} as columns ${first + 1} and ${i + 1} (${name})`,
        { details: { column, positions: [first + 1, i + 1] } },
      );
    }
    seen.set(column, i);
  }
}

/**
 * A function turning an array of cells (in column order) into the row object keyed by column name.
 * Plain object literals keep V8's fast properties; a column literally named `__proto__` is defined as an
 * own property instead of being assigned, which would change the object's prototype.
 */
export function recordBuilder<T>(columns: readonly string[]): (cells: readonly T[]) => Record<string, T> {
  const names = [...columns];
  const n = names.length;
  const hasProto = names.includes('__proto__');
  if (!hasProto) {
    return (cells) => {
      const out: Record<string, T> = {};
      for (let i = 0; i < n; i++) out[names[i]!] = cells[i]!;
      return out;
    };
  }
  return (cells) => {
    const out: Record<string, T> = {};
    for (let i = 0; i < n; i++) {
      Object.defineProperty(out, names[i]!, { value: cells[i]!, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
}
