/**
 * The failure report: every row that was not applied, with its original columns as read, then `_line`,
 * `_error_code`, `_error_column`, `_error`, and `_raw` (all fields of a record that could not be read,
 * so an extra field is never lost). It is itself a valid import input (columns starting with `_`
 * are never imported), so fixing the cells by hand and importing the report retries exactly those rows.
 * The file is created lazily (0600, its directory 0700): a run with no failures leaves no report behind.
 *
 * Safe to open in a spreadsheet: every cell, `_error` and `_raw` included, goes through `escapeFormula`
 * (`=x` is written `'=x`; see `src/formula-cells.ts`). The report's last five columns mark it as ours, so
 * `import` (and `schema check` / `schema infer`) undo exactly that escape when they read it: fixing a row
 * and importing the report writes the original text byte for byte.
 */
import { REPORT_MARKER_COLUMNS } from '../formula-cells.js';
import { mkdirPrivateFor } from '../private-files.js';
import { CsvFileWriter, csvLine } from './csv-writer.js';

export const REPORT_COLUMNS = REPORT_MARKER_COLUMNS;

export interface FailedRow {
  readonly line: number;
  /** Original cells as read, by column (already text). */
  readonly values: Readonly<Record<string, string>>;
  readonly code: string;
  readonly column: string | undefined;
  readonly message: string;
  /** All fields of an unreadable record as parsed (it may have more than the header), else absent. */
  readonly rawFields?: readonly string[] | undefined;
  /** The exact text of an unreadable record's lines (CSV), preferred over `rawFields` for `_raw`. */
  readonly raw?: string | undefined;
}

export class FailureReport {
  private writer: CsvFileWriter | undefined;
  private failures = 0;

  /**
   * @param path where to write; `undefined` counts failures without writing them.
   * @param columns the source's columns, in file order (report columns follow them).
   */
  constructor(
    readonly path: string | undefined,
    private readonly columns: readonly string[],
  ) {}

  get count(): number {
    return this.failures;
  }

  /** Whether a file was written (at least one failure and a path). */
  get written(): boolean {
    return this.writer !== undefined;
  }

  async add(row: FailedRow): Promise<void> {
    this.failures += 1;
    if (this.path === undefined) return;
    if (!this.writer) {
      mkdirPrivateFor(this.path);
      // Original `_`-columns (from a previous report) are replaced by fresh ones.
      const kept = this.columns.filter((c) => !(REPORT_COLUMNS as readonly string[]).includes(c));
      this.writer = new CsvFileWriter(this.path, [...kept, ...REPORT_COLUMNS]);
    }
    const header = this.writer.header;
    const fields = header.map((name) => {
      switch (name) {
        case '_line':
          return String(row.line);
        case '_error_code':
          return row.code;
        case '_error_column':
          return row.column ?? '';
        case '_error':
          return row.message; // escaped with every other cell by the writer
        case '_raw':
          return row.raw ?? (row.rawFields ? csvLine(row.rawFields).slice(0, -1) : '');
        default:
          return row.values[name] ?? '';
      }
    });
    await this.writer.write(fields);
  }

  async close(): Promise<void> {
    await this.writer?.close();
  }
}
