import { open } from 'node:fs/promises';
import { extname } from 'node:path';

/** Delimiters the CSV reader detects and accepts. */
export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** File formats a source can read. */
export const SOURCE_FORMATS = ['csv', 'parquet', 'xlsx'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

const EXTENSIONS: Readonly<Record<string, SourceFormat>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.parquet': 'parquet',
  '.parq': 'parquet',
  '.pq': 'parquet',
  '.xlsx': 'xlsx',
  '.xlsm': 'xlsx',
};

/**
 * The delimiter of a CSV, from its header line: the most frequent of `,` `;` and tab outside quotes,
 * up to the first line break outside quotes. Ties (including none at all, a one-column file) go to the
 * earlier one in `CSV_DELIMITERS`, so comma wins.
 */
export function detectDelimiter(head: string): CsvDelimiter {
  let comma = 0;
  let semicolon = 0;
  let tab = 0;
  let quoted = false;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 34) quoted = !quoted; // a doubled quote toggles twice: still inside
    else if (quoted) continue;
    else if (c === 10 || c === 13) break;
    else if (c === 44) comma++;
    else if (c === 59) semicolon++;
    else if (c === 9) tab++;
  }
  if (semicolon > comma && semicolon >= tab) return ';';
  if (tab > comma && tab > semicolon) return '\t';
  return ',';
}

/** Format named by a file's extension, if it names one. */
export function formatFromPath(path: string): SourceFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

/** Parquet files start with the magic bytes `PAR1`. */
export async function looksLikeParquet(path: string): Promise<boolean> {
  const head = await readHead(path, 4);
  return head.length === 4 && head.toString('latin1') === 'PAR1';
}

/** Zip archives (an .xlsx is one) start with `PK\x03\x04`. */
export async function looksLikeZip(path: string): Promise<boolean> {
  const head = await readHead(path, 4);
  return head.length === 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4;
}

/**
 * Up to `bytes` bytes from the start of a file. The buffer is sized to the file, not to `bytes` (the CSV
 * reader asks for 1 MB; a zeroed 1 MB per small file was most of what opening one cost), and grows if the
 * file turns out longer than its size said.
 */
export async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(Math.min(bytes, Math.max((await handle.stat()).size, 4096)));
    let filled = 0;
    while (filled < bytes) {
      if (filled === buf.length) {
        const grown = Buffer.allocUnsafe(Math.min(bytes, buf.length * 2));
        buf.copy(grown, 0, 0, filled);
        buf = grown;
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buf.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
