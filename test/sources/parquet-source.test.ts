import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParquetSource, type ParquetSourceOptions } from '../../src/sources/parquet/parquet-source.js';
import type { Cell } from '../../src/sources/source.js';
import { collect, CSV_FIXTURES, openFds, PARQUET_FIXTURES, rejectCode, rows, tempDir } from './helpers.js';

const fixture = (name: string): string => join(PARQUET_FIXTURES, name);

async function read(path: string, options?: ParquetSourceOptions) {
  const source = new ParquetSource(path, options);
  await source.open();
  return { source, items: await collect(source) };
}

// The table of scripts/fixtures/types-data.mjs, as the reader must return it.
const DUCK_COLUMNS = ['id', 'qty', 'price', 'ratio', 'active', 'name', 'category', 'amount', 'big_dec', 'day', 'ts_ms', 'ts_us', 'ts_ns', 'ts_us_utc', 'embedding', 'meta'];
const ARROW_COLUMNS = [...DUCK_COLUMNS.slice(0, 14), 'ts_ms_utc', 'ts_ns_utc', 'embedding', 'meta'];
const EXPECTED: Record<string, Cell>[] = [
  {
    id: 1, qty: 10, price: 0.1, ratio: 1.1, active: true, name: 'Zürich', category: 'city',
    amount: '12.3400', big_dec: '1234567890123456789012345678.0123456789', day: '2026-11-28',
    ts_ms: '2026-11-28T10:00:00.123', ts_us: '2026-11-28T10:00:00.123456', ts_ns: '2026-11-28T10:00:00.123456789',
    ts_us_utc: '2026-11-28T10:00:00.123456Z', ts_ms_utc: '2026-11-28T10:00:00.123Z',
    // TIMESTAMP(NANOS, UTC): DuckDB reads microseconds; the file holds .123456789
    ts_ns_utc: '2026-11-28T10:00:00.123456Z',
    embedding: [0.1, 0.2, -0.3, 1e-7], meta: '{"a":1,"b":"x"}',
  },
  {
    id: 9007199254740993n, qty: -5, price: -2.5e-7, ratio: 0.3, active: false, name: '東京 "quoted", comma', category: 'city',
    amount: '-0.0001', big_dec: '-0.0000000001', day: '1969-12-31',
    ts_ms: '1969-12-31T23:59:59.999', ts_us: '1900-01-01T00:00:00.000001', ts_ns: '1970-01-01T00:00:00.000000001',
    ts_us_utc: '2000-02-29T12:00:00.000000Z', ts_ms_utc: '2000-02-29T12:00:00.500Z', ts_ns_utc: '2000-02-29T12:00:00.000001Z',
    embedding: [1, 2.5, 3, -4], meta: '{"a":-2,"b":"ü"}',
  },
  {
    id: -42, qty: null, price: null, ratio: null, active: null, name: null, category: null, amount: null, big_dec: null,
    day: null, ts_ms: null, ts_us: null, ts_ns: null, ts_us_utc: null, ts_ms_utc: null, ts_ns_utc: null, embedding: null, meta: null,
  },
  {
    id: -9223372036854775808n, qty: 2147483647, price: 1e21, ratio: 16777216, active: true, name: 'emoji 🚀\nsecond line', category: 'other',
    amount: '99999999999999.9999', big_dec: '0.0000000000', day: '9999-12-31',
    ts_ms: '2262-04-11T23:47:16.854', ts_us: '2099-12-31T23:59:59.999999', ts_ns: '2262-04-11T23:47:16.000000999',
    ts_us_utc: '1970-01-01T00:00:00.000000Z', ts_ms_utc: '1970-01-01T00:00:00.000Z',
    // the file holds 1900-01-01T00:00:00.000000001Z: DuckDB divides toward zero before 1970, so 1 µs later
    ts_ns_utc: '1900-01-01T00:00:00.000001Z',
    embedding: [0, 1.5e300, 5e-324, 123.456], meta: '{"a":null,"b":""}',
  },
  {
    id: 7, qty: 0, price: 3.141592653589793, ratio: -0.5, active: false, name: '', category: 'other',
    amount: '0.0000', big_dec: '99999999999999999999999999.9999999999', day: '2000-01-01',
    ts_ms: '2000-01-01T00:00:00.000', ts_us: '2000-01-01T00:00:00.000000', ts_ns: '2000-01-01T00:00:00.000000000',
    ts_us_utc: '2026-06-30T23:59:59.999999Z', ts_ms_utc: '2026-06-30T23:59:59.999Z', ts_ns_utc: '2026-06-30T23:59:59.999999Z',
    embedding: [], meta: '{"a":7,"b":null}',
  },
];

const pick = (row: Record<string, Cell>, columns: readonly string[]) => Object.fromEntries(columns.map((c) => [c, row[c]]));

describe('ParquetSource reads what real writers write', () => {
  it.each([
    ['duckdb-snappy.parquet', DUCK_COLUMNS],
    ['duckdb-zstd.parquet', DUCK_COLUMNS],
    ['duckdb-gzip.parquet', DUCK_COLUMNS],
    ['duckdb-zstd-v2.parquet', DUCK_COLUMNS], // DuckDB PARQUET_VERSION v2: DELTA_*, BYTE_STREAM_SPLIT encodings
    ['arrow-snappy.parquet', ARROW_COLUMNS], // parquet-rs, pyarrow-like: dictionary on every column, one row group
    ['arrow-gzip.parquet', ARROW_COLUMNS],
    ['arrow-zstd-v2.parquet', ARROW_COLUMNS], // parquet-rs DATA_PAGE_V2
  ])('%s: exact values, file column order', async (name, columns) => {
    const { source, items } = await read(fixture(name));
    expect(source.columns).toEqual(columns);
    expect(source.rowCount).toBe(5);
    const got = rows(items);
    expect(got.map((r) => [r.index, r.line])).toEqual([
      [0, 2],
      [1, 3],
      [2, 4],
      [3, 5],
      [4, 6],
    ]);
    expect(got.map((r) => r.values)).toEqual(EXPECTED.map((row) => pick(row, columns)));
    expect(got.map((r) => Object.keys(r.values))).toEqual(got.map(() => columns));
  });

  it('streams several row groups and chunks in file order', async () => {
    const { source, items } = await read(fixture('rows-5000.parquet'));
    expect(source.columns).toEqual(['id', 'label', 'flag', 'color']);
    expect(items).toHaveLength(5000);
    rows(items).forEach((row, i) => {
      expect(row).toEqual({ index: i, line: i + 2, values: { id: i, label: `row-${i}`, flag: i % 7 === 0, color: ['red', 'green', 'blue'][i % 3] } });
    });
  });
});

describe('ParquetSource refusals', () => {
  it('refuses a file whose footer is cut off, naming it', async () => {
    const message = await rejectCode(new ParquetSource(fixture('corrupt-footer.parquet')).open(), 'SOURCE_CORRUPT');
    expect(message).toContain('corrupt-footer.parquet');
  });

  it('refuses a file that is not Parquet', async () => {
    const message = await rejectCode(new ParquetSource(join(CSV_FIXTURES, 'types.csv')).open(), 'SOURCE_CORRUPT');
    expect(message).toContain('types.csv');
  });

  it('fails with SOURCE_READ_FAILED when a data page is damaged (the footer still reads)', async () => {
    const dir = tempDir();
    const bytes = Buffer.from(readFileSync(fixture('rows-5000.parquet')));
    bytes.fill(0xff, 5000, 5064);
    const path = join(dir, 'damaged.parquet');
    writeFileSync(path, bytes);
    const source = new ParquetSource(path);
    await source.open();
    expect(await rejectCode(collect(source), 'SOURCE_READ_FAILED')).toContain('damaged.parquet');
  });

  it('refuses two columns with the same name', async () => {
    const message = await rejectCode(new ParquetSource(fixture('duplicate-columns.parquet')).open(), 'SOURCE_DUPLICATE_COLUMN');
    expect(message).toContain('"a" as columns 1 and 2');
  });

  it('refuses a missing file', async () => {
    await rejectCode(new ParquetSource(fixture('missing.parquet')).open(), 'SOURCE_NOT_FOUND');
  });

  it('refuses unsupported column types before any row, naming them', async () => {
    const message = await rejectCode(new ParquetSource(fixture('unsupported-types.parquet')).open(), 'SOURCE_UNSUPPORTED_TYPE');
    expect(message).toContain('payload (BLOB)');
    expect(message).toContain('wait (INTERVAL)');
    expect(message).not.toContain('id (');
  });

  it("leaves unsupported columns out with unsupported: 'skip'", async () => {
    const { source, items } = await read(fixture('unsupported-types.parquet'), { unsupported: 'skip' });
    expect(source.columns).toEqual(['id']);
    expect(source.skippedColumns).toEqual(['payload (BLOB)', 'wait (INTERVAL)']);
    expect(rows(items)).toEqual([{ index: 0, line: 2, values: { id: 1 } }]);
  });

  it('reads a file whose name holds glob characters, and only that file', async () => {
    const dir = tempDir();
    const path = join(dir, 'odd[1]*.parquet');
    copyFileSync(fixture('duckdb-snappy.parquet'), path);
    expect(rows((await read(path)).items)).toHaveLength(5);
    copyFileSync(fixture('duckdb-snappy.parquet'), join(dir, 'odd1-copy.parquet'));
    await rejectCode(new ParquetSource(path).open(), 'SOURCE_NOT_FOUND');
  });

  it('refuses invalid options', () => {
    expect(() => new ParquetSource('x.parquet', { threads: 0 })).toThrow(/Expected `threads` to be an integer from 1 to 64, got `0` \(number\)/);
  });
});

describe('ParquetSource early exit and abort', () => {
  it('releases DuckDB when the consumer breaks, and reads again from the start', async () => {
    const source = new ParquetSource(fixture('rows-5000.parquet'));
    await source.open();
    await collect(source); // warm up: DuckDB's first use loads what it keeps for the process
    const before = openFds(fixture('rows-5000.parquet'));
    for (let k = 0; k < 10; k++) {
      let n = 0;
      for await (const item of source.items()) {
        expect(item.kind).toBe('row');
        if (++n === 3000) break;
      }
    }
    expect(openFds(fixture('rows-5000.parquet'))).toBe(before);
    expect(await collect(source)).toHaveLength(5000);
  });

  it('throws the abort reason, releases DuckDB, and can read again', async () => {
    const source = new ParquetSource(fixture('rows-5000.parquet'));
    await source.open();
    await collect(source);
    const before = openFds(fixture('rows-5000.parquet'));
    const controller = new AbortController();
    let seen = 0;
    await expect(
      (async () => {
        for await (const _ of source.items({ signal: controller.signal })) {
          if (++seen === 100) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toBe(100);
    expect(openFds(fixture('rows-5000.parquet'))).toBe(before);
    expect(await collect(source)).toHaveLength(5000);
  });

  it('does not start when the signal is already aborted', async () => {
    const source = new ParquetSource(fixture('rows-5000.parquet'));
    await source.open();
    await expect(collect(source, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});
