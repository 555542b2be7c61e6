/**
 * The pure core of `schema infer`: from a sample of rows, propose a spec per column and say why. The
 * result's schema written with `formatSchemaDocument` is a valid `parseSchemaDocument` input.
 *
 * Order of the tests (the first type every non-empty value fits wins): boolean words (not only 0/1) →
 * number → uuid → datetime → embedding(n) → geospatial → enum (few distinct, repeated, short values) →
 * text (a value over 8192 characters) → string. `20261128`-style values are numbers: an 8-digit id is as
 * likely as a compact date, so say `datetime` in the schema if you mean it.
 */
import { coerceBoolean } from '../coercion/coerce-boolean.js';
import { coerceDatetime } from '../coercion/coerce-datetime.js';
import { coerceEmbedding } from '../coercion/coerce-embedding.js';
import { coerceGeospatial } from '../coercion/coerce-geospatial.js';
import { coerceNumber } from '../coercion/coerce-number.js';
import type { CoerceResult } from '../coercion/coerce-result.js';
import { coerceUuid } from '../coercion/coerce-uuid.js';
import type { ResolvedCoercionOptions } from '../coercion/coercion-options.js';
import type { Cell } from '../sources/source.js';
import type { RowLike } from './check-file.js';
import { type FieldSpec, SCHEMA_LIMITS } from '../schema/field-spec.js';
import { createMetaSchema, type MetaSchema, sortEnumValues } from '../schema/meta-schema.js';
import { metadataKeyProblem } from '../schema/metadata-key.js';

export interface InferSchemaInput {
  /** Column names in file order. Columns starting with `_` (mapping columns) are ignored. */
  readonly columns: readonly string[];
  readonly rows: AsyncIterable<RowLike> | Iterable<RowLike>;
  readonly options: ResolvedCoercionOptions;
  /** Rows read at most. @default 1000 */
  readonly maxRows?: number | undefined;
  /** Most distinct values for an enum (≤ 256). @default 20 */
  readonly enumThreshold?: number | undefined;
  /** Longest value an enum may have. @default 64 */
  readonly enumMaxValueLength?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface InferredColumn {
  readonly column: string;
  /** `null`: left out of the schema (the column name is not a valid key). */
  readonly spec: FieldSpec | null;
  /** Why, in words: `all 200 non-empty values parse as ISO dates`. */
  readonly evidence: string;
  readonly nonEmpty: number;
  readonly distinct: number;
}

export interface InferredSchema {
  readonly schema: MetaSchema;
  readonly columns: readonly InferredColumn[];
  readonly ignoredColumns: readonly string[];
  readonly rowsSampled: number;
}

/** Propose a schema from a sample of rows. */
export async function inferSchema(input: InferSchemaInput): Promise<InferredSchema> {
  const maxRows = input.maxRows ?? 1000;
  const threshold = Math.min(input.enumThreshold ?? 20, SCHEMA_LIMITS.enumMaxValues);
  const maxEnumLength = input.enumMaxValueLength ?? 64;
  const ignoredColumns = input.columns.filter((c) => c.startsWith('_'));
  const columns = input.columns.filter((c) => !c.startsWith('_'));
  const samples = new Map<string, Cell[]>(columns.map((c) => [c, []]));
  let rowsSampled = 0;
  for await (const row of input.rows) {
    input.signal?.throwIfAborted();
    if (rowsSampled >= maxRows) break;
    rowsSampled++;
    for (const column of columns) {
      const cell = row.values[column] ?? null;
      if (cell === null || (typeof cell === 'string' && cell.trim() === '')) continue;
      samples.get(column)!.push(cell);
    }
  }
  const inferred: InferredColumn[] = [];
  const fields: [string, FieldSpec][] = [];
  for (const column of columns) {
    const cells = samples.get(column)!;
    const distinct = new Set(cells.map(textOf)).size;
    const keyProblem = metadataKeyProblem(column);
    if (keyProblem !== null) {
      inferred.push({ column, spec: null, evidence: `left out: not a valid metadata key (${keyProblem})`, nonEmpty: cells.length, distinct });
      continue;
    }
    const { spec, evidence } = inferColumn(cells, distinct, input.options, threshold, maxEnumLength, column);
    inferred.push({ column, spec, evidence, nonEmpty: cells.length, distinct });
    fields.push([column, spec]);
  }
  return { schema: createMetaSchema(fields), columns: inferred, ignoredColumns, rowsSampled };
}

function inferColumn(
  cells: readonly Cell[],
  distinct: number,
  options: ResolvedCoercionOptions,
  threshold: number,
  maxEnumLength: number,
  column = '',
): { spec: FieldSpec; evidence: string } {
  const n = cells.length;
  const all = `all ${n} non-empty ${n === 1 ? 'value' : 'values'}`;
  if (n === 0) return { spec: { type: 'string', maxLength: SCHEMA_LIMITS.varcharMaxLength }, evidence: 'no non-empty values in the sample; defaulting to string' };

  const words = new Set(cells.map((c) => textOf(c).trim().toLowerCase()));
  if (every(cells, (c) => coerceBoolean(c, options)) && [...words].some((w) => w !== '0' && w !== '1')) {
    return { spec: { type: 'boolean' }, evidence: `${all} are boolean words (${[...words].slice(0, 6).join(', ')})` };
  }
  if (every(cells, (c) => coerceNumber(c, options))) {
    const flags = [...words].every((w) => w === '0' || w === '1');
    return {
      spec: { type: 'number', format: 'F64' },
      evidence: `${all} parse as numbers${flags ? ' (only 0 and 1: make it boolean if these are flags)' : ''}`,
    };
  }
  if (!options.decimalComma && options.thousandsSeparator !== ',' && every(cells, (c) => coerceNumber(c, { ...options, decimalComma: true }))) {
    return { spec: { type: 'number', format: 'F64' }, evidence: `${all} parse as numbers with a decimal comma; import with --decimal-comma` };
  }
  if (every(cells, coerceUuid)) return { spec: { type: 'uuid' }, evidence: `${all} are uuids` };
  const dates = cells.map((c) => coerceDatetime(c, options));
  if (dates.every((r) => r.kind === 'value')) return { spec: { type: 'datetime' }, evidence: `${all} parse as ISO dates` };
  if (dates.every((r) => r.kind === 'value' || (r.kind === 'error' && r.code === 'AMBIGUOUS_DATE'))) {
    return {
      spec: { type: 'datetime' },
      evidence: `${all} are dates, some written day/month: import with --date-format dd/mm/yyyy or mm/dd/yyyy`,
    };
  }
  // A two-number list under a name like gps/location/coords is a point, not a 2-dimensional embedding.
  if (GEO_NAME.test(column) && every(cells, (c) => coerceGeospatial(c, options))) {
    return { spec: { type: 'geospatial' }, evidence: `${all} are points with latitude and longitude in range (${options.geoOrder}), and the column is named like a position` };
  }
  const embedding = inferEmbedding(cells);
  if (embedding !== null) return embedding;
  if (every(cells, (c) => coerceGeospatial(c, options))) {
    return { spec: { type: 'geospatial' }, evidence: `${all} are points with latitude and longitude in range (${options.geoOrder})` };
  }
  const texts = cells.map(textOf);
  const longest = texts.reduce((m, t) => Math.max(m, t.length), 0);
  // Values that span lines are notes, never the closed set of an enum.
  if (distinct <= threshold && n >= 2 * distinct && texts.every((t) => t.trim().length <= maxEnumLength && !/[\r\n]/.test(t))) {
    const values = sortEnumValues([...new Set(texts.map((t) => t.trim()))]);
    return {
      spec: { type: 'enum', values },
      evidence: `${distinct} distinct ${distinct === 1 ? 'value' : 'values'} ≤ ${threshold} among ${n} → enum`,
    };
  }
  if (longest > SCHEMA_LIMITS.varcharMaxLength) {
    return { spec: { type: 'text' }, evidence: `longest value has ${longest} characters > ${SCHEMA_LIMITS.varcharMaxLength} → text` };
  }
  return {
    spec: { type: 'string', maxLength: SCHEMA_LIMITS.varcharMaxLength },
    evidence: `free text: ${distinct} distinct ${distinct === 1 ? 'value' : 'values'} among ${n}, longest ${longest} characters`,
  };
}

/** Column names that say "a position" (gps, geo, location, coords, latlon, position, point, …). */
const GEO_NAME = /(^|[^a-z])(gps|geo|location|loc|coords?|coordinates?|lat_?lon|lat_?lng|position|pos|point|place)([^a-z]|$)/i;

function inferEmbedding(cells: readonly Cell[]): { spec: FieldSpec; evidence: string } | null {
  let size: number | null = null;
  for (const cell of cells) {
    const r = coerceEmbedding(cell, { type: 'embedding', size: null });
    if (r.kind !== 'value') return null;
    const length = (r.value as number[]).length;
    if (size !== null && size !== length) return null;
    size = length;
  }
  if (size === null || size > SCHEMA_LIMITS.embeddingMaxSize) return null;
  const arrays = cells.every((c) => Array.isArray(c)) ? 'lists' : 'JSON arrays';
  return { spec: { type: 'embedding', size }, evidence: `${arrays} of ${size} numbers → embedding(${size})` };
}

function every(cells: readonly Cell[], test: (cell: Cell) => CoerceResult): boolean {
  for (const cell of cells) if (test(cell).kind !== 'value') return false;
  return true;
}

function textOf(cell: Cell): string {
  if (typeof cell === 'string') return cell;
  if (Array.isArray(cell)) return JSON.stringify(cell, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(cell);
}
