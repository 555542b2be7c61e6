import { MetaError } from '../../errors.js';
import { check } from '../../option-check.js';
import { checkUniqueColumns, recordBuilder } from '../columns.js';
import { checkReadableFile } from '../file-check.js';
import { REFUSE_OR_SKIP, type Cell, type RefuseOrSkip, type SourceItem, type TabularSource } from '../source.js';
import { describeParquet, readParquetChunks, type DuckReadOptions, type ParquetColumn } from './duckdb-parquet.js';
import { cellConverter, unsupportedParts, type ToCell } from './parquet-cells.js';

export interface ParquetSourceOptions {
  /**
   * What to do with columns whose type has no faithful cell (BLOB, INTERVAL, TIME WITH TIME ZONE, …; see
   * `parquet-cells.ts`): `'error'` refuses the file at `open()` with `SOURCE_UNSUPPORTED_TYPE` naming them,
   * `'skip'` leaves them out of `columns` and lists them in `skippedColumns`.
   * @default 'error'
   */
  readonly unsupported?: RefuseOrSkip | undefined;
  /**
   * Read BYTE_ARRAY columns that lack the UTF8 annotation (what some older Hive/Impala/Spark writers
   * produce for strings) as text instead of treating them as BLOB.
   * @default false
   */
  readonly binaryAsString?: boolean | undefined;
  /**
   * DuckDB worker threads for decompression and decoding.
   * @default 2
   */
  readonly threads?: number | undefined;
}

export interface ResolvedParquetSourceOptions extends DuckReadOptions {
  readonly unsupported: RefuseOrSkip;
}

/** Validate `ParquetSourceOptions` and fill in the defaults. */
export function resolveParquetOptions(options: ParquetSourceOptions = {}): ResolvedParquetSourceOptions {
  return {
    unsupported: check.oneOf('unsupported', options.unsupported, REFUSE_OR_SKIP, 'error'),
    binaryAsString: check.boolean('binaryAsString', options.binaryAsString, false),
    threads: check.integer('threads', options.threads, 1, 64, 2),
  };
}

/**
 * A Parquet file as a `TabularSource`, read with DuckDB in bounded memory (one 2,048-row chunk at a time,
 * whatever the row-group size). Cells are exact (see `parquet-cells.ts` for the table). `line` is the
 * 1-based row number + 1, as in a CSV export with a header. Rows come in file order; there are no bad
 * records: a file that cannot be decoded fails as a whole (`SOURCE_CORRUPT` at `open()`,
 * `SOURCE_READ_FAILED` part-way).
 */
export class ParquetSource implements TabularSource {
  readonly name: string;
  private readonly options: ResolvedParquetSourceOptions;
  private readable: readonly ParquetColumn[] | undefined;
  private skipped: readonly string[] = [];
  private rows = 0;

  constructor(
    readonly path: string,
    options?: ParquetSourceOptions,
  ) {
    this.name = path;
    this.options = resolveParquetOptions(options);
  }

  get columns(): readonly string[] {
    return (this.readable ?? []).map((c) => c.name);
  }

  /** DECIMAL columns: their cells are exact decimal text with a `.` point, whatever the locale options. */
  get canonicalDecimalColumns(): ReadonlySet<string> {
    return new Set((this.readable ?? []).filter((c) => c.type.kind === 'text' && c.type.decimal === true).map((c) => c.name));
  }

  /** Columns left out because of their type (`unsupported: 'skip'`), with the type, after `open()`. */
  get skippedColumns(): readonly string[] {
    return this.skipped;
  }

  /** Number of rows, from the file footer; available after `open()`. */
  get rowCount(): number {
    return this.rows;
  }

  async open(): Promise<void> {
    await checkReadableFile(this.path);
    const layout = await describeParquet(this.path, this.options);
    checkUniqueColumns(this.name, layout.fileColumns);
    const readable: ParquetColumn[] = [];
    const refused: string[] = [];
    for (const column of layout.columns) {
      const parts = unsupportedParts(column.name, column.type);
      if (parts.length === 0) readable.push(column);
      else refused.push(...parts.map((p) => `${p.path} (${p.sqlType})`));
    }
    if (refused.length > 0 && this.options.unsupported === 'error') {
      const hint = refused.some((r) => r.endsWith('(BLOB)')) ? '; for strings written as plain binary use binaryAsString' : '';
      throw new MetaError(
        'SOURCE_UNSUPPORTED_TYPE',
        `Unsupported column type: expected columns of text, number, boolean, decimal, date, timestamp, list or struct, got ${refused.join(', ')} (${this.name}); drop ${refused.length > 1 ? 'them' : 'it'} or skip unsupported columns${hint}`,
        { details: { columns: refused } },
      );
    }
    this.skipped = refused;
    this.readable = readable;
    this.rows = layout.rowCount;
  }

  async *items(options?: { signal?: AbortSignal }): AsyncGenerator<SourceItem> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const columns = this.readable;
    if (columns === undefined) throw new MetaError('SOURCE_READ_FAILED', `${this.name}: call open() before items()`);
    const names = columns.map((c) => c.name);
    const convert: ToCell[] = columns.map((c) => cellConverter(c.type));
    const build = recordBuilder<Cell>(names);
    const width = names.length;
    const cells: Cell[] = new Array<Cell>(width);
    let index = 0;
    for await (const chunk of readParquetChunks(this.path, names, this.options, signal)) {
      const converted: Cell[][] = chunk.columns.map((values, c) => {
        const toCell = convert[c]!;
        return values.map((v) => (v === null || v === undefined ? null : toCell(v)));
      });
      for (let r = 0; r < chunk.rowCount; r++) {
        if (signal?.aborted) signal.throwIfAborted();
        for (let c = 0; c < width; c++) cells[c] = converted[c]![r]!;
        yield { kind: 'row', row: { index, line: index + 2, values: build(cells) } };
        index++;
      }
    }
  }

  async close(): Promise<void> {
    // Nothing held between calls: every `open()` and `items()` uses its own DuckDB instance.
  }
}
