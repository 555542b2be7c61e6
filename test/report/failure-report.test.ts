/**
 * FailureReport, as tables: the exact bytes of the report for each kind of failed row (columns kept, report
 * columns replaced not doubled, unreadable records with empty cells and their `_raw`, formula-like cells
 * escaped, CSV quoting), that nothing is written without a failure or a path, and that every cell reads
 * back exactly through `openSource`.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FailureReport, reportFileColumn, type FailedRow, type ReportFileColumn } from '../../src/report/failure-report.js';
import { openSource } from '../../src/sources/open-source.js';
import { makeTempDir } from '../temp-dirs.js';

const dir = makeTempDir('encord-meta-failure-report-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `sub-${++n}`, 'report.csv');

const row = (line: number, values: Record<string, string>, extra: Partial<FailedRow> = {}): FailedRow => ({
  line,
  values,
  code: 'INVALID_NUMBER',
  column: 'score',
  message: 'Invalid number: expected a decimal, got "x"',
  ...extra,
});

async function write(columns: readonly string[], rows: readonly FailedRow[], files?: ReportFileColumn): Promise<string> {
  const path = fresh();
  const report = new FailureReport(path, columns, files);
  for (const r of rows) await report.add(r);
  await report.close();
  return readFileSync(path, 'utf8');
}

const TAIL = '_line,_error_code,_error_column,_error,_raw';
const MSG = '"Invalid number: expected a decimal, got ""x"""';

describe('the report, byte for byte', () => {
  it.each<[string, string[], FailedRow[], ReportFileColumn | undefined, string[]]>([
    ['one failed row: its cells as read, then the report columns', ['index', 'score'], [row(2, { index: '0', score: 'x' })], undefined, [`index,score,${TAIL}`, `0,x,2,INVALID_NUMBER,score,${MSG},`]],
    ['rows in the order they failed (not line order)', ['index'], [row(9, { index: '7' }), row(3, { index: '1' })], undefined, [`index,${TAIL}`, `7,9,INVALID_NUMBER,score,${MSG},`, `1,3,INVALID_NUMBER,score,${MSG},`]],
    ['a cell the row does not have is empty; no column is empty', ['index', 'city'], [row(2, { index: '0' }, { column: undefined, code: 'KEY_NOT_FOUND', message: 'no unit' })], undefined, [`index,city,${TAIL}`, '0,,2,KEY_NOT_FOUND,,no unit,']],
    ['a report read again: its report columns are replaced, not doubled', ['index', 'score', '_line', '_error_code', '_error_column', '_error', '_raw'], [row(5, { index: '0', score: 'x', _line: '2', _error: 'old' })], undefined, [`index,score,${TAIL}`, `0,x,5,INVALID_NUMBER,score,${MSG},`]],
    ['a user\'s own _note column stays where it was', ['_note', 'index'], [row(2, { _note: 'n', index: '0' })], undefined, [`_note,index,${TAIL}`, `n,0,2,INVALID_NUMBER,score,${MSG},`]],
    ['several files: _file just before _line', ['index'], [row(2, { index: '0' }, { file: 'part-2.csv' })], { fallback: 'r.csv' }, [`index,_file,${TAIL}`, `0,part-2.csv,2,INVALID_NUMBER,score,${MSG},`]],
    ['several files: a row without a file gets the fallback', ['index', '_file'], [row(2, { index: '0', _file: 'old.csv' })], { fallback: 'report.csv' }, [`index,_file,${TAIL}`, `0,report.csv,2,INVALID_NUMBER,score,${MSG},`]],
    ['an unreadable record: cells empty, _raw holds its exact text', ['index', 'score'], [row(4, { index: '0', score: '1' }, { raw: '0,1,extra', code: 'ROW_TOO_MANY_FIELDS', column: undefined, message: 'm1' })], undefined, [`index,score,${TAIL}`, ',,4,ROW_TOO_MANY_FIELDS,,m1,"0,1,extra"']],
    ['an unreadable record known only by its fields: _raw is them as one CSV line', ['a', 'b'], [row(3, { a: '1' }, { rawFields: ['1', 'x,y', 'q"'], code: 'ROW_TOO_MANY_FIELDS', column: undefined, message: 'm2' })], undefined, [`a,b,${TAIL}`, `,,3,ROW_TOO_MANY_FIELDS,,m2,"1,""x,y"",""q"""""""`]],
    ['a raw record spanning lines keeps its line break', ['a'], [row(2, {}, { raw: '"x\ny', code: 'CSV_UNCLOSED_QUOTE', column: undefined, message: 'm' })], undefined, [`a,${TAIL}`, ',2,CSV_UNCLOSED_QUOTE,,m,"""x', 'y"']],
  ])('%s', async (_what, columns, rows, files, lines) => {
    expect((await write(columns, rows, files)).split('\n')).toEqual([...lines, '']);
  });
});

describe('every cell is spreadsheet-safe, and reads back exactly', () => {
  it.each<[string, string, string]>([
    ['a formula', '=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['a plus formula', '+A1', "'+A1"],
    ['a minus formula', '-A1+1', "'-A1+1"],
    ['an at', '@SUM(A1)', "'@SUM(A1)"],
    ['a leading tab (the quote in front means no edge blank left to quote)', '\tx', "'\tx"],
    ['a trailing blank is quoted', 'x ', '"x "'],
    ['already one quote', "'=x", "''=x"],
    ['a negative number is a number', '-5', '-5'],
    ['a plus number is a number', '+3.5e2', '+3.5e2'],
    ['an apostrophe alone is text', "'x", "'x"],
    ['edge blanks are quoted, kept', ' a ', '" a "'],
    ['a comma', 'a,b', '"a,b"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['a line break', 'a\r\nb', '"a\r\nb"'],
    ['non-ASCII', 'Zürich 東京 😀', 'Zürich 東京 😀'],
  ])('%s: %o is written %o', async (_what, cell, written) => {
    const path = fresh();
    const report = new FailureReport(path, ['index', 'city'], { fallback: 'r.csv' });
    await report.add({ file: cell, line: 2, values: { index: '0', city: cell }, code: 'X_CODE', column: cell, message: cell, raw: undefined });
    await report.close();
    const text = readFileSync(path, 'utf8');
    // The city cell, the _file cell, the _error_column and the _error, all the same way.
    expect(text).toBe(`index,city,_file,${TAIL}\n0,${written},${written},2,X_CODE,${written},${written},\n`);
    const source = await openSource(path);
    const read: Record<string, unknown>[] = [];
    for await (const item of source.items()) if (item.kind === 'row') read.push(item.row.values);
    expect(read).toEqual([{ index: '0', city: cell, _file: cell, _line: '2', _error_code: 'X_CODE', _error_column: cell, _error: cell, _raw: '' }]);
  });
});

describe('when a report is written at all', () => {
  it.each<[string, string | undefined, number]>([
    ['a path and no failure: no file', 'path', 0],
    ['no path: failures are counted, nothing is written', undefined, 3],
  ])('%s', async (_what, hasPath, failures) => {
    const path = fresh();
    const report = new FailureReport(hasPath === undefined ? undefined : path, ['index']);
    for (let i = 0; i < failures; i++) await report.add(row(i + 2, { index: String(i) }));
    await report.close();
    expect(report.count).toBe(failures);
    expect(report.written).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(path, '..'))).toBe(false);
  });

  it('the first failure creates the file 0600 in a 0700 directory; count and written follow', async () => {
    const path = fresh();
    const report = new FailureReport(path, ['index']);
    expect([report.count, report.written]).toEqual([0, false]);
    await report.add(row(2, { index: '0' }));
    await report.add(row(3, { index: '1' }));
    await report.close();
    expect([report.count, report.written]).toEqual([2, true]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
  });
});

describe('reportFileColumn', () => {
  it.each<[string, { name: string; columns: string[]; files?: string[] }, ReportFileColumn | undefined]>([
    ['one file of the user\'s own', { name: 'a.csv', columns: ['index', 'city'] }, undefined],
    ['several files', { name: 'parts/*.csv', columns: ['index'], files: ['parts/1.csv', 'parts/2.csv'] }, { fallback: 'parts/*.csv' }],
    ['a report with _file, read alone', { name: 'r.csv', columns: ['index', '_file', ...TAIL.split(',')] }, { fallback: 'r.csv' }],
    ['a report without _file', { name: 'r.csv', columns: ['index', ...TAIL.split(',')] }, undefined],
    ['a user file with a _file column that is not a report', { name: 'u.csv', columns: ['index', '_file'] }, undefined],
    ['report columns out of order are not a report', { name: 'u.csv', columns: ['_file', '_error_code', '_line', '_error_column', '_error', '_raw'] }, undefined],
  ])('%s', (_what, input, want) => {
    expect(reportFileColumn(input)).toEqual(want);
  });
});
