/**
 * Reading back a CSV file encord-meta wrote (a failure report, a `list` export): its cells were written
 * spreadsheet-safe (`=x` as `'=x`, `'=x` as `''=x`; see `src/formula-cells.ts`), and this wrapper undoes
 * exactly that, in the header, the rows and the bad records alike, so `import`, `schema check` and
 * `schema infer` see every cell as it was before it was written. Files of the user's own are never
 * wrapped: there `'=x` is a value like any other.
 *
 * A report of a run over several files has a `_file` column before `_line`: it is undone like every cell
 * (a file name starting with `=` reads back exactly), and the report is still recognised by its last five
 * columns. Several reports read together (`import 'reports/*.csv'`) are each wrapped on their own, by
 * `MultiSource`, before their rows get a `file`; a row's `file` and `line` pass through unchanged.
 *
 * A report row for a record that could not be read has its `_raw` (the record's exact text) and empty
 * cells. Imported as it is, it is that record again: it fails with its original code and keeps its `_raw`
 * in the next report, instead of failing `KEY_EMPTY` with the text lost. Once the user fills any of its
 * cells, it is a row like any other.
 */
import { REPORT_MARKER_COLUMNS, unescapeFormula, writtenByEncordMeta } from '../formula-cells.js';
import { hasOwn } from '../own.js';
import { checkUniqueColumns, recordBuilder } from './columns.js';
import { BAD_RECORD_CODES, type BadRecord, type RawRow, type SourceItem, type TabularSource } from './source.js';

/** The report's own columns: its markers and, for a run over several files, `_file`. */
const REPORT_OWN = new Set<string>([...REPORT_MARKER_COLUMNS, '_file']);

/** `source` (opened) as its cells were before encord-meta escaped them, or `source` itself for a user's file. */
export function unescapeIfOurs(source: TabularSource): TabularSource {
  const kind = writtenByEncordMeta(source.columns);
  return kind ? new UnescapedSource(source, kind === 'report') : source;
}

class UnescapedSource implements TabularSource {
  readonly name: string;
  readonly columns: readonly string[];

  constructor(
    private readonly inner: TabularSource,
    private readonly report: boolean,
  ) {
    this.name = inner.name;
    this.columns = inner.columns.map(unescapeFormula);
    checkUniqueColumns(this.name, this.columns);
  }

  async open(): Promise<void> {
    await this.inner.open();
  }

  async *items(options?: { signal?: AbortSignal }): AsyncGenerator<SourceItem> {
    const raw = this.inner.columns;
    const build = recordBuilder<unknown>(this.columns);
    const cells: unknown[] = new Array<unknown>(raw.length);
    for await (const item of this.inner.items(options)) {
      if (item.kind === 'row') {
        const values = item.row.values;
        for (let i = 0; i < raw.length; i++) {
          const v = values[raw[i]!];
          cells[i] = typeof v === 'string' ? unescapeFormula(v) : v;
        }
        const row: RawRow = { ...item.row, values: build(cells) as typeof values };
        const unfixed = this.report ? this.unfixedRecord(row) : undefined;
        yield unfixed ? { kind: 'bad', bad: unfixed } : { kind: 'row', row };
      } else {
        yield { kind: 'bad', bad: this.unescapeBad(item.bad) };
      }
    }
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  /** A report row standing for an unreadable record nobody has fixed yet: `_raw` set, every cell empty. */
  private unfixedRecord(row: RawRow): BadRecord | undefined {
    const v = row.values;
    const raw = v['_raw'];
    if (typeof raw !== 'string' || raw === '') return undefined;
    const values: Record<string, string> = {};
    for (const column of this.columns) {
      if (REPORT_OWN.has(column)) continue;
      const cell = v[column];
      if (cell !== undefined && cell !== null && cell !== '') return undefined;
      Object.defineProperty(values, column, { value: '', enumerable: true });
    }
    const original = typeof v['_error_code'] === 'string' ? v['_error_code'] : '';
    const code = hasOwn(BAD_RECORD_CODES, original) ? original : 'CSV_RECORD_INCONSISTENT_COLUMNS';
    const where = typeof v['_line'] === 'string' && v['_line'] !== '' ? ` (line ${v['_line']} there)` : '';
    const why = typeof v['_error'] === 'string' && v['_error'] !== '' ? `: ${v['_error']}` : '';
    return {
      index: row.index,
      line: row.line,
      ...(row.file !== undefined && { file: row.file }),
      code,
      message: `a record the earlier run could not read${where}${why}; its cells are still empty, so nothing is written: fill them from _raw (its exact text) and import the report again`,
      values,
      raw,
    };
  }

  private unescapeBad(bad: BadRecord): BadRecord {
    const values: Record<string, string> = {};
    const raw = this.inner.columns;
    for (let i = 0; i < raw.length; i++) {
      const v = bad.values[raw[i]!];
      if (v !== undefined) Object.defineProperty(values, this.columns[i]!, { value: unescapeFormula(v), enumerable: true });
    }
    return { ...bad, values, ...(bad.fields && { fields: bad.fields.map(unescapeFormula) }) };
  }
}
