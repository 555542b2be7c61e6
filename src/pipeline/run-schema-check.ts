/**
 * `schema check` and `schema infer` as operations: a data file against a schema (every row, with the type
 * `infer` would give each problem column, for the "fix it with" hint), and a schema proposed from a sample
 * of a file. Identifying columns (index, data_hash, title, …) are never checked or proposed as keys.
 */
import type { MetadataStore } from '../encord/metadata-store.js';
import { MetaError } from '../errors.js';
import { DEFAULT_FALSE_VALUES, DEFAULT_TRUE_VALUES, resolveCoercionOptions, type CoercionOptions, type ResolvedCoercionOptions } from '../coercion/index.js';
import { ID_COLUMNS } from '../mapping/key-resolver.js';
import { planColumns, type ColumnMapping, type UnknownColumnPolicy } from '../mapping/column-plan.js';
import { getOwn } from '../own.js';
import { describeSpec, SCHEMA_LIMITS, type FieldSpec, type MetaSchema } from '../schema/index.js';
import { checkFileAgainstSchema, inferSchema, type CheckField, type FileCheck, type InferredSchema, type RowLike } from '../schema-check/index.js';
import { openInputs, type CsvDelimiter } from '../sources/index.js';
import type { CsvEncoding } from '../sources/csv/decode.js';
import type { RefuseOrSkip, TabularSource } from '../sources/source.js';
import type { SourceFormat } from '../sources/sniff.js';
import { pullSchema, type SchemaForm } from './pull-schema.js';

type Signal = { readonly signal?: AbortSignal | undefined };

export interface DataFileOptions extends Signal {
  /** One data file, or several read as one input (a list, a glob, a directory; see `ImportOptions.file`). */
  readonly file: string | readonly string[];
  readonly format?: SourceFormat | undefined;
  /** .xlsx: the worksheet to read, by name; @default the first */
  readonly sheet?: string | undefined;
  readonly delimiter?: string | undefined;
  /** CSV text encoding (see `ImportOptions.encoding`). @default UTF-8, or what a byte-order mark says */
  readonly encoding?: string | undefined;
  /** See `ImportOptions.unnamedColumns`. */
  readonly unnamedColumns?: RefuseOrSkip | undefined;
  readonly coercion?: CoercionOptions | undefined;
}

export interface SchemaCheckOptions extends DataFileOptions {
  /** Check against this schema. @default the org schema, read from `store` */
  readonly schema?: MetaSchema | undefined;
  /**
   * The job config's `columns` (renames, ignored columns, constants, geo pairs), read exactly as `import`
   * reads them; a rename or geo column the file lacks is refused (`CONFIG_UNKNOWN_COLUMN`) as there.
   */
  readonly mapping?: ColumnMapping | undefined;
  /** The column naming data units when it is not one of the usual names (`--key-column`): not checked. */
  readonly keyColumn?: string | undefined;
  /**
   * As `import --unknown-columns`: under `skip` a column with no key is left out (not a problem); under `json`
   * or `string` it is listed but not a problem. @default such columns are problems (the import refuses them)
   */
  readonly unknownColumns?: UnknownColumnPolicy | undefined;
  readonly store?: MetadataStore | undefined;
  /** Failing samples kept per column. @default 5 */
  readonly maxSamples?: number | undefined;
}

export interface SchemaCheckResult {
  readonly file: string;
  readonly form: SchemaForm | 'file';
  readonly check: FileCheck;
  /** Columns that identify data units (index, data_hash, title, …): not checked. */
  readonly idColumns: readonly string[];
  /** Records the reader could not parse. */
  readonly badRecords: number;
  /** Columns with no key in the schema (the import refuses them unless told to skip). */
  readonly missingKeys: readonly string[];
  /** Columns with values the key's type rejects. */
  readonly mismatched: readonly string[];
  /** No missing keys, no failing values, no bad records. */
  readonly ok: boolean;
  /**
   * For each problem column, what would fix it, best first: a reader option (`readerOption`, e.g.
   * `--decimal-comma`) when one makes every sampled cell fit; else the type `schema infer` would give it
   * (for a `schema push --set` hint), unless most of its cells fit the key already (then `type` is null:
   * fix the failing cells, do not retype the key).
   */
  readonly proposals: readonly { readonly column: string; readonly type: string | null; readonly evidence: string; readonly readerOption?: string | undefined }[];
}

/** Reader options worth trying on a column whose cells fail, in the order they are suggested. */
const READER_OPTIONS: readonly { readonly flag: string; readonly apply: (c: CoercionOptions) => CoercionOptions }[] = [
  { flag: '--decimal-comma', apply: (c) => ({ ...c, decimalComma: true, thousandsSeparator: 'none' }) },
  { flag: '--decimal-comma --thousands .', apply: (c) => ({ ...c, decimalComma: true, thousandsSeparator: '.' }) },
  { flag: '--decimal-comma --thousands " "', apply: (c) => ({ ...c, decimalComma: true, thousandsSeparator: ' ' }) },
  { flag: '--thousands ,', apply: (c) => ({ ...c, decimalComma: false, thousandsSeparator: ',' }) },
  { flag: '--date-format dd/mm/yyyy', apply: (c) => ({ ...c, dateFormat: 'dd/mm/yyyy' }) },
  { flag: '--date-format mm/dd/yyyy', apply: (c) => ({ ...c, dateFormat: 'mm/dd/yyyy' }) },
  { flag: '--null-values NaN,NA,N/A,null,None', apply: (c) => ({ ...c, nullValues: [...(c.nullValues ?? []), 'NaN', 'NA', 'N/A', 'null', 'None'] }) },
];
/**
 * TRUE/FALSE as localised spreadsheets write them (LibreOffice and Excel in German, French, Spanish, …),
 * and common yes/no words: tried on a boolean key whose cells fail. Words of no language listed here are
 * never guessed (which of two words is "true" is not the tool's to say).
 */
const BOOLEAN_WORDS: readonly (readonly [string, string])[] = [
  ['WAHR', 'FALSCH'], ['VRAI', 'FAUX'], ['VERDADERO', 'FALSO'], ['VERO', 'FALSO'], ['VERDADEIRO', 'FALSO'], ['WAAR', 'ONWAAR'],
  ['SANT', 'FALSKT'], ['SAND', 'FALSK'], ['SANN', 'USANN'], ['TOSI', 'EPÄTOSI'], ['PRAWDA', 'FAŁSZ'], ['PRAVDA', 'NEPRAVDA'],
  ['IGAZ', 'HAMIS'], ['DOĞRU', 'YANLIŞ'], ['ИСТИНА', 'ЛОЖЬ'], ['JA', 'NEIN'], ['OUI', 'NON'], ['SÍ', 'NO'], ['SIM', 'NÃO'],
];
const BOOLEAN_OPTIONS: readonly { readonly flag: string; readonly apply: (c: CoercionOptions) => CoercionOptions }[] = BOOLEAN_WORDS.map(([yes, no]) => ({
  flag: `--true-values ${yes} --false-values ${no}`,
  apply: (c) => ({ ...c, trueValues: [...(c.trueValues ?? DEFAULT_TRUE_VALUES), yes], falseValues: [...(c.falseValues ?? DEFAULT_FALSE_VALUES), no] }),
}));
/** Rows a reader option is tried on. */
const READER_OPTION_SAMPLE = 5000;

/** Check every column of a data file against the schema (every row), with samples and proposals. */
export async function runSchemaCheck(options: SchemaCheckOptions): Promise<SchemaCheckResult> {
  const coercion = resolveCoercionOptions(options.coercion ?? {});
  let schema = options.schema;
  let form: SchemaCheckResult['form'] = 'file';
  const source = await openData(options);
  try {
    if (!schema) {
      if (!options.store) throw new MetaError('USAGE', 'runSchemaCheck needs a `schema` or a `store`');
      const org = await pullSchema(options.store, options);
      schema = org.schema;
      form = org.form;
    }
    const split = splitColumns(source.columns);
    const { columns } = split;
    const idColumns = options.keyColumn !== undefined && source.columns.includes(options.keyColumn) && !split.idColumns.includes(options.keyColumn) ? [...split.idColumns, options.keyColumn] : split.idColumns;
    const planned = planFields(source.columns, schema, options);
    const counter = { bad: 0 };
    const check = await checkFileAgainstSchema({
      schema,
      columns,
      fields: planned?.fields,
      rows: rowsOf(source, counter, options.signal),
      options: coercion,
      canonicalDecimalColumns: source.canonicalDecimalColumns,
      maxSamples: options.maxSamples,
      signal: options.signal,
    });
    const missingKeys = check.columns.filter((c) => c.spec === null && !planned?.unknownAllowed).map((c) => c.column);
    const mismatched = check.columns.filter((c) => c.failed > 0).map((c) => c.column);
    let proposals: SchemaCheckResult['proposals'] = [];
    // Types are inferred for file columns (a geo pair or a constant has none to propose).
    const fileColumnOf = new Map(check.columns.filter((c) => planned === undefined || planned.cellColumns.has(c.column)).map((c) => [c.column, c.key ?? c.column]));
    const problems = [...fileColumnOf.keys()].filter((c) => missingKeys.includes(c) || mismatched.includes(c));
    if (problems.length > 0 || mismatched.length > 0) {
      const inferred = await inferSchema({ columns: problems, rows: rowsOf(source, { bad: 0 }, options.signal), options: coercion, signal: options.signal });
      const fixes = await readerOptionFixes(source, schema, mismatched, planned?.fields, options.coercion ?? {}, options.signal);
      const list: SchemaCheckResult['proposals'][number][] = inferred.columns.map((c) => {
        const key = fileColumnOf.get(c.column) ?? c.column;
        const fix = fixes.get(c.column);
        if (fix !== undefined) return { column: key, type: null, readerOption: fix, evidence: `every sampled value fits its key when read with ${fix}` };
        const tally = check.columns.find((x) => x.column === c.column);
        if (tally?.spec && tally.ok > tally.failed) {
          return { column: key, type: null, evidence: `${tally.ok} of ${tally.ok + tally.failed} values fit ${describeSpec(tally.spec)}: fix the failing cells (samples above) rather than retyping the key` };
        }
        return { column: key, type: c.spec ? specShorthand(c.spec) : null, evidence: c.evidence };
      });
      for (const c of check.columns) {
        const fix = fixes.get(c.column);
        if (fileColumnOf.has(c.column) || fix === undefined) continue;
        list.push({ column: c.key ?? c.column, type: null, readerOption: fix, evidence: `every sampled value fits its key when read with ${fix}` });
      }
      proposals = list;
    }
    return {
      file: inputLabel(options.file),
      form,
      check,
      idColumns,
      badRecords: counter.bad,
      missingKeys,
      mismatched,
      ok: missingKeys.length === 0 && mismatched.length === 0 && counter.bad === 0,
      proposals,
    };
  } finally {
    await source.close();
  }
}

export interface SchemaInferOptions extends DataFileOptions {
  /** Rows sampled. @default 1000 */
  readonly maxRows?: number | undefined;
  /** Most distinct values for an enum. @default 20 */
  readonly enumThreshold?: number | undefined;
}

export interface SchemaInferResult extends InferredSchema {
  readonly file: string;
  /** Columns that identify data units: never proposed as keys. */
  readonly idColumns: readonly string[];
}

/** Propose a schema from a sample of a data file; its document form is a valid `schema push` input. */
export async function runSchemaInfer(options: SchemaInferOptions): Promise<SchemaInferResult> {
  const coercion = resolveCoercionOptions(options.coercion ?? {});
  const source = await openData(options);
  try {
    const { columns, idColumns } = splitColumns(source.columns);
    const inferred = await inferSchema({
      columns,
      rows: rowsOf(source, { bad: 0 }, options.signal),
      options: coercion,
      maxRows: options.maxRows,
      enumThreshold: options.enumThreshold,
      signal: options.signal,
    });
    return { ...inferred, file: inputLabel(options.file), idColumns };
  } finally {
    await source.close();
  }
}

/**
 * A spec as a `--set` type text (`string`, `enum(a,b)`, `embedding(8)`), or `null` when the short form
 * cannot say it (enum values holding `,` or parentheses, deleted keys, unknown types).
 */
export function specShorthand(spec: FieldSpec): string | null {
  switch (spec.type) {
    case 'number':
      return spec.format === 'F64' ? 'number' : `number(${spec.format})`;
    case 'string':
      return spec.maxLength === SCHEMA_LIMITS.varcharMaxLength ? 'string' : `string(${spec.maxLength})`;
    case 'enum':
      if (spec.values.length === 0 || spec.values.some((v) => /[,()]/.test(v) || v !== v.trim())) return null;
      return `enum(${spec.values.join(',')})`;
    case 'embedding':
      return spec.size === null ? null : `embedding(${spec.size})`;
    case 'variant':
      return `variant(${spec.hint})`;
    case 'tombstone':
    case 'unknown':
      return null;
    default:
      return spec.type;
  }
}

function openData(options: DataFileOptions): Promise<TabularSource> {
  return openInputs(options.file, {
    format: options.format,
    csv: { delimiter: options.delimiter as CsvDelimiter | undefined, encoding: options.encoding as CsvEncoding | undefined, unnamedColumns: options.unnamedColumns },
    xlsx: { sheet: options.sheet },
  });
}

/** The input as given: one path, or several joined by a space. */
function inputLabel(file: string | readonly string[]): string {
  return typeof file === 'string' ? file : file.join(' ');
}

/** The label `checkFileAgainstSchema` gives a field's tally (its `ColumnCheck.column`). */
function fieldLabel(f: CheckField): string {
  return f.kind === 'cell' ? f.column : f.kind === 'geo' ? `${f.latitude}+${f.longitude}` : '(constant)';
}

/**
 * The fields the import would read, from its own column plan, when a job config maps columns (or names the
 * key column, or says what to do with unknown columns); `undefined` otherwise (each column its own key).
 */
function planFields(
  all: readonly string[],
  schema: MetaSchema,
  options: SchemaCheckOptions,
): { fields: CheckField[]; cellColumns: Set<string>; unknownAllowed: boolean } | undefined {
  if (options.mapping === undefined && options.keyColumn === undefined && options.unknownColumns === undefined) return undefined;
  const policy = options.unknownColumns;
  const plan = planColumns({ columns: all, keyColumn: options.keyColumn ?? '', schema, mapping: options.mapping, unknownColumns: policy === 'json' || policy === 'string' ? policy : 'skip', source: inputLabel(options.file) });
  const fields: CheckField[] = [];
  const cellColumns = new Set<string>();
  for (const f of plan.fields) {
    if (f.kind === 'cell') {
      // Under json/string an unknown column is planned as text: list it as having no key, not as text.
      fields.push({ kind: 'cell', column: f.column, key: f.key });
      cellColumns.add(f.column);
    } else if (f.kind === 'geo') fields.push({ kind: 'geo', key: f.key, latitude: f.latitude, longitude: f.longitude });
    else fields.push({ kind: 'constant', key: f.key, raw: f.raw });
  }
  if (policy === undefined || policy === 'error') {
    // What the import refuses: columns with no key (planned here under `skip` to list them all).
    for (const s of plan.skipped) {
      if (!s.reason.startsWith('no such key')) continue;
      const renamed = options.mapping?.rename ? getOwn(options.mapping.rename, s.column) : undefined;
      fields.push({ kind: 'cell', column: s.column, key: renamed ?? s.column });
      cellColumns.add(s.column);
    }
  }
  return { fields, cellColumns, unknownAllowed: policy === 'skip' || policy === 'json' || policy === 'string' };
}

function splitColumns(all: readonly string[]): { columns: string[]; idColumns: string[] } {
  const idColumns = all.filter((c) => Object.hasOwn(ID_COLUMNS, c));
  return { columns: all.filter((c) => !Object.hasOwn(ID_COLUMNS, c)), idColumns };
}

/** For each mismatched column, the first reader option under which every cell of a sample fits its key. */
async function readerOptionFixes(
  source: TabularSource,
  schema: MetaSchema,
  columns: readonly string[],
  fields: readonly CheckField[] | undefined,
  base: CoercionOptions,
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  const fits = new Map<string, Set<string>>();
  // Boolean words only where a boolean key fails (each pair is a pass over the sample).
  if (columns.length === 0) return new Map();
  const only = fields?.filter((f) => columns.includes(fieldLabel(f)));
  const keyOf = (column: string): string => {
    const f = only?.find((x) => fieldLabel(x) === column);
    return f === undefined ? column : f.key;
  };
  const booleans = columns.filter((c) => schema.fields.get(keyOf(c))?.type === 'boolean');
  const candidates = booleans.length > 0 ? [...READER_OPTIONS, ...BOOLEAN_OPTIONS] : READER_OPTIONS;
  for (const candidate of candidates) {
    let options: ResolvedCoercionOptions;
    try {
      options = resolveCoercionOptions(candidate.apply(base));
    } catch {
      continue; // contradicts an option the user gave (e.g. --thousands , with --decimal-comma)
    }
    const check = await checkFileAgainstSchema({ schema, columns, fields: only, rows: firstRows(source, READER_OPTION_SAMPLE, signal), options, canonicalDecimalColumns: source.canonicalDecimalColumns, signal });
    fits.set(candidate.flag, new Set(check.columns.filter((c) => c.spec !== null && c.failed === 0 && c.ok > 0).map((c) => c.column)));
  }
  const found = new Map<string, string>();
  const dayFirst = '--date-format dd/mm/yyyy';
  const monthFirst = '--date-format mm/dd/yyyy';
  for (const column of columns) {
    for (const { flag } of candidates) {
      if (!fits.get(flag)?.has(column)) continue;
      // Day/month order is a guess when both orders fit every date: suggest neither.
      if ((flag === dayFirst && fits.get(monthFirst)?.has(column)) || (flag === monthFirst && fits.get(dayFirst)?.has(column))) continue;
      found.set(column, flag);
      break;
    }
  }
  return found;
}

async function* firstRows(source: TabularSource, limit: number, signal: AbortSignal | undefined): AsyncGenerator<RowLike> {
  let n = 0;
  for await (const row of rowsOf(source, { bad: 0 }, signal)) {
    if (n++ >= limit) return;
    yield row;
  }
}

async function* rowsOf(source: TabularSource, counter: { bad: number }, signal: AbortSignal | undefined): AsyncGenerator<RowLike> {
  for await (const item of source.items(signal ? { signal } : {})) {
    if (item.kind === 'bad') counter.bad += 1;
    else yield item.row;
  }
}
