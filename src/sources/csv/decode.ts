import { isAscii } from 'node:buffer';

/** Text encodings the CSV reader decodes (`--encoding`). */
export const CSV_ENCODINGS = ['utf-8', 'windows-1252', 'latin1', 'utf-16le', 'utf-16be'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

const ALIASES: Readonly<Record<string, CsvEncoding>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

/** The canonical name of an encoding name or alias (case-insensitive), else `undefined`. */
export function canonicalEncoding(name: string): CsvEncoding | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

/** All accepted spellings, for messages. */
export const CSV_ENCODING_NAMES = Object.keys(ALIASES).filter((n) => n !== 'utf8');

/**
 * Windows-1252 bytes 0x80–0x9F (Microsoft's table; 0x81 0x8D 0x8F 0x90 0x9D are undefined: -1). Not
 * `TextDecoder('windows-1252')`: Node 20's decodes that label as ISO-8859-1 (0x80 becomes U+0080, not €).
 */
const CP1252_HIGH = [
  0x20ac, -1, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, -1, 0x017d, -1,
  -1, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, -1, 0x017e, 0x0178,
];

/**
 * Streaming transcoder to UTF-8 bytes, so the CSV parser and its line counting only ever see UTF-8.
 * Constant memory: at most one code unit (UTF-16: a surrogate pair) is carried between chunks.
 *
 * A byte the encoding does not define is passed on as a byte that is invalid in UTF-8, so the record
 * holding it fails (and its `_raw` shows the byte as `\xHH`) instead of being written as U+FFFD:
 * Windows-1252's five undefined bytes, and ISO-8859-1's C1 controls 0x80–0x9F (control characters no
 * spreadsheet means; a file with `€` or curly quotes there is Windows-1252). UTF-8 input is passed through
 * as is: the parser checks each record's bytes. UTF-16: a lone surrogate or an odd last byte becomes
 * U+FFFD, which the parser refuses in any cell.
 */
export class Transcoder {
  private carry: Buffer | undefined;

  constructor(readonly encoding: CsvEncoding) {}

  write(chunk: Buffer): Buffer {
    switch (this.encoding) {
      case 'utf-8':
        return chunk;
      case 'windows-1252':
      case 'latin1':
        return isAscii(chunk) ? chunk : singleByte(chunk, this.encoding === 'windows-1252');
      case 'utf-16le':
      case 'utf-16be':
        return this.utf16(chunk);
    }
  }

  /** End of input: what was still carried (an incomplete UTF-16 code unit or pair). */
  end(): Buffer {
    const rest = this.carry;
    this.carry = undefined;
    if (rest === undefined || rest.length === 0) return Buffer.alloc(0);
    // A high surrogate with its pair cut off, or an odd byte: undecodable.
    return Buffer.from('\uFFFD', 'utf8');
  }

  private utf16(chunk: Buffer): Buffer {
    let bytes = this.carry === undefined ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = undefined;
    const even = bytes.length & ~1;
    if (even < bytes.length) this.carry = Buffer.from(bytes.subarray(even));
    if (even === 0) return Buffer.alloc(0);
    let units = bytes.subarray(0, even);
    if (this.encoding === 'utf-16be') units = Buffer.from(units).swap16();
    let text = units.toString('utf16le');
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      // A high surrogate whose low half is in the next chunk: carry it, in the file's byte order.
      const cut = Buffer.from(bytes.subarray(even - 2, even));
      this.carry = this.carry === undefined ? cut : Buffer.concat([cut, this.carry]);
      text = text.slice(0, -1);
    }
    bytes = Buffer.from(text, 'utf8'); // lone surrogates become U+FFFD here
    return bytes;
  }
}

function singleByte(chunk: Buffer, cp1252: boolean): Buffer {
  const out = Buffer.allocUnsafe(chunk.length * 3);
  let n = 0;
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i]!;
    let cp = b;
    if (b >= 0x80 && b <= 0x9f) cp = cp1252 ? CP1252_HIGH[b - 0x80]! : -1;
    if (cp < 0x80) {
      // ASCII as is; an undefined byte passes on raw (a lone 0x80–0x9F byte is never valid UTF-8).
      out[n++] = cp < 0 ? b : cp;
    } else if (cp < 0x800) {
      out[n++] = 0xc0 | (cp >> 6);
      out[n++] = 0x80 | (cp & 0x3f);
    } else {
      out[n++] = 0xe0 | (cp >> 12);
      out[n++] = 0x80 | ((cp >> 6) & 0x3f);
      out[n++] = 0x80 | (cp & 0x3f);
    }
  }
  return out.subarray(0, n);
}

/** Byte-order marks: what the first bytes of a file say about its encoding. */
export function bomEncoding(head: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32' | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return head[2] === 0 && head[3] === 0 ? 'utf-32' : 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff) return 'utf-32';
  return undefined;
}

/**
 * UTF-16 without a byte-order mark, from its NUL pattern: ASCII text in UTF-16 has a NUL in every other
 * byte. `le` when the NULs are at odd offsets, `be` at even ones; `undefined` for anything else.
 */
export function utf16Pattern(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(head.length, 64 * 1024) & ~1;
  if (n < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul >= pairs * 0.3 && evenNul <= pairs * 0.05) return 'utf-16le';
  if (evenNul >= pairs * 0.3 && oddNul <= pairs * 0.05) return 'utf-16be';
  return undefined;
}
