/**
 * The .xlsx reader: typed cells arrive as the values they mean (no locale option involved), cells that
 * have no value fail their record with a code, errors name the sheet row, a bad file is refused whole.
 * Fixtures: `xlsx-fixtures/make-xlsx-fixtures.ts` (its header comment lists what each row holds).
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MetaError } from '../../src/errors.js';
import { openSource, resolveFormat } from '../../src/sources/open-source.js';
import { XlsxSource } from '../../src/sources/xlsx/xlsx-source.js';
import { numberCell, numberKind, serialToIso } from '../../src/sources/xlsx/xlsx-cells.js';
import { XmlTokenizer } from '../../src/sources/xlsx/xml.js';
import { bads, collect, rows, tempDir } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('./xlsx-fixtures/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);

async function read(name: string, sheet?: string) {
  const source = new XlsxSource(fixture(name), { sheet });
  await source.open();
  const items = await collect(source);
  return { source, rows: rows(items), bads: bads(items) };
}

async function refusal(promise: Promise<unknown>): Promise<MetaError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MetaError);
  return err as MetaError;
}

describe('typed cells arrive as the values they mean', () => {
  it('every cell kind: shared, rich (phonetic runs left out) and inline strings, date-time and date-only as naive ISO, booleans, numbers, formulas by their cached value', async () => {
    const { source, rows: r } = await read('typed.xlsx');
    expect(source.columns).toEqual(['title', 'captured_at', 'day', 'dark', 'speed', 'city', 'weather', 'qa_status']);
    expect(r[0]).toEqual({
      index: 0,
      line: 3,
      values: {
        title: 'cam-1/frame_007.jpg',
        captured_at: '2026-11-28T10:30:00',
        day: '2026-11-28',
        dark: true,
        speed: 2.2,
        city: 'Paris',
        weather: 'sunny',
        qa_status: '9007199254740993',
      },
    });
    // Sparse row (r attributes skip columns): skipped cells are empty, formulas give their cached value.
    expect(r[1]).toEqual({
      index: 1,
      line: 4,
      values: { title: 'cam-1/frame_002.jpg', captured_at: null, day: null, dark: null, speed: 2, city: 'Ly&on', weather: null, qa_status: null },
    });
  });

  it('header = first non-empty row; empty rows (absent, or only styled empty cells) are no records; line = sheet row number', async () => {
    const { rows: r, bads: b } = await read('typed.xlsx');
    expect([...r.map((x) => x.line), ...b.map((x) => x.line)].sort((x, y) => x - y)).toEqual([3, 4, 5, 6, 9]);
    expect(r.map((x) => x.index)).toEqual([0, 1, 4]);
  });

  it('exact numbers: a number a double cannot hold arrives as the exact text the file stores (coercion refuses it for a number key)', async () => {
    const { rows: r } = await read('typed.xlsx');
    expect(r[2]).toMatchObject({ line: 9, values: { title: 'legacy/frame_005.jpg', speed: '9007199254740993' } });
    expect(numberCell('0.1')).toBe(0.1);
    expect(numberCell('2.2000000000000002')).toBe(2.2); // Excel's 17-digit form of the double 2.2
    expect(numberCell('0.30000000000000004')).toBe(0.30000000000000004);
    expect(numberCell('9007199254740993')).toBe('9007199254740993');
    expect(numberCell('1.10')).toBe(1.1); // the same decimal value as the double 1.1
    expect(numberCell('-0')).toBe(0); // JSON has no -0
    expect(numberCell('1e-400')).toBe('1e-400'); // underflows to 0: kept as text, coercion refuses it
    expect(numberCell('0.000')).toBe(0);
    expect(numberCell('12,5')).toBeUndefined();
  });

  it('1900 date system: serial 60 is Lotus 1900-02-29 (no such day: the datetime key refuses it), 61 is 1900-03-01; time-only formats give a time of day; number formats stay numbers', async () => {
    const { rows: r } = await read('edge.xlsx');
    expect(r[0]!.values).toEqual({ name: 'lotus', when: '1900-02-29', at: '18:00:00', weight: 12.5 });
    expect(r[1]!.values).toEqual({ name: 'march', when: '1900-03-01', at: '12:00:01', weight: 1e21 });
    expect(serialToIso(1, false)).toBe('1900-01-01');
    expect(serialToIso(59, false)).toBe('1900-02-28');
    expect(serialToIso(45000.5, false)).toBe('2023-03-15T12:00:00');
    expect(serialToIso(46023.00001001157, false)).toBe('2026-01-01T00:00:00.865');
  });

  it('1904 date system when the workbook says so', async () => {
    const { rows: r } = await read('date1904.xlsx');
    expect(r.map((x) => x.values['when'])).toEqual(['1904-01-01', '2027-03-16T12:00:00']);
  });

  it('_xHHHH_ escapes are decoded (_x005F_ is a literal underscore), booleans false stay false', async () => {
    const { rows: r } = await read('edge.xlsx');
    expect(r[2]!.values).toEqual({ name: 'a\rb_x0041_', when: false, at: null, weight: null });
  });

  it('date formats are told from number formats, m as month or minute', () => {
    expect(numberKind(14, undefined)).toBe('date');
    expect(numberKind(21, undefined)).toBe('time');
    expect(numberKind(2, undefined)).toBe('number');
    expect(numberKind(164, 'yyyy\\-mm\\-dd\\ hh:mm:ss')).toBe('date');
    expect(numberKind(164, 'mm:ss')).toBe('time');
    expect(numberKind(164, '[$-409]m/d/yy h:mm AM/PM;@')).toBe('date');
    expect(numberKind(164, '0.000"kg"')).toBe('number');
    expect(numberKind(164, '#,##0;[Red]-#,##0')).toBe('number');
  });
});

describe('cells without a value fail their record, never read as empty', () => {
  it('#N/A and #DIV/0! fail with XLSX_ERROR_CELL; a formula with no cached value with XLSX_FORMULA_NO_VALUE; each names cell, column and sheet row', async () => {
    const { bads: b } = await read('typed.xlsx');
    expect(b.map((x) => [x.line, x.code])).toEqual([
      [5, 'XLSX_ERROR_CELL'],
      [6, 'XLSX_FORMULA_NO_VALUE'],
    ]);
    expect(b[0]!.message).toMatch(/cell E5 \(column speed\) holds the error #N\/A.*typed\.xlsx line 5, column speed/);
    expect(b[0]!.values).toMatchObject({ title: 'cam-2/frame_001.jpg', speed: '#N/A' });
    expect(b[1]!.message).toMatch(/cell E6 .*formula with no saved value.*open and save the file in Excel or LibreOffice/);
    const edge = await read('edge.xlsx');
    expect(edge.bads.map((x) => [x.line, x.code])).toEqual([
      [4, 'XLSX_CELL_WITHOUT_HEADER'],
      [5, 'XLSX_ERROR_CELL'],
    ]);
    expect(edge.bads[0]!.message).toMatch(/cell F4 holds a value but column F has no name in the header row/);
    expect(edge.bads[1]!.message).toContain('#DIV/0!');
  });
});

describe('malformed cells fail their record', () => {
  it('a shared-string index the table does not have, and a number cell holding no number: XLSX_BAD_CELL at the sheet row', async () => {
    const { xlsxBytes, row, cell } = await import('../../scripts/bench/lib/xlsx-writer.js');
    const path = join(tempDir(), 'bad-cells.xlsx');
    writeFileSync(
      path,
      xlsxBytes({
        sheets: [{ name: 'S', rows: [row(1, cell.s('A1', 0), cell.s('B1', 1)), row(2, cell.s('A2', 2), cell.n('B2', '1')), row(3, cell.s('A3', 7)), row(4, cell.n('A4', 'abc'))].join('') }],
        sharedStrings: ['name', 'n', 'x'],
      }),
    );
    const source = new XlsxSource(path);
    await source.open();
    const items = await collect(source);
    expect(rows(items).map((r) => r.values)).toEqual([{ name: 'x', n: 1 }]);
    expect(bads(items).map((b) => [b.line, b.code])).toEqual([
      [3, 'XLSX_BAD_CELL'],
      [4, 'XLSX_BAD_CELL'],
    ]);
    expect(bads(items)[0]!.message).toContain('shared string "7"');
  });
});

describe('sheets, detection and refusals', () => {
  it('--sheet reads the named sheet; an unknown name is SOURCE_SHEET_NOT_FOUND listing the sheets', async () => {
    const { rows: r, source } = await read('typed.xlsx', 'Notes');
    expect(source.sheetNames).toEqual(['Frames', 'Notes']);
    expect(r).toEqual([{ index: 0, line: 2, values: { title: 'cam-1/frame_007.jpg', Notes: 'second sheet' } }]);
    const err = await refusal(new XlsxSource(fixture('typed.xlsx'), { sheet: 'Nope' }).open());
    expect(err.code).toBe('SOURCE_SHEET_NOT_FOUND');
    expect(err.message).toContain('expected one of "Frames", "Notes"');
  });

  it('detected by extension, and by the zip magic when the name says nothing', async () => {
    expect(await resolveFormat(fixture('typed.xlsx'))).toBe('xlsx');
    const copy = join(tempDir(), 'export.dat');
    copyFileSync(fixture('typed.xlsx'), copy);
    expect(await resolveFormat(copy)).toBe('xlsx');
    const source = await openSource(copy);
    expect(source.columns[0]).toBe('title');
  });

  it('a truncated workbook, a CSV named .xlsx and a zip with no workbook are SOURCE_CORRUPT, with what to do', async () => {
    for (const name of ['corrupt.xlsx', 'not-zip.xlsx', 'no-workbook.xlsx']) {
      const err = await refusal(openSource(fixture(name)));
      expect(err.code, name).toBe('SOURCE_CORRUPT');
      expect(err.message).toContain(`${name} as an .xlsx workbook`);
    }
    expect((await refusal(openSource(fixture('not-zip.xlsx')))).message).toMatch(/save it as \.xlsx, or pass --format/);
  });

  it('the tokenizer refuses a DOCTYPE and undefined entities (no entity expansion), and a document cut inside a tag', () => {
    const noop = { open() {}, close() {}, text() {} };
    expect(() => new XmlTokenizer(noop).write('<!DOCTYPE x [<!ENTITY a "b">]><x/>')).toThrow(/DOCTYPE/);
    expect(() => new XmlTokenizer({ ...noop, text: () => {} }).write('<v>&bogus;</v>')).toThrow(/entity/);
    const t = new XmlTokenizer(noop);
    t.write('<row r="1"><c r="A1"');
    expect(() => t.end()).toThrow(/middle of a tag/);
  });
});
