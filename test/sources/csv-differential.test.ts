/**
 * Promise: the CSV reader is exact. On random RFC 4180 files (quoted cells with delimiters, doubled quotes,
 * CR/LF/CRLF breaks inside and between records, empty cells, BOM, non-ASCII, astral characters) it yields
 * exactly the cells csv-parse yields, at every chunk size, with the right start line for each record.
 * Seeded, so a failure names a file that can be replayed.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { CsvSource } from '../../src/sources/csv/csv-source.js';
import { CsvRecordSplitter } from '../../src/sources/csv/csv-records.js';
import { mulberry32 } from '../../src/emulator/rng.js';
import { collect, rows, tempDir, writeTemp } from './helpers.js';

const ALPHABET = ['a', 'b', 'Z', '1', ' ', '-', '=', "'", 'é', 'ß', '東', '😀', '\t', ';', '|'];

function randomCell(rand: () => number, delimiter: string): { text: string; quoted: boolean } {
  const len = Math.floor(rand() * 8);
  let text = '';
  let needsQuotes = false;
  for (let i = 0; i < len; i++) {
    const r = rand();
    if (r < 0.06) {
      text += '"';
      needsQuotes = true;
    } else if (r < 0.1) {
      text += delimiter;
      needsQuotes = true;
    } else if (r < 0.14) {
      text += ['\n', '\r\n', '\r'][Math.floor(rand() * 3)]!;
      needsQuotes = true;
    } else {
      const ch = ALPHABET[Math.floor(rand() * ALPHABET.length)]!;
      if (ch === delimiter) needsQuotes = true;
      text += ch;
    }
  }
  if (text.startsWith(' ') || text.endsWith(' ')) needsQuotes = true;
  return { text, quoted: needsQuotes || rand() < 0.15 };
}

function randomFile(seed: number): { bytes: string; delimiter: string; eol: string; expectedLines: number[] } {
  const rand = mulberry32(seed);
  const delimiter = [',', ';', '\t'][Math.floor(rand() * 3)]!;
  const eol = ['\n', '\r\n'][Math.floor(rand() * 2)]!;
  const width = 2 + Math.floor(rand() * 4);
  const header = Array.from({ length: width }, (_, i) => `c${i}`);
  const lines: string[] = [header.join(delimiter)];
  const expectedLines: number[] = [];
  let line = 2;
  const records = 1 + Math.floor(rand() * 30);
  for (let r = 0; r < records; r++) {
    const cells = Array.from({ length: width }, () => randomCell(rand, delimiter));
    const text = cells.map((c) => (c.quoted ? `"${c.text.replace(/"/g, '""')}"` : c.text)).join(delimiter);
    // A record whose cells are all empty would be one empty line; csv-parse and we skip those differently
    // by design (an empty line is not a record), so keep every record non-empty.
    const recordText = text === '' || /^[,;\t]*$/.test(text) ? `x${text}` : text;
    expectedLines.push(line);
    line += (recordText.match(/\r\n|\r|\n/g) ?? []).length + 1;
    lines.push(recordText);
  }
  const bom = rand() < 0.2 ? '\ufeff' : '';
  const trailing = rand() < 0.7 ? eol : '';
  return { bytes: bom + lines.join(eol) + trailing, delimiter, eol, expectedLines };
}

/** The splitter fed `bytes` `size` bytes at a time, in memory: every chunk boundary the file reader can make. */
function splitInChunks(bytes: Buffer, delimiter: string, size: number): { fields: string[][]; lines: number[]; bad: string[] } {
  const splitter = new CsvRecordSplitter({ name: 'mem.csv', delimiter, maxRecordSize: 1 << 20 });
  const events = [];
  for (let at = 0; at < bytes.length; at += size) events.push(...splitter.write(bytes.subarray(at, at + size)));
  events.push(...splitter.end());
  const records = events.slice(1); // the header
  return {
    fields: records.map((e) => [...(e.fields ?? [])]),
    lines: records.map((e) => e.line),
    bad: records.flatMap((e) => (e.kind === 'bad' ? [`line ${e.line}: ${e.message}`] : [])),
  };
}

describe('the CSV reader yields exactly what csv-parse yields (random RFC 4180 files)', () => {
  it('200 seeded files, several chunk sizes: same cells, right start lines', async () => {
    const dir = tempDir();
    const check = async (seed: number): Promise<void> => {
      const file = randomFile(seed);
      const expected = parse(file.bytes, { bom: true, delimiter: file.delimiter, relax_quotes: false, skip_empty_lines: true }) as string[][];
      const [header, ...records] = expected;
      // The smallest chunks through the splitter in memory: a file read 2 bytes at a time costs a
      // file-system round trip per 2 bytes (seconds of CPU over 200 files) and tests nothing more, since
      // the file reader only hands its chunks to this splitter.
      const bytes = Buffer.from(file.bytes, 'utf8');
      for (const size of [1, 2, 3]) {
        const got = splitInChunks(bytes, file.delimiter, size);
        expect(got.bad, `seed ${seed} chunk ${size}`).toEqual([]);
        expect(got.fields, `seed ${seed} chunk ${size}`).toEqual(records);
        expect(got.lines, `seed ${seed} chunk ${size}: start lines`).toEqual(file.expectedLines);
      }
      // The file reader, with chunks that split the file and with one chunk for all of it.
      const path = writeTemp(dir, `f${seed}.csv`, file.bytes);
      for (const chunkSize of [61, 65536]) {
        const source = new CsvSource(path, { delimiter: file.delimiter as ',' | ';' | '\t', chunkSize });
        await source.open();
        expect(source.columns, `seed ${seed}`).toEqual(header);
        const items = await collect(source);
        expect(items.filter((i) => i.kind === 'bad'), `seed ${seed} chunk ${chunkSize}`).toEqual([]);
        const got = rows(items);
        expect(got.map((r) => header!.map((c) => r.values[c])), `seed ${seed} chunk ${chunkSize}`).toEqual(records);
        expect(got.map((r) => r.line), `seed ${seed} chunk ${chunkSize}: start lines`).toEqual(file.expectedLines);
      }
    };
    for (let seed = 1; seed <= 200; seed += 8) await Promise.all(Array.from({ length: Math.min(8, 201 - seed) }, (_, k) => check(seed + k)));
  }, 120_000);
});
