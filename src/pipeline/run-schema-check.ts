/**
 * `schema check` and `schema infer` as operations: a data file against a schema (every row, with the type
 * `infer` would give each problem column, for the "fix it with" hint), and a schema proposed from a sample
 * of a file. Identifying columns (index, data_hash, title, …) are never checked or proposed as keys.
 */
import type { MetadataStore } from '../encord/metadata-store.js';
import { MetaError } from '../errors.js';
import { resolveCoercionOptions, type CoercionOptions, type ResolvedCoercionOptions } from '../coercion/index.js';
import { ID_COLUMNS } from '../mapping/key-resolver.js';
import {
  describeSpec,
  SCHEMA_LIMITS,
  checkFileAgainstSchema,
  inferSchema,
  type FieldSpec,
  type FileCheck,
  type InferredSchema,
  type MetaSchema,
  type RowLike,
} from '../schema/index.js';
import { openSource, type CsvDelimiter } from '../sources/index.js';
import type { CsvEncoding } from '../sources/csv/decode.js';
import type { TabularSource } from '../sources/source.js';
import { pullSchema, type SchemaForm } from './pull-schema.js';

type Signal = { readonly signal?: AbortSignal | undefined };

export interface DataFileOptions extends Signal {
  readonly file: string;
  readonly format?: 'csv' | 'parquet' | 'xlsx' | undefined;
  /** .xlsx: the worksheet to read, by name; @default the first */
  readonly sheet?: string | undefined;
  readonly delimiter?: string | undefined;
  /** CSV text encoding (see `ImportOptions.encoding`). @default UTF-8, or what a byte-order mark says */
  readonly encoding?: string | undefined;
  /** See `ImportOptions.unnamedColumns`. */
  readonly unnamedColumns?: 'error' | 'skip' | undefined;
  readonly coercion?: CoercionOptions | undefined;
}

export interface SchemaCheckOptions extends DataFileOptions {
  /** Check against this schema. @default the org schema, read from `store` */
  readonly schema?: MetaSchema | undefined;
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
    const { columns, idColumns } = splitColumns(source.columns);
    const counter = { bad: 0 };
    const check = await checkFileAgainstSchema({
      schema,
      columns,
      rows: rowsOf(source, counter, options.signal),
      options: coercion,
      canonicalDecimalColumns: source.canonicalDecimalColumns,
      maxSamples: options.maxSamples,
      signal: options.signal,
    });
    const missingKeys = check.columns.filter((c) => c.spec === null).map((c) => c.column);
    const mismatched = check.columns.filter((c) => c.failed > 0).map((c) => c.column);
    let proposals: SchemaCheckResult['proposals'] = [];
    const problems = columns.filter((c) => missingKeys.includes(c) || mismatched.includes(c));
    if (problems.length > 0) {
      const inferred = await inferSchema({ columns: problems, rows: rowsOf(source, { bad: 0 }, options.signal), options: coercion, signal: options.signal });
      const fixes = await readerOptionFixes(source, schema, mismatched, options.coercion ?? {}, options.signal);
      proposals = inferred.columns.map((c) => {
        const fix = fixes.get(c.column);
        if (fix !== undefined) return { column: c.column, type: null, readerOption: fix, evidence: `every sampled value fits its key when read with ${fix}` };
        const tally = check.columns.find((x) => x.column === c.column);
        if (tally?.spec && tally.ok > tally.failed) {
          return { column: c.column, type: null, evidence: `${tally.ok} of ${tally.ok + tally.failed} values fit ${describeSpec(tally.spec)}: fix the failing cells (samples above) rather than retyping the key` };
        }
        return { column: c.column, type: c.spec ? specShorthand(c.spec) : null, evidence: c.evidence };
      });
    }
    return {
      file: options.file,
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
    return { ...inferred, file: options.file, idColumns };
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
  return openSource(options.file, {
    format: options.format,
    csv: { delimiter: options.delimiter as CsvDelimiter | undefined, encoding: options.encoding as CsvEncoding | undefined, unnamedColumns: options.unnamedColumns },
    xlsx: { sheet: options.sheet },
  });
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
  base: CoercionOptions,
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  const fits = new Map<string, Set<string>>();
  for (const candidate of READER_OPTIONS) {
    let options: ResolvedCoercionOptions;
    try {
      options = resolveCoercionOptions(candidate.apply(base));
    } catch {
      continue; // contradicts an option the user gave (e.g. --thousands , with --decimal-comma)
    }
    const check = await checkFileAgainstSchema({ schema, columns, rows: firstRows(source, READER_OPTION_SAMPLE, signal), options, canonicalDecimalColumns: source.canonicalDecimalColumns, signal });
    fits.set(candidate.flag, new Set(check.columns.filter((c) => c.spec !== null && c.failed === 0 && c.ok > 0).map((c) => c.column)));
  }
  const found = new Map<string, string>();
  const dayFirst = '--date-format dd/mm/yyyy';
  const monthFirst = '--date-format mm/dd/yyyy';
  for (const column of columns) {
    for (const { flag } of READER_OPTIONS) {
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
