import { describe, expect, it } from 'vitest';
import { CsvRecordSplitter, type CsvEvent } from '../../src/sources/csv/csv-records.js';

function split(bytes: Buffer, chunkSize = bytes.length || 1, delimiter = ','): CsvEvent[] {
  const splitter = new CsvRecordSplitter({ name: 'test.csv', delimiter, maxRecordSize: 1 << 20 });
  const out: CsvEvent[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) out.push(...splitter.write(bytes.subarray(i, i + chunkSize)));
  out.push(...splitter.end());
  splitter.throwIfFailed();
  return out;
}

/** [line, endLine?, code or 'ok'] per event, the shape the tests below compare. */
function shape(events: readonly CsvEvent[]): (string | number)[][] {
  return events.map((e) => (e.kind === 'record' ? [e.line, 'ok'] : [e.line, e.endLine, e.code]));
}

describe('CsvRecordSplitter', () => {
  const cases: [string, Buffer, (string | number)[][]][] = [
    [
      'CRLF inside quotes, blank lines, a lone CR, mixed line ends',
      Buffer.from('\ufeffa,b\r\n1,"x\r\ny"\r\n\r\n2,"a""b"\n3,4\r5,"\r\r\n"\n'),
      [[1, 'ok'], [2, 'ok'], [5, 'ok'], [6, 'ok'], [7, 'ok']],
    ],
    [
      'a stray quote fails its own record only: the records after it are read',
      Buffer.from('a,b\n1,"x"y\n2,3\n\n4,"5\r\n6"\n7,x"y\n8,9\n'),
      [[1, 'ok'], [2, 2, 'CSV_INVALID_CLOSING_QUOTE'], [3, 'ok'], [5, 'ok'], [7, 7, 'CSV_INVALID_OPENING_QUOTE'], [8, 'ok']],
    ],
    [
      'a stray quote and a wrong field count in the same record are one bad record',
      Buffer.from('a,b\n1,x"y,z\n2,3\n'),
      [[1, 'ok'], [2, 2, 'CSV_INVALID_OPENING_QUOTE'], [3, 'ok']],
    ],
    [
      'a stray quote, then a later record with a wrong field count',
      Buffer.from('a,b\n1,x"y\n2,3\n4\n5,6\n'),
      [[1, 'ok'], [2, 2, 'CSV_INVALID_OPENING_QUOTE'], [3, 'ok'], [4, 4, 'CSV_RECORD_INCONSISTENT_COLUMNS'], [5, 'ok']],
    ],
    [
      'a stray quote at the last line',
      Buffer.from('a,b\n1,2\n3,x"y'),
      [[1, 'ok'], [2, 'ok'], [3, 3, 'CSV_INVALID_OPENING_QUOTE']],
    ],
    [
      'invalid UTF-8 and NUL bytes, multi-byte characters everywhere else',
      Buffer.concat([Buffer.from('a,b\n東京,🚀\n1,caf'), Buffer.from([0xe9]), Buffer.from('\n2,a\0b\n3,é\n')]),
      [[1, 'ok'], [2, 'ok'], [3, 3, 'SOURCE_INVALID_UTF8'], [4, 4, 'SOURCE_NUL_BYTE'], [5, 'ok']],
    ],
    [
      'an overlong encoding and a lone continuation byte',
      Buffer.concat([Buffer.from('a\n'), Buffer.from([0xc0, 0x80]), Buffer.from('\nok\n'), Buffer.from([0x80]), Buffer.from('\n')]),
      [[1, 'ok'], [2, 2, 'SOURCE_INVALID_UTF8'], [3, 'ok'], [4, 4, 'SOURCE_INVALID_UTF8']],
    ],
    [
      'a character cut by the end of the file',
      Buffer.concat([Buffer.from('a\nok\nx'), Buffer.from([0xe6, 0x9d])]),
      [[1, 'ok'], [2, 'ok'], [3, 3, 'SOURCE_INVALID_UTF8']],
    ],
  ];

  it.each(cases)('%s', (_name, bytes, expected) => {
    expect(shape(split(bytes))).toEqual(expected);
  });

  it.each(cases)('same events for every chunk size: %s', (_name, bytes) => {
    const whole = split(bytes);
    for (let size = 1; size <= bytes.length; size++) expect(split(bytes, size), `chunk size ${size}`).toEqual(whole);
  });

  it('recovers the fields of a record with a wrong field count', () => {
    const [, bad] = split(Buffer.from('a,b\n1,"x\ny",3\n'));
    expect(bad).toEqual({
      kind: 'bad',
      code: 'CSV_RECORD_INCONSISTENT_COLUMNS',
      message: 'Wrong number of fields: expected 2 (as in the header), got 3',
      line: 2,
      endLine: 3,
      fields: ['1', 'x\ny', '3'],
      raw: '1,"x\ny",3',
    });
  });

  it('fails the read past maxRecordSize, after handing over the records before it', () => {
    const splitter = new CsvRecordSplitter({ name: 'big.csv', delimiter: ',', maxRecordSize: 1024 });
    const events = splitter.write(Buffer.from(`a\n1\n"${'z'.repeat(2000)}"\n2\n`));
    expect(shape(events)).toEqual([
      [1, 'ok'],
      [2, 'ok'],
    ]);
    expect(() => splitter.end()).toThrow(/line 3 of big\.csv exceeds 1024 bytes/);
  });
});

describe('CsvRecordSplitter: bytes are checked a chunk at a time, and still a bad record fails alone', () => {
  // Good records around one with an undecodable byte, a NUL or U+FFFD, multi-byte characters cut by
  // chunk boundaries, a quoted field spanning lines: at every chunk size, exactly the bad records fail.
  const good = (i: number): string => `${i},Zürich 東京 ${'x'.repeat(i % 7)},"multi\nline ${i}"\n`;
  const parts: Buffer[] = [Buffer.from('a,b,c\n')];
  const expected: (string | number)[][] = [[1, 'ok']];
  let line = 2;
  for (let i = 0; i < 12; i += 1) {
    if (i === 3) parts.push(Buffer.from([0x33, 0x2c, 0xff, 0x2c, 0x7a, 0x0a])); // 3,\xff,z
    else if (i === 6) parts.push(Buffer.from('6,a\0b,z\n'));
    else if (i === 9) parts.push(Buffer.from('9,a\uFFFDb,z\n'));
    else {
      parts.push(Buffer.from(good(i)));
      expected.push([line, 'ok']);
      line += 2;
      continue;
    }
    expected.push([line, line, i === 3 ? 'SOURCE_INVALID_UTF8' : i === 6 ? 'SOURCE_NUL_BYTE' : 'SOURCE_INVALID_UTF8']);
    line += 1;
  }
  const bytes = Buffer.concat(parts);
  it('at every chunk size', () => {
    for (let size = 1; size <= bytes.length; size += 1) expect(shape(split(bytes, size)), `chunk size ${size}`).toEqual(expected);
  });
});

describe('CsvRecordSplitter: a long record spanning many chunks', () => {
  // A cell of many short quoted lines (each byte read once, not once per chunk), and a bad byte deep in a
  // later long record: that record alone fails, the cell comes back exact, at several chunk sizes.
  const cell = '1\n"'.repeat(20_000);
  const quoted = `"${cell.replaceAll('"', '""')}"`;
  const badCell = Buffer.concat([Buffer.from(`"${'ok\n'.repeat(5000)}`), Buffer.from([0xff]), Buffer.from(`${'ok\n'.repeat(5000)}"`)]);
  const bytes = Buffer.concat([Buffer.from(`a,b\n1,${quoted}\n2,`), badCell, Buffer.from(`\n3,"x\ny"\n`)]);
  it('gives the cell exactly and fails only the record with the bad byte', () => {
    for (const size of [4096, 65_536, bytes.length]) {
      const events = split(bytes, size);
      expect(shape(events), `chunk size ${size}`).toEqual([[1, 'ok'], [2, 'ok'], [20_003, 30_003, 'SOURCE_INVALID_UTF8'], [30_004, 'ok']]);
      expect(events[1]!.fields?.[1] === cell, `chunk size ${size}: the cell`).toBe(true);
    }
  });
});
