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
 *
 * Several files in one run (a glob, a directory, several arguments): a `_file` column comes just before
 * `_line`, so `_file` and `_line` say where each row is. A report that has one, imported alone, gets a
 * fresh `_file` (the report itself) like its fresh `_line`: the pair always points at the row as this run
 * read it. `_file` starts with `_`, so it is never imported, and the last five columns still mark the file
 * as a report.
 */
import { REPORT_MARKER_COLUMNS, writtenByEncordMeta } from '../formula-cells.js';
import { mkdirPrivateFor } from '../private-files.js';
import { CsvFileWriter, csvLine } from './csv-writer.js';

export const REPORT_COLUMNS = REPORT_MARKER_COLUMNS;
/** The column naming the file of each row, in a report of a run over several files. */
export const REPORT_FILE_COLUMN = '_file';

/** How the report names files: present when it has a `_file` column. */
export interface ReportFileColumn {
  /** The file of a row that carries none (a report of a multi-file run, imported alone: the report). */
  readonly fallback: string;
}

/**
 * Whether the report of a run over `input` has a `_file` column: the input is several files (`files`
 * set), or it is a report that had one (then it stays, pointing at the report's own lines).
 */
export function reportFileColumn(input: { readonly name: string; readonly columns: readonly string[]; readonly files?: readonly string[] }): ReportFileColumn | undefined {
  if (input.files !== undefined) return { fallback: input.name };
  if (input.columns.includes(REPORT_FILE_COLUMN) && writtenByEncordMeta(input.columns) === 'report') return { fallback: input.name };
  return undefined;
}

export interface FailedRow {
  /** The file the row was read from, when the run reads several (see `ReportFileColumn`). */
  readonly file?: string | undefined;
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
   * @param files set when the report has a `_file` column (`reportFileColumn`).
   */
  constructor(
    readonly path: string | undefined,
    private readonly columns: readonly string[],
    private readonly files?: ReportFileColumn | undefined,
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
      const ours: readonly string[] = this.files ? [REPORT_FILE_COLUMN, ...REPORT_COLUMNS] : REPORT_COLUMNS;
      const kept = this.columns.filter((c) => !ours.includes(c));
      this.writer = new CsvFileWriter(this.path, [...kept, ...ours]);
    }
    const header = this.writer.header;
    const files = this.files;
    // An unreadable record's cells stay empty: what a reader could recover of it (the first fields of a
    // record with one too many, say) is a guess, and a report imported unedited must not write a guess.
    // `_raw` holds its exact text; the user fills the cells from it (see unescape-source.ts).
    const unreadable = row.raw !== undefined || row.rawFields !== undefined;
    const fields = header.map((name) => {
      if (files && name === REPORT_FILE_COLUMN) return row.file ?? files.fallback;
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
          return unreadable ? '' : (row.values[name] ?? '');
      }
    });
    await this.writer.write(fields);
  }

  async close(): Promise<void> {
    await this.writer?.close();
  }
}
