import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvSource } from '../../src/sources/csv/csv-source.js';
import { openSource, resolveFormat } from '../../src/sources/open-source.js';
import { ParquetSource } from '../../src/sources/parquet/parquet-source.js';
import { mulberry32, bigCsvRow, BIG_CSV_HEADER, writeBigCsv } from '../../scripts/fixtures/make-big-csv.js';
import { collect, CSV_FIXTURES, PARQUET_FIXTURES, rejectCode, rows, tempDir } from './helpers.js';

describe('openSource', () => {
  it('picks the reader from the extension and opens it', async () => {
    const csv = await openSource(join(CSV_FIXTURES, 'semicolon.csv'));
    expect(csv).toBeInstanceOf(CsvSource);
    expect(csv.columns).toEqual(['id', 'name', 'price']);
    const parquet = await openSource(join(PARQUET_FIXTURES, 'rows-5000.parquet'));
    expect(parquet).toBeInstanceOf(ParquetSource);
    expect(parquet.columns).toEqual(['id', 'label', 'flag', 'color']);
  });

  it('falls back to the magic bytes, then to CSV', async () => {
    const dir = tempDir();
    copyFileSync(join(PARQUET_FIXTURES, 'rows-5000.parquet'), join(dir, 'export.bin'));
    copyFileSync(join(CSV_FIXTURES, 'tab.tsv'), join(dir, 'export.dat'));
    expect(await resolveFormat(join(dir, 'export.bin'))).toBe('parquet');
    expect(await resolveFormat(join(dir, 'export.dat'))).toBe('csv');
    await rejectCode(resolveFormat(join(dir, 'missing.dat')), 'SOURCE_NOT_FOUND');
  });

  it('lets --format override the extension', async () => {
    const source = await openSource(join(CSV_FIXTURES, 'tab.tsv'), { format: 'csv', csv: { delimiter: ',' } });
    expect(source.columns).toEqual(['id\tname\tnote']);
    await rejectCode(openSource(join(CSV_FIXTURES, 'tab.tsv'), { format: 'parquet' }), 'SOURCE_CORRUPT');
    await rejectCode(openSource(join(CSV_FIXTURES, 'tab.tsv'), { format: 'xlsx' }), 'SOURCE_CORRUPT');
    await rejectCode(openSource(join(CSV_FIXTURES, 'tab.tsv'), { format: 'ods' as 'csv' }), 'USAGE_OPTION');
  });
});

describe('scripts/fixtures/make-big-csv.ts', () => {
  it('writes rows that read back cell for cell, with the right lines', async () => {
    const dir = tempDir();
    const path = join(dir, 'big.csv');
    await writeBigCsv(path, 3000, { crlf: true, bom: true, seed: 7 });
    const source = await openSource(path);
    expect(source.columns).toEqual([...BIG_CSV_HEADER]);
    const rand = mulberry32(7);
    const got = rows(await collect(source));
    expect(got).toHaveLength(3000);
    got.forEach((row, i) => {
      expect(row.line).toBe(i + 2);
      expect(Object.values(row.values)).toEqual(bigCsvRow(i, rand));
    });
  });
});
