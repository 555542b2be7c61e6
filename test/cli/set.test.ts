import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { RollbackOutput, SetOutput } from '../../src/cli/json-outputs.js';
import { loadSchemaFile, toTypedWire } from '../../src/schema/index.js';
import { DATASET, SAMPLES, cli, demoEmulator, lastJson, tempDir, writeRequests } from './helpers.js';

let emulator: Emulator;
let url: string;
let dir: string;

beforeEach(async () => {
  emulator = await demoEmulator({ typedSchema: toTypedWire(await loadSchemaFile(join(SAMPLES, 'schema.json'))) });
  url = emulator.url;
  dir = tempDir();
});
afterEach(async () => {
  await emulator.close();
});

const run = (argv: string[]) => cli(argv, { url });
const row = (index: number) => emulator.state.rows(DATASET)[index]!;

describe('set', () => {
  it('sets KEY=VALUE on one unit by index, coerced like an import cell, merged with what it has', async () => {
    const r = await run(['set', '--dataset', DATASET, '--index', '4', 'city=Paris', 'dark=no', 'captured_at=2026-11-28 10:00', '--timezone', 'Europe/Paris', '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Set city, dark, captured_at on 1 data unit of dataset ${DATASET}`);
    expect(r.out).toContain('city: (absent) → "Paris"');
    expect(r.out).toMatch(/undo journal: .*-set\.jsonl \(encord-meta rollback /);
    expect(row(4).metadata).toEqual({ qa_status: 'approved', city: 'Paris', dark: false, captured_at: '2026-11-28T09:00:00.000Z' });
  });

  it('--json \'{...}\' gives typed values (and does not switch the output to JSON)', async () => {
    const title = row(7).title;
    const r = await run(['set', '--dataset', DATASET, '--title', title, '--json', '{"gps": {"latitude": 48.85, "longitude": 2.35}, "embedding": [1,2,3,4,5,6,7,8], "dark": true}', '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Set gps, embedding, dark on 1 data unit/);
    expect(row(7).metadata).toEqual({ keyframes: [0, 72, 240], gps: { latitude: 48.85, longitude: 2.35 }, embedding: [1, 2, 3, 4, 5, 6, 7, 8], dark: true });
    const both = await run(['--json', 'set', '--dataset', DATASET, '--data-hash', row(7).dataHash, '--json', '{"dark": null}', '--state-dir', dir]);
    expect(both.code).toBe(0);
    const json = SetOutput.parse(lastJson(both.out));
    expect(json.update).toEqual({ set: {}, unset: ['dark'] });
    expect(row(7).metadata).not.toHaveProperty('dark');
    const equals = await run(['set', '--dataset', DATASET, '--index', '7', '--json={"weather": "fog"}', '--state-dir', dir]);
    expect(equals.code, equals.err).toBe(0);
    expect(equals.out).toMatch(/^Set weather on 1 data unit/);
    expect(row(7).metadata['weather']).toBe('fog');
  });

  it('--all goes through the bulk path; --dry-run writes nothing; rerunning writes nothing; --json matches its schema', async () => {
    const dry = await run(['set', '--dataset', DATASET, '--all', 'weather=snow', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('Dry run: would set weather on 600 data units');
    expect(writeRequests(emulator)).toBe(0);

    const r = await run(['--json', 'set', '--dataset', DATASET, '--all', 'weather=snow', '--state-dir', dir]);
    expect(r.code).toBe(0);
    const json = SetOutput.parse(lastJson(r.out));
    expect(json).toMatchObject({ units: 600, written: 600, unchanged: 0, failed: [] });
    expect(emulator.state.rows(DATASET).every((u) => u.metadata['weather'] === 'snow')).toBe(true);
    const c = emulator.counters();
    expect(c['v2:patch-bulk']?.requests).toBe(2); // 593 items in batches of 500
    expect(c['v1:datarow:POST']?.requests).toBe(7); // the legacy units

    const before = writeRequests(emulator);
    const again = SetOutput.parse(lastJson((await run(['--json', 'set', '--dataset', DATASET, '--all', 'weather=snow', '--state-dir', dir])).out));
    expect(again).toMatchObject({ written: 0, unchanged: 600 });
    expect(writeRequests(emulator)).toBe(before);

    // rollback undoes the set, using the journal it printed.
    const rb = await run(['--json', 'rollback', json.journalPath!]);
    expect(rb.code).toBe(0);
    expect(RollbackOutput.parse(lastJson(rb.out))).toMatchObject({ restored: 600, failed: [] });
    expect(row(0).metadata).toEqual({});
    expect(row(4).metadata).toEqual({ qa_status: 'approved' });
  });

  it('usage errors exit 2 and say what to do; nothing is written', async () => {
    const cases: [string[], RegExp][] = [
      [['set', '--dataset', DATASET, '--index', '1', 'weather=drizzle'], /USAGE_INVALID_VALUE.*Invalid enum value.*"drizzle"/],
      [['set', '--dataset', DATASET, '--index', '1', 'temperature=12'], /USAGE_UNKNOWN_KEY.*encord-meta schema push --set temperature=TYPE/],
      [['set', '--dataset', DATASET, 'city=Paris'], /exactly one of --index N, --data-hash H, --title T or --all/],
      [['set', '--dataset', DATASET, '--index', '1', '--all', 'city=Paris'], /exactly one of/],
      [['set', '--dataset', DATASET, '--index', '600', 'city=Paris'], /KEY_NOT_FOUND.*0 to 599/],
      [['set', '--dataset', DATASET, '--index', '1', '--json', '[1]'], /expected a JSON object/],
      [['set', '--dataset', DATASET, '--index', 'x', 'city=Paris'], /--index to be an integer/],
      [['set', '--index', '1', 'city=Paris'], /give --dataset HASH/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.USAGE);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    expect(writeRequests(emulator)).toBe(0);
  });

  it('numbers are exact or refused: a --json number a double cannot hold (JSON.parse would round it) exits 2 and writes nothing', async () => {
    for (const json of ['{"embedding": [0.1, 9007199254740993, 1, 2, 3, 4, 5, 6]}', '{"gps": {"latitude": 1e-400, "longitude": 2.35}}']) {
      const r = await run(['set', '--dataset', DATASET, '--index', '1', '--json', json, '--state-dir', dir]);
      expect(r.code, json).toBe(EXIT.USAGE);
      expect(r.err, json).toMatch(/USAGE_INVALID_VALUE.*Invalid number.*store it in a string key/);
    }
    expect(writeRequests(emulator)).toBe(0);
  });
});
