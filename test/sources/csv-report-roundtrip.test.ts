/**
 * The CSV reader's data-safety promises end to end, against the emulator: the rows after a stray quote are
 * written and its report row can be fixed and imported; a Windows-1252 file is refused whole (exit 2) and
 * then imported exactly with `--encoding windows-1252`; a report never carries an undecodable byte into a
 * write as U+FFFD.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run-cli.js';
import { runImport } from '../../src/pipeline/run-import.js';
import { CsvSource } from '../../src/sources/csv/csv-source.js';
import { DATASET, KEY_PATH, ROWS, startHarness, writeRequests, type Harness } from '../pipeline/harness.js';
import { collect } from './helpers.js';

const hash = (i: number): string => ROWS[i]!.dataHash;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const base = () => ({ datasetHash: DATASET, store: h.client, stateDir: join(h.dir, 'state') });

async function cli(args: string[]) {
  const io = bufferIo({ env: { HOME: h.dir }, cwd: h.dir });
  const code = await runCli(['--domain', h.emulator.url, '--ssh-key', KEY_PATH, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

/** The report's rows as read back by the CSV reader, by column (a row the reader refuses too: U+FFFD). */
async function reportRows(path: string): Promise<Record<string, unknown>[]> {
  const source = new CsvSource(path);
  await source.open();
  return (await collect(source)).map((i) => (i.kind === 'row' ? i.row.values : i.bad.values));
}

describe('stray quote, end to end', () => {
  it('stray quote fails alone: the later rows are written, _raw holds the exact line, and the fixed report imports', async () => {
    const file = h.write('stray.csv', `data_hash,city\n${hash(1)},A\n${hash(3)},"q"x\n${hash(5)},C\n${hash(6)},"two\nlines"\n`);
    const report = join(h.dir, 'stray-report.csv');
    const first = await runImport({ ...base(), file, reportPath: report });
    expect(first.summary).toMatchObject({ failed: 1, written: 3 });
    expect(h.metadataOf(hash(5))).toMatchObject({ city: 'C' });
    expect(h.metadataOf(hash(6))).toMatchObject({ city: 'two\nlines' });
    const [bad] = await reportRows(report);
    expect(bad).toMatchObject({ data_hash: '', city: '', _line: '3', _error_code: 'CSV_INVALID_CLOSING_QUOTE', _raw: `${hash(3)},"q"x` });

    const text = readFileSync(report, 'utf8');
    const fixed = h.write('fixed.csv', text.replace('\n,,3,', `\n${hash(3)},"q x",3,`));
    const second = await runImport({ ...base(), file: fixed });
    expect(second.summary).toMatchObject({ failed: 0, written: 1 });
    expect(h.metadataOf(hash(3))).toMatchObject({ city: 'q x' });
  });
});

describe('encodings, end to end', () => {
  const excel = Buffer.concat([
    Buffer.from(`data_hash,city\n${hash(1)},Paris\n${hash(3)},Z`),
    Buffer.from([0xfc]),
    Buffer.from('rich '),
    Buffer.from([0x80, 0x20, 0x9c]),
    Buffer.from(`\n${hash(5)},Lyon\n`),
  ]);

  it('Windows-1252 file refused whole with exit 2 and the --encoding hint, nothing written; then imported exactly with --encoding windows-1252', async () => {
    const file = join(h.dir, 'excel.csv');
    writeFileSync(file, excel);
    const before = writeRequests(h.emulator);
    const refused = await cli(['import', file, '--dataset', DATASET, '--no-progress']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/SOURCE_INVALID_UTF8|not valid UTF-8/);
    expect(refused.err).toContain('--encoding windows-1252');
    expect(writeRequests(h.emulator)).toBe(before);
    expect(h.metadataOf(hash(1))).toEqual({});

    const ok = await cli(['import', file, '--dataset', DATASET, '--encoding', 'windows-1252', '--no-progress']);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(h.metadataOf(hash(3))).toMatchObject({ city: 'Zürich € œ' });
    expect(h.metadataOf(hash(5))).toMatchObject({ city: 'Lyon' });
  });

  it('--encoding reaches schema infer, and the job config key encoding reaches import', async () => {
    const file = join(h.dir, 'excel2.csv');
    writeFileSync(file, excel);
    expect((await cli(['schema', 'infer', file])).code).toBe(2);
    const inferred = await cli(['schema', 'infer', file, '--encoding', 'cp1252']);
    expect(inferred.code).toBe(0);
    expect(inferred.out).toContain('city');
    writeFileSync(join(h.dir, 'job.json'), JSON.stringify({ dataset: DATASET, file, encoding: 'windows-1252' }));
    const run = await cli(['--config', join(h.dir, 'job.json'), 'import', '--no-progress']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(h.metadataOf(hash(3))).toMatchObject({ city: 'Zürich € œ' });
  });

  it('report of a file with an undecodable byte never writes U+FFFD when re-imported; fixing the cell imports it', async () => {
    // One character cut by the end of the file: a per-row failure, not a refusal.
    const file = join(h.dir, 'cut.csv');
    writeFileSync(file, Buffer.concat([Buffer.from(`data_hash,city\n${hash(1)},Paris\n${hash(3)},Caf`), Buffer.from([0xc3])]));
    const report = join(h.dir, 'cut-report.csv');
    const first = await runImport({ ...base(), file, reportPath: report });
    expect(first.summary).toMatchObject({ failed: 1, written: 1 });
    const [bad] = await reportRows(report);
    // The cells of an unreadable record stay empty (no U+FFFD, no guess); _raw shows the byte as \xC3.
    expect(bad).toMatchObject({ data_hash: '', city: '', _error_code: 'SOURCE_INVALID_UTF8', _raw: `${hash(3)},Caf\\xC3` });

    const report2 = join(h.dir, 'cut-report-2.csv');
    const again = await runImport({ ...base(), file: report, reportPath: report2 });
    expect(again.summary).toMatchObject({ failed: 1, written: 0 });
    expect(h.metadataOf(hash(3))).toEqual({});
    const [still] = await reportRows(report2);
    expect(still).toMatchObject({ _error_code: 'SOURCE_INVALID_UTF8', _raw: `${hash(3)},Caf\\xC3` });
    expect(String(still!['_error'])).toMatch(/fill them from _raw/);

    const fixed = h.write('cut-fixed.csv', readFileSync(report, 'utf8').replace(/\n,,(\d+),/, `\n${hash(3)},Café,$1,`));
    const third = await runImport({ ...base(), file: fixed });
    expect(third.summary).toMatchObject({ failed: 0, written: 1 });
    expect(h.metadataOf(hash(3))).toMatchObject({ city: 'Café' });
  });
});

describe('an unreadable record in a report is never written as a guess', () => {
  it('a record with one field too many: its report row has empty cells and _raw; imported unedited it fails again (same code, _raw kept) and writes nothing', async () => {
    const before = h.metadataOf(hash(3));
    const file = h.write('extra.csv', `data_hash,city\n${hash(1)},A\n${hash(3)},Oslo,Norway\n`);
    const report = join(h.dir, 'extra-report.csv');
    expect((await runImport({ ...base(), file, reportPath: report })).summary).toMatchObject({ failed: 1, written: 1 });
    const [bad] = await reportRows(report);
    // Not "data_hash = …, city = Oslo": which field is the extra one is not ours to guess.
    expect(bad).toMatchObject({ data_hash: '', city: '', _error_code: 'CSV_RECORD_INCONSISTENT_COLUMNS', _raw: `${hash(3)},Oslo,Norway` });

    const again = join(h.dir, 'extra-report-2.csv');
    const writes = writeRequests(h.emulator);
    const second = await runImport({ ...base(), file: report, reportPath: again });
    expect(second.summary).toMatchObject({ failed: 1, written: 0 });
    expect(writeRequests(h.emulator)).toBe(writes);
    expect(h.metadataOf(hash(3))).toEqual(before);
    const [still] = await reportRows(again);
    expect(still).toMatchObject({ _error_code: 'CSV_RECORD_INCONSISTENT_COLUMNS', _raw: `${hash(3)},Oslo,Norway` });
    expect(String(still!['_error'])).toContain('fill them from _raw');

    // Filled in by the user, the row is theirs: it imports.
    const fixed = h.write('extra-fixed.csv', readFileSync(report, 'utf8').replace(/\n,,(\d+),/, `\n${hash(3)},"Oslo, Norway",$1,`));
    expect((await runImport({ ...base(), file: fixed })).summary).toMatchObject({ failed: 0, written: 1 });
    expect(h.metadataOf(hash(3))).toMatchObject({ city: 'Oslo, Norway' });
  });
});

