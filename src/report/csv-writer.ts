/**
 * A minimal RFC 4180 CSV writer for reports and exports. Hand-written on purpose: csv-stringify would be a
 * second dependency for ten lines, and reports must be written line by line with backpressure.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** Quote a field when it holds a delimiter, quote, newline, or edge whitespace. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

/**
 * Make free text safe to open in a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or CR would make Excel
 * or Sheets evaluate it as a formula (CSV injection). Only for text *we* write (error messages echoing a
 * cell), never for the user's own values, which must round-trip as read.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Append-only CSV file with a fixed header, written with backpressure. */
export class CsvFileWriter {
  private readonly stream: WriteStream;
  private rows = 0;

  constructor(
    readonly path: string,
    readonly header: readonly string[],
  ) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
    this.stream.write(csvLine(header));
  }

  get rowCount(): number {
    return this.rows;
  }

  async write(fields: readonly string[]): Promise<void> {
    this.rows += 1;
    if (!this.stream.write(csvLine(fields))) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }
}
