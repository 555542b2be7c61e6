/**
 * A tabular source: rows as an async iterable, each with its physical position so every error can say
 * "file, line, column". CSV cells are strings as written; Parquet cells are exact JS values (see `Cell`).
 */

/**
 * One cell. CSV: always `string` (empty string for an empty field). Parquet: `null` for NULL; `string`
 * for UTF8, DECIMAL (exact decimal text), DATE (`yyyy-mm-dd`) and TIMESTAMP (ISO 8601; with `Z` when
 * the column is UTC-adjusted, naive otherwise; full sub-second precision); `number` for INT32/FLOAT/
 * DOUBLE and INT64 within ±2^53 (`bigint` beyond); `boolean`; `Cell[]` for LIST columns.
 * The full table, with the exceptions (FLOAT, TIMESTAMP(NANOS) with UTC, STRUCT/MAP as JSON text), is in
 * `parquet/parquet-cells.ts`.
 */
export type Cell = string | number | bigint | boolean | null | readonly Cell[];

/**
 * What a source does with a column it cannot name (a CSV header cell left empty) or read faithfully (a
 * Parquet type with no exact cell): refuse the file (`error`), or leave the column out (`skip`).
 */
export const REFUSE_OR_SKIP = ['error', 'skip'] as const;
export type RefuseOrSkip = (typeof REFUSE_OR_SKIP)[number];

export interface RawRow {
  /** 0-based record number among data rows (the header is not counted). */
  readonly index: number;
  /**
   * 1-based physical line where the record starts (CSV; the header is line 1 unless it spans lines).
   * Parquet: 1-based row number + 1, as if a header line came first, so row `index` 0 is line 2, the line
   * the same row has in a CSV export of the file. .xlsx: the sheet row number, as the spreadsheet shows it.
   */
  readonly line: number;
  /** Cells keyed by column name, in header order. */
  readonly values: Readonly<Record<string, Cell>>;
  /**
   * The file the row was read from, set when the source reads several files (`MultiSource`: a glob, a
   * directory, several arguments); `line` is then the line in that file. Absent for a single file.
   */
  readonly file?: string;
}

/** A record the reader could not turn into a row: it is reported, never dropped. */
export interface BadRecord {
  readonly index: number;
  /** 1-based physical line where the bad record (or span of lines) starts. */
  readonly line: number;
  /** Last physical line it covers, when it spans several (a quoted newline, a quote never closed). */
  readonly endLine?: number;
  /** Stable code, one of `BAD_RECORD_CODES`, e.g. `CSV_QUOTE_NOT_CLOSED`, `CSV_RECORD_INCONSISTENT_COLUMNS`. */
  readonly code: string;
  readonly message: string;
  /** What could be recovered of the record, by column, for the failure report. */
  readonly values: Readonly<Record<string, string>>;
  /** Every field as parsed, when known: more than the columns when the record has extra fields. */
  readonly fields?: readonly string[];
  /**
   * CSV: the exact text of the physical lines `line`..`endLine` (line ends between them kept, the last one
   * dropped), for the failure report's `_raw`; bytes that could not be decoded appear as `\xHH` (and a
   * backslash in such a line as `\\`).
   */
  readonly raw?: string;
  /** The file the record was read from, when the source reads several files (as `RawRow.file`). */
  readonly file?: string;
}

export type SourceItem = { readonly kind: 'row'; readonly row: RawRow } | { readonly kind: 'bad'; readonly bad: BadRecord };

export interface TabularSource {
  /** Path or name used in messages. */
  readonly name: string;
  /** Column names in file order; available after `open()`. */
  readonly columns: readonly string[];
  /**
   * Columns whose text cells are machine-written decimals (Parquet DECIMAL: `"1.234"`, `.` point, no
   * grouping). The locale options (`--decimal-comma`, `--thousands`) are for text people typed and must
   * never be applied to them: `1.234` would become 1234. Absent: no such column.
   */
  readonly canonicalDecimalColumns?: ReadonlySet<string>;
  /**
   * The files read, in reading order, when the source reads several files as one logical input
   * (`MultiSource`); every row and bad record then carries its `file`. Absent: one file, no `file` fields.
   */
  readonly files?: readonly string[];
  /** Read the header / footer; rejects with a `MetaError` (code `SOURCE_*`) for a file that cannot be read at all. */
  open(): Promise<void>;
  /**
   * Stream the records, from the first one, on every call. Stops early when the consumer breaks, or
   * throws the signal's `reason` when it aborts; either way files and connections are released in
   * `finally`. Rejects with a `MetaError` only when the rest of the file cannot be read at all
   * (`SOURCE_READ_FAILED`, `SOURCE_RECORD_TOO_LARGE`); a bad record is an item, never an exception.
   */
  items(options?: { signal?: AbortSignal }): AsyncIterable<SourceItem>;
  close(): Promise<void>;
}

/**
 * Codes of the `MetaError`s a source throws (the file cannot be read at all). Stable: they are the contract.
 */
export const SOURCE_ERROR_CODES = {
  SOURCE_NOT_FOUND: 'the file does not exist, or is not a readable file; or a glob or directory names no data file',
  SOURCE_UNKNOWN_FORMAT: 'the format is neither given nor recognisable from the name or the bytes',
  SOURCE_EMPTY: 'CSV: the file has no header row',
  SOURCE_BAD_HEADER: 'CSV: the header record is malformed (e.g. a quote never closed)',
  SOURCE_DUPLICATE_COLUMN: 'two columns have the same name',
  SOURCE_EMPTY_COLUMN_NAME: 'CSV: a header cell is empty',
  SOURCE_UNSUPPORTED_ENCODING:
    'CSV: the file is not in the encoding it is read with: UTF-32, UTF-16 without a BOM (use `--encoding utf-16le`), a BOM that contradicts `--encoding`, or a UTF-8 file read as Windows-1252/Latin-1',
  SOURCE_INVALID_UTF8:
    'CSV: the header, or any line in the first 1 MiB, is not valid UTF-8 (a file in another encoding: use `--encoding`); past 1 MiB this is a bad record instead',
  SOURCE_INVALID_ENCODING: 'CSV: the header holds a byte the `--encoding` given does not define (in a data row this is a bad record instead)',
  SOURCE_NUL_BYTE: 'CSV: the header holds a NUL byte (in a data row this is a bad record instead)',
  SOURCE_RECORD_TOO_LARGE: 'CSV: one record exceeds `maxRecordSize` (often an unclosed quote); reading stops',
  SOURCE_CORRUPT: 'Parquet: not a Parquet file, or its footer/metadata cannot be read; .xlsx: not a zip archive, or its workbook parts are missing or malformed',
  SOURCE_SHEET_NOT_FOUND: '.xlsx: `--sheet` names no worksheet of the workbook (the message lists them)',
  SOURCE_UNSUPPORTED_TYPE: 'Parquet: a column has a type with no faithful cell representation',
  SOURCE_READ_FAILED: 'reading failed part-way (I/O error, corrupt data page)',
  SOURCE_COLUMNS_DIFFER:
    'several files: a part does not have the same set of columns as the first part (order may differ), or a column is DECIMAL in one Parquet part and not in another; refused whole before any write',
  SOURCE_MIXED_FORMATS: 'several files: CSV and Parquet parts in one input; import them in two runs',
} as const;
export type SourceErrorCode = keyof typeof SOURCE_ERROR_CODES;

/** Codes of `BadRecord`s (a record is reported and skipped; the run goes on). */
export const BAD_RECORD_CODES = {
  CSV_QUOTE_NOT_CLOSED: 'a quote opened on this line is never closed; this line fails and reading resumes on the next one',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by something other than a delimiter or line break; the record fails up to that line',
  CSV_INVALID_OPENING_QUOTE: 'a quote inside an unquoted field; the record fails up to that line',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'the record has more or fewer fields than the header',
  SOURCE_INVALID_UTF8:
    'the record holds bytes that are not valid UTF-8 (past the first 1 MiB, or a character cut by the end of the file), or U+FFFD, the mark of a byte lost to decoding, which is never written',
  SOURCE_INVALID_ENCODING: 'the record holds a byte the `--encoding` given does not define (Windows-1252: 0x81 0x8D 0x8F 0x90 0x9D; ISO-8859-1: 0x80–0x9F)',
  SOURCE_NUL_BYTE: 'a cell holds a NUL byte',
  XLSX_ERROR_CELL: '.xlsx: a cell of the record holds an error value (#N/A, #DIV/0!, #REF!, …), not a value',
  XLSX_FORMULA_NO_VALUE: '.xlsx: a cell of the record holds a formula with no saved (cached) value',
  XLSX_BAD_CELL: '.xlsx: a cell of the record is malformed (a number cell that holds no number, a shared-string index out of range)',
  XLSX_CELL_WITHOUT_HEADER: '.xlsx: the record has a value in a column the header row does not name',
} as const;
/** The CSV parser raises only the `CSV_` and `SOURCE_` codes above (it no longer uses csv-parse, whose other codes cannot occur); the .xlsx reader only the `XLSX_` ones. */
export type BadRecordCode = keyof typeof BAD_RECORD_CODES;
