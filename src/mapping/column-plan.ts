/**
 * Which file columns become which metadata keys, decided once per run before any row is read: renames,
 * ignored columns, constants, two columns combined into one geospatial value. Columns starting with `_`
 * (failure-report columns) and the id columns are never imported.
 */
import type { Cell } from '../sources/source.js';
import type { FieldSpec, MetaSchema } from '../schema/index.js';
import { MetaError } from '../errors.js';
import { FOLDER_LIST_MARKER_COLUMNS, listExportKind } from '../formula-cells.js';
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
 * @default `json` for a file that starts with `list`'s id columns (a dataset or folder listing, or its failure report), else `error`
 */
export { UNKNOWN_COLUMN_POLICIES, type UnknownColumnPolicy } from './mapping-options.js';
/** How the cells of a column with no key in the schema are read. */
export type UnknownKeyPolicy = Extract<UnknownColumnPolicy, 'json' | 'string'>;

export type PlannedField =
  | { readonly kind: 'cell'; readonly key: string; readonly column: string; readonly spec: FieldSpec; readonly unknown?: UnknownKeyPolicy }
  /** With `unknown` (a key the schema lacks), `raw` is the config's JSON value as such, not text to read. */
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

/** `skipReason` of a column read into a config geo key: not imported on its own, and not listed as skipped. */
const PART_OF_GEO = '';

const STRING_SPEC = { type: 'string', maxLength: 8192 } as unknown as FieldSpec;

/** What `planColumns` is given. */
export interface ColumnPlanInput {
  readonly columns: readonly string[];
  readonly keyColumn: string;
  readonly schema: MetaSchema;
  readonly mapping?: ColumnMapping | undefined;
  readonly unknownColumns?: UnknownColumnPolicy | undefined;
  readonly source: string;
}

export function planColumns(input: ColumnPlanInput): ColumnPlan {
  return new ColumnPlanner(input).plan();
}

/** One plan being made: the fields so far, the keys claimed (by what), the columns with no key. */
class ColumnPlanner {
  private readonly listing: 'dataset' | 'folder' | undefined;
  private readonly unknownColumns: UnknownColumnPolicy;
  /** A folder listing's `name` and `path` identify the item, like a dataset listing's `title`: never metadata. */
  private readonly folderIds: ReadonlySet<string>;
  private readonly mapping: ColumnMapping;
  private readonly fields: PlannedField[] = [];
  private readonly skipped: { column: string; reason: string }[] = [];
  private readonly unknown: string[] = [];
  private readonly geoColumns = new Set<string>();
  private readonly ignored: ReadonlySet<string>;
  private readonly keysTaken = new Map<string, string>();

  constructor(private readonly input: ColumnPlanInput) {
    this.listing = listExportKind(input.columns);
    this.unknownColumns = input.unknownColumns ?? (this.listing !== undefined ? 'json' : 'error');
    this.folderIds = new Set(this.listing === 'folder' ? FOLDER_LIST_MARKER_COLUMNS : []);
    this.mapping = input.mapping ?? {};
    this.ignored = new Set(this.mapping.ignore ?? []);
  }

  plan(): ColumnPlan {
    this.planGeo();
    this.checkRenamedColumns();
    for (const column of this.input.columns) this.planColumn(column);
    this.planConstants();
    this.refuseUnknown();
    return { fields: this.fields, skipped: this.skipped, unknownColumns: this.unknownColumns, fromListing: this.listing !== undefined };
  }

  private specFor(key: string, what: string): FieldSpec | undefined {
    const spec = this.input.schema.fields.get(key);
    if (spec) return spec;
    if (this.unknownColumns === 'string' || this.unknownColumns === 'json') return STRING_SPEC;
    if (this.unknownColumns === 'skip') return undefined;
    this.unknown.push(what);
    return undefined;
  }

  private unknownOf(key: string): { unknown?: UnknownKeyPolicy } {
    const policy = this.unknownColumns;
    return this.input.schema.fields.has(key) || (policy !== 'json' && policy !== 'string') ? {} : { unknown: policy };
  }

  private claim(key: string, by: string): void {
    // Before the unknown-column policy: no policy makes a reserved key writable.
    const reserved = reservedKeyProblem(key);
    if (reserved !== null) {
      throw new MetaError('USAGE_RESERVED_KEY', `${this.input.source}: ${by} would set ${reserved}. Nothing was written.`, { details: { key } });
    }
    const prior = this.keysTaken.get(key);
    if (prior !== undefined) {
      throw new MetaError('CONFIG_DUPLICATE_KEY', `${this.input.source}: metadata key "${key}" would be set by both ${prior} and ${by}; map one of them elsewhere or ignore it`);
    }
    this.keysTaken.set(key, by);
  }

  /** Config `geo`: two columns combined into one geospatial key. */
  private planGeo(): void {
    const { columns, source } = this.input;
    for (const g of this.mapping.geo ?? []) {
      for (const col of [g.latitude, g.longitude]) {
        if (!columns.includes(col)) {
          throw new MetaError('CONFIG_UNKNOWN_COLUMN', `config geo.${g.key}: column "${col}" is not in ${source} (columns: ${columns.join(', ')})`);
        }
        this.geoColumns.add(col);
      }
      if (reservedKeyProblem(g.key) !== null) this.claim(g.key, `config geo.${g.key}`);
      const spec = this.specFor(g.key, `"${g.key}" (geo of ${g.latitude}, ${g.longitude})`);
      if (spec) {
        this.claim(g.key, `columns ${g.latitude}+${g.longitude}`);
        this.fields.push({ kind: 'geo', key: g.key, latitude: g.latitude, longitude: g.longitude, spec });
      } else if (this.unknownColumns === 'skip') {
        // Left out like a column, and said so: a configured key is never dropped without a word.
        for (const column of [g.latitude, g.longitude]) this.skipped.push({ column, reason: `geo key "${g.key}" is not in the schema (--unknown-columns skip)` });
      }
    }
  }

  private checkRenamedColumns(): void {
    const { columns, source } = this.input;
    for (const column of Object.keys(this.mapping.rename ?? {})) {
      if (!columns.includes(column)) {
        throw new MetaError('CONFIG_UNKNOWN_COLUMN', `config rename: column "${column}" is not in ${source} (columns: ${columns.join(', ')})`);
      }
    }
  }

  /** Why `column` is not imported, or `undefined` when it may hold a metadata key. */
  private skipReason(column: string, renamed: string | null | undefined): string | undefined {
    // Report columns (`_line`, `_error`, …) and other `_` columns are not metadata, unless the org schema
    // says so: `__proto__` and `_internal` are valid keys a schema may have.
    if (column.startsWith('_') && !this.input.schema.fields.has(column)) {
      return column === '_index' ? "pandas' row index (the first header cell was empty)" : column.startsWith('_unnamed_') ? 'no name in the header (--skip-unnamed-columns)' : 'starts with _ (report column)';
    }
    if (this.geoColumns.has(column)) return PART_OF_GEO;
    if (this.ignored.has(column)) return 'ignored by config';
    if (renamed === null) return 'ignored by config (rename: null)';
    if (renamed === undefined && getOwn(ID_COLUMNS, column) !== undefined) return this.identifying(column, 'identifies the data unit');
    if (renamed === undefined && this.folderIds.has(column)) return this.identifying(column, 'identifies the storage item (a folder listing)');
    return undefined;
  }

  /**
   * `reason` for an identifying column, unless the schema also has a key of that name: then which one the
   * column means cannot be guessed, and leaving it out would drop its cells without a word (exit 0).
   */
  private identifying(column: string, reason: string): string {
    if (!this.input.schema.fields.has(column)) return reason;
    throw new MetaError(
      'USAGE_KEY_COLUMN',
      `${this.input.source}: column "${column}" is also a key of the metadata schema, and a column named so ${reason} and is never imported as metadata. ` +
        `To write it as the key "${column}", map it in the job config (columns.rename: {"${column}": "${column}"}); to leave it out, ignore it (columns.ignore). Nothing was written.`,
    );
  }

  private planColumn(column: string): void {
    if (column === this.input.keyColumn) return;
    const renamed = this.mapping.rename ? getOwn(this.mapping.rename, column) : undefined;
    const reason = this.skipReason(column, renamed);
    if (reason !== undefined) {
      if (reason !== PART_OF_GEO) this.skipped.push({ column, reason });
      return;
    }
    const key = renamed ?? column;
    if (reservedKeyProblem(key) !== null) this.claim(key, renamed ? `column "${column}" (mapped to "${key}")` : `column "${column}"`);
    const spec = this.specFor(key, renamed ? `"${column}" (mapped to "${key}")` : `"${column}"`);
    if (!spec) {
      if (this.unknownColumns === 'skip') this.skipped.push({ column, reason: 'no such key in the schema (--unknown-columns skip)' });
      return;
    }
    this.claim(key, `column "${column}"`);
    this.fields.push({ kind: 'cell', key, column, spec, ...this.unknownOf(key) });
  }

  /** Config `constants`: the same raw value on every row, coerced like a cell. */
  private planConstants(): void {
    for (const [key, raw] of Object.entries(this.mapping.constants ?? {})) {
      if (reservedKeyProblem(key) !== null) this.claim(key, `constant "${key}"`);
      const spec = this.specFor(key, `constant "${key}"`);
      if (!spec) {
        if (this.unknownColumns === 'skip') this.skipped.push({ column: `constant ${key}`, reason: 'no such key in the schema (--unknown-columns skip)' });
        continue;
      }
      this.claim(key, `constant "${key}"`);
      // A schema key reads the constant as it reads a cell (its text); a key the schema lacks takes it as
      // the typed JSON value the config gives, so "5" stays the string "5" (as a cell, it would be 5).
      const unknown = this.unknownOf(key);
      const asText = unknown.unknown === undefined && typeof raw !== 'string';
      this.fields.push({ kind: 'constant', key, raw: asText ? String(raw) : raw, spec, ...unknown });
    }
  }

  private refuseUnknown(): void {
    const { unknown } = this;
    if (unknown.length === 0) return;
    const one = unknown.length === 1;
    throw new MetaError(
      'SCHEMA_UNKNOWN_COLUMNS',
      `${this.input.source}: ${one ? 'column' : 'columns'} ${unknown.join(', ')} ${one ? 'has' : 'have'} no key in the org metadata schema. ` +
        `Add ${one ? 'it' : 'them'} (encord-meta schema push), rename or ignore ${one ? 'it' : 'them'} in the job config, ` +
        `or pass --unknown-columns skip (leave ${one ? 'it' : 'them'} out) or --unknown-columns json ` +
        `(cells as \`encord-meta list\` writes them: JSON arrays, objects, numbers and booleans as those values, other text as strings). Nothing was written.`,
    );
  }
}
