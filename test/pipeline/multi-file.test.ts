/**
 * Several files in one run (issue 9), in process against the emulator: a glob of CSV parts planned as one
 * input (duplicates across parts, file and line of every failure), a hive-style directory of Parquet
 * parts, parts with other columns refused before any write, and resume across parts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { bufferIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run-cli.js';
import { runImport } from '../../src/pipeline/run-import.js';
import { runSchemaCheck, runSchemaInfer } from '../../src/pipeline/run-schema-check.js';
import { parse } from 'csv-parse/sync';
import { DATASET, KEY_PATH, ROWS, startHarness, writeRequests, type Harness } from './harness.js';

const hash = (i: number): string => ROWS[i]!.dataHash;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const base = () => ({ datasetHash: DATASET, store: h.client, stateDir: join(h.dir, 'state') });

/** A report's rows as written, cell by cell (read as plain CSV, so unfixed records are rows here too). */
function readReport(path: string): Array<{ values: Record<string, string> }> {
  return (parse(readFileSync(path, 'utf8'), { columns: true }) as Array<Record<string, string>>).map((values) => ({ values }));
}

/** Three parts, named so that plain string order would read part-10 before part-2. */
function writeParts(): { glob: string; part: (n: number) => string } {
  const dir = join(h.dir, 'exports');
  mkdirSync(dir, { recursive: true });
  const part = (n: number): string => join(dir, `part-${n}.csv`);
  writeFileSync(part(1), `data_hash,speed,weather\n${hash(0)},1,sunny\n${hash(1)},2,rain\n`);
  // part 2: a bad record (an extra field) on line 3, a cell its key refuses on line 4
  writeFileSync(part(2), `weather,data_hash,speed\nfog,${hash(2)},3\nsnow,${hash(3)},4,extra\nsunny,${hash(5)},fast\n`);
  // part 10: names hash(1) again (part 1 line 3): both rows are duplicates, across files
  writeFileSync(part(10), `data_hash,speed,weather\n${hash(1)},5,snow\n${hash(6)},6,cloudy\n`);
  return { glob: join(dir, 'part-*.csv'), part };
}

describe('a glob of CSV parts is one input', () => {
  it('duplicates across parts fail both rows; every failure names its part and its line there; the report has _file', async () => {
    const { glob, part } = writeParts();
    const reportPath = join(h.dir, 'report.csv');
    const result = await runImport({ ...base(), file: glob, reportPath });
    expect(result.summary).toMatchObject({ rowsRead: 7, written: 3, failed: 4, files: [part(1), part(2), part(10)] });
    expect(result.summary.failedByCode).toEqual({ DUPLICATE_TARGET: 2, CSV_RECORD_INCONSISTENT_COLUMNS: 1, INVALID_NUMBER: 1 });
    expect(h.metadataOf(hash(0))).toMatchObject({ speed: 1, weather: 'sunny' });
    expect(h.metadataOf(hash(2))).toMatchObject({ speed: 3, weather: 'fog' });
    expect(h.metadataOf(hash(6))).toMatchObject({ speed: 6, weather: 'cloudy' });
    expect(h.metadataOf(hash(1))).toEqual({}); // named twice: not written

    const header = readFileSync(reportPath, 'utf8').split('\n')[0];
    expect(header).toBe('data_hash,speed,weather,_file,_line,_error_code,_error_column,_error,_raw');
    const failures = readReport(reportPath).map((r) => [r.values._file, r.values._line, r.values._error_code, r.values._error]);
    expect(failures.map(([file, line, code]) => [file, line, code])).toEqual([
      [part(1), '3', 'DUPLICATE_TARGET'],
      [part(2), '3', 'CSV_RECORD_INCONSISTENT_COLUMNS'],
      [part(2), '4', 'INVALID_NUMBER'],
      [part(10), '2', 'DUPLICATE_TARGET'],
    ]);
    for (const [file, line, , message] of failures) expect(message).toContain(`${file} line ${line}`);
  });

  it('a rerun with the same arguments skips what was applied; the report, fixed and imported alone, finishes the job', async () => {
    const { glob } = writeParts();
    const reportPath = join(h.dir, 'report.csv');
    await runImport({ ...base(), file: glob, reportPath });
    const writes = writeRequests(h.emulator);
    const again = await runImport({ ...base(), file: glob, reportPath: join(h.dir, 'again.csv') });
    expect(again.summary).toMatchObject({ written: 0, unchanged: 3, failed: 4 });
    expect(writeRequests(h.emulator)).toBe(writes);

    // Fix the report as a user would: keep one of the duplicates, fix the number, and fill in the record
    // with an extra field from its _raw (its cells are empty in the report: which field is extra is the
    // user's call, never a guess of ours).
    const lines = readFileSync(reportPath, 'utf8').split('\n');
    const fixed = [lines[0], ...lines.slice(1).filter((l) => l !== '' && !l.includes('part-10.csv'))]
      .join('\n')
      .replace(`${hash(5)},fast,sunny`, `${hash(5)},9,sunny`)
      .replace(/\n,,,([^\n]*CSV_RECORD_INCONSISTENT_COLUMNS)/, `\n${hash(3)},4,snow,$1`);
    expect(fixed).toContain(`${hash(3)},4,snow,`);
    expect(fixed).toContain(`${hash(5)},9,sunny`);
    const fixedPath = join(h.dir, 'fixed.csv');
    writeFileSync(fixedPath, `${fixed}\n`);
    const resumed = await runImport({ ...base(), file: fixedPath, reportPath: join(h.dir, 'resumed.csv') });
    expect(resumed.summary).toMatchObject({ failed: 0, written: 3 });
    expect(h.metadataOf(hash(1))).toMatchObject({ speed: 2, weather: 'rain' });
    expect(h.metadataOf(hash(3))).toMatchObject({ speed: 4, weather: 'snow' });
    expect(h.metadataOf(hash(5))).toMatchObject({ speed: 9, weather: 'sunny' });
  });

  it('the report of a multi-file run, imported alone with rows still failing, reports them with _file and _line of the report itself', async () => {
    const { glob } = writeParts();
    const reportPath = join(h.dir, 'report.csv');
    await runImport({ ...base(), file: glob, reportPath });
    const second = join(h.dir, 'second.csv');
    const r = await runImport({ ...base(), file: reportPath, reportPath: second });
    expect(r.summary.files).toBeUndefined();
    // Both duplicates are in the report, so they still are; the number still fails; the record with an extra
    // field, unfixed (empty cells, its _raw), fails again with its code and is never written as a guess.
    expect(r.summary.failedByCode).toEqual({ DUPLICATE_TARGET: 2, CSV_RECORD_INCONSISTENT_COLUMNS: 1, INVALID_NUMBER: 1 });
    expect(h.metadataOf(hash(3))).toEqual(ROWS[3]!.metadata);
    const rows = readReport(second);
    expect(readFileSync(second, 'utf8').split('\n')[0]).toBe('data_hash,speed,weather,_file,_line,_error_code,_error_column,_error,_raw');
    expect(rows.map((x) => [x.values['_file'], x.values['_line'], x.values['_error_code']])).toEqual([
      [reportPath, '2', 'DUPLICATE_TARGET'],
      [reportPath, '3', 'CSV_RECORD_INCONSISTENT_COLUMNS'],
      [reportPath, '4', 'INVALID_NUMBER'],
      [reportPath, '5', 'DUPLICATE_TARGET'],
    ]);
    expect(rows[1]!.values['_raw']).toBe(`snow,${hash(3)},4,extra`);
  });

  it('refuses a part with other columns before any write, naming the part and the columns', async () => {
    const { glob, part } = writeParts();
    writeFileSync(part(3), `data_hash,speed,wether\n${hash(7)},1,sunny\n`);
    const error = (await runImport({ ...base(), file: glob }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { code: string };
    expect(error).toMatchObject({ code: 'SOURCE_COLUMNS_DIFFER' });
    expect(error.message).toContain(part(3));
    expect(error.message).toMatch(/lacks "weather".*has "wether"/);
    expect(writeRequests(h.emulator)).toBe(0);
    expect(h.metadataOf(hash(0))).toEqual(ROWS[0]!.metadata);
  });

  it('a dry run over parts shows each diff with its file', async () => {
    const { glob, part } = writeParts();
    const r = await runImport({ ...base(), file: glob, dryRun: true, reportPath: join(h.dir, 'dry.csv') });
    expect(r.diffs.map((d) => [d.file, d.line])).toEqual([
      [part(1), 2],
      [part(2), 2],
      [part(10), 3],
    ]);
  });
});

describe('a hive-style directory of Parquet parts', () => {
  it('imports every part, partition folders as columns', async () => {
    const root = join(h.dir, 'lake');
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    try {
      const con = await db.connect();
      const write = async (folder: string, select: string): Promise<void> => {
        mkdirSync(join(root, folder), { recursive: true });
        await con.run(`COPY (${select}) TO '${join(root, folder, 'part-0.parquet')}' (FORMAT parquet)`);
      };
      await write('city=Paris/weather=sunny', `SELECT '${hash(0)}' AS data_hash, 1.5::DOUBLE AS speed UNION ALL SELECT '${hash(1)}', 2.5::DOUBLE`);
      await write('city=S%C3%A3o Paulo/weather=rain', `SELECT '${hash(2)}' AS data_hash, 3.5::DOUBLE AS speed`);
      con.closeSync();
    } finally {
      db.closeSync();
    }
    const result = await runImport({ ...base(), file: root, reportPath: join(h.dir, 'r.csv') });
    expect(result.summary).toMatchObject({ written: 3, failed: 0 });
    expect(h.metadataOf(hash(0))).toMatchObject({ speed: 1.5, city: 'Paris', weather: 'sunny' });
    expect(h.metadataOf(hash(1))).toMatchObject({ speed: 2.5, city: 'Paris', weather: 'sunny' });
    expect(h.metadataOf(hash(2))).toMatchObject({ speed: 3.5, city: 'São Paulo', weather: 'rain' });
  });
});

describe('schema check and schema infer over several files', () => {
  it('read every part, and say which part a failing value is in', async () => {
    const { glob, part } = writeParts();
    const check = await runSchemaCheck({ file: glob, store: h.client });
    expect(check.check.rows).toBe(6); // the bad record is counted apart
    expect(check.badRecords).toBe(1);
    const speed = check.check.columns.find((c) => c.column === 'speed')!;
    expect(speed.samples.map((s) => [s.file, s.line])).toEqual([[part(2), 4]]);
    const infer = await runSchemaInfer({ file: [part(1), part(10)] });
    expect(infer.rowsSampled).toBe(4);
  });
});

async function cli(args: string[]) {
  const io = bufferIo({ env: { HOME: h.dir }, cwd: h.dir });
  const code = await runCli(['--domain', h.emulator.url, '--ssh-key', KEY_PATH, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('encord-meta import with several files', () => {
  it('takes several arguments (a shell-expanded glob) or a quoted glob alike; exit 3 with the report naming part and line', async () => {
    const { part } = writeParts();
    // What a shell passes for part-*.csv: string order, part-10 before part-2. Read in natural order anyway.
    const shell = await cli(['import', part(1), part(10), part(2), '--dataset', DATASET, '--report', 'r1.csv', '--dry-run', '--json', '--no-progress']);
    expect(shell.code).toBe(3);
    const quoted = await cli(['import', 'exports/part-*.csv', '--dataset', DATASET, '--report', 'r2.csv', '--dry-run', '--no-progress']);
    expect(quoted.err).toBe('');
    expect(quoted.code).toBe(3);
    expect(quoted.out).toContain(`Dry run of ${join(h.dir, 'exports/part-*.csv')} (3 files) → dataset`);
    expect(JSON.parse(shell.out).summary.files).toEqual([part(1), part(2), part(10)]);
    const report = readFileSync(join(h.dir, 'r2.csv'), 'utf8');
    expect(report).toContain(`${part(2)},3,CSV_RECORD_INCONSISTENT_COLUMNS`);
    const sorted = (text: string): string[] => text.split('\n').sort();
    expect(sorted(readFileSync(join(h.dir, 'r1.csv'), 'utf8'))).toEqual(sorted(report)); // both inputs are the same rows
  });

  it('exit 2, nothing written, for a part with other columns, a pattern matching nothing, or - among files', async () => {
    const { part } = writeParts();
    writeFileSync(part(3), `data_hash,speed\n${hash(7)},1\n`);
    const differ = await cli(['import', 'exports', '--dataset', DATASET, '--no-progress']);
    expect(differ.code).toBe(2);
    expect(differ.err).toMatch(/SOURCE_COLUMNS_DIFFER.*part-3\.csv.*lacks "weather"/);
    const none = await cli(['import', 'exports/nothing-*.csv', '--dataset', DATASET, '--no-progress']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/SOURCE_NOT_FOUND.*nothing-\*\.csv/);
    const stdin = await cli(['import', '-', part(1), '--dataset', DATASET, '--no-progress']);
    expect(stdin.code).toBe(2);
    expect(writeRequests(h.emulator)).toBe(0);
  });

  it('schema check takes several files and names the part of a failing value', async () => {
    const { part } = writeParts();
    const r = await cli(['schema', 'check', 'exports/part-*.csv']);
    expect(r.code).toBe(3);
    expect(r.out).toContain(`${part(2)} line 4:`);
    const infer = await cli(['schema', 'infer', part(1), part(10)]);
    expect(infer.code).toBe(0);
    expect(infer.err).toContain('4 rows sampled');
  });
});
