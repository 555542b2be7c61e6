/**
 * The pure core of `schema check`: run every cell of a file through the coercer of its column's key and
 * count what would pass, fail or be empty, with a few failing samples per column. No I/O: the caller opens
 * the source and prints the result (`formatFileCheck`).
 */
import { coerce } from '../coercion/coerce.js';
import { embeddingLength } from '../coercion/coerce-embedding.js';
import { combineGeo } from '../coercion/coerce-geospatial.js';
import { canonicalDecimalOptions, type ResolvedCoercionOptions } from '../coercion/coercion-options.js';
import { describeCell } from '../coercion/coerce-result.js';
import type { Cell } from '../sources/source.js';
import { describeSpec, type FieldSpec } from '../schema/field-spec.js';
import type { MetaSchema } from '../schema/meta-schema.js';

/** What the check needs of a row (`RawRow` fits). */
export interface RowLike {
  readonly line: number;
  /** The row's file, when the input is several files. */
  readonly file?: string | undefined;
  readonly values: Readonly<Record<string, Cell>>;
}

/**
 * What one checked field reads, as the import's column plan says (a job config's `columns`): a file column
 * (written to `key`, its own name unless renamed), two columns combined into one point, or a constant.
 */
export type CheckField =
  | { readonly kind: 'cell'; readonly column: string; readonly key: string }
  | { readonly kind: 'geo'; readonly key: string; readonly latitude: string; readonly longitude: string }
  | { readonly kind: 'constant'; readonly key: string; readonly raw: Cell };

export interface CheckFileInput {
  readonly schema: MetaSchema;
  /** Column names in file order. Columns starting with `_` (mapping columns) are ignored. */
  readonly columns: readonly string[];
  /**
   * The fields to check, when a column plan decides them (renames, ignored columns, geo pairs, constants);
   * `columns` then only lists what the file has. @default each of `columns` checked against its own key
   */
  readonly fields?: readonly CheckField[] | undefined;
  readonly rows: AsyncIterable<RowLike> | Iterable<RowLike>;
  readonly options: ResolvedCoercionOptions;
  /** Columns of machine-written decimal text, read without the locale options (as the import does). */
  readonly canonicalDecimalColumns?: ReadonlySet<string> | undefined;
  /** Failing samples kept per column. @default 5 */
  readonly maxSamples?: number | undefined;
  /** Distinct out-of-enum values kept per column. @default 20 */
  readonly maxDistinct?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface CheckSample {
  readonly line: number;
  /** The file, when the input is several files. */
  readonly file?: string;
  /** The cell as messages show it (`"12,5"`, `number 3`). */
  readonly value: string;
  readonly code: string;
  readonly message: string;
}

export interface ColumnCheck {
  /** The file column (`lat+lon` for a geo pair, `(constant)` for a constant). */
  readonly column: string;
  /** The metadata key it is written to, when not the column's own name (a rename, a geo pair, a constant). */
  readonly key?: string | undefined;
  /** The key's spec, or `null` when the schema has no such key (values are then counted, not checked). */
  readonly spec: FieldSpec | null;
  /** Values that coerce (for a key missing from the schema: non-empty values). */
  readonly ok: number;
  readonly failed: number;
  readonly empty: number;
  /** Up to `maxSamples` failures, in file order. */
  readonly samples: readonly CheckSample[];
  /** Enum columns: distinct values not in the enum, most frequent first. */
  readonly outOfEnum: readonly { readonly value: string; readonly count: number }[];
  /** Embedding columns: array lengths seen, most frequent first. */
  readonly embeddingSizes: readonly { readonly size: number; readonly count: number }[];
}

export interface FileCheck {
  readonly rows: number;
  /** Checked columns, in file order. */
  readonly columns: readonly ColumnCheck[];
  /** Columns starting with `_`. */
  readonly ignoredColumns: readonly string[];
  /** Schema keys no column provides (informative). */
  readonly keysNotInFile: readonly string[];
}

interface Tally {
  column: string;
  key: string | undefined;
  field: CheckField;
  spec: FieldSpec | null;
  ok: number;
  failed: number;
  empty: number;
  samples: CheckSample[];
  outOfEnum: Map<string, number>;
  embeddingSizes: Map<number, number>;
}

/** How one row's cells are read and how much is kept, the same for every row of a check. */
interface TallyLimits {
  readonly options: ResolvedCoercionOptions;
  /** `options` without the locale, for machine-written decimal columns. */
  readonly canonical: ResolvedCoercionOptions;
  readonly canonicalDecimalColumns: ReadonlySet<string> | undefined;
  readonly maxSamples: number;
  readonly maxDistinct: number;
}

/** Check every row against the schema. Rejects with the signal's reason when aborted. */
export async function checkFileAgainstSchema(input: CheckFileInput): Promise<FileCheck> {
  // As the import plans it: `_` columns are report columns unless the schema has the key.
  const ignored = (c: string): boolean => c.startsWith('_') && !input.schema.fields.has(c);
  const ignoredColumns = input.columns.filter(ignored);
  const fields: readonly CheckField[] = input.fields ?? input.columns.filter((c) => !ignored(c)).map((column) => ({ kind: 'cell', column, key: column }));
  const tallies = fields.map((field) => newTally(field, input.schema));
  const limits: TallyLimits = {
    options: input.options,
    canonical: canonicalDecimalOptions(input.options),
    canonicalDecimalColumns: input.canonicalDecimalColumns,
    maxSamples: input.maxSamples ?? 5,
    maxDistinct: input.maxDistinct ?? 20,
  };
  let rows = 0;
  for await (const row of input.rows) {
    input.signal?.throwIfAborted();
    rows++;
    for (const t of tallies) tallyCell(t, row, limits);
  }
  const present = new Set(fields.map((f) => f.key));
  return {
    rows,
    columns: tallies.map(columnCheck),
    ignoredColumns,
    keysNotInFile: [...input.schema.fields.keys()].filter((k) => !present.has(k)),
  };
}

function newTally(field: CheckField, schema: MetaSchema): Tally {
  const column = field.kind === 'cell' ? field.column : field.kind === 'geo' ? `${field.latitude}+${field.longitude}` : '(constant)';
  return {
    column,
    key: field.key === column ? undefined : field.key,
    field,
    spec: schema.fields.get(field.key) ?? null,
    ok: 0,
    failed: 0,
    empty: 0,
    samples: [],
    outOfEnum: new Map(),
    embeddingSizes: new Map(),
  };
}

/** Count one row's value for one field: ok, empty or failed (with a sample, and the out-of-enum value). */
function tallyCell(t: Tally, row: RowLike, limits: TallyLimits): void {
  const f = t.field;
  if (f.kind === 'geo' && t.spec !== null) {
    tallyGeo(t, f, row, limits);
    return;
  }
  const cell = f.kind === 'cell' ? (row.values[f.column] ?? null) : f.kind === 'constant' ? f.raw : null;
  if (t.spec === null) {
    if (cell === null || (typeof cell === 'string' && cell.trim() === '')) t.empty++;
    else t.ok++;
    return;
  }
  if (t.spec.type === 'embedding') {
    const size = embeddingLength(cell);
    if (size !== null) t.embeddingSizes.set(size, (t.embeddingSizes.get(size) ?? 0) + 1);
  }
  const canonicalColumn = f.kind === 'cell' && limits.canonicalDecimalColumns?.has(f.column) === true;
  const result = coerce(cell, t.spec, canonicalColumn ? limits.canonical : limits.options);
  if (result.kind === 'value') t.ok++;
  else if (result.kind === 'empty') t.empty++;
  else {
    t.failed++;
    if (t.samples.length < limits.maxSamples) {
      t.samples.push({ line: row.line, ...(row.file !== undefined && { file: row.file }), value: describeCell(cell), code: result.code, message: result.message });
    }
    if (result.code === 'INVALID_ENUM' && typeof cell === 'string') {
      const v = cell.trim();
      const n = t.outOfEnum.get(v);
      if (n !== undefined) t.outOfEnum.set(v, n + 1);
      else if (t.outOfEnum.size < limits.maxDistinct) t.outOfEnum.set(v, 1);
    }
  }
}

/** As the import reads a geo pair: each cell a number, both empty → empty, one empty → error. */
function tallyGeo(t: Tally, f: Extract<CheckField, { kind: 'geo' }>, row: RowLike, limits: TallyLimits): void {
  const result = combineGeo(row.values[f.latitude] ?? null, row.values[f.longitude] ?? null, limits.options);
  if (result.kind === 'value') t.ok++;
  else if (result.kind === 'empty') t.empty++;
  else {
    t.failed++;
    if (t.samples.length < limits.maxSamples) {
      const shown = `${describeCell(row.values[f.latitude] ?? null)}, ${describeCell(row.values[f.longitude] ?? null)}`;
      t.samples.push({ line: row.line, value: shown, code: result.code, message: result.message });
    }
  }
}

function columnCheck(t: Tally): ColumnCheck {
  return {
    column: t.column,
    ...(t.key !== undefined && { key: t.key }),
    spec: t.spec,
    ok: t.ok,
    failed: t.failed,
    empty: t.empty,
    samples: t.samples,
    outOfEnum: [...t.outOfEnum].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count),
    embeddingSizes: [...t.embeddingSizes].map(([size, count]) => ({ size, count })).sort((a, b) => b.count - a.count),
  };
}

/** Whether any checked value failed. */
export function checkHasFailures(check: FileCheck): boolean {
  return check.columns.some((c) => c.failed > 0);
}

/**
 * A printable report:
 * ```
 * weather.csv: 200 rows
 *   city: datetime: 0 ok, 200 failed, 0 empty
 *     line 2: Invalid datetime: expected …, got "Paris"
 *   notes: not in the schema: 180 values, 20 empty
 * ```
 */
export function formatFileCheck(check: FileCheck, fileName: string): string {
  const lines = [`${fileName}: ${check.rows} ${check.rows === 1 ? 'row' : 'rows'}`];
  for (const c of check.columns) {
    const name = c.key === undefined ? c.column : `${c.column} → ${c.key}`;
    if (c.spec === null) {
      lines.push(`  ${name}: not in the schema: ${c.ok} values, ${c.empty} empty`);
      continue;
    }
    lines.push(`  ${name}: ${describeSpec(c.spec)}: ${c.ok} ok, ${c.failed} failed, ${c.empty} empty`);
    for (const s of c.samples) lines.push(`    ${s.file !== undefined ? `${s.file} ` : ''}line ${s.line}: ${s.message}`);
    if (c.failed > c.samples.length) lines.push(`    … ${c.failed - c.samples.length} more`);
    if (c.outOfEnum.length > 0) {
      lines.push(`    values not in the enum: ${c.outOfEnum.map((v) => `${JSON.stringify(v.value)} (${v.count})`).join(', ')}`);
    }
    if (c.embeddingSizes.length > 0) {
      lines.push(`    embedding sizes seen: ${c.embeddingSizes.map((s) => `${s.size} (${s.count})`).join(', ')}`);
    }
  }
  if (check.ignoredColumns.length > 0) lines.push(`  ignored: ${check.ignoredColumns.join(', ')}`);
  if (check.keysNotInFile.length > 0) lines.push(`  schema keys with no column: ${check.keysNotInFile.join(', ')}`);
  return lines.join('\n');
}
