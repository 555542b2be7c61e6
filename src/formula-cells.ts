/**
 * Spreadsheet-safe cells for the CSV files encord-meta writes (failure reports, `list --format csv`).
 *
 * A cell starting with `=`, `+`, `-`, `@`, tab or CR is run as a formula when the file is opened in Excel,
 * LibreOffice or Sheets (OWASP "CSV injection"). Such cells are written with one `'` in front, which
 * spreadsheets show as text. The escape is a bijection, so reading the file back gives every cell exactly:
 *
 *   escape:   a cell matching /^'*[=+\-@\t\r]/ gets one more leading `'`   (`=x` → `'=x`, `'=x` → `''=x`)
 *   unescape: a cell matching /^'+[=+\-@\t\r]/ loses one leading `'`        (`'=x` → `=x`, `''=x` → `'=x`)
 *
 * Plain numbers (`-5`, `-1.5e3`, `+3`) are not formulas and are left as they are: a listed number must
 * stay a number in the spreadsheet.
 *
 * The unescape applies ONLY to files encord-meta recognisably wrote (`writtenByEncordMeta`): a user's own
 * file may legitimately hold `'=x`. Shared by `report/` (writing) and `sources/` (reading), which is why it
 * lives at the top of `src/`, like `private-files.ts`.
 */

/** The columns a failure report ends with, in this order. */
export const REPORT_MARKER_COLUMNS = ['_line', '_error_code', '_error_column', '_error', '_raw'] as const;

/** The columns a `list` CSV export of a dataset starts with, in this order. */
export const LIST_MARKER_COLUMNS = ['index', 'data_hash', 'title', 'item_uuid'] as const;

/** The columns a `list --folder` CSV export starts with, in this order. */
export const FOLDER_LIST_MARKER_COLUMNS = ['item_uuid', 'name', 'path'] as const;

const FORMULA_START = /^'*[=+\-@\t\r]/;
const ESCAPED_FORMULA = /^'+[=+\-@\t\r]/;
/** A JSON number, optionally with a leading `+`: what a spreadsheet reads as a number, not a formula. */
const PLAIN_NUMBER = /^[+-](?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The cell as written to disk: a formula-like cell gets one more leading `'` (see the module comment). */
export function escapeFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** The inverse of `escapeFormula`: one leading `'` removed from an escaped cell. */
export function unescapeFormula(text: string): string {
  // `'-5` is not something `escapeFormula` writes (`-5` is left alone), so it is left alone too.
  return ESCAPED_FORMULA.test(text) && !PLAIN_NUMBER.test(text.slice(1)) ? text.slice(1) : text;
}

/**
 * What wrote a CSV with these columns, judged by its header alone: a failure report ends with
 * `_line,_error_code,_error_column,_error,_raw`; a `list` export starts with `index,data_hash,title,item_uuid`
 * (a dataset's) or `item_uuid,name,path` (a folder's, `list --folder`).
 * `undefined`: a file of the user's own, read exactly as written.
 */
export function writtenByEncordMeta(columns: readonly string[]): 'report' | 'list' | undefined {
  const n = REPORT_MARKER_COLUMNS.length;
  if (columns.length >= n && REPORT_MARKER_COLUMNS.every((c, i) => columns[columns.length - n + i] === c)) return 'report';
  if (isListExport(columns)) return 'list';
  return undefined;
}

/** Whether the columns start like a `list` export of a dataset or a folder (a failure report of one does too). */
export function isListExport(columns: readonly string[]): boolean {
  return listExportKind(columns) !== undefined;
}

/**
 * Which listing the columns start like: a dataset's (`index,data_hash,title,item_uuid`) or a folder's
 * (`item_uuid,name,path`); `undefined` for any other file. A folder listing's `name` and `path` identify the
 * item: importing the listing back must never write them as metadata keys.
 */
export function listExportKind(columns: readonly string[]): 'dataset' | 'folder' | undefined {
  if (LIST_MARKER_COLUMNS.every((c, i) => columns[i] === c)) return 'dataset';
  if (FOLDER_LIST_MARKER_COLUMNS.every((c, i) => columns[i] === c)) return 'folder';
  return undefined;
}
