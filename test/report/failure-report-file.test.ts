/**
 * The `_file` column of a failure report over several files: just before `_line`, spreadsheet-safe like
 * every cell, recognised as ours when read back (cells exact), and replaced, not doubled, by the report
 * of a run that reads such a report.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FailureReport, reportFileColumn } from '../../src/report/failure-report.js';
import { openSource } from '../../src/sources/open-source.js';
import type { RawRow } from '../../src/sources/source.js';
import { makeTempDir } from '../temp-dirs.js';

const dir = makeTempDir('encord-meta-report-file-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rowsOf(path: string): Promise<{ columns: readonly string[]; rows: RawRow[] }> {
  const source = await openSource(path);
  const rows: RawRow[] = [];
  for await (const item of source.items()) if (item.kind === 'row') rows.push(item.row);
  return { columns: source.columns, rows };
}

describe('the _file column', () => {
  it('comes just before _line; a file name a spreadsheet would run as a formula reads back exactly', async () => {
    const path = join(dir, 'r1.csv');
    const report = new FailureReport(path, ['data_hash', 'city'], reportFileColumn({ name: 'x', columns: [], files: ['=part-1.csv', 'part-2.csv'] }));
    await report.add({ file: '=part-1.csv', line: 7, values: { data_hash: 'h1', city: '-Paris' }, code: 'KEY_NOT_FOUND', column: 'data_hash', message: 'no unit' });
    await report.add({ file: 'part-2.csv', line: 2, values: { data_hash: 'h2', city: 'Rome' }, code: 'INVALID_NUMBER', column: 'city', message: 'bad' });
    await report.close();
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')[0]).toBe('data_hash,city,_file,_line,_error_code,_error_column,_error,_raw');
    expect(text).toContain("'=part-1.csv,7,"); // escaped on disk
    const { columns, rows } = await rowsOf(path);
    expect(columns).toEqual(['data_hash', 'city', '_file', '_line', '_error_code', '_error_column', '_error', '_raw']);
    expect(rows.map((r) => [r.values._file, r.values._line, r.values.city])).toEqual([
      ['=part-1.csv', '7', '-Paris'],
      ['part-2.csv', '2', 'Rome'],
    ]);
  });

  it('a report with _file, read alone, keeps the column, filled with where the row is now (not doubled)', async () => {
    const first = join(dir, 'r2.csv');
    const a = new FailureReport(first, ['id'], { fallback: 'unused' });
    await a.add({ file: 'part-9.csv', line: 3, values: { id: '1' }, code: 'X', column: undefined, message: 'm' });
    await a.close();
    const read = await openSource(first);
    const files = reportFileColumn(read);
    expect(files).toEqual({ fallback: first });
    const second = join(dir, 'r3.csv');
    const b = new FailureReport(second, read.columns, files);
    await b.add({ line: 2, values: { id: '1', _file: 'part-9.csv', _line: '3' }, code: 'X', column: undefined, message: 'm' });
    await b.close();
    const { columns, rows } = await rowsOf(second);
    expect(columns).toEqual(['id', '_file', '_line', '_error_code', '_error_column', '_error', '_raw']);
    expect(rows[0]!.values).toMatchObject({ _file: first, _line: '2' });
  });

  it('a single file of the user\'s own gets no _file column', () => {
    expect(reportFileColumn({ name: 'a.csv', columns: ['id', 'city'] })).toBeUndefined();
    expect(reportFileColumn({ name: 'a.csv', columns: ['id', '_file'] })).toBeUndefined(); // not a report: its _file is a cell like any other
  });
});
