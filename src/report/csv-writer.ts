/**
 * A minimal RFC 4180 CSV writer for reports and exports. Hand-written on purpose: csv-stringify would be a
 * second dependency for ten lines, and reports must be written line by line with backpressure.
 */
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { escapeFormula } from '../formula-cells.js';
import { createPrivateWriteStream } from '../private-files.js';

const NEEDS_QUOTES = /[",\r\n]/;
const SPACE = /\s/;

/** Quote a field when it holds a delimiter, quote, newline, or edge whitespace. */
export function csvField(value: string): string {
  // Edge whitespace tested on the edge characters: `/^\s|\s$/` tried `\s$` at every position of the field.
  const edgeSpace = value.length > 0 && (isSpace(value.charCodeAt(0)) || isSpace(value.charCodeAt(value.length - 1)));
  if (!edgeSpace && !NEEDS_QUOTES.test(value)) return value;
  if (!value.includes('"')) return `"${value}"`;
  return `"${value.length > LONG_FIELD ? doubleQuotesLong(value) : value.replace(/"/g, '""')}"`;
}

/** What `\s` matches, for one UTF-16 unit (ASCII without a regex). */
function isSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return SPACE.test(String.fromCharCode(c));
}

/** Past this many UTF-16 units a field's quotes are doubled by `doubleQuotesLong`. */
const LONG_FIELD = 64 * 1024;
const QUOTE = 0x22;

/**
 * `value.replace(/"/g, '""')` for a long field, in time linear in its length: the regex replace costs per
 * quote, and a 10 MB cell of short quoted lines (millions of quotes) took ~2 s, most of it GC. Works on the
 * UTF-16 code units, so every string (lone surrogates too) comes back exactly as the replace would give it.
 */
function doubleQuotesLong(value: string): string {
  const bytes = Buffer.from(value, 'utf16le');
  const units = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
  const out = new Uint16Array(units.length * 2);
  let n = 0;
  for (let i = 0; i < units.length; i++) {
    const c = units[i]!;
    out[n++] = c;
    if (c === QUOTE) out[n++] = QUOTE;
  }
  return Buffer.from(out.buffer, 0, n * 2).toString('utf16le');
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

/**
 * A CSV line safe to open in a spreadsheet: every field (header cells too) goes through `escapeFormula`,
 * so `=x` is written `'=x`, `'=x` is written `''=x`, and `-5` stays `-5`. Reading it back through
 * `openSource` (which recognises the files encord-meta writes) gives every field exactly as it was.
 */
export function safeCsvLine(fields: readonly string[]): string {
  return csvLine(fields.map(escapeFormula));
}

/**
 * Make free text safe to open in a spreadsheet (CSV injection). The same bijective rule as every other
 * cell of a file we write (`escapeFormula`); kept under this name for callers that escape one message.
 */
export const neutraliseFormula = escapeFormula;

/**
 * Append-only, spreadsheet-safe CSV file with a fixed header, written with backpressure; created 0600
 * (it holds business metadata). Fields go through `escapeFormula` (see `safeCsvLine`).
 */
export class CsvFileWriter {
  private readonly stream: WriteStream;
  private rows = 0;

  constructor(
    readonly path: string,
    readonly header: readonly string[],
  ) {
    this.stream = createPrivateWriteStream(path);
    this.stream.write(safeCsvLine(header));
  }

  get rowCount(): number {
    return this.rows;
  }

  async write(fields: readonly string[]): Promise<void> {
    this.rows += 1;
    if (!this.stream.write(safeCsvLine(fields))) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }
}
