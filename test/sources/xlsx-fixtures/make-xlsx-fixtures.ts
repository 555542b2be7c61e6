/**
 * Writes the .xlsx fixtures beside this script. The sheet XML is written by hand, cell by cell, so each
 * file holds exactly the cell kinds a test names (Excel, LibreOffice and openpyxl write the same
 * elements). Regenerate: `npx tsx test/sources/xlsx-fixtures/make-xlsx-fixtures.ts`; same bytes every time.
 *
 * typed.xlsx   sheets "Frames" (first) and "Notes". Frames: rows 1 absent (the header is row 2, the first
 *              non-empty one); titles of the pipeline harness's units, so a dry run maps them.
 *   row 3  every typed kind: shared string, date-time (custom format), date-only (built-in 14), boolean,
 *          number in 17-digit form (2.2000000000000002 = the double 2.2), rich text with a phonetic run,
 *          inline string, a number a double cannot hold (9007199254740993) under a string key
 *   row 4  sparse: only A, E (a formula with its cached value 2) and F (a text formula, cached "Ly&on")
 *   row 5  speed is #N/A                       → XLSX_ERROR_CELL, line 5
 *   row 6  speed is a formula with no value    → XLSX_FORMULA_NO_VALUE, line 6
 *   row 7  absent; row 8 only styled empty cells: no record
 *   row 9  speed 9007199254740993 (a number key refuses it: inexact), line 9
 * edge.xlsx    serial 60 (1900-02-29), a time-of-day cell, a value right of the header, #DIV/0!, _x000D_
 * date1904.xlsx the 1904 date system
 * corrupt.xlsx  typed.xlsx cut after 300 bytes; not-zip.xlsx a CSV named .xlsx; no-workbook.xlsx a zip
 *              without a workbook part
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STYLE, cell, row, xlsxBytes, zip } from '../../../scripts/bench/lib/xlsx-writer.js';

const DIR = fileURLToPath(new URL('./', import.meta.url));

const HEADER = ['title', 'captured_at', 'day', 'dark', 'speed', 'city', 'weather', 'qa_status'];
const strings = [
  ...HEADER,
  'cam-1/frame_007.jpg', // 8
  'cam-1/frame_002.jpg', // 9
  'cam-2/frame_001.jpg', // 10
  'cam-2/frame_009.jpg', // 11
  'legacy/frame_005.jpg', // 12
  '<r><t>Pa</t></r><r><rPr><b/></rPr><t>ris</t></r><rPh sb="0" eb="1"><t>パリ</t></rPh>', // 13: rich text "Paris"
  'Notes', // 14
];

export const typed = xlsxBytes({
  sheets: [
    {
      name: 'Frames',
      rows: [
        row(2, ...HEADER.map((_, c) => cell.s(`${String.fromCharCode(65 + c)}2`, c))),
        row(
          3,
          cell.s('A3', 8),
          cell.n('B3', '46354.4375', STYLE.customDateTime), // 2026-11-28 10:30
          cell.n('C3', '46354', STYLE.date), // 2026-11-28
          cell.b('D3', true),
          cell.n('E3', '2.2000000000000002'),
          cell.s('F3', 13),
          cell.inline('G3', 'sunny'),
          cell.n('H3', '9007199254740993'),
        ),
        `<row r="4">${cell.s('A4', 9)}${cell.f('E4', '1+1', '2')}${cell.f('F4', 'CONCAT("Ly","&on")', 'Ly&on', 'str')}</row>`,
        row(5, cell.s('A5', 10), cell.e('E5', '#N/A')),
        row(6, cell.s('A6', 11), cell.f('E6', 'SUM(X1:X9)')),
        `<row r="8"><c r="A8" s="1"/><c r="C8" s="2"/></row>`,
        row(9, cell.s('A9', 12), cell.n('E9', '9007199254740993')),
      ].join(''),
      after: '<mergeCells count="1"><mergeCell ref="F3:G3"/></mergeCells>',
    },
    { name: 'Notes', rows: [row(1, cell.s('A1', 0), cell.s('B1', 14)), row(2, cell.s('A2', 8), cell.inline('B2', 'second sheet'))].join('') },
  ],
  sharedStrings: strings,
});

export const edge = xlsxBytes({
  sheets: [
    {
      name: 'Edge',
      rows: [
        row(1, cell.inline('A1', 'name'), cell.inline('B1', 'when'), cell.inline('C1', 'at'), cell.inline('D1', 'weight')),
        row(2, cell.inline('A2', 'lotus'), cell.n('B2', '60', STYLE.date), cell.n('C2', '0.75', STYLE.time), cell.n('D2', '12.5', STYLE.customNumber)),
        row(3, cell.inline('A3', 'march'), cell.n('B3', '61', STYLE.date), cell.n('C3', '0.5000115740740741', STYLE.time), cell.n('D3', '1E+21', STYLE.twoDecimals)),
        row(4, cell.inline('A4', 'outside'), cell.inline('F4', 'note')),
        row(5, cell.inline('A5', 'error'), cell.e('B5', '#DIV/0!')),
        row(6, cell.inline('A6', 'a_x000D_b_x005F_x0041_'), cell.b('B6', false)),
      ].join(''),
    },
  ],
});

export const date1904 = xlsxBytes({
  date1904: true,
  sheets: [
    {
      name: 'Mac',
      rows: [row(1, cell.inline('A1', 'when')), row(2, cell.n('A2', '0', STYLE.date)), row(3, cell.n('A3', '45000.5', STYLE.dateTime))].join(''),
    },
  ],
});

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(`${DIR}typed.xlsx`, typed);
  writeFileSync(`${DIR}edge.xlsx`, edge);
  writeFileSync(`${DIR}date1904.xlsx`, date1904);
  writeFileSync(`${DIR}corrupt.xlsx`, typed.subarray(0, 300));
  writeFileSync(`${DIR}not-zip.xlsx`, 'title,city\ncam-1/frame_007.jpg,Paris\n');
  writeFileSync(`${DIR}no-workbook.xlsx`, zip([{ path: 'hello.txt', data: 'not a workbook' }]));
}
