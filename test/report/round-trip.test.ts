/**
 * The round trips users make with the files encord-meta writes, end to end against the emulator:
 * `list --out x.csv` → edit a few cells (in a spreadsheet) → `import x.csv` writes exactly the edits; a
 * failure report holding spreadsheet formulas is safe to open and, fixed and imported, writes the original
 * text byte for byte.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { Metadata, WireTypedSchema } from '../../src/encord/protocol/types.js';
import { ImportOutput } from '../../src/cli/json-outputs.js';
import { cli, lastJson, tempDir, writeRequests } from '../cli/helpers.js';

const DATASET = '22222222-3333-4444-8555-666666666666';

const SCHEMA: WireTypedSchema = {
  captured_at: { ty: 'datetime', timezone: 'UTC' },
  city: { ty: 'varchar', max_length: 8192 },
  dark: { ty: 'boolean' },
  speed: { ty: 'number', format: 'F64' },
  gps: { ty: 'geospatial' },
  embedding: { ty: 'embedding', size: 3, api: null },
};

const hash = (n: number): string => `e0000000-0000-4000-8000-00000000000${n}`;

/** Every kind of value `list` has to write and the import has to read back as it was. */
const UNITS: readonly Metadata[] = [
  {
    captured_at: '2026-11-28T10:00:00Z',
    city: 'Lisbon',
    dark: false,
    speed: -1.5e3,
    gps: { latitude: 38.7, longitude: -9.1 },
    embedding: [0.5, -1, 2],
    keyframes: [1, 5, 9],
    count: 3,
    labels: ['a', 'b'],
    flags: { reviewed: true, score: 0.5 },
    ok: true,
    code: '5', // a string that looks like a number
    neg: '-7', // a string that looks like a negative number
    zip: '02139',
    when: '2026-11-28T10:00:00.000Z', // a datetime under a key outside the schema
    note: 'plain text, with a comma',
  },
  {
    city: '=HYPERLINK("http://evil.example","click")', // a formula stored as text
    speed: 0,
    keyframes: [0],
    count: 3,
    code: 'true', // a string that looks like a boolean
    note: "'=already quoted",
    obj_text: '{"a":1}', // a string that looks like an object
  },
  { city: '@SUM(A1)', dark: true, note: '+1 555 0100', tab: '\tindented', cr: '\rreturn', minus: '-cmd' },
  { speed: 'fast', city: 5 }, // off-type values on schema keys: an unedited cell leaves them exactly as they are
];

let emulator: Emulator;
let dir: string;

beforeEach(async () => {
  emulator = await startEmulator({
    port: 0,
    typedSchema: SCHEMA,
    datasets: [{ hash: DATASET, title: 'round trip', rows: UNITS.map((metadata, i) => ({ dataHash: hash(i), title: `frame_${i}.jpg`, metadata })) }],
  });
  dir = tempDir('encord-meta-roundtrip-');
});
afterEach(async () => {
  await emulator.close();
});

const run = (argv: string[]) => cli(argv, { url: emulator.url });
const stored = (): string[] => UNITS.map((_, i) => JSON.stringify(emulator.state.rowMetadata(DATASET, hash(i))));

/** `list --format csv --out FILE`, then replace the given cells (exact text, unique in the file). */
async function listAndEdit(name: string, edits: readonly (readonly [string, string])[]): Promise<string> {
  const file = join(dir, name);
  const listed = await run(['list', '--dataset', DATASET, '--format', 'csv', '--out', file]);
  expect(listed.code).toBe(0);
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of edits) {
    expect(text.split(from)).toHaveLength(2);
    text = text.replace(from, to);
  }
  writeFileSync(file, text);
  return file;
}

const importFile = (file: string, ...flags: string[]) => run(['--json', 'import', file, '--dataset', DATASET, '--state-dir', dir, ...flags]);

describe('list → edit → import writes exactly the edits (issue 8 path 7)', () => {
  // Unit 0's row: city Lisbon → Berlin (schema key); count 3 → 4 (a key outside the schema).
  const EDITS = [
    [',Lisbon,', ',Berlin,'],
    [',5,3,,"{""reviewed""', ',5,4,,"{""reviewed""'],
  ] as const;

  function expectOnlyTheEdits(before: readonly string[], countWritten: boolean): void {
    const after = stored();
    const edited: Metadata = { ...(JSON.parse(before[0]!) as Metadata), city: 'Berlin', ...(countWritten && { count: 4 }) };
    // Same keys and values (the write gate re-appends `keyframes` last; key order is not data).
    expect(JSON.parse(after[0]!)).toEqual(edited);
    expect(after.slice(1)).toEqual(before.slice(1));
  }

  it('the listing names keyframes _keyframes, writes formulas quoted, and plain numbers as they are', async () => {
    const file = await listAndEdit('plain.csv', []);
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    const text = readFileSync(file, 'utf8');
    const header = text.split('\n')[0]!;
    expect(header.split(',')).toContain('_keyframes');
    expect(header.split(',')).not.toContain('keyframes');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(text).toContain(",'@SUM(A1),");
    expect(text).toContain(",'+1 555 0100,");
    expect(text).toContain(`,'\tindented,`);
    expect(text).toContain(`"'\rreturn"`);
    expect(text).toContain(",'-cmd");
    expect(text).toContain(",''=already quoted,");
    expect(text).toContain(',-1500,'); // a number stays a number in the spreadsheet
    expect(text).toContain(',-7,');
    // No cell anywhere starts with a formula character.
    for (const line of text.split(/\n/).slice(1)) {
      for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+@\t\r]|^-(?!\d)/);
    }
  });

  it('imported unchanged with no flag: nothing written, every value as it was', async () => {
    const before = stored();
    const file = await listAndEdit('unchanged.csv', []);
    const after = emulator.requestLog.lastId();
    const r = await importFile(file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(ImportOutput.parse(lastJson(r.out)).summary).toMatchObject({ rowsRead: 4, written: 0, unchanged: 4, failed: 0 });
    expect(writeRequests(emulator, after)).toBe(0);
    expect(stored()).toEqual(before);
  });

  it('with no flag: exactly the two edits are written, keyframes and every other value byte-identical', async () => {
    const before = stored();
    const file = await listAndEdit('edited.csv', EDITS);
    const r = await importFile(file);
    expect(r.code).toBe(0);
    expect(ImportOutput.parse(lastJson(r.out)).summary).toMatchObject({ written: 1, unchanged: 3, failed: 0 });
    expectOnlyTheEdits(before, true);
    expect(JSON.parse(stored()[0]!).keyframes).toEqual([1, 5, 9]);
    expect(JSON.parse(stored()[0]!).count).toBe(4); // a number, not the text "4"
  });

  it('with --unknown-columns json: the same two edits', async () => {
    const before = stored();
    const r = await importFile(await listAndEdit('json.csv', EDITS), '--unknown-columns', 'json');
    expect(r.code).toBe(0);
    expectOnlyTheEdits(before, true);
  });

  it('with --unknown-columns skip: the schema edit only; keys outside the schema untouched', async () => {
    const before = stored();
    const r = await importFile(await listAndEdit('skip.csv', EDITS), '--unknown-columns', 'skip');
    expect(r.code).toBe(0);
    expectOnlyTheEdits(before, false);
  });

  it('with --unknown-columns string: unchanged cells keep their values; an edit that reads as a number is refused, not written as text', async () => {
    const before = stored();
    const r = await importFile(await listAndEdit('string.csv', EDITS), '--unknown-columns', 'string');
    expect(r.code).toBe(3);
    const out = ImportOutput.parse(lastJson(r.out));
    expect(out.summary).toMatchObject({ written: 0, unchanged: 3, failed: 1 });
    expect(out.summary.failedByCode).toEqual({ UNKNOWN_COLUMN_NOT_TEXT: 1 });
    expect(stored()).toEqual(before);
  });

  it('--unknown-columns error on a listing: exit 2, and the hint suggests skip first, then json', async () => {
    const r = await run(['import', await listAndEdit('error.csv', EDITS), '--dataset', DATASET, '--state-dir', dir, '--unknown-columns', 'error']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('SCHEMA_UNKNOWN_COLUMNS');
    expect(r.err.indexOf('--unknown-columns skip')).toBeGreaterThan(0);
    expect(r.err.indexOf('--unknown-columns json')).toBeGreaterThan(r.err.indexOf('--unknown-columns skip'));
    expect(r.err).not.toContain('--unknown-columns string');
  });

  it('the Parquet listing imports back with no flag: nothing written, keyframes untouched', async () => {
    const before = stored();
    const file = join(dir, 'listed.parquet');
    expect((await run(['list', '--dataset', DATASET, '--out', file])).code).toBe(0);
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    const after = emulator.requestLog.lastId();
    for (const flags of [[], ['--unknown-columns', 'json'], ['--unknown-columns', 'skip']]) {
      const r = await importFile(file, ...flags);
      expect(r.code).toBe(0);
      expect(ImportOutput.parse(lastJson(r.out)).summary).toMatchObject({ written: 0, unchanged: 4, failed: 0 });
    }
    expect(writeRequests(emulator, after)).toBe(0);
    expect(stored()).toEqual(before);
  });
});

describe('failure reports and listings are safe to open in a spreadsheet (issue 8 path 6)', () => {
  const FORMULAS = ['=1+2', '+cmd|/c calc', '-2+3', '@SUM(A1)', '\tTAB', '\rCR', "'=already"];

  it('a report with formula cells: neutralised on disk; fixed and imported, it writes the original text byte for byte', async () => {
    const rows = FORMULAS.map((f, i) => `${hash(i % 4)},${JSON.stringify(f)},not-a-number`);
    // One unit per row would be needed: use the four units, then a second file for the rest.
    const user = join(dir, 'user.csv');
    writeFileSync(user, `data_hash,city,speed\n${rows.slice(0, 4).join('\n')}\n`);
    const report = join(dir, 'report.csv');
    const r = await run(['import', user, '--dataset', DATASET, '--state-dir', dir, '--report', report]);
    expect(r.code).toBe(3);
    expect((statSync(report).mode & 0o777).toString(8)).toBe('600');
    const text = readFileSync(report, 'utf8');
    for (const f of FORMULAS.slice(0, 4)) expect(text).toContain(`'${f}`);
    // Fix the bad numbers in a "spreadsheet" and import the report.
    writeFileSync(report, text.replaceAll(',not-a-number,', ',7,'));
    const fixed = await run(['--json', 'import', report, '--dataset', DATASET, '--state-dir', dir]);
    expect(fixed.code).toBe(0);
    FORMULAS.slice(0, 4).forEach((f, i) => {
      expect(emulator.state.rowMetadata(DATASET, hash(i))['city']).toBe(f);
      expect(emulator.state.rowMetadata(DATASET, hash(i))['speed']).toBe(7);
    });
  });

  it('tab, CR and an already quoted formula survive a report round trip too', async () => {
    const user = join(dir, 'user2.csv');
    const rest = FORMULAS.slice(4);
    writeFileSync(user, `data_hash,city,speed\n${rest.map((f, i) => `${hash(i)},"${f}",oops`).join('\n')}\n`);
    const report = join(dir, 'report2.csv');
    expect((await run(['import', user, '--dataset', DATASET, '--state-dir', dir, '--report', report])).code).toBe(3);
    const text = readFileSync(report, 'utf8');
    expect(text).toContain(`,'\tTAB,`);
    expect(text).toContain(`"'\rCR"`);
    expect(text).toContain(`''=already`);
    writeFileSync(report, text.replaceAll(',oops,', ',1,'));
    expect((await run(['import', report, '--dataset', DATASET, '--state-dir', dir])).code).toBe(0);
    rest.forEach((f, i) => expect(emulator.state.rowMetadata(DATASET, hash(i))['city']).toBe(f));
  });

  it('_raw and _error are neutralised as well', async () => {
    const user = join(dir, 'raw.csv');
    // A record with an extra field (its _raw starts with the formula) and one whose error echoes a formula.
    writeFileSync(user, `city,data_hash,speed\n=1+2,${hash(0)},1,extra\n"x",${hash(1)},=3+4\n`);
    const report = join(dir, 'raw-report.csv');
    expect((await run(['import', user, '--dataset', DATASET, '--state-dir', dir, '--report', report])).code).toBe(3);
    const lines = readFileSync(report, 'utf8').split('\n');
    expect(lines[1]).toContain(`"'=1+2,${hash(0)},1,extra"`);
    // The unreadable record's cells stay empty (its _raw holds its text); the next row's cell is escaped.
    expect(lines[1]!.startsWith(',,,')).toBe(true);
    expect(lines[2]).toContain(`'=3+4`);
  });

  it("a user's own CSV is read exactly as written: '=x imports as '=x", async () => {
    const user = join(dir, 'own.csv');
    writeFileSync(user, `data_hash,city\n${hash(3)},'=x\n`);
    expect((await run(['import', user, '--dataset', DATASET, '--state-dir', dir])).code).toBe(0);
    expect(emulator.state.rowMetadata(DATASET, hash(3))['city']).toBe("'=x");
  });

  it("a listing edited to hold '=x (typed by a user into the spreadsheet) imports as =x; ''=x as '=x", async () => {
    const file = join(dir, 'edit-quote.csv');
    expect((await run(['list', '--dataset', DATASET, '--format', 'csv', '--out', file])).code).toBe(0);
    const text = readFileSync(file, 'utf8').replace(',Lisbon,', ",'=x,").replace(',@SUM(A1),', ",''=y,").replace(",'@SUM(A1),", ",''=y,");
    writeFileSync(file, text);
    expect((await run(['import', file, '--dataset', DATASET, '--state-dir', dir])).code).toBe(0);
    expect(emulator.state.rowMetadata(DATASET, hash(0))['city']).toBe('=x');
    expect(emulator.state.rowMetadata(DATASET, hash(2))['city']).toBe("'=y");
  });
});
