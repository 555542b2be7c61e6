/**
 * The CSV reader's data-safety promises: a malformed record fails alone (the rows after it are read), every
 * unreadable line reaches the failure report with its exact text, a file in the wrong encoding is refused
 * whole instead of half-imported, and text that lost a byte to decoding (U+FFFD) is never written.
 */
import { describe, expect, it } from 'vitest';
import { CsvSource, type CsvSourceOptions } from '../../src/sources/csv/csv-source.js';
import { CsvRecordSplitter, type CsvEvent } from '../../src/sources/csv/csv-records.js';
import { Transcoder } from '../../src/sources/csv/decode.js';
import { bads, collect, rejectCode, rows, tempDir, writeTemp } from './helpers.js';

const dir = tempDir();
let n = 0;
async function read(content: string | Buffer, options?: CsvSourceOptions) {
  const source = new CsvSource(writeTemp(dir, `f${n++}.csv`, content), options);
  await source.open();
  return { source, items: await collect(source) };
}

/** [line, 'ok'] for a row, [line, code, raw] for a bad record. */
function shape(items: Awaited<ReturnType<typeof read>>['items']): unknown[][] {
  return items.map((i) => (i.kind === 'row' ? [i.row.line, 'ok'] : [i.bad.line, i.bad.code, i.bad.raw]));
}

const cp1252 = (text: string): Buffer => {
  const table: Record<string, number> = { '€': 0x80, 'œ': 0x9c, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, 'Œ': 0x8c, 'š': 0x9a };
  return Buffer.from([...text].map((ch) => table[ch] ?? (ch.codePointAt(0)! < 256 ? ch.codePointAt(0)! : 0x3f)));
};

describe('a malformed record fails alone', () => {
  it('stray quote fails alone: 97,"q"x,2 is one bad record and the later rows are read', async () => {
    const { items } = await read('id,v\n96,a\n97,"q"x,2\n98,b\n99,"multi\nline"\n100,c\n');
    expect(shape(items)).toEqual([
      [2, 'ok'],
      [3, 'CSV_INVALID_CLOSING_QUOTE', '97,"q"x,2'],
      [4, 'ok'],
      [5, 'ok'],
      [7, 'ok'],
    ]);
    expect(rows(items).map((r) => r.values['v'])).toEqual(['a', 'b', 'multi\nline', 'c']);
    expect(items.map((i) => (i.kind === 'row' ? i.row.index : i.bad.index))).toEqual([0, 1, 2, 3, 4]);
  });

  it('stray quotes in consecutive records count one bad record each, each with its exact line', async () => {
    const { items } = await read('a,b\r\n1,"x"y\r\n2,3\r\n4,"5"z\r\n7,x"y\r\n8,9\r\n');
    expect(shape(items)).toEqual([
      [2, 'CSV_INVALID_CLOSING_QUOTE', '1,"x"y'],
      [3, 'ok'],
      [4, 'CSV_INVALID_CLOSING_QUOTE', '4,"5"z'],
      [5, 'CSV_INVALID_OPENING_QUOTE', '7,x"y'],
      [6, 'ok'],
    ]);
    expect(bads(items)[0]!.message).toMatch(/line 2/);
  });

  it('a quote never closed fails its own line only; reading resumes on the next line', async () => {
    const { items } = await read('a,b\n1,2\n3,"open\n4,5\n6,7\n');
    expect(shape(items)).toEqual([
      [2, 'ok'],
      [3, 'CSV_QUOTE_NOT_CLOSED', '3,"open'],
      [4, 'ok'],
      [5, 'ok'],
    ]);
  });

  it('a quote inside an unquoted field (a"b) fails that line alone, as Excel would not write it', async () => {
    const { items } = await read('a,b\n1,12" screen\n2,ok\n');
    expect(shape(items)).toEqual([
      [2, 'CSV_INVALID_OPENING_QUOTE', '1,12" screen'],
      [3, 'ok'],
    ]);
  });

  it('a stray quote on a later line of a multi-line cell fails the lines of that record, not the file', async () => {
    const { items } = await read('a,b\n1,"first\nsecond "x" third"\n2,ok\n');
    expect(shape(items)).toEqual([
      [2, 'CSV_INVALID_CLOSING_QUOTE', '1,"first\nsecond "x" third"'],
      [4, 'ok'],
    ]);
    expect(bads(items)[0]!.endLine).toBe(3);
  });

  it('after a stray quote, a multi-line record of the wrong width is not taken as the resync point', async () => {
    const { items } = await read('a,b\n1,"q"x\n"2\n3,4\n5,6"\n7,8\n');
    expect(shape(items)[0]).toEqual([2, 'CSV_INVALID_CLOSING_QUOTE', '1,"q"x']);
    expect(shape(items).at(-1)).toEqual([6, 'ok']);
    // Every physical line is accounted for: no line between 2 and 6 disappears without a report.
    expect(items.flatMap((i) => (i.kind === 'row' ? [i.row.line] : [i.bad.line]))).toEqual([2, 3, 4, 5, 6]);
  });

  it('_raw holds the exact physical line, line ends excluded, for a wrong field count too', async () => {
    const { items } = await read('a,b\r\n1,"x\r\ny",3\r\n 2 , "q"x ,\r\n');
    expect(bads(items).map((b) => [b.line, b.code, b.raw])).toEqual([
      [2, 'CSV_RECORD_INCONSISTENT_COLUMNS', '1,"x\r\ny",3'],
      [4, 'CSV_INVALID_OPENING_QUOTE', ' 2 , "q"x ,'],
    ]);
  });

  it('gives the same items whatever the chunk size', async () => {
    const text = 'id,v\n96,a\n97,"q"x,2\n98,"b\r\nc"\r\n99,x"y\n100,"open\n101,d\n';
    const path = writeTemp(dir, 'chunks.csv', text);
    const itemsOf = async (chunkSize?: number) => {
      const source = new CsvSource(path, { chunkSize });
      await source.open();
      return collect(source);
    };
    const whole = await itemsOf();
    expect(bads(whole).map((b) => b.message)).toEqual([expect.stringContaining('chunks.csv line 3'), expect.stringContaining('chunks.csv line 6'), expect.stringContaining('chunks.csv line 7')]);
    for (const chunkSize of [1, 2, 3, 5, 7, 64]) expect(await itemsOf(chunkSize), `chunk ${chunkSize}`).toEqual(whole);
  });
});

describe('a file in the wrong encoding is refused whole', () => {
  const excel = cp1252('id,city,note\n1,Paris,ok\n2,Zürich,5 €\n3,Lyon,cœur “quoted”\n');

  it('Windows-1252 file refused whole at open() with SOURCE_INVALID_UTF8 and a hint to --encoding windows-1252', async () => {
    const message = await rejectCode(new CsvSource(writeTemp(dir, 'excel.csv', excel)).open(), 'SOURCE_INVALID_UTF8');
    expect(message).toMatch(/line 3/);
    expect(message).toMatch(/0xFC/);
    expect(message).toContain('--encoding windows-1252');
  });

  it('Windows-1252 file imported exactly with encoding windows-1252 (Zürich, €, œ, curly quotes)', async () => {
    const { items } = await read(excel, { encoding: 'windows-1252' });
    expect(rows(items).map((r) => [r.line, r.values['city'], r.values['note']])).toEqual([
      [2, 'Paris', 'ok'],
      [3, 'Zürich', '5 €'],
      [4, 'Lyon', 'cœur “quoted”'],
    ]);
    expect((await read(excel, { encoding: 'cp1252' })).items).toEqual(items);
  });

  it('Windows-1252 file: a stray quote fails alone with its decoded line in _raw, line numbers exact', async () => {
    const { items } = await read(cp1252('id,city\r\n1,"Zürich"x €\r\n2,"multi\r\nœ"\r\n3,ok\r\n'), { encoding: 'windows-1252' });
    expect(shape(items)).toEqual([
      [2, 'CSV_INVALID_CLOSING_QUOTE', '1,"Zürich"x €'],
      [3, 'ok'],
      [5, 'ok'],
    ]);
    expect(rows(items)[0]!.values['city']).toBe('multi\r\nœ');
  });

  it('latin1 decodes ISO-8859-1 exactly and refuses the C1 bytes 0x80–0x9F rather than guess', async () => {
    const { items } = await read(Buffer.concat([Buffer.from('id,city\n1,Z\u00fcrich\n2,', 'latin1'), Buffer.from([0x80]), Buffer.from('\n3,ok\n')]), { encoding: 'iso-8859-1' });
    expect(shape(items)).toEqual([
      [2, 'ok'],
      [3, 'SOURCE_INVALID_ENCODING', '2,\\x80'],
      [4, 'ok'],
    ]);
    expect(rows(items)[0]!.values['city']).toBe('Zürich');
    expect(bads(items)[0]!.message).toContain('--encoding windows-1252');
  });

  it.each([
    ['gzip', Buffer.from('1f8b08000000000000034b4c4a0600c241243503000000', 'hex'), /a gzip file.*gunzip/],
    ['png', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), /a PNG image/],
    ['zip', Buffer.from('504b030414000000080093ff', 'hex'), /a zip archive.*--format xlsx/],
  ])('a %s file named .csv is refused as not text, naming what it is (not "probably Windows-1252")', async (kind, bytes, says) => {
    const message = await rejectCode(new CsvSource(writeTemp(dir, `${kind}.csv`, bytes)).open(), 'SOURCE_INVALID_UTF8');
    expect(message).toMatch(says);
    expect(message).not.toContain('Windows-1252');
  });

  it('a UTF-8 file read with --encoding windows-1252 is refused, not turned into mojibake', async () => {
    const message = await rejectCode(new CsvSource(writeTemp(dir, 'u8.csv', 'id,city\n1,Zürich\n'), { encoding: 'windows-1252' }).open(), 'SOURCE_UNSUPPORTED_ENCODING');
    expect(message).toMatch(/valid UTF-8/);
  });

  it('one character cut by the end of the file stays a per-row failure (a truncated file, not a wrong encoding)', async () => {
    const { items } = await read(Buffer.concat([Buffer.from('id,city\n1,ok\n2,Caf'), Buffer.from([0xc3])]));
    expect(shape(items)).toEqual([
      [2, 'ok'],
      [3, 'SOURCE_INVALID_UTF8', '2,Caf\\xC3'],
    ]);
  });

  it('invalid UTF-8 past the first 1 MiB fails its row, with the byte shown as \\xFC in _raw', async () => {
    const pad = 'x'.repeat(100);
    const lines = Array.from({ length: 11_000 }, (_, i) => `${i},${pad}`).join('\n');
    const { items } = await read(Buffer.concat([Buffer.from(`id,city\n${lines}\n`), Buffer.from('x,Z\\'), Buffer.from([0xfc]), Buffer.from('rich\nlast,ok\n')]));
    const bad = bads(items);
    expect(bad.map((b) => [b.line, b.code, b.raw])).toEqual([[11_002, 'SOURCE_INVALID_UTF8', 'x,Z\\\\\\xFCrich']]);
    expect(bad[0]!.message).toContain('--encoding windows-1252');
    expect(rows(items).at(-1)!.values['id']).toBe('last');
  });

  it('a cell holding U+FFFD (what a failure report shows for an undecodable byte) is refused, never read as text', async () => {
    const { items } = await read('id,city,_raw\n1,Z\uFFFDrich,"1,Z\\xFCrich"\n2,ok,\n');
    expect(shape(items)).toEqual([
      [2, 'SOURCE_INVALID_UTF8', '1,Z\uFFFDrich,"1,Z\\xFCrich"'],
      [3, 'ok'],
    ]);
    expect(bads(items)[0]!.message).toMatch(/U\+FFFD.*column 2.*undecodable byte/);
    expect(bads(items)[0]!.message).toMatch(/_raw/);
  });
});

describe('UTF-16', () => {
  it('UTF-16LE with BOM, tab-separated (Excel "Unicode text") is read with no flag', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id\tcity\r\n1\tZürich\r\n2\t東京 🚀\r\n3\t"a\r\nb"\r\n', 'utf16le')]);
    const { source, items } = await read(bytes);
    expect(source.delimiter).toBe('\t');
    expect(source.columns).toEqual(['id', 'city']);
    expect(rows(items).map((r) => [r.line, r.values['city']])).toEqual([
      [2, 'Zürich'],
      [3, '東京 🚀'],
      [4, 'a\r\nb'],
    ]);
    const chunked = await read(bytes, { chunkSize: 1 });
    expect(chunked.items).toEqual(items);
  });

  it('UTF-16BE with BOM is read with no flag', async () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('id,city\n1,Zürich\n', 'utf16le').swap16()]);
    expect(rows((await read(bytes)).items).map((r) => r.values['city'])).toEqual(['Zürich']);
  });

  it.each([
    ['utf-16le', Buffer.from('id,city\n1,Zürich\n', 'utf16le')],
    ['utf-16be', Buffer.from('id,city\n1,Zürich\n', 'utf16le').swap16()],
  ])('UTF-16 without BOM is refused with a hint naming --encoding %s, then read with it', async (encoding, bytes) => {
    const path = writeTemp(dir, `nobom-${encoding}.csv`, bytes);
    const message = await rejectCode(new CsvSource(path).open(), 'SOURCE_UNSUPPORTED_ENCODING');
    expect(message).toContain(`--encoding ${encoding}`);
    const source = new CsvSource(path, { encoding: encoding as 'utf-16le' });
    await source.open();
    expect(rows(await collect(source)).map((r) => r.values['city'])).toEqual(['Zürich']);
  });

  it('a UTF-8 file read with --encoding utf-16le/be is refused, not turned into unrelated characters', async () => {
    for (const encoding of ['utf-16le', 'utf-16be'] as const) {
      const message = await rejectCode(new CsvSource(writeTemp(dir, `u8-as-${encoding}.csv`, 'index,city\n1,Zürich\n'), { encoding }).open(), 'SOURCE_UNSUPPORTED_ENCODING');
      expect(message).toContain('import it without --encoding');
    }
  });

  it('UTF-16 in the other byte order than the one given is refused, naming the right one', async () => {
    const le = writeTemp(dir, 'le-as-be.csv', Buffer.from('id,city\n1,Zürich\n', 'utf16le'));
    expect(await rejectCode(new CsvSource(le, { encoding: 'utf-16be' }).open(), 'SOURCE_UNSUPPORTED_ENCODING')).toContain('--encoding utf-16le');
  });

  it('UTF-16LE without BOM whose text is mostly CJK is still read with --encoding utf-16le', async () => {
    const path = writeTemp(dir, 'cjk-16.csv', Buffer.from('id,城市\n1,東京都渋谷区\n2,上海市浦东新区\n', 'utf16le'));
    const source = new CsvSource(path, { encoding: 'utf-16le' });
    await source.open();
    expect(rows(await collect(source)).map((r) => r.values['城市'])).toEqual(['東京都渋谷区', '上海市浦东新区']);
  });

  it('refuses an encoding that contradicts the byte-order mark', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id\n1\n', 'utf16le')]);
    await rejectCode(new CsvSource(writeTemp(dir, 'bom-clash.csv', bytes), { encoding: 'windows-1252' }).open(), 'SOURCE_UNSUPPORTED_ENCODING');
  });

  it('refuses an unknown encoding name before any I/O', () => {
    expect(() => new CsvSource('x.csv', { encoding: 'ebcdic' as 'utf-8' })).toThrow(/Expected `encoding` to be one of/);
  });
});

describe('decoders across chunk boundaries', () => {
  const text = 'a,b\r\nZürich,€ œ “q”\r\n東京,🚀🚀\r\n';
  it.each([
    ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['utf-16be', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
    ['utf-8', Buffer.from(`\ufeff${text}`)],
  ])('%s: every split of the bytes decodes to the same text', (encoding, bytes) => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (const step of [1, 3]) {
        const t = new Transcoder(encoding as 'utf-8');
        const parts: Buffer[] = [t.write(bytes.subarray(0, cut))];
        for (let i = cut; i < bytes.length; i += step) parts.push(t.write(bytes.subarray(i, i + step)));
        parts.push(t.end());
        expect(Buffer.concat(parts).toString('utf8'), `cut ${cut} step ${step}`).toBe(`\ufeff${text}`);
      }
    }
  });

  it('windows-1252: every byte split decodes exactly', () => {
    const bytes = cp1252('Zürich,€ œ “q”\n');
    const t = new Transcoder('windows-1252');
    const out = Buffer.concat([...bytes].map((b) => t.write(Buffer.from([b]))));
    expect(out.toString('utf8')).toBe('Zürich,€ œ “q”\n');
  });

  it('the splitter gives the same events for a UTF-16 file split at every byte', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\tb\n1\t"x\ny"\n2\t🚀\n3\t"q"z\n4\tok\n', 'utf16le')]);
    const split = (size: number): CsvEvent[] => {
      const s = new CsvRecordSplitter({ name: 't.csv', delimiter: '\t', maxRecordSize: 1 << 20, encoding: 'utf-16le' });
      const out: CsvEvent[] = [];
      for (let i = 0; i < bytes.length; i += size) out.push(...s.write(bytes.subarray(i, i + size)));
      out.push(...s.end());
      return out;
    };
    const whole = split(bytes.length);
    expect(whole.map((e) => (e.kind === 'record' ? [e.line, e.fields] : [e.line, e.code, e.raw]))).toEqual([
      [1, ['a', 'b']],
      [2, ['1', 'x\ny']],
      [4, ['2', '🚀']],
      [5, 'CSV_INVALID_CLOSING_QUOTE', '3\t"q"z'],
      [6, ['4', 'ok']],
    ]);
    for (let size = 1; size < 12; size++) expect(split(size), `size ${size}`).toEqual(whole);
  });
});
