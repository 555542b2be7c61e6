import { isUtf8 } from 'node:buffer';

/** A byte offset where the CSV holds something no cell may contain. */
export interface Suspect {
  readonly offset: number;
  readonly kind: 'utf8' | 'nul';
  /** The offending byte (for messages). */
  readonly byte: number;
}

/**
 * Finds invalid UTF-8 and NUL bytes chunk by chunk, so the reader can tell which records hold them.
 *
 * The parser decodes invalid bytes to U+FFFD like any decoder, and a file may also contain a genuine
 * U+FFFD; checking the bytes is the only way to tell the two apart. The fast path is one native
 * `isUtf8()` and one `indexOf(0)` per chunk; only a chunk that fails is walked byte by byte. A character
 * split across two chunks is carried over (at most 3 bytes) so a boundary never looks invalid.
 */
export class ByteCheck {
  private carry: Buffer = Buffer.alloc(0);
  private carryOffset = 0;
  private offset = 0;

  /** Check the next chunk; appends what it finds to `out` in offset order. */
  check(chunk: Buffer, out: Suspect[]): void {
    const found: Suspect[] = [];
    this.scan(chunk, found);
    if (found.length > 1) found.sort((a, b) => a.offset - b.offset);
    for (const s of found) out.push(s);
  }

  private scan(chunk: Buffer, out: Suspect[]): void {
    const base = this.offset;
    this.offset += chunk.length;
    let nul = chunk.indexOf(0);
    while (nul !== -1) {
      out.push({ offset: base + nul, kind: 'nul', byte: 0 });
      nul = chunk.indexOf(0, nul + 1);
    }
    let from = 0;
    if (this.carry.length > 0) {
      // Finish the character that started in the previous chunk.
      const joined = Buffer.concat([this.carry, chunk.subarray(0, 4 - this.carry.length)]);
      const len = sequenceLength(joined, 0);
      if (len === -1 && joined.length < 4 && joined.length === this.carry.length + chunk.length) {
        this.carry = joined; // still incomplete: the chunk was tiny
        return;
      }
      if (len > 0) from = len - this.carry.length;
      else out.push({ offset: this.carryOffset, kind: 'utf8', byte: joined[0]! });
      // On an invalid lead the bytes after it are rechecked as part of this chunk.
      this.carry = Buffer.alloc(0);
    }
    const cut = incompleteTail(chunk, from);
    if (cut < chunk.length) {
      this.carry = Buffer.from(chunk.subarray(cut));
      this.carryOffset = base + cut;
    }
    const body = chunk.subarray(from, cut);
    if (!isUtf8(body)) findInvalid(body, base + from, out);
  }

  /** End of stream: a character still incomplete is invalid. */
  end(out: Suspect[]): void {
    if (this.carry.length > 0) out.push({ offset: this.carryOffset, kind: 'utf8', byte: this.carry[0]! });
    this.carry = Buffer.alloc(0);
  }
}

/** Start of a trailing sequence that is valid so far but cut by the end of the buffer, else its length. */
function incompleteTail(buf: Buffer, from: number): number {
  for (let k = 1; k <= 3 && buf.length - k >= from; k++) {
    const b = buf[buf.length - k]!;
    if ((b & 0xc0) !== 0x80) return sequenceLength(buf, buf.length - k) === -1 ? buf.length - k : buf.length;
  }
  return buf.length;
}

function findInvalid(buf: Buffer, base: number, out: Suspect[]): void {
  let i = 0;
  while (i < buf.length) {
    const len = sequenceLength(buf, i);
    if (len > 0) i += len;
    else {
      out.push({ offset: base + i, kind: 'utf8', byte: buf[i]! });
      i += 1;
    }
  }
}

/**
 * Length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), 0 if it is ill-formed, -1 if it is
 * a valid prefix cut by the end of the buffer.
 */
export function sequenceLength(buf: Uint8Array, i: number): number {
  const b0 = buf[i]!;
  if (b0 < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    if (b0 === 0xe0) lo = 0xa0;
    if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    if (b0 === 0xf0) lo = 0x90;
    if (b0 === 0xf4) hi = 0x8f;
  } else return 0;
  for (let k = 1; k <= need; k++) {
    if (i + k >= buf.length) return -1;
    const b = buf[i + k]!;
    const min = k === 1 ? lo : 0x80;
    const max = k === 1 ? hi : 0xbf;
    if (b < min || b > max) return 0;
  }
  return need + 1;
}
