/**
 * The failure report: every row that was not applied, with its original columns as read, then `_line`,
 * `_error_code`, `_error_column`, `_error`, and `_raw` (all fields of a record that could not be read,
 * so an extra field is never lost). It is itself a valid import input (columns starting with `_`
 * are never imported), so fixing the cells by hand and importing the report retries exactly those rows.
 * The file is created lazily: a run with no failures leaves no report behind.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CsvFileWriter, csvLine, neutraliseFormula } from './csv-writer.js';

export const REPORT_COLUMNS = ['_line', '_error_code', '_error_column', '_error', '_raw'] as const;

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
      mkdirSync(dirname(this.path), { recursive: true });
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
          return neutraliseFormula(row.message);
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
