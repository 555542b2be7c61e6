import { isAscii, isUtf8 } from 'node:buffer';
import { MetaError } from '../../errors.js';
import { check } from '../../option-check.js';
import { escapeInvalidUtf8, firstInvalidUtf8 } from './byte-check.js';
import { Transcoder, type CsvEncoding } from './decode.js';

/** What the splitter hands on: a record with its start line, or a record it could not read. */
export type CsvEvent =
  | { readonly kind: 'record'; readonly fields: string[]; readonly line: number }
  | {
      readonly kind: 'bad';
      readonly code: string;
      readonly message: string;
      readonly line: number;
      readonly endLine: number;
      /** Fields recovered, when the record could be split into fields. */
      readonly fields: readonly string[] | undefined;
      /**
       * The exact text of the physical lines `line`..`endLine`, line ends between them kept, the last one
       * dropped. Bytes that could not be decoded are shown as `\xHH` (and a backslash then as `\\`).
       */
      readonly raw: string;
    };

export interface CsvSplitterOptions {
  readonly name: string;
  readonly delimiter: string;
  readonly maxRecordSize: number;
  /** @default 'utf-8' */
  readonly encoding?: CsvEncoding | undefined;
  /** Drop the first record without reading its width (Excel's `sep=;` hint line). @default false */
  readonly skipFirstRecord?: boolean | undefined;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const FFFD = Buffer.from('\uFFFD', 'utf8');

const enum Mode {
  /** At the start of a field. */
  FieldStart,
  Unquoted,
  Quoted,
  /** Just after a quote inside a quoted field: a doubled quote, or the end of the field. */
  AfterQuote,
  /** After a parse error: skipping to the end of the line the error is on. */
  SkipLine,
}

/**
 * An RFC 4180 CSV parser: bytes in, `CsvEvent`s out, synchronously, in file order, in constant memory (one
 * record at a time, bounded by `maxRecordSize`). Any of the `Transcoder`'s encodings is first turned into
 * UTF-8, so the parser only ever sees UTF-8 and the delimiter, quote and line ends are single bytes.
 *
 * Line numbers are exact: a record starts on the line after the previous record's line end (empty lines
 * skipped but counted), and CRLF, LF and a lone CR are one line end each, inside quotes too.
 *
 * A malformed record fails alone. A stray quote (`97,"q"x,2`, `12" screen`) fails the lines of its record
 * up to the line the quote is on, and parsing starts afresh on the next line; a quote never closed fails
 * the line it was opened on and parsing starts afresh on the line after it. Until a record of the header's
 * width is read again, a record spanning lines that has the wrong width fails its first line only and
 * parsing restarts on its second, so a quote that opened in garbage cannot swallow good lines. Every line
 * is either part of a record or of exactly one bad event, which carries its exact text (`raw`).
 *
 * A record fails (and is never handed on as text) when its bytes are not valid UTF-8, hold a NUL, or hold
 * U+FFFD: that character is what a decoder writes for a byte it could not decode, so a cell holding it
 * (e.g. from a failure report of a file read in the wrong encoding) has already lost the original.
 */
export class CsvRecordSplitter {
  private readonly transcoder: Transcoder;
  private readonly delim: number;
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;
  /** Start of the current record in `buf`, and its line. */
  private start = 0;
  private line = 1;
  private pos = 0;
  private mode = Mode.FieldStart;
  private fields: string[] = [];
  private fieldStart = 0;
  private escaped = false;
  /** The current record has a quoted field, so it may span lines. */
  private quoted = false;
  private bomChecked = false;
  private final = false;
  private expectedFields = -1;
  /** Since the last parse error, no record of the header's width has been read. */
  private resyncing = false;
  private pending: { code: string; message: string; endLine: number } | undefined;
  private readonly events: CsvEvent[] = [];
  private skipFirst: boolean;
  private fatal: MetaError | undefined;
  /**
   * `buf[cleanFrom, cleanTo)` is known to be valid UTF-8 without NUL or U+FFFD, and starts at a record
   * start and ends at a line end: a record inside it passes `checkBytes` (cut at ASCII bytes, valid UTF-8
   * stays valid), so a chunk is checked once instead of record by record.
   */
  private cleanFrom = 0;
  private cleanTo = 0;
  /** `buf[.., dirtyTo)` was checked and holds something that fails: records there are checked one by one. */
  private dirtyTo = 0;

  constructor(private readonly options: CsvSplitterOptions) {
    this.skipFirst = options.skipFirstRecord === true;
    if (options.delimiter.length !== 1 || options.delimiter.charCodeAt(0) > 0x7f || '"\r\n'.includes(options.delimiter)) {
      check.fail('delimiter', 'one ASCII character other than a quote or line end', options.delimiter);
    }
    this.delim = options.delimiter.charCodeAt(0);
    this.transcoder = new Transcoder(options.encoding ?? 'utf-8');
  }

  /**
   * Parse the next chunk; returns the events it completed. A fatal error (`SOURCE_RECORD_TOO_LARGE`) is
   * thrown by the next call, so the records before it in the chunk are not lost.
   */
  write(chunk: Buffer): CsvEvent[] {
    if (this.fatal !== undefined) throw this.fatal;
    this.append(this.transcoder.write(chunk));
    this.parse();
    return this.events.splice(0);
  }

  /** End of input: flushes the last record. */
  end(): CsvEvent[] {
    if (this.fatal !== undefined) throw this.fatal;
    this.append(this.transcoder.end());
    this.final = true;
    this.parse();
    return this.events.splice(0);
  }

  /** After `end()`: throw the fatal error the last events came before, if any. */
  throwIfFailed(): void {
    if (this.fatal !== undefined) throw this.fatal;
  }

  private append(data: Buffer): void {
    if (data.length === 0) return;
    if (this.len + data.length > this.buf.length) {
      // Drop what earlier records used, then grow if one record still does not fit.
      const keep = this.start;
      if (keep > 0) {
        this.buf.copyWithin(0, keep, this.len);
        this.len -= keep;
        this.pos -= keep;
        this.fieldStart -= keep;
        this.start = 0;
        this.cleanFrom = Math.max(0, this.cleanFrom - keep);
        this.cleanTo = Math.max(0, this.cleanTo - keep);
        this.dirtyTo = Math.max(0, this.dirtyTo - keep);
      }
      if (this.len + data.length > this.buf.length) {
        const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + data.length, 64 * 1024));
        this.buf.copy(grown, 0, 0, this.len);
        this.buf = grown;
      }
    }
    data.copy(this.buf, this.len);
    this.len += data.length;
  }

  private parse(): void {
    if (!this.bomChecked) {
      if (this.len < 3 && !this.final) return;
      this.bomChecked = true;
      if (this.len >= 3 && this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.start = this.pos = 3;
    }
    this.checkAhead();
    const b = this.buf.subarray(0, this.len);
    const len = this.len;
    const d = this.delim;
    let i = this.pos;
    const final = this.final;
    while (this.fatal === undefined) {
      const mode = this.mode;
      if (mode === Mode.FieldStart) {
        if (i >= len) {
          if (!final) break;
          if (this.fields.length > 0) {
            this.fields.push('');
            i = this.endRecord(i, i);
          }
          break;
        }
        const c = b[i]!;
        if (c === QUOTE) {
          this.mode = Mode.Quoted;
          this.quoted = true;
          this.escaped = false;
          this.fieldStart = ++i;
          continue;
        }
        if (c === d) {
          this.fields.push('');
          i++;
          continue;
        }
        if (c === LF || c === CR) {
          const t = terminator(b, i, final);
          if (t < 0) break;
          if (this.fields.length === 0) {
            // An empty line: skipped, counted.
            i += t;
            this.start = i;
            this.line++;
            continue;
          }
          this.fields.push('');
          i = this.endRecord(i, i + t);
          continue;
        }
        this.mode = Mode.Unquoted;
        this.fieldStart = i;
      } else if (mode === Mode.Unquoted) {
        while (i < len) {
          const c = b[i]!;
          if (c === d || c === LF || c === CR || c === QUOTE) break;
          i++;
        }
        if (i >= len) {
          if (!final) break;
          this.fields.push(b.toString('utf8', this.fieldStart, i));
          i = this.endRecord(i, i);
          continue;
        }
        const c = b[i]!;
        if (c === QUOTE) {
          i = this.fail('CSV_INVALID_OPENING_QUOTE', i);
          continue;
        }
        if (c === d) {
          this.fields.push(b.toString('utf8', this.fieldStart, i));
          this.mode = Mode.FieldStart;
          i++;
          continue;
        }
        const t = terminator(b, i, final);
        if (t < 0) break;
        this.fields.push(b.toString('utf8', this.fieldStart, i));
        i = this.endRecord(i, i + t);
      } else if (mode === Mode.Quoted) {
        // A loop, like the unquoted scan: `indexOf` is a native call per quote, which a cell of many
        // doubled quotes pays millions of times.
        let q = i;
        while (q < len && b[q] !== QUOTE) q++;
        if (q >= len) {
          i = len;
          if (!final) break;
          i = this.fail('CSV_QUOTE_NOT_CLOSED', len);
          continue;
        }
        i = q + 1;
        this.mode = Mode.AfterQuote;
      } else if (mode === Mode.AfterQuote) {
        if (i >= len) {
          if (!final) break;
          this.fields.push(this.quotedField(b, i - 1));
          i = this.endRecord(i, i);
          continue;
        }
        const c = b[i]!;
        if (c === QUOTE) {
          this.escaped = true;
          this.mode = Mode.Quoted;
          i++;
          continue;
        }
        if (c === d) {
          this.fields.push(this.quotedField(b, i - 1));
          this.mode = Mode.FieldStart;
          i++;
          continue;
        }
        if (c === LF || c === CR) {
          const t = terminator(b, i, final);
          if (t < 0) break;
          this.fields.push(this.quotedField(b, i - 1));
          i = this.endRecord(i, i + t);
          continue;
        }
        i = this.fail('CSV_INVALID_CLOSING_QUOTE', i);
      } else {
        // SkipLine: find the end of the line the error is on.
        while (i < len && b[i] !== LF && b[i] !== CR) i++;
        if (i >= len && !final) break;
        const t = i >= len ? 0 : terminator(b, i, final);
        if (t < 0) break;
        i = this.emitFailure(i, i + t);
      }
    }
    this.pos = i;
    if (this.fatal === undefined && i - this.start > this.options.maxRecordSize) this.tooLarge();
  }

  /**
   * The text between the quotes, each doubled quote made one. Undoubled on the bytes, before decoding: on a
   * long cell full of quotes `replaceAll` on the decoded string built one rope node per quote (a 10 MB cell
   * of short lines: ~200 MB of heap and seconds of GC); this copies each byte once.
   */
  private quotedField(b: Buffer, closingQuote: number): string {
    const from = this.fieldStart;
    if (!this.escaped) return b.toString('utf8', from, closingQuote);
    // Inside a closed quoted field every quote is the first of a doubled pair: keep it, skip the next byte.
    const out = Buffer.allocUnsafe(closingQuote - from);
    let n = 0;
    for (let i = from; i < closingQuote; i++) {
      const c = b[i]!;
      out[n++] = c;
      if (c === QUOTE) i++;
    }
    return out.toString('utf8', 0, n);
  }

  /** A record ends at `contentEnd`, its line end (if any) at `next`; returns `next`. */
  private endRecord(contentEnd: number, next: number): number {
    const b = this.buf;
    const line = this.line;
    const endLine = line + (this.quoted ? countBreaks(b, this.start, contentEnd, this.len) : 0);
    const fields = this.fields;
    this.fields = [];
    this.mode = Mode.FieldStart;
    this.quoted = false;
    if (contentEnd - this.start > this.options.maxRecordSize) {
      this.tooLarge();
      return next;
    }
    if (this.skipFirst) {
      this.skipFirst = false;
      this.line = endLine + 1;
      this.start = next;
      return next;
    }
    if (this.expectedFields < 0) this.expectedFields = fields.length;
    const problem = this.checkBytes(this.start, contentEnd, fields);
    if (problem !== undefined) {
      this.events.push({ kind: 'bad', ...problem, line, endLine, fields, raw: rawText(b, this.start, contentEnd) });
    } else if (fields.length !== this.expectedFields) {
      if (this.resyncing && endLine > line) {
        // A record spanning lines right after a parse error may be made of a quote opened in garbage:
        // fail its first line only and start again on the next.
        this.pending = { code: 'CSV_RECORD_INCONSISTENT_COLUMNS', message: this.widthMessage(fields.length, line), endLine: line };
        return this.emitFailure(this.firstLineEnd(), this.firstLineNext());
      }
      this.events.push({ kind: 'bad', code: 'CSV_RECORD_INCONSISTENT_COLUMNS', message: this.widthMessage(fields.length), line, endLine, fields, raw: rawText(b, this.start, contentEnd) });
    } else {
      this.events.push({ kind: 'record', fields, line });
      this.resyncing = false;
    }
    this.line = endLine + 1;
    this.start = next;
    return next;
  }

  private widthMessage(got: number, firstLineOnly?: number): string {
    const base = `Wrong number of fields: expected ${this.expectedFields} (as in the header), got ${got}`;
    return firstLineOnly === undefined ? base : `${base} in a record spanning lines after an unreadable line; line ${firstLineOnly} is skipped and reading goes on with the next line`;
  }

  /** A parse error at `at` in the current record: fail it up to the end of the line it is on. */
  private fail(code: string, at: number): number {
    const b = this.buf;
    const line = this.line;
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      // The quote's line is the cause; the lines after it are parsed afresh.
      this.pending = {
        code,
        message: `Quote not closed (${this.options.name} line ${line}): a quoted field opened on line ${line} is never closed; line ${line} is skipped and reading goes on with line ${line + 1}`,
        endLine: line,
      };
      return this.emitFailure(this.firstLineEnd(), this.firstLineNext());
    }
    const errLine = line + countBreaks(b, this.start, at, this.len);
    const where = errLine === line ? `line ${line}` : `line ${errLine} (in the record starting on line ${line})`;
    let message: string;
    if (code === 'CSV_INVALID_OPENING_QUOTE') {
      message = `Invalid opening quote (${this.options.name} line ${errLine}): a quote inside an unquoted field on ${where}; quote the whole field and double the quote ("12"" screen")`;
    } else {
      const got = b.toString('utf8', at, Math.min(at + 4, this.len)).slice(0, 1);
      message = `Invalid closing quote (${this.options.name} line ${errLine}): expected a delimiter or a line break after the quoted field closed on ${where}, got ${JSON.stringify(got)}; quote the whole field and double the quotes inside it`;
    }
    this.pending = { code, message: `${message}. Reading goes on with line ${errLine + 1}`, endLine: errLine };
    this.mode = Mode.SkipLine;
    return at;
  }

  /** Emit the pending failure covering `start`..`contentEnd`; parsing restarts at `next`, a new line. */
  private emitFailure(contentEnd: number, next: number): number {
    const p = this.pending!;
    this.pending = undefined;
    const b = this.buf;
    const fields = undefined;
    this.events.push({ kind: 'bad', code: p.code, message: p.message, line: this.line, endLine: p.endLine, fields, raw: rawText(b, this.start, contentEnd) });
    this.fields = [];
    this.mode = Mode.FieldStart;
    this.quoted = false;
    this.resyncing = true;
    this.line = p.endLine + 1;
    this.start = next;
    return next;
  }

  /** End of the first physical line of the current record (or the end of the input). */
  private firstLineEnd(): number {
    let i = this.start;
    while (i < this.len && this.buf[i] !== LF && this.buf[i] !== CR) i++;
    return i;
  }

  private firstLineNext(): number {
    const end = this.firstLineEnd();
    if (end >= this.len) return end;
    return end + (this.buf[end] === CR && end + 1 < this.len && this.buf[end + 1] === LF ? 2 : 1);
  }

  private tooLarge(): void {
    const line = this.line;
    this.fatal = new MetaError(
      'SOURCE_RECORD_TOO_LARGE',
      `Record too large: the record starting on line ${line} of ${this.options.name} exceeds ${this.options.maxRecordSize} bytes (often an unclosed quote); raise maxRecordSize if it is genuine`,
      { details: { line, maxRecordSize: this.options.maxRecordSize } },
    );
  }

  /**
   * Check the bytes from the current record's start to the last line end read so far, in one go. Each byte
   * is checked once: when the clean region already covers the record start (a record spanning many chunks),
   * only the bytes after it are checked and the region grows. Both parts meet at a line end, an ASCII byte,
   * so no character (nor U+FFFD) straddles them. Rechecking from the record start on every chunk made a
   * long record spanning lines cost its length squared over the chunk size.
   */
  private checkAhead(): void {
    if (this.len <= this.cleanTo) return;
    const extend = this.cleanTo > 0 && this.cleanFrom <= this.start && this.start <= this.cleanTo;
    const from = extend ? this.cleanTo : this.start;
    if (from < this.dirtyTo) return;
    const tail = this.buf.subarray(from, this.len);
    const to = from + Math.max(tail.lastIndexOf(LF), tail.lastIndexOf(CR));
    if (to <= from) return;
    const region = this.buf.subarray(from, to);
    if (isUtf8(region) && region.indexOf(0) < 0 && region.indexOf(FFFD) < 0) {
      if (!extend) this.cleanFrom = from;
      this.cleanTo = to;
    } else {
      // Something in it fails: each record there is checked alone, and says what.
      this.cleanFrom = 0;
      this.cleanTo = 0;
      this.dirtyTo = to;
    }
  }

  /** Invalid bytes, NUL or U+FFFD in the record's bytes. */
  private checkBytes(from: number, to: number, fields: readonly string[]): { code: string; message: string } | undefined {
    if (from >= this.cleanFrom && to <= this.cleanTo) return undefined;
    const rec = this.buf.subarray(from, to);
    if (isAscii(rec)) {
      return rec.indexOf(0) < 0 ? undefined : { code: 'SOURCE_NUL_BYTE', message: 'NUL byte (0x00) in a cell: cells must be text' };
    }
    if (!isUtf8(rec)) {
      const at = firstInvalidUtf8(rec, true) ?? 0;
      return undecodable(this.options.encoding ?? 'utf-8', rec[at]!);
    }
    if (rec.indexOf(0) >= 0) return { code: 'SOURCE_NUL_BYTE', message: 'NUL byte (0x00) in a cell: cells must be text' };
    if (rec.indexOf(FFFD) >= 0) {
      const column = fields.findIndex((f) => f.includes('\uFFFD')) + 1;
      return {
        code: 'SOURCE_INVALID_UTF8',
        message:
          `U+FFFD (the replacement character) in column ${column}: it marks an undecodable byte, a character lost when this text was decoded in the wrong encoding ` +
          '(e.g. a failure report of a file that was not UTF-8), so it is never written; type the intended character in its place ' +
          '(the _raw column of a failure report shows the original bytes as \\xHH), or import the original file with the right --encoding',
      };
    }
    return undefined;
  }
}

function undecodable(encoding: CsvEncoding, byte: number): { code: string; message: string } {
  const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  switch (encoding) {
    case 'windows-1252':
      return { code: 'SOURCE_INVALID_ENCODING', message: `Undecodable byte: ${hex} is not defined in Windows-1252; is the file in another encoding? (_raw shows it as \\x${hex.slice(2)})` };
    case 'latin1':
      return {
        code: 'SOURCE_INVALID_ENCODING',
        message: `Undecodable byte: ${hex} is a C1 control character in ISO-8859-1, which no one means in a cell; a file from Windows with € or curly quotes there is Windows-1252: use --encoding windows-1252`,
      };
    default:
      return {
        code: 'SOURCE_INVALID_UTF8',
        message: `Invalid UTF-8: byte ${hex} is not valid UTF-8 (is the file Windows-1252, as Excel's "CSV (Comma delimited)" writes? import it with --encoding windows-1252, or save it as "CSV UTF-8"); _raw shows it as \\x${hex.slice(2)}`,
      };
  }
}

/** Length of the line end at `i` (CRLF 2, LF or CR 1), or -1 when a CR is the last byte so far. */
function terminator(b: Buffer, i: number, final: boolean): number {
  if (b[i] === LF) return 1;
  if (i + 1 < b.length) return b[i + 1] === LF ? 2 : 1;
  return final ? 1 : -1;
}

/** Line ends (CRLF, LF, lone CR: one each) in `b[from, to)`; a CR at `to - 1` looks at `b[to]` within `len`. */
function countBreaks(b: Buffer, from: number, to: number, len: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = b[i];
    if (c === LF || (c === CR && !(i + 1 < len && b[i + 1] === LF))) n++;
  }
  return n;
}

/** The text of `b[from, to)`, with undecodable bytes as `\xHH`. */
function rawText(b: Buffer, from: number, to: number): string {
  const rec = b.subarray(from, to);
  return isUtf8(rec) ? rec.toString('utf8') : escapeInvalidUtf8(rec);
}
