import { open, type FileHandle } from 'node:fs/promises';
import { MetaError } from '../../errors.js';
import { check, oneOfText } from '../../option-check.js';
import { checkUniqueColumns, recordBuilder } from '../columns.js';
import { CSV_DELIMITERS, detectDelimiter, readHead, type CsvDelimiter } from '../sniff.js';
import { checkReadableFile } from '../file-check.js';
import { REFUSE_OR_SKIP, type RefuseOrSkip, type SourceItem, type TabularSource } from '../source.js';
import { CsvRecordSplitter, type CsvEvent } from './csv-records.js';
import { checkEncoding, resolveEncoding } from './encoding-check.js';
import { CSV_ENCODING_NAMES, Transcoder, canonicalEncoding, type CsvEncoding } from './decode.js';

export interface CsvSourceOptions {
  /**
   * Field delimiter.
   * @default detected from the header line: the most frequent of `,` `;` and tab outside quotes (ties: `,`)
   */
  readonly delimiter?: CsvDelimiter | undefined;
  /**
   * Largest record accepted, in bytes. A cell of 10 MB is fine; a record past this limit stops the read
   * with `SOURCE_RECORD_TOO_LARGE` (usually a quote never closed, swallowing the rest of the file). The
   * parser holds one record in memory, so this is also the memory bound per record.
   * @default 67_108_864 (64 MiB)
   */
  readonly maxRecordSize?: number | undefined;
  /**
   * Bytes read from the file at a time.
   * @default 262_144 (256 KiB)
   */
  readonly chunkSize?: number | undefined;
  /**
   * The file's text encoding (`--encoding`): `utf-8`, `windows-1252` (alias `cp1252`), `latin1` (alias
   * `iso-8859-1`), `utf-16le`, `utf-16be`. A UTF-16 byte-order mark is followed without it.
   * @default 'utf-8', or what the byte-order mark says
   */
  readonly encoding?: CsvEncoding | 'cp1252' | 'iso-8859-1' | undefined;
  /**
   * Header cells without a name. The FIRST column without a name is what pandas' `to_csv` writes for its
   * row index (`,city,speed` then `0,Paris,1`): it is always read as the column `_index` (columns starting
   * with `_` are not imported), and the import says so. Any other nameless column is refused
   * (`SOURCE_EMPTY_COLUMN_NAME`, naming this option) unless `skip`, which names it `_unnamed_<n>`.
   * @default 'error'
   */
  readonly unnamedColumns?: RefuseOrSkip | undefined;
}

/** What pandas' `to_csv` (default `index=True`) writes as the first header cell: nothing. */
export const PANDAS_INDEX_COLUMN = '_index';

export interface ResolvedCsvSourceOptions {
  readonly delimiter: CsvDelimiter | undefined;
  readonly maxRecordSize: number;
  readonly chunkSize: number;
  /** `undefined`: not given (UTF-8 unless a byte-order mark says otherwise). */
  readonly encoding: CsvEncoding | undefined;
  readonly unnamedColumns: RefuseOrSkip;
}

/** Validate `CsvSourceOptions` and fill in the defaults. */
export function resolveCsvOptions(options: CsvSourceOptions = {}): ResolvedCsvSourceOptions {
  const { delimiter } = options;
  let encoding: CsvEncoding | undefined;
  if (options.encoding !== undefined) {
    encoding = typeof options.encoding === 'string' ? canonicalEncoding(options.encoding) : undefined;
    if (encoding === undefined) check.fail('encoding', oneOfText(CSV_ENCODING_NAMES), options.encoding);
  }
  if (delimiter !== undefined) check.oneOf('delimiter', delimiter, CSV_DELIMITERS, ',');
  return {
    delimiter,
    maxRecordSize: check.integer('maxRecordSize', options.maxRecordSize, 1024, Number.MAX_SAFE_INTEGER, 64 * 1024 * 1024),
    chunkSize: check.integer('chunkSize', options.chunkSize, 1, 64 * 1024 * 1024, 256 * 1024),
    encoding,
    unnamedColumns: check.oneOf('unnamedColumns', options.unnamedColumns, REFUSE_OR_SKIP, 'error'),
  };
}

/**
 * A CSV file as a `TabularSource`. Cells are the strings as written (no trimming, no casting); every row
 * and bad record carries its exact 1-based start line. UTF-8 with or without BOM, UTF-16 with a BOM, or the
 * `encoding` given (see `encoding-check.ts` for what is refused at `open()`); CRLF, LF or CR line ends
 * (mixed too); quoted fields may hold delimiters, quotes (doubled) and line breaks. Empty lines are skipped
 * (their lines still count). Malformed records are reported as `bad` items and reading goes on.
 */
export class CsvSource implements TabularSource {
  readonly name: string;
  private readonly options: ResolvedCsvSourceOptions;
  private header: readonly string[] | undefined;
  private detected: CsvDelimiter | undefined;
  /** The file starts with Excel's `sep=X` hint line, which is skipped. */
  private sepLine = false;
  private resolvedEncoding: CsvEncoding = 'utf-8';

  constructor(
    readonly path: string,
    options?: CsvSourceOptions,
  ) {
    this.name = path;
    this.options = resolveCsvOptions(options);
  }

  get columns(): readonly string[] {
    return this.header ?? [];
  }

  /** The delimiter in use (given or detected); available after `open()`. */
  get delimiter(): CsvDelimiter {
    return this.options.delimiter ?? this.detected ?? ',';
  }

  /** The encoding in use (given, or from the byte-order mark); available after `open()`. */
  get encoding(): CsvEncoding {
    return this.resolvedEncoding;
  }

  async open(): Promise<void> {
    await checkReadableFile(this.path);
    const head = await readHead(this.path, SAMPLE_BYTES);
    this.resolvedEncoding = resolveEncoding(this.name, head, this.options.encoding);
    checkEncoding(this.name, head, this.resolvedEncoding, this.options.encoding !== undefined);
    const headText = decodeHead(head.subarray(0, 64 * 1024), this.resolvedEncoding);
    // Excel's hint line: `sep=;` before the header names the delimiter (and is not the header).
    const hint = /^\ufeff?sep=([,;\t|])\r?\n/i.exec(headText);
    if (hint !== null) {
      const sep = hint[1]!;
      if (!(CSV_DELIMITERS as readonly string[]).includes(sep)) {
        throw new MetaError('SOURCE_BAD_HEADER', `${this.name} line 1: the "sep=${sep}" line names a delimiter this tool does not read (use , ; or tab)`);
      }
      this.sepLine = true;
      this.detected = this.options.delimiter ?? (sep as CsvDelimiter);
    } else {
      this.detected = this.options.delimiter ?? detectDelimiter(headText);
    }
    let first: CsvEvent | undefined;
    for await (const batch of this.batches(undefined)) {
      if (batch.length === 0) continue;
      first = batch[0];
      break;
    }
    if (first === undefined) {
      throw new MetaError('SOURCE_EMPTY', `Empty CSV: ${this.name} has no header row`);
    }
    if (first.kind === 'bad') throw this.headerError(first);
    const names = first.fields.map((column, i) => {
      if (column.trim() !== '') return column;
      if (i === 0 && !first.fields.includes(PANDAS_INDEX_COLUMN)) return PANDAS_INDEX_COLUMN; // pandas' row index
      if (this.options.unnamedColumns === 'skip') return `_unnamed_${i + 1}`;
      throw new MetaError(
        'SOURCE_EMPTY_COLUMN_NAME',
        `Empty column name: expected a name for every header cell, got an empty one in column ${i + 1} (${this.name} line ${first.line}); ` +
          `name it, or pass --skip-unnamed-columns to leave such columns out`,
        { details: { position: i + 1 } },
      );
    });
    checkUniqueColumns(this.name, names);
    this.header = names;
  }

  async *items(options?: { signal?: AbortSignal }): AsyncGenerator<SourceItem> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const columns = this.header;
    if (columns === undefined) throw new MetaError('SOURCE_READ_FAILED', `${this.name}: call open() before items()`);
    const build = recordBuilder<string>(columns);
    let index = 0;
    let sawHeader = false;
    for await (const batch of this.batches(signal)) {
      for (const event of batch) {
        if (!sawHeader) {
          sawHeader = true; // the header, already read by open()
          continue;
        }
        signal?.throwIfAborted();
        if (event.kind === 'record') {
          yield { kind: 'row', row: { index: index++, line: event.line, values: build(event.fields) } };
        } else {
          const values: Record<string, string> = {};
          const fields = event.fields ?? [];
          const n = Math.min(fields.length, columns.length);
          for (let i = 0; i < n; i++) Object.defineProperty(values, columns[i]!, { value: fields[i]!, enumerable: true });
          const bad = { index: index++, line: event.line, code: event.code, message: event.message, values, ...(event.fields && { fields: event.fields }), raw: event.raw };
          yield { kind: 'bad', bad: event.endLine > event.line ? { ...bad, endLine: event.endLine } : bad };
        }
      }
    }
  }

  async close(): Promise<void> {
    // Nothing held between calls: every `items()` opens and closes its own file stream.
  }

  /**
   * The file's records as splitter events, the header first, a chunk's worth at a time. Reads with a `FileHandle` rather than a
   * `ReadStream`: closing it is awaited in `finally`, so a consumer that breaks out or aborts has released
   * the descriptor by the time its `for await` returns (a destroyed stream closes later, and reports the
   * early return as an error event).
   */
  private async *batches(signal: AbortSignal | undefined): AsyncGenerator<CsvEvent[]> {
    const splitter = new CsvRecordSplitter({
      name: this.name,
      delimiter: this.delimiter,
      maxRecordSize: this.options.maxRecordSize,
      encoding: this.resolvedEncoding,
      skipFirstRecord: this.sepLine, // Excel's `sep=` line
    });
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (err) {
      throw new MetaError('SOURCE_NOT_FOUND', `Cannot open ${this.name}: ${(err as Error).message}`, { cause: err });
    }
    try {
      for (;;) {
        signal?.throwIfAborted();
        // A fresh buffer per read: the parser and the line counter keep views into earlier chunks.
        const chunk = Buffer.allocUnsafe(this.options.chunkSize);
        let bytesRead: number;
        try {
          ({ bytesRead } = await handle.read(chunk, 0, chunk.length, null));
        } catch (err) {
          throw new MetaError('SOURCE_READ_FAILED', `Cannot read ${this.name}: ${(err as Error).message}`, { cause: err });
        }
        if (bytesRead === 0) break;
        // A chunk's events as one batch: one await per chunk here, not one per record.
        yield splitter.write(chunk.subarray(0, bytesRead));
      }
      yield splitter.end();
      splitter.throwIfFailed();
    } finally {
      await handle.close();
    }
  }

  private headerError(event: Extract<CsvEvent, { kind: 'bad' }>): MetaError {
    const where = `${this.name} line ${event.line}`;
    if (event.code === 'SOURCE_INVALID_UTF8' || event.code === 'SOURCE_INVALID_ENCODING' || event.code === 'SOURCE_NUL_BYTE') {
      return new MetaError(event.code, `Bad header: ${event.message} (${where})`);
    }
    return new MetaError('SOURCE_BAD_HEADER', `Bad header: ${event.message} (${where})`, { details: { csvCode: event.code } });
  }
}

/** Bytes read at `open()` to check the encoding: invalid UTF-8 anywhere in them refuses the file. */
export const SAMPLE_BYTES = 1024 * 1024;

/** The start of the file as text, for delimiter detection (a cut character at the end is harmless). */
function decodeHead(head: Buffer, encoding: CsvEncoding): string {
  const t = new Transcoder(encoding);
  return t.write(head).toString('utf8').replace(/^\uFEFF/, '');
}
