/**
 * A tabular source: rows as an async iterable, each with its physical position so every error can say
 * "file, line, column". CSV cells are strings as written; Parquet cells are exact JS values (see `Cell`).
 */

/**
 * One cell. CSV: always `string` (empty string for an empty field). Parquet: `null` for NULL; `string`
 * for UTF8, DECIMAL (exact decimal text), DATE (`yyyy-mm-dd`) and TIMESTAMP (ISO 8601; with `Z` when
 * the column is UTC-adjusted, naive otherwise; full sub-second precision); `number` for INT32/FLOAT/
 * DOUBLE and INT64 within ±2^53 (`bigint` beyond); `boolean`; `Cell[]` for LIST columns.
 */
export type Cell = string | number | bigint | boolean | null | readonly Cell[];

export interface RawRow {
  /** 0-based record number among data rows (the header is not counted). */
  readonly index: number;
  /** 1-based physical line where the record starts (CSV); row number + 1 for Parquet (header-like). */
  readonly line: number;
  /** Cells keyed by column name, in header order. */
  readonly values: Readonly<Record<string, Cell>>;
}

/** A record the reader could not turn into a row: it is reported, never dropped. */
export interface BadRecord {
  readonly index: number;
  readonly line: number;
  /** Stable code, e.g. `CSV_QUOTE_NOT_CLOSED`, `CSV_RECORD_INCONSISTENT_COLUMNS`. */
  readonly code: string;
  readonly message: string;
  /** What could be recovered of the record, by column, for the failure report. */
  readonly values: Readonly<Record<string, string>>;
}

export type SourceItem = { readonly kind: 'row'; readonly row: RawRow } | { readonly kind: 'bad'; readonly bad: BadRecord };

export interface TabularSource {
  /** Path or name used in messages. */
  readonly name: string;
  /** Column names in file order; available after `open()`. */
  readonly columns: readonly string[];
  /** Read the header / footer; rejects with a `MetaError` (code `SOURCE_*`) for a file that cannot be read at all. */
  open(): Promise<void>;
  /** Stream the records. Stops early when the consumer breaks or the signal aborts; releases files in `finally`. */
  items(options?: { signal?: AbortSignal }): AsyncIterable<SourceItem>;
  close(): Promise<void>;
}
