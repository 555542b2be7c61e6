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
 */
import { unescapeFormula, writtenByEncordMeta } from '../formula-cells.js';
import { checkUniqueColumns, recordBuilder } from './columns.js';
import type { BadRecord, SourceItem, TabularSource } from './source.js';

/** `source` (opened) as its cells were before encord-meta escaped them, or `source` itself for a user's file. */
export function unescapeIfOurs(source: TabularSource): TabularSource {
  return writtenByEncordMeta(source.columns) ? new UnescapedSource(source) : source;
}

class UnescapedSource implements TabularSource {
  readonly name: string;
  readonly columns: readonly string[];

  constructor(private readonly inner: TabularSource) {
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
        yield { kind: 'row', row: { ...item.row, values: build(cells) as typeof values } };
      } else {
        yield { kind: 'bad', bad: this.unescapeBad(item.bad) };
      }
    }
  }

  async close(): Promise<void> {
    await this.inner.close();
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
