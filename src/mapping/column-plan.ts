/**
 * Which file columns become which metadata keys, decided once per run before any row is read: renames,
 * ignored columns, constants, two columns combined into one geospatial value. Columns starting with `_`
 * (failure-report columns) and the id columns are never imported.
 */
import type { Cell } from '../sources/source.js';
import type { FieldSpec, MetaSchema } from '../schema/index.js';
import { MetaError } from '../errors.js';
import { isListExport } from '../formula-cells.js';
import { getOwn } from '../own.js';
import { reservedKeyProblem } from '../schema/index.js';
import { ID_COLUMNS } from './key-resolver.js';
import type { UnknownColumnPolicy } from './mapping-options.js';

/** Column mapping of a job config. */
export interface ColumnMapping {
  /** file column → metadata key; `null` ignores the column. */
  readonly rename?: Readonly<Record<string, string | null>> | undefined;
  /** File columns not to import. */
  readonly ignore?: readonly string[] | undefined;
  /** Metadata keys set to the same raw value on every row (coerced like a cell). */
  readonly constants?: Readonly<Record<string, string | number | boolean>> | undefined;
  /** Two columns combined into one geospatial key. */
  readonly geo?: readonly { readonly key: string; readonly latitude: string; readonly longitude: string }[] | undefined;
}

/**
 * What to do with a column that has no key in the schema:
 * - `error`: refuse the file (exit 2, nothing written);
 * - `skip`: leave the column out;
 * - `json`: cells as `list` writes them: a JSON array, object, number or boolean literal is that value, other
 *   text a string, empty is empty; text starting with `[`/`{` that is not valid JSON fails the row;
 * - `string`: cells as text; a cell that reads as a JSON array, object, number or boolean fails the row
 *   (`UNKNOWN_COLUMN_NOT_TEXT`) rather than being silently written as text.
 * Under `json` and `string`, a cell equal to what `list` writes for the unit's current value keeps that
 * value exactly (a string "5" stays a string). See `pipeline/unknown-cell.ts`.
 * @default `json` for a file that starts with `list`'s id columns (a listing, or its failure report), else `error`
 */
export { UNKNOWN_COLUMN_POLICIES, type UnknownColumnPolicy } from './mapping-options.js';
/** How the cells of a column with no key in the schema are read. */
export type UnknownKeyPolicy = Extract<UnknownColumnPolicy, 'json' | 'string'>;

export type PlannedField =
  | { readonly kind: 'cell'; readonly key: string; readonly column: string; readonly spec: FieldSpec; readonly unknown?: UnknownKeyPolicy }
  | { readonly kind: 'constant'; readonly key: string; readonly raw: Cell; readonly spec: FieldSpec; readonly unknown?: UnknownKeyPolicy }
  | {
      readonly kind: 'geo';
      readonly key: string;
      readonly latitude: string;
      readonly longitude: string;
      readonly spec: FieldSpec;
    };

export interface ColumnPlan {
  readonly fields: readonly PlannedField[];
  /** The unknown-columns policy in force (given, or the default for this file). */
  readonly unknownColumns: UnknownColumnPolicy;
  /**
   * The file is a `list` export (or its failure report): a schema-key cell still equal to what `list` wrote
   * for the unit's current value keeps that value as it is, even when it does not fit the key's type.
   */
  readonly fromListing: boolean;
  /** Columns read but not imported, with why (shown by --dry-run and --verbose). */
  readonly skipped: readonly { readonly column: string; readonly reason: string }[];
}

const STRING_SPEC = { type: 'string', maxLength: 8192 } as unknown as FieldSpec;

export function planColumns(input: {
  readonly columns: readonly string[];
  readonly keyColumn: string;
  readonly schema: MetaSchema;
  readonly mapping?: ColumnMapping | undefined;
  readonly unknownColumns?: UnknownColumnPolicy | undefined;
  readonly source: string;
}): ColumnPlan {
  const { columns, keyColumn, schema, mapping = {} } = input;
  const unknownColumns: UnknownColumnPolicy = input.unknownColumns ?? (isListExport(columns) ? 'json' : 'error');
  const fields: PlannedField[] = [];
  const skipped: { column: string; reason: string }[] = [];
  const unknown: string[] = [];
  const ignore = new Set(mapping.ignore ?? []);
  const geoColumns = new Set<string>();
  const keysTaken = new Map<string, string>();

  const specFor = (key: string, what: string): FieldSpec | undefined => {
    const spec = schema.fields.get(key);
    if (spec) return spec;
    if (unknownColumns === 'string' || unknownColumns === 'json') return STRING_SPEC;
    if (unknownColumns === 'skip') return undefined;
    unknown.push(what);
    return undefined;
  };
  const unknownOf = (key: string): { unknown?: UnknownKeyPolicy } =>
    schema.fields.has(key) || (unknownColumns !== 'json' && unknownColumns !== 'string') ? {} : { unknown: unknownColumns };
  const claim = (key: string, by: string): void => {
    // Before the unknown-column policy: no policy makes a reserved key writable.
    const reserved = reservedKeyProblem(key);
    if (reserved !== null) {
      throw new MetaError('USAGE_RESERVED_KEY', `${input.source}: ${by} would set ${reserved}. Nothing was written.`, { details: { key } });
    }
    const prior = keysTaken.get(key);
    if (prior !== undefined) {
      throw new MetaError('CONFIG_DUPLICATE_KEY', `${input.source}: metadata key "${key}" would be set by both ${prior} and ${by}; map one of them elsewhere or ignore it`);
    }
    keysTaken.set(key, by);
  };

  for (const g of mapping.geo ?? []) {
    for (const col of [g.latitude, g.longitude]) {
      if (!columns.includes(col)) {
        throw new MetaError('CONFIG_UNKNOWN_COLUMN', `config geo.${g.key}: column "${col}" is not in ${input.source} (columns: ${columns.join(', ')})`);
      }
      geoColumns.add(col);
    }
    if (reservedKeyProblem(g.key) !== null) claim(g.key, `config geo.${g.key}`);
    const spec = specFor(g.key, `"${g.key}" (geo of ${g.latitude}, ${g.longitude})`);
    if (spec) {
      claim(g.key, `columns ${g.latitude}+${g.longitude}`);
      fields.push({ kind: 'geo', key: g.key, latitude: g.latitude, longitude: g.longitude, spec });
    }
  }
  for (const column of Object.keys(mapping.rename ?? {})) {
    if (!columns.includes(column)) {
      throw new MetaError('CONFIG_UNKNOWN_COLUMN', `config rename: column "${column}" is not in ${input.source} (columns: ${columns.join(', ')})`);
    }
  }

  for (const column of columns) {
    if (column === keyColumn) continue;
    // Report columns (`_line`, `_error`, …) and other `_` columns are not metadata, unless the org schema
    // says so: `__proto__` and `_internal` are valid keys a schema may have.
    if (column.startsWith('_') && !schema.fields.has(column)) {
      const reason =
        column === '_index' ? "pandas' row index (the first header cell was empty)" : column.startsWith('_unnamed_') ? 'no name in the header (--skip-unnamed-columns)' : 'starts with _ (report column)';
      skipped.push({ column, reason });
      continue;
    }
    if (ignore.has(column) || geoColumns.has(column)) {
      if (!geoColumns.has(column)) skipped.push({ column, reason: 'ignored by config' });
      continue;
    }
    const renamed = mapping.rename ? getOwn(mapping.rename, column) : undefined;
    if (renamed === null) {
      skipped.push({ column, reason: 'ignored by config (rename: null)' });
      continue;
    }
    if (renamed === undefined && getOwn(ID_COLUMNS, column) !== undefined) {
      skipped.push({ column, reason: 'identifies the data unit' });
      continue;
    }
    const key = renamed ?? column;
    if (reservedKeyProblem(key) !== null) claim(key, renamed ? `column "${column}" (mapped to "${key}")` : `column "${column}"`);
    const spec = specFor(key, renamed ? `"${column}" (mapped to "${key}")` : `"${column}"`);
    if (!spec) {
      if (unknownColumns === 'skip') skipped.push({ column, reason: 'no such key in the schema (--unknown-columns skip)' });
      continue;
    }
    claim(key, `column "${column}"`);
    fields.push({ kind: 'cell', key, column, spec, ...unknownOf(key) });
  }

  for (const [key, raw] of Object.entries(mapping.constants ?? {})) {
    if (reservedKeyProblem(key) !== null) claim(key, `constant "${key}"`);
    const spec = specFor(key, `constant "${key}"`);
    if (!spec) continue;
    claim(key, `constant "${key}"`);
    fields.push({ kind: 'constant', key, raw: typeof raw === 'string' ? raw : String(raw), spec, ...unknownOf(key) });
  }

  if (unknown.length > 0) {
    throw new MetaError(
      'SCHEMA_UNKNOWN_COLUMNS',
      `${input.source}: ${unknown.length === 1 ? 'column' : 'columns'} ${unknown.join(', ')} ${unknown.length === 1 ? 'has' : 'have'} no key in the org metadata schema. ` +
        `Add ${unknown.length === 1 ? 'it' : 'them'} (encord-meta schema push), rename or ignore ${unknown.length === 1 ? 'it' : 'them'} in the job config, ` +
        `or pass --unknown-columns skip (leave ${unknown.length === 1 ? 'it' : 'them'} out) or --unknown-columns json ` +
        `(cells as \`encord-meta list\` writes them: JSON arrays, objects, numbers and booleans as those values, other text as strings). Nothing was written.`,
    );
  }
  return { fields, skipped, unknownColumns, fromListing: isListExport(columns) };
}
