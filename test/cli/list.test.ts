import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { CliIo } from '../../src/cli/io.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { ImportOutput, ListOutput } from '../../src/cli/json-outputs.js';
import { loadSchemaFile, toTypedWire } from '../../src/schema/index.js';
import { DATASET, ROOT, SAMPLES, cli, demoEmulator, envFor, lastJson, tempDir, writeRequests } from './helpers.js';

let emulator: Emulator;
let url: string;
let dir: string;

beforeAll(async () => {
  emulator = await demoEmulator({ typedSchema: toTypedWire(await loadSchemaFile(join(SAMPLES, 'schema.json'))) });
  url = emulator.url;
  dir = tempDir();
  const imported = await cli(['import', join(SAMPLES, 'metadata.csv'), '--dataset', DATASET, '--state-dir', dir, '-q'], { url });
  expect(imported.code).toBe(0);
});
afterAll(async () => {
  await emulator.close();
});

const run = (argv: string[]) => cli(argv, { url });

describe('list', () => {
  it('--format table: index, data hash, title, item uuid and every metadata key, for people', async () => {
    const r = await run(['list', '--dataset', DATASET, '--format', 'table', '--limit', '3']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^index\s+data_hash\s+title\s+item_uuid\s+captured_at\s+city\s+dark\s+weather\s+gps\s+embedding\s+keyframes\s+qa_status$/);
    expect(lines).toHaveLength(5);
    expect(lines[2]).toMatch(/^\s*0\s+[0-9a-f-]{36}\s+dashcam-\d\d\/2026-11-\d\d\/frame_000001\.jpg\s+[0-9a-f-]{36}\s+2026-11-11T10:04:32/);
  });

  it('CSV by default in a pipe; the CSV names every key and is what the sample said', async () => {
    const r = await run(['list', '--dataset', DATASET]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(601);
    // reserved: shown, never imported; `_listed` stamps each unit's metadata as listed (never imported either)
    expect(lines[0]).toBe('index,data_hash,title,item_uuid,captured_at,city,dark,weather,gps,embedding,_keyframes,qa_status,_listed');
    expect(lines[1]).toMatch(/,[A-Za-z0-9_-]{16}$/);
    const sample = readFileSync(join(SAMPLES, 'metadata.csv'), 'utf8').split('\n')[1]!.split(',');
    expect(lines[1]).toContain(`,Lisbon,${sample[3]},${sample[4]},"{""latitude"":38.74265,""longitude"":-9.08332}","[-0.2564,0.2966,0.8262,0.7697,0.2343,-0.926,-0.0493,0.0311]",`);
    // Without a terminal, progress is one plain line, no control characters.
    expect(r.err).toMatch(/progress listing/);
    expect(r.err).not.toMatch(/[\r\x1b]/);
  });

  it('list --format csv imported back unchanged, with no flag, writes nothing (all unchanged, zero write requests)', async () => {
    const file = join(dir, 'listed.csv');
    expect((await run(['list', '--dataset', DATASET, '--format', 'csv', '--out', file])).code).toBe(0);
    const after = emulator.requestLog.lastId();
    // Keys outside the schema (keyframes, qa_status) need no --unknown-columns: a listing reads them as JSON.
    const r = await run(['--json', 'import', file, '--dataset', DATASET, '--state-dir', dir]);
    expect(r.code).toBe(0);
    const result = ImportOutput.parse(lastJson(r.out));
    expect(result.summary).toMatchObject({ rowsRead: 600, written: 0, unchanged: 600, failed: 0, keyKind: 'data_hash' });
    expect(writeRequests(emulator, after)).toBe(0);
  });

  it('--schema-keys-only makes a CSV that imports without --unknown-columns skip, again writing nothing', async () => {
    const file = join(dir, 'schema-keys.csv');
    const listed = await run(['list', '--dataset', DATASET, '--out', file, '--schema-keys-only']);
    expect(listed.code).toBe(0);
    expect(listed.err).toContain('not in the schema, left out: keyframes, qa_status');
    const after = emulator.requestLog.lastId();
    const r = await run(['--json', 'import', file, '--dataset', DATASET, '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(ImportOutput.parse(lastJson(r.out)).summary).toMatchObject({ written: 0, unchanged: 600, failed: 0 });
    expect(writeRequests(emulator, after)).toBe(0);
  });

  it('--out FILE.parquet writes typed Parquet that also imports back unchanged, with no flag', async () => {
    const file = join(dir, 'listed.parquet');
    const listed = await run(['list', '--dataset', DATASET, '--out', file]);
    expect(listed.code).toBe(0);
    expect(listed.err).toContain('wrote 600 of 600 data units');
    const after = emulator.requestLog.lastId();
    const r = await run(['--json', 'import', file, '--dataset', DATASET, '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(ImportOutput.parse(lastJson(r.out)).summary).toMatchObject({ written: 0, unchanged: 600, failed: 0 });
    expect(writeRequests(emulator, after)).toBe(0);
  });

  it('--format jsonl: one typed record per unit', async () => {
    const r = await run(['list', '--dataset', DATASET, '--format', 'jsonl', '--limit', '2']);
    const records = r.out.trim().split('\n').map((l) => JSON.parse(l) as { index: number; metadata: Record<string, unknown> });
    expect(records.map((x) => x.index)).toEqual([0, 1]);
    expect(records[0]!.metadata['dark']).toBe(false);
    expect(records[0]!.metadata['captured_at']).toBe('2026-11-11T10:04:32.000Z');
  });

  it('--json: one document with the records, matching its schema', async () => {
    const r = await run(['--json', 'list', '--dataset', DATASET, '--limit', '4']);
    expect(r.code).toBe(0);
    const json = ListOutput.parse(lastJson(r.out));
    expect(json).toMatchObject({ units: 600, rows: 4, format: null, out: null, unknownMetadata: 0 });
    expect(json.records).toHaveLength(4);
    expect(json.columns.slice(0, 4)).toEqual(['index', 'data_hash', 'title', 'item_uuid']);
    const toFile = ListOutput.parse(lastJson((await run(['--json', 'list', '--dataset', DATASET, '--out', join(dir, 'x.jsonl')])).out));
    expect(toFile).toMatchObject({ format: 'jsonl', rows: 600 });
    expect(toFile.records).toBeUndefined();
  });

  it('on a terminal the progress line redraws in place', async () => {
    let err = '';
    const io: CliIo = {
      stdout: { write: () => true, isTTY: true, columns: 100 },
      stderr: { write: (t: string) => (err += t), isTTY: true, columns: 100 },
      env: envFor(url),
      cwd: ROOT,
    };
    expect(await runCli(['list', '--dataset', DATASET, '--out', join(dir, 'tty.csv')], io)).toBe(0);
    expect(err).toContain('\rlisting');
    expect(err).toContain('\x1b[2K');
  });

  it('errors say what to do: unknown dataset (and whether the key has access), missing --dataset, parquet to stdout', async () => {
    const unknown = await run(['list', '--dataset', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(EXIT.FATAL);
    expect(unknown.err).toMatch(/\[DATASET_NOT_FOUND\].*not found or this key has no access to it.*encord-meta datasets --title-like NAME.*has access to the dataset/);
    expect(unknown.err).toContain('ssh-ed25519');
    const missing = await run(['list']);
    expect(missing.code).toBe(EXIT.USAGE);
    expect(missing.err).toContain('give --dataset HASH');
    const parquet = await run(['list', '--dataset', DATASET, '--format', 'parquet']);
    expect(parquet.code).toBe(EXIT.USAGE);
    expect(parquet.err).toContain('--out FILE.parquet');
  });
});

describe('a listing imported back after someone changed a unit in Encord (the _listed stamp)', () => {
  const cityOf = async (index: number): Promise<string> => {
    const r = await run(['list', '--dataset', DATASET, '--format', 'jsonl', '--limit', String(index + 1)]);
    return (JSON.parse(r.out.trim().split('\n')[index]!) as { metadata: { city: string } }).metadata.city;
  };

  // Units i, i+1, i+2: a colleague changes i and i+2 in Encord after the listing; the spreadsheet edits the
  // city of i and i+1 and leaves i+2's row as listed (now stale).
  for (const [first, flags] of [[2, []], [12, ['--no-bulk']]] as const) {
    it(`rows whose unit changed since the listing fail STALE_LISTING instead of undoing the change; the other edits are written (${flags.length > 0 ? 'per-row saves' : 'bulk'})`, async () => {
      const [a, b, c] = [first, first + 1, first + 2];
      const file = join(tempDir(), 'listed.csv');
      // The first 20 units: enough around a, b and c, and each import of the file stays small.
      expect((await run(['list', '--dataset', DATASET, '--format', 'csv', '--limit', '20', '--out', file])).code).toBe(0);
      const [cityA, cityB, cityC] = [await cityOf(a), await cityOf(b), await cityOf(c)];
      for (const index of [a, c]) {
        expect((await run(['set', '--dataset', DATASET, '--index', String(index), `city=Colleague${index}`, '--state-dir', tempDir()])).code).toBe(0);
      }
      const lines = readFileSync(file, 'utf8').split('\n');
      const edit = (index: number, from: string, to: string): void => {
        const at = lines.findIndex((l) => l.startsWith(`${index},`));
        expect(lines[at]).toContain(`,${from},`);
        lines[at] = lines[at]!.replace(`,${from},`, `,${to},`);
      };
      edit(a, cityA, `Edited${a}`);
      edit(b, cityB, `Edited${b}`);
      writeFileSync(file, lines.join('\n'));
      const report = join(tempDir(), 'failed.csv');
      const r = await run(['import', file, '--dataset', DATASET, '--state-dir', tempDir(), '--report', report, ...flags]);
      expect(r.code).toBe(EXIT.ROWS_FAILED);
      expect(await cityOf(a)).toBe(`Colleague${a}`); // the edit is not written over the colleague's change…
      expect(await cityOf(c)).toBe(`Colleague${c}`); // …and the stale cell does not undo it
      expect(await cityOf(b)).toBe(`Edited${b}`); // a unit nobody touched takes the edit
      expect(cityC).not.toBe(`Colleague${c}`);
      const failed = readFileSync(report, 'utf8');
      expect(failed.match(/STALE_LISTING/g)).toHaveLength(2);
      expect(failed).toMatch(/changed in Encord after this file was listed/);
      // Emptying the _listed cells writes the file's values over the change, as the message says.
      writeFileSync(file, readFileSync(file, 'utf8').replace(/,[A-Za-z0-9_-]{16}$/gm, ','));
      expect((await run(['import', file, '--dataset', DATASET, '--state-dir', tempDir(), ...flags])).code).toBe(0);
      expect(await cityOf(a)).toBe(`Edited${a}`);
      expect(await cityOf(c)).toBe(cityC);
    });
  }
});
