import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, formatFromPath, looksLikeParquet, readHead } from '../../src/sources/sniff.js';
import { escapeInvalidUtf8, firstInvalidUtf8, sequenceLength } from '../../src/sources/csv/byte-check.js';
import { CSV_FIXTURES, PARQUET_FIXTURES, tempDir, writeTemp } from './helpers.js';

describe('detectDelimiter', () => {
  it.each([
    ['a,b,c\n1;2;3;4;5\n', ','],
    ['a;b;c\r\n', ';'],
    ['a\tb\tc', '\t'],
    ['"x;y;z",b\n', ','], // delimiters inside quotes do not count
    ['"multi\nline;;;",b,c\n', ','], // nor does a line break inside quotes end the header
    ['a;b,c', ','], // tie: comma
    ['a;b\tc', ';'], // tie: semicolon before tab
    ['a;b\tc\td', '\t'],
    ['single', ','],
    ['', ','],
    ['"a ""quoted"" name";b;c', ';'],
  ])('%j -> %j', (head, expected) => {
    expect(detectDelimiter(head)).toBe(expected);
  });
});

describe('formats', () => {
  it.each([
    ['data.csv', 'csv'],
    ['DATA.TSV', 'csv'],
    ['x/y.parquet', 'parquet'],
    ['y.pq', 'parquet'],
    ['y.json', undefined],
    ['noext', undefined],
  ])('formatFromPath(%j) = %j', (path, format) => {
    expect(formatFromPath(path)).toBe(format);
  });

  it('recognises Parquet by its magic bytes', async () => {
    expect(await looksLikeParquet(join(PARQUET_FIXTURES, 'duckdb-snappy.parquet'))).toBe(true);
    expect(await looksLikeParquet(join(CSV_FIXTURES, 'types.csv'))).toBe(false);
    expect(await looksLikeParquet(join(CSV_FIXTURES, 'empty.csv'))).toBe(false);
  });
});

describe('UTF-8 byte checks', () => {
  it.each([
    [[0x41], 1],
    [[0xc3, 0xa9], 2],
    [[0xe6, 0x9d, 0xb1], 3],
    [[0xf0, 0x9f, 0x9a, 0x80], 4],
    [[0xc0, 0x80], 0], // overlong
    [[0xed, 0xa0, 0x80], 0], // UTF-16 surrogate
    [[0xf4, 0x90, 0x80, 0x80], 0], // past U+10FFFF
    [[0xf5, 0x80, 0x80, 0x80], 0],
    [[0x80], 0],
    [[0xe6, 0x9d], -1], // cut short
  ])('sequenceLength(%j) = %i', (bytes, expected) => {
    expect(sequenceLength(Uint8Array.from(bytes), 0)).toBe(expected);
  });

  it('finds the first invalid byte; a character cut by the end counts only for a whole input', () => {
    const bytes = Buffer.concat([Buffer.from('東京🚀'), Buffer.from([0xfc]), Buffer.from('ok é')]);
    expect(firstInvalidUtf8(bytes, false)).toBe(10);
    const cut = Buffer.concat([Buffer.from('ok é'), Buffer.from([0xe6, 0x9d])]);
    expect(firstInvalidUtf8(cut, false)).toBeUndefined();
    expect(firstInvalidUtf8(cut, true)).toBe(5);
  });

  it('shows undecodable bytes as \\xHH and a backslash as \\\\, valid text as is', () => {
    const bytes = Buffer.concat([Buffer.from('Z'), Buffer.from([0xfc]), Buffer.from('rich \\ 東京'), Buffer.from([0xe6, 0x9d])]);
    expect(escapeInvalidUtf8(bytes)).toBe('Z\\xFCrich \\\\ 東京\\xE6\\x9D');
  });
});

describe('readHead', () => {
  it('gives the first bytes of a file: all of a short one, exactly the asked count of a long one, past its stat size too', async () => {
    const dir = tempDir();
    const text = Array.from({ length: 3000 }, (_, i) => `${i},x`).join('\n');
    const path = writeTemp(dir, 'head.csv', text);
    expect((await readHead(path, 1024 * 1024)).toString()).toBe(text);
    expect((await readHead(path, 10_000)).toString()).toBe(text.slice(0, 10_000));
    expect((await readHead(writeTemp(dir, 'empty.csv', ''), 1024)).length).toBe(0);
    // A device's stat size is 0: the buffer grows as it reads.
    expect(await readHead('/dev/zero', 20_000)).toEqual(Buffer.alloc(20_000));
  });
});
