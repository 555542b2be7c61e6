import { MetaError } from '../../errors.js';
import { check } from '../../option-check.js';
import { checkUniqueColumns, recordBuilder } from '../columns.js';
import { checkReadableFile } from '../file-check.js';
import { readHead } from '../sniff.js';
import type { BadRecord, Cell, SourceItem, TabularSource } from '../source.js';
import { readSharedStrings, readWorkbook, SharedStrings, WorkbookError, type Workbook } from './workbook.js';
import { CellFault, SheetRows, type SheetRow, type XCell } from './sheet-rows.js';
import { columnLetters } from './xlsx-cells.js';
import { XmlError, XmlTokenizer } from './xml.js';
import { looksLikeZip, openEntry, readZipDirectory, ZipError, type ZipEntry } from './zip.js';

export interface XlsxSourceOptions {
  /** The worksheet to read, by its tab name. @default the first worksheet */
  readonly sheet?: string | undefined;
}

/**
 * An .xlsx worksheet as a `TabularSource`, streamed: the sheet part is inflated and tokenized chunk by
 * chunk, so memory holds one chunk of rows plus the shared-string table (which cells index from anywhere).
 * The header is the first row with a non-empty cell; `line` is the sheet row number, as Excel shows it.
 * Cells arrive typed (see `xlsx-cells.ts`): numbers, booleans, dates as naive ISO text, so no locale option
 * applies to them. A record fails (a `BadRecord`, the run goes on) when a cell holds an error (`#N/A`), a
 * formula without a cached value, a malformed value, or a value in a column the header does not name.
 */
export class XlsxSource implements TabularSource {
  readonly name: string;
  private readonly sheetName: string | undefined;
  private book: Workbook | undefined;
  private sheetEntry: ZipEntry | undefined;
  private entries: Map<string, ZipEntry> | undefined;
  private shared = new SharedStrings();
  private header: { r: number; first: number; names: string[] } | undefined;
  private chosen: string | undefined;

  constructor(
    readonly path: string,
    options: XlsxSourceOptions = {},
  ) {
    this.name = path;
    if (options.sheet !== undefined && (typeof options.sheet !== 'string' || options.sheet === '')) check.fail('sheet', 'a sheet name', options.sheet);
    this.sheetName = options.sheet;
  }

  get columns(): readonly string[] {
    return this.header?.names ?? [];
  }

  /** Tab names of the workbook's worksheets, in order; available after `open()`. */
  get sheetNames(): readonly string[] {
    return (this.book?.sheets ?? []).map((s) => s.name);
  }

  /** The worksheet being read; available after `open()`. */
  get sheet(): string | undefined {
    return this.chosen;
  }

  async open(): Promise<void> {
    await checkReadableFile(this.path);
    try {
      if (!looksLikeZip(await readHead(this.path, 4))) throw new ZipError('not a zip archive');
      this.entries = await readZipDirectory(this.path);
      this.book = await readWorkbook(this.path, this.entries);
    } catch (err) {
      throw this.corrupt(err);
    }
    const book = this.book;
    const sheet = this.sheetName === undefined ? book.sheets[0]! : book.sheets.find((s) => s.name === this.sheetName);
    if (sheet === undefined) {
      throw new MetaError(
        'SOURCE_SHEET_NOT_FOUND',
        `No sheet named ${JSON.stringify(this.sheetName)} in ${this.name}: expected one of ${book.sheets.map((s) => JSON.stringify(s.name)).join(', ')} (pass it to --sheet)`,
        { details: { sheets: book.sheets.map((s) => s.name) } },
      );
    }
    this.chosen = sheet.name;
    const entry = this.entries!.get(sheet.part);
    if (entry === undefined) throw this.corrupt(new WorkbookError(`the part of sheet ${JSON.stringify(sheet.name)} (${sheet.part}) is missing`));
    this.sheetEntry = entry;
    try {
      const sharedEntry = book.sharedStringsPart === undefined ? undefined : this.entries!.get(book.sharedStringsPart);
      this.shared = sharedEntry === undefined ? new SharedStrings() : await readSharedStrings(this.path, sharedEntry);
      this.header = await this.readHeader();
    } catch (err) {
      if (err instanceof MetaError) throw err;
      throw this.corrupt(err);
    }
    if (this.header === undefined) {
      throw new MetaError('SOURCE_EMPTY', `${this.name}: sheet ${JSON.stringify(sheet.name)} is empty (no row with a value to read as the header)`);
    }
    checkUniqueColumns(this.name, this.header.names);
  }

  private corrupt(err: unknown): MetaError {
    if (err instanceof MetaError) return err;
    const why = err instanceof Error ? err.message : String(err);
    const known = err instanceof ZipError || err instanceof XmlError || err instanceof WorkbookError || (err as NodeJS.ErrnoException)?.code === 'Z_DATA_ERROR';
    if (!known && !(err instanceof Error)) return new MetaError('SOURCE_READ_FAILED', `${this.name}: ${why}`, { cause: err });
    const hint = why === 'not a zip archive' ? ' (an .xls file from Excel 97-2003, or a CSV named .xlsx? save it as .xlsx, or pass --format)' : '';
    return new MetaError('SOURCE_CORRUPT', `Cannot read ${this.name} as an .xlsx workbook: ${why}${hint}`, { cause: err });
  }

  /** Stream rows of the sheet part; `onRow` returns false to stop. */
  private async scan(onRow: (row: SheetRow) => boolean | 'stop', signal?: AbortSignal): Promise<void> {
    const stream = await openEntry(this.path, this.sheetEntry!);
    const rows: SheetRow[] = [];
    const tokenizer = new XmlTokenizer(new SheetRows(this.shared, this.book!, rows));
    try {
      stream.setEncoding('utf8');
      for await (const chunk of stream as AsyncIterable<string>) {
        if (signal?.aborted) signal.throwIfAborted();
        tokenizer.write(chunk);
        for (const row of rows) if (onRow(row) === 'stop') return;
        rows.length = 0;
      }
      tokenizer.end();
      for (const row of rows) if (onRow(row) === 'stop') return;
    } finally {
      stream.destroy();
    }
  }

  private async readHeader(): Promise<{ r: number; first: number; names: string[] } | undefined> {
    let found: { r: number; first: number; names: string[] } | undefined;
    let fault: MetaError | undefined;
    await this.scan((row) => {
      if (isEmptyRow(row.cells)) return true;
      let first = -1;
      let last = -1;
      row.cells.forEach((c, i) => {
        if (!isEmpty(c)) {
          if (first < 0) first = i;
          last = i;
        }
      });
      const names: string[] = [];
      for (let i = first; i <= last; i++) {
        const c = row.cells[i];
        const ref = `${columnLetters(i)}${row.r}`;
        if (c instanceof CellFault) {
          fault = new MetaError('SOURCE_BAD_HEADER', `Header cell ${ref} of ${this.name} ${c.why}: expected a column name`);
          return 'stop';
        }
        if (isEmpty(c)) {
          fault = new MetaError(
            'SOURCE_EMPTY_COLUMN_NAME',
            `Empty column name in ${this.name}, header row ${row.r}, cell ${ref}: expected a name for every column between ${columnLetters(first)} and ${columnLetters(last)}; name it, or delete the column`,
            { details: { line: row.r, column: i - first + 1 } },
          );
          return 'stop';
        }
        names.push(cellText(c!));
      }
      found = { r: row.r, first, names };
      return 'stop';
    });
    if (fault !== undefined) throw fault;
    return found;
  }

  async *items(options?: { signal?: AbortSignal }): AsyncGenerator<SourceItem> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const header = this.header;
    if (header === undefined) throw new MetaError('SOURCE_READ_FAILED', `${this.name}: call open() before items()`);
    const { names, first } = header;
    const width = names.length;
    const build = recordBuilder<Cell>(names);
    const pending: SourceItem[] = [];
    let index = 0;
    const values: Cell[] = new Array<Cell>(width);
    const onRow = (row: SheetRow): boolean => {
      if (row.r <= header.r || isEmptyRow(row.cells)) return true;
      const cells = row.cells;
      let problem: { code: string; message: string } | undefined;
      for (let c = 0; c < width; c++) {
        const cell = cells[first + c];
        if (cell instanceof CellFault) {
          problem ??= { code: cell.code, message: `${cell.code === 'XLSX_ERROR_CELL' ? 'Error cell' : cell.code === 'XLSX_FORMULA_NO_VALUE' ? 'Formula without a value' : 'Unreadable cell'}: cell ${columnLetters(first + c)}${row.r} (column ${names[c]}) ${cell.why} (${this.name} line ${row.r}, column ${names[c]})` };
          values[c] = null;
        } else values[c] = cell ?? null;
      }
      if (problem === undefined) {
        for (let i = 0; i < cells.length; i++) {
          if ((i < first || i >= first + width) && !isEmpty(cells[i])) {
            const ref = `${columnLetters(i)}${row.r}`;
            problem = {
              code: 'XLSX_CELL_WITHOUT_HEADER',
              message: `Cell without a header: cell ${ref} holds a value but column ${columnLetters(i)} has no name in the header row (${header.r}); name the column or clear the cell (${this.name} line ${row.r})`,
            };
            break;
          }
        }
      }
      if (problem === undefined) {
        pending.push({ kind: 'row', row: { index, line: row.r, values: build(values) } });
      } else {
        const recovered: Record<string, string> = {};
        for (let c = 0; c < width; c++) {
          const cell = cells[first + c];
          Object.defineProperty(recovered, names[c]!, { value: cell === undefined || cell === null ? '' : cell instanceof CellFault ? cell.text : cellText(cell), enumerable: true, writable: true, configurable: true });
        }
        const fields = Array.from(cells, (c) => (c === undefined || c === null ? '' : c instanceof CellFault ? c.text : cellText(c)));
        const bad: BadRecord = { index, line: row.r, code: problem.code, message: problem.message, values: recovered, fields };
        pending.push({ kind: 'bad', bad });
      }
      index++;
      return true;
    };
    const stream = await openEntry(this.path, this.sheetEntry!);
    const rows: SheetRow[] = [];
    const tokenizer = new XmlTokenizer(new SheetRows(this.shared, this.book!, rows));
    try {
      stream.setEncoding('utf8');
      let ended = false;
      const iterator = (stream as AsyncIterable<string>)[Symbol.asyncIterator]();
      while (!ended) {
        const next = await iterator.next().catch((err: unknown) => {
          throw this.readFailed(err);
        });
        if (signal?.aborted) signal.throwIfAborted();
        try {
          if (next.done === true) {
            tokenizer.end();
            ended = true;
          } else tokenizer.write(next.value);
        } catch (err) {
          throw this.readFailed(err);
        }
        for (const row of rows) onRow(row);
        rows.length = 0;
        for (const item of pending) yield item;
        pending.length = 0;
      }
    } finally {
      stream.destroy();
    }
  }

  private readFailed(err: unknown): MetaError {
    if (err instanceof MetaError) return err;
    return new MetaError('SOURCE_READ_FAILED', `Reading ${this.name} failed part-way: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  async close(): Promise<void> {
    // Nothing held between calls: every scan opens and releases its own stream.
  }
}

function isEmpty(cell: XCell | undefined): boolean {
  return cell === undefined || cell === null || cell === '';
}

function isEmptyRow(cells: readonly XCell[]): boolean {
  for (const c of cells) if (!isEmpty(c)) return false;
  return true;
}

/** A cell as text, for header names and the failure report. */
function cellText(cell: Cell): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return String(cell);
}

