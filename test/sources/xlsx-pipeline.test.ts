/**
 * .xlsx through the pipeline against the emulator: typed cells import exactly with no locale flag
 * (datetimes read in --timezone, booleans, numbers), cells without a value fail their row with a code and
 * the sheet row, the dry run writes nothing, `schema check` and `schema infer` read the sheet, and a bad
 * workbook or sheet name is exit 2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../src/pipeline/run-import.js';
import { runSchemaCheck, runSchemaInfer } from '../../src/pipeline/run-schema-check.js';
import { createMetaSchema } from '../../src/schema/index.js';
import { DATASET, ROWS, startHarness, writeRequests, type Harness } from '../pipeline/harness.js';
import { cli } from '../cli/helpers.js';

const FIXTURES = fileURLToPath(new URL('./xlsx-fixtures/', import.meta.url));
const TYPED = join(FIXTURES, 'typed.xlsx');
const hashOf = (title: string): string => ROWS.find((r) => r.title === title)!.dataHash;

const schema = createMetaSchema([
  ['captured_at', { type: 'datetime' }],
  ['day', { type: 'datetime' }],
  ['dark', { type: 'boolean' }],
  ['speed', { type: 'number', format: 'F64' }],
  ['city', { type: 'string', maxLength: 8192 }],
  ['weather', { type: 'enum', values: ['fog', 'rain', 'sunny'] }],
  ['qa_status', { type: 'string', maxLength: 8192 }],
]);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const base = () => ({ datasetHash: DATASET, store: h.client, stateDir: join(h.dir, 'state'), schema, coercion: { timezone: 'Europe/Paris' } });

describe('import of an .xlsx', () => {
  it('typed cells import exactly with no locale flag: date-times in --timezone, date-only at midnight, booleans, the double 2.2, every digit in a string key; failed cells name the sheet row', async () => {
    // A locale flag that would misread typed numbers (2.2 → 22) must not touch them.
    const result = await runImport({ ...base(), file: TYPED, reportPath: join(h.dir, 'report.csv'), coercion: { timezone: 'Europe/Paris', decimalComma: true, thousandsSeparator: '.' } });
    expect(result.summary).toMatchObject({ keyKind: 'title', rowsRead: 5, written: 2, failed: 3 });
    expect(result.summary.failedByCode).toEqual({ XLSX_ERROR_CELL: 1, XLSX_FORMULA_NO_VALUE: 1, INVALID_NUMBER: 1 });
    expect(h.metadataOf(hashOf('cam-1/frame_007.jpg'))).toEqual({
      source: 'legacy-import',
      keyframes: [0, 12],
      captured_at: '2026-11-28T09:30:00.000Z',
      day: '2026-11-27T23:00:00.000Z',
      dark: true,
      speed: 2.2,
      city: 'Paris',
      weather: 'sunny',
      qa_status: '9007199254740993',
    });
    expect(h.metadataOf(hashOf('cam-1/frame_002.jpg'))).toEqual({ speed: 2, city: 'Ly&on' });
    expect(h.metadataOf(hashOf('cam-2/frame_001.jpg'))).toEqual({}); // #N/A: the row fails, nothing written
    expect(h.metadataOf(hashOf('cam-2/frame_009.jpg'))).toEqual({ qa_status: 'approved', city: 'Old' });
    const report = readFileSync(join(h.dir, 'report.csv'), 'utf8');
    // An unreadable record's cells stay empty in the report; its _raw holds what the sheet row held.
    expect(report).toMatch(/\n,+5,XLSX_ERROR_CELL,.*"cam-2\/frame_001\.jpg,,,,#N\/A"/);
    expect(report).toMatch(/,6,XLSX_FORMULA_NO_VALUE,/);
    expect(report).toMatch(/,9,INVALID_NUMBER,speed,.*9007199254740993.*string key/);
  });

  it('dry run: the same plan and failures, no write request', async () => {
    const result = await runImport({ ...base(), file: TYPED, dryRun: true, reportPath: join(h.dir, 'dry.csv') });
    expect(result.summary).toMatchObject({ dryRun: true, rowsRead: 5, failed: 3 });
    expect(writeRequests(h.emulator)).toBe(0);
    const report = readFileSync(join(h.dir, 'dry.csv'), 'utf8');
    expect(report).toMatch(/,5,XLSX_ERROR_CELL,/);
    expect(report).toMatch(/,6,XLSX_FORMULA_NO_VALUE,/);
    expect(report).toMatch(/,9,INVALID_NUMBER,speed,/);
  });
});

describe('schema check and infer on an .xlsx', () => {
  it('schema check reports failing cells with their sheet row, and the unreadable records', async () => {
    const r = await runSchemaCheck({ file: TYPED, schema, coercion: { timezone: 'Europe/Paris' } });
    expect(r.ok).toBe(false);
    expect(r.badRecords).toBe(2);
    const speed = r.check.columns.find((c) => c.column === 'speed')!;
    expect(speed.samples.map((s) => [s.line, s.code])).toEqual([[9, 'INVALID_NUMBER']]);
    expect(r.check.columns.find((c) => c.column === 'captured_at')).toMatchObject({ ok: 1, failed: 0 });
  });

  it('schema check on the 1900-02-29 serial: the datetime key refuses it, at its sheet row', async () => {
    const edgeSchema = createMetaSchema([['when', { type: 'datetime' }], ['at', { type: 'string', maxLength: 100 }], ['weight', { type: 'number', format: 'F64' }]]);
    const r = await runSchemaCheck({ file: join(FIXTURES, 'edge.xlsx'), schema: edgeSchema });
    const when = r.check.columns.find((c) => c.column === 'when')!;
    expect(when.samples[0]).toMatchObject({ line: 2, code: 'INVALID_DATETIME' });
    expect(when.samples[0]!.message).toContain('1900 is not a leap year');
  });

  it('schema infer types the typed cells: datetime, boolean, number', async () => {
    const r = await runSchemaInfer({ file: TYPED });
    const typeOf = (key: string) => r.schema.fields.get(key)?.type;
    expect(typeOf('captured_at')).toBe('datetime');
    expect(typeOf('day')).toBe('datetime');
    expect(typeOf('dark')).toBe('boolean');
  });
});

describe('CLI: .xlsx refusals are exit 2', () => {
  it('a corrupt workbook, and an unknown --sheet (the message lists the sheets)', async () => {
    const corrupt = await cli(['schema', 'infer', join(FIXTURES, 'corrupt.xlsx')], { url: h.emulator.url });
    expect(corrupt.code).toBe(2);
    expect(corrupt.err).toContain('SOURCE_CORRUPT');
    const sheet = await cli(['schema', 'infer', TYPED, '--sheet', 'Nope'], { url: h.emulator.url });
    expect(sheet.code).toBe(2);
    expect(sheet.err).toContain('expected one of "Frames", "Notes"');
    const other = await cli(['schema', 'infer', TYPED, '--sheet', 'Notes', '--json'], { url: h.emulator.url });
    expect(other.code).toBe(0);
    expect(other.out).toContain('Notes');
  });

  it('import --sheet reads the named sheet, never silently the first one; an unknown sheet is exit 2', async () => {
    const run = await cli(['--json', 'import', TYPED, '--sheet', 'Notes', '--unknown-columns', 'skip', '--dataset', DATASET, '--dry-run', '--state-dir', join(h.dir, 'st')], { url: h.emulator.url });
    expect(run.code, run.err).not.toBe(2);
    const summary = JSON.parse(run.out.trim().split('\n').at(-1)!) as { summary: { rowsRead: number } };
    // Notes has one data row; Frames (the first sheet) has several.
    expect(summary.summary.rowsRead, run.err).toBe(1);
    const unknown = await cli(['import', TYPED, '--sheet', 'Nope', '--dataset', DATASET, '--dry-run', '--state-dir', join(h.dir, 'st')], { url: h.emulator.url });
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('SOURCE_SHEET_NOT_FOUND');
    expect(writeRequests(h.emulator)).toBe(0);
  });
});
