import { basename } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
import { loadDuckDb, type DuckModule } from '../../duckdb-module.js';
import { MetaError } from '../../errors.js';
import type { ColumnType } from './parquet-cells.js';

/**
 * The one module that talks to DuckDB (deps.md §2: the only reader that read every real-world file,
 * exactly, in flat memory). It reads the file's layout and streams its rows as chunks of raw DuckDB values,
 * column by column; turning values into cells is `parquet-cells.ts`'s job.
 *
 * Every call opens its own in-memory DuckDB instance and closes it in `finally`, so an abandoned read
 * (consumer `break`, abort, error) never leaves a connection or a file handle behind.
 */

export interface ParquetColumn {
  readonly name: string;
  readonly type: ColumnType;
}

export interface ParquetLayout {
  readonly columns: readonly ParquetColumn[];
  /** Top-level names as written in the file (DuckDB renames a repeated name `a` to `a_1`). */
  readonly fileColumns: readonly string[];
  readonly rowCount: number;
}

export interface DuckReadOptions {
  /** Read BYTE_ARRAY columns without the UTF8 annotation as text (DuckDB's `binary_as_string`). */
  readonly binaryAsString: boolean;
  /** DuckDB worker threads. */
  readonly threads: number;
}

/** One chunk of rows (DuckDB's vector size, 2,048): `columns[c][r]` is the raw value or null. */
export interface RawChunk {
  readonly rowCount: number;
  readonly columns: readonly (readonly unknown[])[];
}

/** Column names and types (as `ColumnType`), and the row count from the footer. */
export async function describeParquet(path: string, options: DuckReadOptions): Promise<ParquetLayout> {
  return withConnection(options, async (con) => {
    await checkGlobSafe(con, path);
    const { names: fileColumns, hints } = await topLevelSchema(con, path).catch((err: unknown) => {
      throw corrupt(path, err);
    });
    let result;
    try {
      result = await con.stream(`SELECT * FROM ${scan(options)} LIMIT 0`, [path]);
    } catch (err) {
      throw corrupt(path, err);
    }
    const names = result.columnNames();
    const types = result.columnTypes();
    const count = await con.runAndReadAll(`SELECT count(*) AS n FROM ${scan(options)}`, [path]);
    const rowCount = Number(count.getRows()[0]?.[0] ?? 0);
    return { columns: names.map((name, i) => ({ name, type: columnType(types[i]!, hints.get(name)) })), fileColumns, rowCount };
  });
}

/** Stream the rows of `columns` (in that order) as raw chunks. */
export async function* readParquetChunks(
  path: string,
  columns: readonly string[],
  options: DuckReadOptions,
  signal: AbortSignal | undefined,
): AsyncGenerator<RawChunk> {
  const instance = await createInstance(options);
  try {
    const con = await instance.connect();
    const onAbort = (): void => con.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const projection = columns.length === 0 ? '1 AS "__no_columns"' : columns.map(quoteIdent).join(', ');
      const result = await con.stream(`SELECT ${projection} FROM ${scan(options)}`, [path]);
      for (;;) {
        signal?.throwIfAborted();
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        const out: unknown[][] = [];
        for (let c = 0; c < columns.length; c++) out.push(chunk.getColumnValues(c));
        yield { rowCount: chunk.rowCount, columns: out };
      }
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (err instanceof MetaError) throw err;
      throw new MetaError('SOURCE_READ_FAILED', `Cannot read ${path}: ${firstLine(err)}`, { cause: err });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      con.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function withConnection<T>(options: DuckReadOptions, run: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await createInstance(options);
  try {
    const con = await instance.connect();
    try {
      return await run(con);
    } finally {
      con.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Set by `createInstance`: every `columnType` call comes after an instance exists. */
let DuckDBTypeId: DuckModule['DuckDBTypeId'];

async function createInstance(options: DuckReadOptions): Promise<DuckDBInstance> {
  const duck = await loadDuckDb();
  DuckDBTypeId = duck.DuckDBTypeId;
  return duck.DuckDBInstance.create(':memory:', {
    threads: String(options.threads),
    // Never reach for the network: the Parquet reader is built in.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
}

/**
 * `hive_partitioning = false`: DuckDB would otherwise add a column per `key=value` folder anywhere in the
 * path, cast by guess (`zip=00501` → 501). Partition columns are `expandInputs`' job, as exact text, and
 * only for folders below the directory the user named.
 */
function scan(options: DuckReadOptions): string {
  return `read_parquet($1, binary_as_string = ${options.binaryAsString ? 'true' : 'false'}, hive_partitioning = false)`;
}

/** DuckDB treats `*`, `?` and `[` in a path as a glob: make sure it names exactly this one file. */
async function checkGlobSafe(con: DuckDBConnection, path: string): Promise<void> {
  if (!/[*?[]/.test(path)) return;
  const files = (await con.runAndReadAll('SELECT file FROM glob($1)', [path])).getRows().map((r) => String(r[0]));
  if (files.length !== 1 || basename(files[0]!) !== basename(path)) {
    throw new MetaError(
      'SOURCE_NOT_FOUND',
      `Cannot open ${path}: the name holds glob characters (*, ? or [) and names ${files.length === 1 ? 'another file' : `${files.length} files`} for the Parquet reader; rename the file`,
    );
  }
}

interface TimestampHint {
  readonly unit: 'MILLIS' | 'MICROS' | 'NANOS';
  readonly utc: boolean;
}

/**
 * The top-level column names as written, and the unit of each top-level TIMESTAMP column. DuckDB reads
 * MILLIS as microseconds (and NANOS with UTC as microseconds), so its type alone would print the wrong
 * number of digits.
 */
async function topLevelSchema(
  con: DuckDBConnection,
  path: string,
): Promise<{ names: string[]; hints: Map<string, TimestampHint> }> {
  const rows = (
    await con.runAndReadAll('SELECT name, num_children, converted_type, logical_type FROM parquet_schema($1)', [path])
  ).getRowsJson();
  const hints = new Map<string, TimestampHint>();
  const names: string[] = [];
  const children = (i: number): number => Number(rows[i]?.[1] ?? 0);
  const skip = (i: number): number => {
    let next = i + 1;
    for (let k = children(i); k > 0; k--) next = skip(next);
    return next;
  };
  let i = 1;
  for (let k = children(0); k > 0 && i < rows.length; k--) {
    const [name, , converted, logical] = rows[i]!.map((v) => (v === null ? '' : String(v)));
    names.push(name!);
    const unit = /NANOS=NanoSeconds/.test(logical!)
      ? 'NANOS'
      : /MICROS=MicroSeconds/.test(logical!) || converted === 'TIMESTAMP_MICROS'
        ? 'MICROS'
        : /MILLIS=MilliSeconds/.test(logical!) || converted === 'TIMESTAMP_MILLIS'
          ? 'MILLIS'
          : undefined;
    if (unit !== undefined && /Timestamp/i.test(logical! + converted!)) {
      hints.set(name!, { unit, utc: /isAdjustedToUTC=(1|true)/.test(logical!) });
    }
    i = skip(i);
  }
  return { names, hints };
}

function columnType(type: DuckDBType, hint: TimestampHint | undefined): ColumnType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { kind: 'boolean' };
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
      return { kind: 'int' };
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return { kind: 'bigint' };
    case DuckDBTypeId.FLOAT:
      return { kind: 'float' };
    case DuckDBTypeId.DOUBLE:
      return { kind: 'double' };
    case DuckDBTypeId.DECIMAL: // DuckDBDecimalValue#toString is exact and keeps the scale
      return { kind: 'text', decimal: true };
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
      return { kind: 'text' };
    case DuckDBTypeId.DATE:
      return { kind: 'date' };
    case DuckDBTypeId.TIMESTAMP_S:
      return { kind: 'timestamp', field: 'seconds', digits: 0, utc: false };
    case DuckDBTypeId.TIMESTAMP_MS:
      return { kind: 'timestamp', field: 'millis', digits: 3, utc: false };
    case DuckDBTypeId.TIMESTAMP_NS:
      return { kind: 'timestamp', field: 'nanos', digits: 9, utc: false };
    case DuckDBTypeId.TIMESTAMP:
      return { kind: 'timestamp', field: 'micros', digits: hint?.unit === 'MILLIS' ? 3 : 6, utc: false };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { kind: 'timestamp', field: 'micros', digits: hint?.unit === 'MILLIS' ? 3 : 6, utc: true };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return { kind: 'list', element: columnType(type.valueType, undefined) };
    case DuckDBTypeId.STRUCT:
      return { kind: 'struct', fields: type.entryNames.map((name, i) => ({ name, type: columnType(type.entryTypes[i]!, undefined) })) };
    case DuckDBTypeId.MAP:
      return { kind: 'map', key: columnType(type.keyType, undefined), value: columnType(type.valueType, undefined) };
    default:
      return { kind: 'unsupported', sqlType: type.toString() };
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function corrupt(path: string, err: unknown): MetaError {
  if (err instanceof MetaError) return err;
  return new MetaError('SOURCE_CORRUPT', `Not a readable Parquet file: ${path} (${firstLine(err)})`, { cause: err });
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0]!.trim();
}
