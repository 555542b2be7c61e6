import { Parser, type CsvError, type Options } from 'csv-parse';
import { MetaError } from '../../errors.js';
import { BreakCounter, countBreaks } from './break-counter.js';
import { ByteCheck, type Suspect } from './byte-check.js';

/** What the splitter hands on: a record with its start line, or a span of lines it could not read. */
export type CsvEvent =
  | { readonly kind: 'record'; readonly fields: string[]; readonly line: number }
  | {
      readonly kind: 'bad';
      readonly code: string;
      readonly message: string;
      readonly line: number;
      readonly endLine: number;
      /** Fields recovered, when the parser got to the end of the record. */
      readonly fields: readonly string[] | undefined;
    };

export interface CsvSplitterOptions {
  readonly name: string;
  readonly delimiter: string;
  readonly maxRecordSize: number;
}

interface Pending {
  readonly line: number;
  readonly code: string;
  readonly message: string;
  more: number;
}

/**
 * The one module that drives csv-parse. Bytes in, `CsvEvent`s out, synchronously, in file order.
 *
 * Why not pipe a stream into `parse()`: a parse error destroys the stream and drops records already parsed
 * (deps.md §3), `skip` events arrive out of band from the records, and `info.lines` drifts on CRLF inside
 * quotes. Instead csv-parse's `Parser` is fed chunk by chunk through its own `_transform`/`_flush`, records
 * are taken in `push` (the moment they are produced, when `info.bytes` is their end offset) and skipped
 * records in `on_skip`, both into one ordered list. Lines come from `BreakCounter` over the same bytes.
 *
 * csv-parse resumes after a mid-record error (a stray quote) but then drops the rest of that record
 * without telling: such a record becomes a pending span, closed by the next record that is reported,
 * so consecutive records spoiled this way come out as one bad span (`line`..`endLine`) and no line is
 * ever lost without a report.
 */
export class CsvRecordSplitter {
  private readonly parser: RecordingParser;
  private readonly counter = new BreakCounter();
  private readonly check = new ByteCheck();
  private readonly suspects: Suspect[] = [];
  private suspectHead = 0;
  private readonly events: CsvEvent[] = [];
  private pending: Pending | undefined;
  /** Line where the text after the last reported record starts, and `info.empty_lines` there. */
  private nextLine = 1;
  private emptyAtNext = 0;
  private expectedFields = -1;
  private fatal: MetaError | undefined;

  constructor(private readonly options: CsvSplitterOptions) {
    const parserOptions: Options = {
      delimiter: options.delimiter,
      quote: '"',
      escape: '"',
      bom: true,
      // All three line ends everywhere: a CRLF file with one bare LF must not glue two lines together.
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      relax_column_count: false,
      relax_quotes: false,
      skip_records_with_error: true,
      max_record_size: options.maxRecordSize,
      on_skip: (err) => this.onSkip(err),
    };
    this.parser = new RecordingParser(parserOptions, (fields) => this.onRecord(fields));
  }

  /**
   * Parse the next chunk; returns the events it completed. A fatal error (`SOURCE_RECORD_TOO_LARGE`,
   * `SOURCE_READ_FAILED`) is thrown by the next call, so the records before it in the chunk are not lost.
   */
  write(chunk: Buffer): CsvEvent[] {
    if (this.fatal !== undefined) throw this.fatal;
    this.check.check(chunk, this.suspects);
    this.counter.feed(chunk);
    this.run((done) => this.parser._transform(chunk, 'utf8', done));
    // Forget the bytes the parser is done with (it never reports an earlier offset again).
    this.counter.breaksBefore(this.parser.info.bytes);
    return this.events.splice(0);
  }

  /** End of input: flushes the last record and any span still open. */
  end(): CsvEvent[] {
    if (this.fatal !== undefined) throw this.fatal;
    this.check.end(this.suspects);
    this.run((done) => this.parser._flush(done));
    if (this.pending !== undefined && this.fatal === undefined) this.flushPending(this.lastLine());
    return this.events.splice(0);
  }

  /** After `end()`: throw the fatal error the last events came before, if any. */
  throwIfFailed(): void {
    if (this.fatal !== undefined) throw this.fatal;
  }

  private run(step: (done: (err?: Error | null) => void) => void): void {
    let failure: unknown;
    step((err) => {
      if (err) failure = err;
    });
    if (failure instanceof MetaError) this.fatal = failure;
    else if (failure !== undefined) {
      this.fatal = new MetaError('SOURCE_READ_FAILED', `Cannot parse ${this.options.name}: ${String((failure as Error).message ?? failure)}`, {
        cause: failure,
      });
    }
  }

  private onRecord(fields: string[]): void {
    const end = this.parser.info.bytes;
    const breaks = this.counter.breaksBefore(end);
    let line: number;
    if (this.pending === undefined) {
      line = this.nextLine + (this.parser.info.empty_lines - this.emptyAtNext);
    } else {
      line = this.startLine(breaks, fields);
      this.flushPending(line - 1);
    }
    if (this.expectedFields < 0) this.expectedFields = fields.length;
    const bad = this.checkBytes(end, fields);
    if (bad === undefined) this.events.push({ kind: 'record', fields, line });
    else this.events.push({ kind: 'bad', ...bad, line, endLine: line + countAll(fields), fields });
    this.advance(breaks);
  }

  private onSkip(err: CsvError | undefined): undefined {
    const rawCode = err?.code ?? 'CSV_UNKNOWN';
    const code = normalizeCode(rawCode);
    const info = this.parser.info;
    if (code === 'CSV_RECORD_INCONSISTENT_COLUMNS') {
      // Raised at the end of the record: its fields and end offset are known, so its lines are exact.
      const fields = Array.isArray(err?.record) ? (err.record as unknown[]).map(String) : [];
      const breaks = this.counter.breaksBefore(info.bytes);
      const line = this.startLine(breaks, fields);
      const message = `Wrong number of fields: expected ${this.expectedFields} (as in the header), got ${fields.length}`;
      this.takeSuspects(info.bytes);
      if (this.pending !== undefined && this.pending.line === line) {
        const p = this.pending;
        this.pending = undefined;
        this.events.push({ kind: 'bad', code: p.code, message: `${p.message}; ${message}`, line, endLine: line + countAll(fields), fields });
      } else {
        if (this.pending !== undefined) this.flushPending(line - 1);
        this.events.push({ kind: 'bad', code, message, line, endLine: line + countAll(fields), fields });
      }
      this.advance(breaks);
      return undefined;
    }
    const line = this.pending?.line ?? this.nextLine + (info.empty_lines - this.emptyAtNext);
    if (code === 'CSV_MAX_RECORD_SIZE') {
      // csv-parse cannot resume after this one (it drops the rest of the chunk), so it ends the read.
      throw new MetaError(
        'SOURCE_RECORD_TOO_LARGE',
        `Record too large: the record starting on line ${line} of ${this.options.name} exceeds ${this.options.maxRecordSize} bytes (often an unclosed quote); raise maxRecordSize if it is genuine`,
        { details: { line, maxRecordSize: this.options.maxRecordSize } },
      );
    }
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      const endLine = this.lastLine();
      const span = endLine > line ? `, so lines ${line}–${endLine} cannot be read` : '';
      const p = this.pending;
      this.pending = undefined;
      // After a stray quote the parser stays inside a quoted field; the stray quote is the cause to report.
      const event =
        p === undefined
          ? { code, message: `Quote not closed: a quoted field opened in the record on line ${line} is still open at the end of the file${span}` }
          : { code: p.code, message: `${p.message}; the quoted field then stays open to the end of the file${span}` };
      this.events.push({ kind: 'bad', ...event, line, endLine, fields: undefined });
      return undefined;
    }
    if (this.pending !== undefined) this.pending.more++;
    else this.pending = { line, code, message: describe(code, err), more: 0 };
    return undefined;
  }

  /** Start line of a record that ends at the last counted offset, from the breaks inside its fields. */
  private startLine(breaksToEnd: number, fields: readonly string[]): number {
    return 1 + breaksToEnd - (this.counter.endsWithBreak ? 1 : 0) - countAll(fields);
  }

  private advance(breaksToEnd: number): void {
    this.nextLine = 1 + breaksToEnd;
    this.emptyAtNext = this.parser.info.empty_lines;
  }

  private lastLine(): number {
    const breaks = this.counter.breaksBefore(this.counter.bytesFed);
    return Math.max(1, 1 + breaks - (this.counter.endsWithBreak ? 1 : 0));
  }

  private flushPending(endLine: number): void {
    const p = this.pending!;
    this.pending = undefined;
    const last = Math.max(p.line, endLine);
    const span = last > p.line ? ` (lines ${p.line}–${last} could not be read)` : '';
    const more = p.more > 0 ? `; ${p.more} more parse error${p.more > 1 ? 's' : ''} follow` : '';
    this.events.push({ kind: 'bad', code: p.code, message: `${p.message}${more}${span}`, line: p.line, endLine: last, fields: undefined });
  }

  /** Invalid UTF-8 / NUL bytes between the previous record and `end`, confirmed in the decoded fields. */
  private checkBytes(end: number, fields: readonly string[]): { code: string; message: string } | undefined {
    const found = this.takeSuspects(end);
    if (found.utf8 !== undefined && fields.some((f) => f.includes('\uFFFD'))) {
      const hex = found.utf8.byte.toString(16).toUpperCase().padStart(2, '0');
      return {
        code: 'SOURCE_INVALID_UTF8',
        message: `Invalid UTF-8: byte 0x${hex} is not valid UTF-8 (is the file Latin-1 or Windows-1252? Save it as UTF-8)`,
      };
    }
    if (found.nul !== undefined && fields.some((f) => f.includes('\0'))) {
      return { code: 'SOURCE_NUL_BYTE', message: 'NUL byte (0x00) in a cell: cells must be text' };
    }
    return undefined;
  }

  private takeSuspects(end: number): { utf8?: Suspect; nul?: Suspect } {
    const out: { utf8?: Suspect; nul?: Suspect } = {};
    while (this.suspectHead < this.suspects.length && this.suspects[this.suspectHead]!.offset < end) {
      const s = this.suspects[this.suspectHead++]!;
      if (s.kind === 'utf8') out.utf8 ??= s;
      else out.nul ??= s;
    }
    if (this.suspectHead > 1024) {
      this.suspects.splice(0, this.suspectHead);
      this.suspectHead = 0;
    }
    return out;
  }
}

/** csv-parse's `Parser`, with records taken where they are produced instead of queued on the stream. */
class RecordingParser extends Parser {
  constructor(
    options: Options,
    private readonly onRecord: (fields: string[]) => void,
  ) {
    super(options);
  }

  override push(chunk: unknown): boolean {
    if (chunk !== null) this.onRecord(chunk as string[]);
    return true;
  }
}

function countAll(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) if (f.length > 0 && (f.includes('\n') || f.includes('\r'))) n += countBreaks(f);
  return n;
}

/** Our codes are `CSV_` + csv-parse's, with the inconsistent-length one named as the docs name it. */
function normalizeCode(code: string): string {
  if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') return 'CSV_RECORD_INCONSISTENT_COLUMNS';
  return code.startsWith('CSV_') ? code : `CSV_${code}`;
}

function describe(code: string, err: CsvError | undefined): string {
  switch (code) {
    case 'CSV_INVALID_CLOSING_QUOTE': {
      const got = /got "(.*?)"/s.exec(err?.message ?? '')?.[1];
      return `Invalid closing quote: expected a delimiter or a line break after a quoted field, got ${JSON.stringify(got ?? '?')}`;
    }
    case 'CSV_INVALID_OPENING_QUOTE':
      return 'Invalid opening quote: a quote inside an unquoted field (quote the whole field and double the quote: "12"" screen")';
    default:
      return `${code}: ${err?.message ?? 'malformed record'}`;
  }
}
