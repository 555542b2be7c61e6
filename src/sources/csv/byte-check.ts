/**
 * UTF-8 byte checks for the CSV reader: where a buffer stops being valid UTF-8, and how to show bytes that
 * are not (`\xHH`) in a failure report, which is itself written as UTF-8.
 */

/**
 * Offset of the first byte that is not valid UTF-8, or `undefined`. A character cut by the end of the
 * buffer counts as invalid only when `cutIsInvalid` (the buffer is the whole input, not a sample of it).
 */
export function firstInvalidUtf8(buf: Uint8Array, cutIsInvalid: boolean): number | undefined {
  let i = 0;
  while (i < buf.length) {
    if (buf[i]! < 0x80) {
      i++;
      continue;
    }
    const len = sequenceLength(buf, i);
    if (len > 0) i += len;
    else if (len === -1 && !cutIsInvalid) return undefined;
    else return i;
  }
  return undefined;
}

/** The text of `buf`, every byte that is not part of a valid UTF-8 character as `\xHH`, a backslash as `\\`. */
export function escapeInvalidUtf8(buf: Uint8Array): string {
  let out = '';
  let run = 0;
  let i = 0;
  const flush = (to: number): void => {
    if (to > run) out += Buffer.from(buf.buffer, buf.byteOffset + run, to - run).toString('utf8').replaceAll('\\', '\\\\');
  };
  while (i < buf.length) {
    const len = buf[i]! < 0x80 ? 1 : sequenceLength(buf, i);
    if (len > 0) {
      i += len;
      continue;
    }
    flush(i);
    out += `\\x${buf[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
    i++;
    run = i;
  }
  flush(buf.length);
  return out;
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
