/**
 * Several files read as one logical input (`import part-*.csv`, `import 'exports/part-*.csv'`,
 * `import exports/`): the parts, in the order `expandInputs` gives (natural path order), one after the
 * other, behind the one `TabularSource` contract, so the import plans over all of them at once
 * (duplicates across parts are found before any write) and its report and resume span them.
 *
 * - Every part is opened with the reader of its own (`openSource`): format, encoding, BOM, `sep=` line and
 *   delimiter are decided per part, and a report encord-meta wrote is un-escaped per part.
 * - Every part must have the same set of columns as the first (order may differ; the first part's order
 *   is the source's). A part that does not is refused at `open()` with `SOURCE_COLUMNS_DIFFER`, naming it
 *   and the columns that differ, before any row is read, so nothing is written.
 * - CSV and Parquet parts do not mix (`SOURCE_MIXED_FORMATS`): a CSV cell is text people typed, to which
 *   the locale options apply, and a Parquet cell is typed, to which they never do; one column read both
 *   ways in one run would be read two ways. Likewise a Parquet column DECIMAL in one part and not in
 *   another is refused (`SOURCE_COLUMNS_DIFFER`).
 * - Hive partition columns (`key=value/` folders) are appended to every row of the parts under them, as
 *   text (CSV) or text/NULL (Parquet).
 * - Every row and bad record carries `file` (the part) and keeps its `line` in that part; `index` counts
 *   data records across all parts. A bad record's message names its part and line.
 */
import { MetaError } from '../errors.js';
import { checkUniqueColumns, recordBuilder } from './columns.js';
import { expandInputs, type InputFile } from './input-files.js';
import { openSource, resolveFormat, type OpenSourceOptions } from './open-source.js';
import type { SourceFormat } from './sniff.js';
import type { BadRecord, Cell, SourceItem, TabularSource } from './source.js';

interface Part {
  readonly input: InputFile;
  readonly format: SourceFormat;
  source?: TabularSource;
}

export class MultiSource implements TabularSource {
  readonly name: string;
  readonly files: readonly string[];
  private readonly parts: Part[] = [];
  private header: readonly string[] = [];
  private decimals: ReadonlySet<string> = new Set();

  constructor(
    private readonly inputs: readonly InputFile[],
    private readonly options: OpenSourceOptions = {},
  ) {
    if (inputs.length === 0) throw new MetaError('SOURCE_NOT_FOUND', 'No input file: expected at least one');
    this.files = inputs.map((f) => f.path);
    const first = this.files[0]!;
    this.name = this.files.length === 1 ? first : `${first} … ${this.files[this.files.length - 1]!} (${this.files.length} files)`;
  }

  get columns(): readonly string[] {
    return this.header;
  }

  get canonicalDecimalColumns(): ReadonlySet<string> {
    return this.decimals;
  }

  async open(): Promise<void> {
    const formats: SourceFormat[] = [];
    for (const input of this.inputs) formats.push(await resolveFormat(input.path, this.options.format));
    const csv = formats.indexOf('csv');
    const other = formats.findIndex((f) => f !== formats[0]);
    if (other >= 0) {
      const parquet = formats.indexOf('parquet');
      const a = csv >= 0 && parquet >= 0 ? [csv, parquet] : [0, other];
      throw new MetaError(
        'SOURCE_MIXED_FORMATS',
        `Mixed formats: expected every part to be of one format, got ${formats[a[0]!]} (${this.files[a[0]!]}) and ${formats[a[1]!]} (${this.files[a[1]!]}); ` +
          'import each format in its own run (a CSV cell is text the locale options apply to, a Parquet cell is typed)',
        { details: { files: [this.files[a[0]!], this.files[a[1]!]] } },
      );
    }
    try {
      let expected: ReadonlySet<string> | undefined;
      let decimals: ReadonlySet<string> | undefined;
      for (let i = 0; i < this.inputs.length; i++) {
        const input = this.inputs[i]!;
        const source = await openSource(input.path, { ...this.options, format: formats[i] });
        const part: Part = { input, format: formats[i]!, source };
        this.parts.push(part);
        const columns = [...source.columns, ...input.partitions.map((p) => p.column)];
        checkUniqueColumns(input.path, columns);
        if (expected === undefined) {
          expected = new Set(columns);
          this.header = columns;
        } else {
          checkSameColumns(this.files[0]!, expected, input.path, columns);
        }
        const partDecimals = source.canonicalDecimalColumns ?? new Set<string>();
        if (decimals === undefined) decimals = partDecimals;
        else checkSameDecimals(this.files[0]!, decimals, input.path, partDecimals);
      }
      this.decimals = decimals ?? new Set();
    } catch (error) {
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  async *items(options?: { signal?: AbortSignal }): AsyncGenerator<SourceItem> {
    if (this.parts.length !== this.inputs.length) throw new MetaError('SOURCE_READ_FAILED', `${this.name}: call open() before items()`);
    let index = 0;
    for (const part of this.parts) {
      const file = part.input.path;
      const partitions = part.input.partitions;
      const empty: Cell = part.format === 'csv' ? '' : null;
      // Keys in the source's column order (the first part's), as the contract says, when this part's differs.
      const own = [...part.source!.columns, ...partitions.map((p) => p.column)];
      const reorder = own.some((c, i) => c !== this.header[i]) ? recordBuilder<Cell>(this.header) : undefined;
      const header = this.header;
      for await (const item of part.source!.items(options)) {
        if (item.kind === 'row') {
          const row = item.row;
          let values = row.values;
          if (partitions.length > 0) {
            const out: Record<string, Cell> = { ...values };
            for (const p of partitions) Object.defineProperty(out, p.column, { value: p.value ?? empty, enumerable: true, writable: true, configurable: true });
            values = out;
          }
          if (reorder) values = reorder(header.map((c) => values[c] ?? null));
          yield { kind: 'row', row: { ...row, index: index++, values, file } };
        } else {
          yield { kind: 'bad', bad: this.badOf(item.bad, index++, file, partitions) };
        }
      }
    }
  }

  async close(): Promise<void> {
    for (const part of this.parts) await part.source?.close();
  }

  private badOf(bad: BadRecord, index: number, file: string, partitions: InputFile['partitions']): BadRecord {
    let values = bad.values;
    if (partitions.length > 0) {
      const out: Record<string, string> = { ...values };
      for (const p of partitions) Object.defineProperty(out, p.column, { value: p.value ?? '', enumerable: true, writable: true, configurable: true });
      values = out;
    }
    const message = bad.message.includes(file) ? bad.message : `${bad.message} (${file} line ${bad.line})`;
    return { ...bad, index, values, message, file };
  }
}

function checkSameColumns(firstFile: string, expected: ReadonlySet<string>, file: string, columns: readonly string[]): void {
  const have = new Set(columns);
  const missing = [...expected].filter((c) => !have.has(c));
  const extra = columns.filter((c) => !expected.has(c));
  if (missing.length === 0 && extra.length === 0) return;
  const list = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(', ');
  const what = [missing.length > 0 ? `lacks ${list(missing)}` : '', extra.length > 0 ? `has ${list(extra)} besides` : ''].filter(Boolean).join(' and ');
  throw new MetaError(
    'SOURCE_COLUMNS_DIFFER',
    `Columns differ: expected every part to have the columns of ${firstFile} (order may differ), got ${file}, which ${what}; ` +
      'nothing was imported: fix that part or leave it out',
    { details: { file, missing, extra } },
  );
}

function checkSameDecimals(firstFile: string, expected: ReadonlySet<string>, file: string, decimals: ReadonlySet<string>): void {
  const differ = [...new Set([...expected, ...decimals])].filter((c) => expected.has(c) !== decimals.has(c));
  if (differ.length === 0) return;
  const column = differ[0]!;
  throw new MetaError(
    'SOURCE_COLUMNS_DIFFER',
    `Column types differ: expected ${JSON.stringify(column)} to be DECIMAL in every part or in none, got DECIMAL in ${expected.has(column) ? firstFile : file} ` +
      `and not in ${expected.has(column) ? file : firstFile}; nothing was imported: write the parts with one schema`,
    { details: { file, columns: differ } },
  );
}

/**
 * Open what the user named as one source: one plain file argument opens exactly as `openSource` does (no
 * `file` fields, the report has no `_file`); several arguments, a glob or a directory open a
 * `MultiSource` (see `expandInputs` for the order and the rules), even when one file matched.
 */
export async function openInputs(inputs: string | readonly string[], options: OpenSourceOptions = {}): Promise<TabularSource> {
  const list = typeof inputs === 'string' ? [inputs] : inputs;
  const expanded = await expandInputs(list);
  if (!expanded.several) return openSource(expanded.files[0]!.path, options);
  const source = new MultiSource(expanded.files, options);
  await source.open();
  return source;
}
