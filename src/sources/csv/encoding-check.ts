import { isAscii } from 'node:buffer';
import { MetaError } from '../../errors.js';
import { firstInvalidUtf8 } from './byte-check.js';
import { bomEncoding, utf16Pattern, type CsvEncoding } from './decode.js';

const LABEL: Readonly<Record<CsvEncoding, string>> = {
  'utf-8': 'UTF-8',
  'windows-1252': 'Windows-1252',
  latin1: 'ISO-8859-1',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
};

/**
 * The encoding to read a CSV with: a byte-order mark decides (UTF-16LE/BE are read without a flag), else
 * the one given, else UTF-8. A given encoding that contradicts the mark, and UTF-32, are refused.
 */
export function resolveEncoding(name: string, head: Uint8Array, given: CsvEncoding | undefined): CsvEncoding {
  const bom = bomEncoding(head);
  if (bom === 'utf-32') {
    throw new MetaError('SOURCE_UNSUPPORTED_ENCODING', `Unsupported encoding: ${name} starts with a UTF-32 byte-order mark; save it as UTF-8 (or UTF-16) and import it again`);
  }
  if (bom === undefined) return given ?? 'utf-8';
  if (given !== undefined && given !== bom) {
    throw new MetaError(
      'SOURCE_UNSUPPORTED_ENCODING',
      `Encoding contradicts the file: ${name} starts with a ${LABEL[bom]} byte-order mark, but the encoding given is ${LABEL[given]}; drop --encoding (the mark says how to read it)`,
      { details: { bom, encoding: given } },
    );
  }
  return bom;
}

/**
 * Refuse, before any write, a file whose first bytes (`head`, up to 1 MiB) show it is not in `encoding`:
 * - UTF-8: any byte that is not valid UTF-8 (`SOURCE_INVALID_UTF8`, with the line and an `--encoding`
 *   hint). Only a character cut by the end of the sample is let through: at the end of the file it is a
 *   truncated last line, which fails as a row. Past the sample, invalid bytes fail their row.
 * - UTF-8 with every other byte NUL: UTF-16 without a byte-order mark (`SOURCE_UNSUPPORTED_ENCODING`,
 *   naming `--encoding utf-16le`/`utf-16be`).
 * - Windows-1252 / ISO-8859-1 for a file that is valid UTF-8 with non-ASCII characters (it would be
 *   read as mojibake: `ZÃ¼rich`), or that looks like UTF-16.
 */
export function checkEncoding(name: string, head: Buffer, encoding: CsvEncoding, given: boolean): void {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return checkUtf16(name, head, encoding);
  const utf16 = utf16Pattern(head);
  if (utf16 !== undefined) {
    throw new MetaError(
      'SOURCE_UNSUPPORTED_ENCODING',
      `Not ${LABEL[encoding]}: every other byte of ${name} is NUL, which is ${LABEL[utf16]} text without a byte-order mark; import it with --encoding ${utf16}`,
      { details: { suggested: utf16 } },
    );
  }
  const bad = firstInvalidUtf8(head, false);
  if (encoding === 'utf-8') {
    if (bad === undefined) return;
    const binary = binaryKind(head);
    if (binary !== undefined) {
      throw new MetaError(
        'SOURCE_INVALID_UTF8',
        `Not text: ${name} starts like ${binary.what}, not a CSV file, so it is refused before any write; ${binary.advice}`,
        { details: { line: 1, given } },
      );
    }
    const byte = `0x${head[bad]!.toString(16).toUpperCase().padStart(2, '0')}`;
    const line = 1 + lineBreaks(head.subarray(0, bad));
    throw new MetaError(
      'SOURCE_INVALID_UTF8',
      `Not UTF-8: byte ${byte} on line ${line} of ${name} is not valid UTF-8, so the file is refused before any write. ` +
        `It is probably Windows-1252 (what Excel's "CSV (Comma delimited)" writes) or Latin-1: import it with --encoding windows-1252 ` +
        `(or --encoding latin1), or save it from the spreadsheet as "CSV UTF-8"`,
      { details: { line, byte, given } },
    );
  }
  if (bad === undefined && !isAscii(head)) {
    throw new MetaError(
      'SOURCE_UNSUPPORTED_ENCODING',
      `Not ${LABEL[encoding]}: ${name} is valid UTF-8 with non-ASCII characters, which --encoding ${encoding} would turn into other characters (ü into Ã¼); import it without --encoding`,
      { details: { encoding } },
    );
  }
}

/**
 * A CSV in UTF-16 has ASCII delimiters and line breaks, each a code unit with one NUL byte (the high byte:
 * odd offsets in LE, even in BE). A file with no such NUL is not UTF-16, and `--encoding utf-16le` on it
 * would turn every pair of bytes into one unrelated character (`ci` into `楣`): refused, like any other
 * encoding that contradicts the bytes. A file that looks like the other byte order names it.
 */
function checkUtf16(name: string, head: Buffer, encoding: 'utf-16le' | 'utf-16be'): void {
  const hasBom = bomEncoding(head) !== undefined;
  const n = Math.min(head.length, 64 * 1024) & ~1;
  if (hasBom || n < 4) return;
  const pattern = utf16Pattern(head);
  if (pattern !== undefined && pattern !== encoding) {
    throw new MetaError(
      'SOURCE_UNSUPPORTED_ENCODING',
      `Not ${LABEL[encoding]}: the bytes of ${name} are laid out as ${LABEL[pattern]} (the NUL byte of each ASCII character comes ${pattern === 'utf-16le' ? 'second' : 'first'}); import it with --encoding ${pattern}`,
      { details: { encoding, suggested: pattern } },
    );
  }
  let highNul = 0;
  for (let i = encoding === 'utf-16le' ? 1 : 0; i < n; i += 2) if (head[i] === 0) highNul++;
  if (highNul === 0) {
    throw new MetaError(
      'SOURCE_UNSUPPORTED_ENCODING',
      `Not ${LABEL[encoding]}: ${name} has no byte-order mark and no ASCII character (delimiter, line break) reads as ${LABEL[encoding]} in its first ${n} bytes, ` +
        `so --encoding ${encoding} would turn every pair of bytes into an unrelated character; import it without --encoding (UTF-8), or with --encoding windows-1252 if it is an Excel "CSV (Comma delimited)" file`,
      { details: { encoding } },
    );
  }
}

/** Files people name `.csv` by mistake, told by their first bytes (none of them is text in any encoding). */
const BINARY_KINDS: ReadonlyArray<{ magic: readonly number[]; what: string; advice: string }> = [
  { magic: [0x1f, 0x8b], what: 'a gzip file', advice: 'decompress it first (gunzip FILE, or zcat FILE > FILE.csv) and import the result' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive', advice: 'an Excel workbook imports as .xlsx (rename it, or pass --format xlsx); another archive must be unpacked first' },
  { magic: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image', advice: 'give the metadata file, not an image' },
  { magic: [0xff, 0xd8, 0xff], what: 'a JPEG image', advice: 'give the metadata file, not an image' },
];

function binaryKind(head: Buffer): { what: string; advice: string } | undefined {
  return BINARY_KINDS.find((k) => k.magic.every((b, i) => head[i] === b));
}

function lineBreaks(b: Buffer): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a) n++;
    else if (b[i] === 0x0d && b[i + 1] !== 0x0a) n++;
  }
  return n;
}
