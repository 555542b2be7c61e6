import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvSource } from '../../src/sources/csv/csv-source.js';
import { MetaError } from '../../src/errors.js';
import { bads, collect, CSV_FIXTURES, openFds, rejectCode, rows, tempDir, writeTemp } from './helpers.js';

const fixture = (name: string): string => join(CSV_FIXTURES, name);

async function read(path: string, options?: ConstructorParameters<typeof CsvSource>[1]) {
  const source = new CsvSource(path, options);
  await source.open();
  return { source, items: await collect(source) };
}

describe('CsvSource line numbers', () => {
  // lines-*.csv: records start on lines 2, 3, 6, 9; line 5 is empty; 3-4 and 6-8 are quoted multi-line cells.
  it.each([
    ['lines-lf.csv', '\n'],
    ['lines-crlf.csv', '\r\n'],
    ['lines-cr.csv', '\r'],
    ['lines-crlf-lf-in-quotes.csv', '\n'],
  ])('%s: exact start lines, breaks inside quotes kept as written', async (name, inner) => {
    const { source, items } = await read(fixture(name));
    expect(source.columns).toEqual(['id', 'note', 'n']);
    expect(items.map((i) => i.kind)).toEqual(['row', 'row', 'row', 'row']);
    expect(rows(items).map((r) => [r.index, r.line])).toEqual([
      [0, 2],
      [1, 3],
      [2, 6],
      [3, 9],
    ]);
    expect(rows(items).map((r) => r.values['note'])).toEqual(['plain', `two${inner}lines`, `three${inner}lines${inner}here`, 'a "quoted", word']);
  });

  it('counts a header that spans lines, and blank lines before it', async () => {
    const dir = tempDir();
    const { source, items } = await read(writeTemp(dir, 'h.csv', '\n\n"multi\nline",b\n1,2\n'));
    expect(source.columns).toEqual(['multi\nline', 'b']);
    expect(rows(items)[0]).toEqual({ index: 0, line: 5, values: { 'multi\nline': '1', b: '2' } });
  });

  it('gives the same items whatever the chunk size', async () => {
    for (const [name, encoding] of [['lines-crlf.csv'], ['types.csv'], ['unbalanced-quote.csv'], ['latin1.csv', 'windows-1252'], ['bom-crlf.csv'], ['extra-column.csv'], ['utf16.csv']] as const) {
      const whole = (await read(fixture(name), { encoding })).items;
      for (const chunkSize of [1, 2, 3, 5, 7, 64]) {
        expect((await read(fixture(name), { chunkSize, encoding })).items, `${name} chunkSize ${chunkSize}`).toEqual(whole);
      }
    }
  });
});

describe('CsvSource dialect', () => {
  it('strips a UTF-8 BOM and reads CRLF with CRLF inside quotes', async () => {
    const { source, items } = await read(fixture('bom-crlf.csv'));
    expect(source.columns).toEqual(['id', 'city', 'note']);
    expect(rows(items)).toEqual([
      { index: 0, line: 2, values: { id: '1', city: 'Zürich', note: 'multi\r\nline' } },
      { index: 1, line: 4, values: { id: '2', city: '東京', note: 'plain' } },
    ]);
  });

  it('detects a semicolon delimiter (commas in cells stay text)', async () => {
    const { source, items } = await read(fixture('semicolon.csv'));
    expect(source.delimiter).toBe(';');
    expect(rows(items).map((r) => r.values)).toEqual([
      { id: '1', name: 'Müller; Hans', price: '12,5' },
      { id: '2', name: 'Smith, John', price: '3,0' },
    ]);
  });

  it('detects a tab delimiter', async () => {
    const { source, items } = await read(fixture('tab.tsv'));
    expect(source.delimiter).toBe('\t');
    expect(rows(items).map((r) => r.values['note'])).toEqual(['comma, inside', 'x']);
    expect(rows(items)[1]!.values['name']).toBe('Tab\there');
  });

  it('honours an explicit delimiter over detection', async () => {
    const { source } = await read(fixture('semicolon.csv'), { delimiter: ',' });
    expect(source.delimiter).toBe(',');
    expect(source.columns).toEqual(['id;name;price']);
  });

  it('keeps cells exactly as written: no trimming, no casting', async () => {
    const dir = tempDir();
    const { items } = await read(writeTemp(dir, 'raw.csv', 'a,b,c,d\n 007 ,"  x  ",,1e3\n'));
    expect(rows(items)[0]!.values).toEqual({ a: ' 007 ', b: '  x  ', c: '', d: '1e3' });
  });

  it('keeps a column named __proto__ as a plain own property', async () => {
    const dir = tempDir();
    const { items } = await read(writeTemp(dir, 'proto.csv', '__proto__,b\nx,y\n'));
    const values = rows(items)[0]!.values;
    expect(Object.keys(values)).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
  });

  it('reads a 10 MB cell and the rows after it', async () => {
    const dir = tempDir();
    const big = 'x'.repeat(10 * 1024 * 1024);
    const { items } = await read(writeTemp(dir, 'big.csv', `id,blob\n1,"${big}\n${big.slice(0, 10)}"\n2,after\n`));
    expect(rows(items).map((r) => [r.line, (r.values['blob'] as string).length])).toEqual([
      [2, big.length + 11],
      [4, 5],
    ]);
  });

  it('reads 10,000 columns', async () => {
    const dir = tempDir();
    const names = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
    const { source, items } = await read(
      writeTemp(dir, 'wide.csv', `${names.join(',')}\n${names.map((_, i) => String(i)).join(',')}\n`),
    );
    expect(source.columns).toHaveLength(10_000);
    expect(rows(items)[0]!.values['c9999']).toBe('9999');
  });

  it('reads a header-only file as zero rows', async () => {
    const { source, items } = await read(fixture('header-only.csv'));
    expect(source.columns).toEqual(['id', 'name']);
    expect(items).toEqual([]);
  });
});

describe('CsvSource bad records', () => {
  it('a stray quote fails the lines of its record up to the quote, and reading goes on after them', async () => {
    const { items } = await read(fixture('unbalanced-quote.csv'));
    expect(items.map((i) => (i.kind === 'row' ? ['row', i.row.line] : ['bad', i.bad.line, i.bad.endLine, i.bad.code]))).toEqual([
      ['row', 2],
      ['bad', 3, 4, 'CSV_INVALID_CLOSING_QUOTE'],
      ['row', 5],
      ['row', 6],
    ]);
    expect(bads(items)[0]!.message).toMatch(/line 4 \(in the record starting on line 3\)/);
    expect(bads(items)[0]!.raw).toBe('2,b,"unbalanced\n3,c,"fine"');
    expect(items.map((i) => (i.kind === 'row' ? i.row.index : i.bad.index))).toEqual([0, 1, 2, 3]);
  });

  it('a quote never closed fails its own line, and the lines after it are read (they used to be swallowed)', async () => {
    const { items } = await read(fixture('unclosed-quote.csv'));
    expect(rows(items).map((r) => r.line)).toEqual([2, 4, 5]);
    expect(bads(items)).toEqual([
      {
        index: 1,
        line: 3,
        code: 'CSV_QUOTE_NOT_CLOSED',
        message: expect.stringMatching(/line 3 is never closed; line 3 is skipped and reading goes on with line 4/) as unknown as string,
        values: {},
        raw: '2,"b',
      },
    ]);
  });

  it('reports wrong field counts with the fields recovered', async () => {
    const { items } = await read(fixture('extra-column.csv'));
    expect(rows(items).map((r) => r.line)).toEqual([2, 5]);
    expect(bads(items).map((b) => [b.line, b.code, b.values])).toEqual([
      [3, 'CSV_RECORD_INCONSISTENT_COLUMNS', { id: '2', name: 'b', note: 'ok' }],
      [4, 'CSV_RECORD_INCONSISTENT_COLUMNS', { id: '3', name: 'c' }],
    ]);
    expect(bads(items)[0]!.message).toBe('Wrong number of fields: expected 3 (as in the header), got 4');
  });

  it('refuses a Latin-1 file whole (it used to import its ASCII rows only), and reads it with its encoding', async () => {
    const message = await rejectCode(new CsvSource(fixture('latin1.csv')).open(), 'SOURCE_INVALID_UTF8');
    expect(message).toMatch(/0xFC on line 3 .*--encoding windows-1252/);
    const { items } = await read(fixture('latin1.csv'), { encoding: 'latin1' });
    expect(rows(items).map((r) => [r.line, r.values['city']])).toEqual([
      [2, 'Paris'],
      [3, 'Zürich'],
      [4, 'Lyon'],
    ]);
  });

  it('refuses a cell holding U+FFFD: it marks a byte lost to decoding (it used to be read as text)', async () => {
    const dir = tempDir();
    const { items } = await read(writeTemp(dir, 'fffd.csv', 'a\n\uFFFD\nok\n'));
    expect(bads(items).map((b) => [b.line, b.code])).toEqual([[2, 'SOURCE_INVALID_UTF8']]);
    expect(rows(items).map((r) => r.values['a'])).toEqual(['ok']);
  });

  it('reports a NUL byte in a cell', async () => {
    const { items } = await read(fixture('nul-byte.csv'));
    expect(rows(items).map((r) => r.line)).toEqual([2, 4]);
    expect(bads(items).map((b) => [b.line, b.code])).toEqual([[3, 'SOURCE_NUL_BYTE']]);
  });

  it('stops with SOURCE_RECORD_TOO_LARGE past maxRecordSize', async () => {
    const dir = tempDir();
    const source = new CsvSource(writeTemp(dir, 'huge.csv', `a\nok\n"${'y'.repeat(4096)}"\n`), { maxRecordSize: 1024 });
    await source.open();
    const message = await rejectCode(collect(source), 'SOURCE_RECORD_TOO_LARGE');
    expect(message).toMatch(/line 3 /);
  });
});

describe('CsvSource refusals at open()', () => {
  it.each([
    ['empty.csv', 'SOURCE_EMPTY', /has no header row/],
    ['duplicate-header.csv', 'SOURCE_DUPLICATE_COLUMN', /"id" as columns 1 and 3/],
    ['empty-header-name.csv', 'SOURCE_EMPTY_COLUMN_NAME', /column 2/],
    ['no-such-file.csv', 'SOURCE_NOT_FOUND', /no such file/],
  ])('%s -> %s', async (name, code, pattern) => {
    const message = await rejectCode(new CsvSource(fixture(name)).open(), code);
    expect(message).toMatch(pattern);
    expect(message).toContain(name);
  });

  it('reads UTF-16 with a byte-order mark (it used to refuse it)', async () => {
    const { source, items } = await read(fixture('utf16.csv'));
    expect(source.encoding).toBe('utf-16le');
    expect(source.columns).toEqual(['id', 'name']);
    expect(rows(items)).toEqual([{ index: 0, line: 2, values: { id: '1', name: 'a' } }]);
  });

  it('refuses a header with a quote never closed', async () => {
    const dir = tempDir();
    await rejectCode(new CsvSource(writeTemp(dir, 'badhead.csv', 'a,"b\n1,2\n')).open(), 'SOURCE_BAD_HEADER');
  });

  it('refuses a header that is not valid UTF-8 or holds a NUL byte', async () => {
    const dir = tempDir();
    const latin1 = writeTemp(dir, 'latin1-head.csv', Buffer.from('id,Stra\u00dfe\n1,2\n', 'latin1'));
    expect(await rejectCode(new CsvSource(latin1).open(), 'SOURCE_INVALID_UTF8')).toMatch(/0xDF.*line 1/);
    await rejectCode(new CsvSource(writeTemp(dir, 'nul-head.csv', 'id,a\0b\n1,2\n')).open(), 'SOURCE_NUL_BYTE');
  });

  it('does not fail open() for a problem after the header', async () => {
    const source = new CsvSource(fixture('unclosed-quote.csv'), { maxRecordSize: 1024 });
    await source.open();
    expect(source.columns).toEqual(['id', 'name']);
  });

  it('refuses invalid options before any I/O', () => {
    expect(() => new CsvSource('x.csv', { delimiter: '|' as ',' })).toThrow(MetaError);
    expect(() => new CsvSource('x.csv', { maxRecordSize: 0 })).toThrow(/Expected `maxRecordSize` to be an integer of at least 1024, got `0` \(number\)/);
  });
});

describe('CsvSource early exit and abort', () => {
  it('releases the file when the consumer breaks, and reads again from the start', async () => {
    const source = new CsvSource(fixture('lines-crlf.csv'), { chunkSize: 8 });
    await source.open();
    const before = openFds(source.path);
    let whileReading: number | undefined;
    for (let k = 0; k < 20; k++) {
      for await (const item of source.items()) {
        expect(item.kind).toBe('row');
        whileReading = openFds(source.path);
        break;
      }
    }
    if (before !== undefined) expect(whileReading).toBe(before + 1); // the count sees the reader's descriptor
    expect(openFds(source.path)).toBe(before);
    expect(rows(await collect(source)).map((r) => r.line)).toEqual([2, 3, 6, 9]);
  });

  it('throws the abort reason, releases the file, and can read again', async () => {
    const source = new CsvSource(fixture('lines-lf.csv'), { chunkSize: 4 });
    await source.open();
    const before = openFds(source.path);
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of source.items({ signal: controller.signal })) {
          if (item.kind === 'row') seen.push(item.row.line);
          controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([2]);
    expect(openFds(source.path)).toBe(before);
    expect(rows(await collect(source))).toHaveLength(4);
  });

  it('does not start when the signal is already aborted', async () => {
    const source = new CsvSource(fixture('lines-lf.csv'));
    await source.open();
    await expect(collect(source, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});
