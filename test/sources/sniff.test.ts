import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, formatFromPath, looksLikeParquet } from '../../src/sources/sniff.js';
import { BreakCounter, countBreaks } from '../../src/sources/csv/break-counter.js';
import { ByteCheck, sequenceLength, type Suspect } from '../../src/sources/csv/byte-check.js';
import { CSV_FIXTURES, PARQUET_FIXTURES } from './helpers.js';

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

describe('BreakCounter', () => {
  it('counts CRLF, LF and lone CR once each, across chunk boundaries', () => {
    const text = 'a\r\nb\nc\rd\r\r\ne\r';
    for (let size = 1; size <= text.length; size++) {
      const counter = new BreakCounter();
      for (let i = 0; i < text.length; i += size) counter.feed(Buffer.from(text.slice(i, i + size)));
      expect(counter.breaksBefore(3)).toBe(1); // after "a\r\n"
      expect(counter.breaksBefore(2)).toBe(1); // never goes back
      expect(counter.breaksBefore(text.length)).toBe(6);
      expect(counter.endsWithBreak).toBe(true);
    }
    expect(countBreaks(text)).toBe(6);
    expect(countBreaks('no breaks')).toBe(0);
  });
});

describe('ByteCheck', () => {
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

  it('finds invalid bytes and NULs at their offsets, whatever the chunking', () => {
    const bytes = Buffer.concat([Buffer.from('東京🚀'), Buffer.from([0xfc]), Buffer.from('ok\0é'), Buffer.from([0xe6, 0x9d])]);
    for (let size = 1; size <= bytes.length; size++) {
      const check = new ByteCheck();
      const found: Suspect[] = [];
      for (let i = 0; i < bytes.length; i += size) check.check(bytes.subarray(i, i + size), found);
      check.end(found);
      expect(found.map((s) => [s.offset, s.kind]), `chunk size ${size}`).toEqual([
        [10, 'utf8'],
        [13, 'nul'],
        [16, 'utf8'],
      ]);
    }
  });
});
