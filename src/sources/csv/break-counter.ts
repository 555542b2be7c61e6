/**
 * Counts physical line breaks (CRLF, LF or a lone CR, each one break) in a byte stream, up to offsets that
 * only move forward. The CSV reader feeds every chunk here before the parser sees it, then asks "how many
 * breaks end at or before byte N" when the parser reports the end of a record; that gives exact physical
 * line numbers whatever the quoting, which `csv-parse`'s own `info.lines` does not (it counts CR and LF
 * separately inside quoted fields, deps.md §3).
 *
 * Memory: only the bytes between the last queried offset and the end of the last chunk are kept, so a caller
 * that queries at every record boundary holds about one record.
 */
export class BreakCounter {
  private readonly chunks: Buffer[] = [];
  private readonly starts: number[] = [];
  private head = 0;
  /** Absolute offset up to which breaks have been counted. */
  private pos = 0;
  private count = 0;
  private fed = 0;
  private lastByte = -1;

  /** Append the next chunk of the stream. */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.starts.push(this.fed);
    this.fed += chunk.length;
  }

  /** Total bytes fed so far. */
  get bytesFed(): number {
    return this.fed;
  }

  /**
   * Number of line breaks that end at or before `offset` (a CRLF ends after its LF). `offset` must not be
   * smaller than in a previous call; it is clamped to the bytes fed.
   */
  breaksBefore(offset: number): number {
    const target = Math.min(offset, this.fed);
    while (this.pos < target) {
      const chunk = this.chunks[this.head]!;
      const start = this.starts[this.head]!;
      const from = this.pos - start;
      const to = Math.min(target - start, chunk.length);
      let n = 0;
      for (let i = from; i < to; i++) {
        const b = chunk[i]!;
        if (b === 10) n++;
        // A CR counts unless an LF follows (then the LF counts). The parser only reports a boundary right
        // after a CR once it has seen the next byte, so the next byte is fed or the stream has ended.
        else if (b === 13 && this.byteAt(start + i + 1) !== 10) n++;
      }
      this.count += n;
      if (to > from) this.lastByte = chunk[to - 1]!;
      this.pos = start + to;
      if (to === chunk.length) this.dropHead();
    }
    return this.count;
  }

  /** Whether the byte just before the last offset passed to `breaksBefore` is a CR or an LF. */
  get endsWithBreak(): boolean {
    return this.lastByte === 10 || this.lastByte === 13;
  }

  private byteAt(abs: number): number {
    for (let k = this.head; k < this.chunks.length; k++) {
      const start = this.starts[k]!;
      const chunk = this.chunks[k]!;
      if (abs < start + chunk.length) return abs >= start ? chunk[abs - start]! : -1;
    }
    return -1;
  }

  private dropHead(): void {
    this.head++;
    // Compact now and then instead of shifting on every chunk.
    if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.starts.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** Line breaks inside a string, with the same rule as `BreakCounter` (CRLF, LF, lone CR = one each). */
export function countBreaks(text: string): number {
  let n = 0;
  let i = text.indexOf('\n');
  while (i !== -1) {
    n++;
    i = text.indexOf('\n', i + 1);
  }
  let j = text.indexOf('\r');
  while (j !== -1) {
    if (text.charCodeAt(j + 1) !== 10) n++;
    j = text.indexOf('\r', j + 1);
  }
  return n;
}
