/**
 * Promise: metadata keys named like `Object.prototype` members (`constructor`, `toString`, `__proto__`,
 * `hasOwnProperty`, `valueOf`, …) are ordinary keys. Import, set, list, rollback, schema push/pull and the
 * merge store, compare and keep them like `city`; none is dropped, invented or crashes a command.
 * End to end against the emulator, one table over every name of `Object.getOwnPropertyNames(Object.prototype)`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Metadata, WireTypedSchema } from '../../src/encord/protocol/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { runImport } from '../../src/pipeline/run-import.js';
import { runRollback } from '../../src/pipeline/run-rollback.js';
import { applyUpdate, changedKeys, jsonEqual, wouldChange } from '../../src/pipeline/merge.js';
import { cli, envFor, tempDir } from '../cli/helpers.js';
import { KEY_PATH } from '../pipeline/harness.js';
import { createEncordClient, type EncordClient } from '../../src/encord/client.js';
import { loadCredentials } from '../../src/encord/key-source.js';

const NAMES = Object.getOwnPropertyNames(Object.prototype);
const DATASET = '0b1ec700-0000-4000-8000-000000000000';
const WITH = 'd0000000-0000-4000-8000-0000000000a1'; // holds every prototype-named key already
const WITHOUT = 'd0000000-0000-4000-8000-0000000000a2'; // holds none of them

/** An object with every name as an own key (JSON.parse defines `__proto__` as an own property). */
function ownObject(value: (name: string) => string): Metadata {
  return JSON.parse(JSON.stringify(Object.fromEntries(NAMES.map((n) => [n, value(n)])))) as Metadata;
}

function schemaWithNames(): WireTypedSchema {
  const schema = JSON.parse(`{${NAMES.map((n) => `${JSON.stringify(n)}:{"ty":"varchar","max_length":100}`).join(',')},"city":{"ty":"varchar","max_length":100}}`) as WireTypedSchema;
  return schema;
}

const ownKeys = (m: Metadata): string[] => Object.keys(m).sort();

let emulator: Emulator;
let client: EncordClient;
let dir: string;

beforeEach(async () => {
  const before = ownObject((n) => `old ${n}`);
  before['keyframes'] = [1, 2];
  emulator = await startEmulator({
    typedSchema: schemaWithNames(),
    datasets: [
      {
        hash: DATASET,
        title: 'prototype names',
        rows: [
          { dataHash: WITH, title: 'with.jpg', metadata: before },
          { dataHash: WITHOUT, title: 'without.jpg', metadata: { city: 'Oslo' } },
        ],
      },
    ],
  });
  const { auth } = await loadCredentials({ sshKeyPath: KEY_PATH, env: {} });
  client = createEncordClient({ auth, domain: emulator.url, retryBaseDelayMs: 5, retryMaxDelayMs: 40 });
  dir = tempDir('encord-meta-own-');
});
afterEach(async () => {
  await client.close();
  await emulator.close();
});

const stored = (hash: string): Metadata => emulator.state.rowMetadata(DATASET, hash);

describe('never drops a key named like an Object.prototype member', () => {
  it('the seeded unit really holds every name as an own key (the test can fail)', () => {
    expect(ownKeys(stored(WITH))).toEqual([...NAMES, 'keyframes'].sort());
    expect(NAMES).toContain('__proto__');
    expect(NAMES).toContain('constructor');
  });

  it('merge, diff and change detection treat every name as an own key', () => {
    for (const name of NAMES) {
      const current: Metadata = { city: 'x' };
      const update = [{ key: name, value: 'v', type: 'string' }];
      expect(wouldChange(current, update, 'merge'), name).toBe(true);
      const next = applyUpdate(current, update, 'merge');
      expect(Object.prototype.hasOwnProperty.call(next, name), name).toBe(true);
      expect(JSON.parse(JSON.stringify(next))).toEqual(JSON.parse(`{"city":"x",${JSON.stringify(name)}:"v"}`));
      expect(changedKeys(current, next), name).toEqual([name]);
      expect(jsonEqual(current, next), name).toBe(false);
      // A unit without the key does not "have" the inherited member.
      expect(wouldChange({}, [{ key: name, value: 'v', type: 'string' }], 'merge'), name).toBe(true);
    }
  });

  it('import writes every name, keeps the ones the file does not mention, and a rerun writes nothing', async () => {
    const header = ['data_hash', ...NAMES].join(',');
    const file = join(dir, 'names.csv');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, `${header}\n${WITHOUT},${NAMES.map((n) => `new ${n}`).join(',')}\n`);
    const first = await runImport({ datasetHash: DATASET, store: client, file, stateDir: join(dir, 'state') });
    expect(first.summary).toMatchObject({ written: 1, failed: 0 });
    const after = stored(WITHOUT);
    expect(ownKeys(after)).toEqual([...NAMES, 'city'].sort());
    for (const n of NAMES) expect(Object.getOwnPropertyDescriptor(after, n)?.value, n).toBe(`new ${n}`);
    const again = await runImport({ datasetHash: DATASET, store: client, file, stateDir: join(dir, 'state') });
    expect(again.summary).toMatchObject({ written: 0, unchanged: 1, failed: 0 });

    // A file that mentions only `city` keeps every prototype-named key of the other unit.
    const cityOnly = join(dir, 'city.csv');
    writeFileSync(cityOnly, `data_hash,city\n${WITH},Bergen\n`);
    const r = await runImport({ datasetHash: DATASET, store: client, file: cityOnly, stateDir: join(dir, 'state') });
    expect(r.summary).toMatchObject({ written: 1, failed: 0 });
    expect(ownKeys(stored(WITH))).toEqual([...NAMES, 'city', 'keyframes'].sort());
    expect(Object.getOwnPropertyDescriptor(stored(WITH), '__proto__')?.value).toBe('old __proto__');

    // Rollback of the first import puts back exactly what was there.
    const rolled = await runRollback({ journalPath: first.summary.journalPath!, store: client });
    expect(rolled.failed).toEqual([]);
    expect(stored(WITHOUT)).toEqual({ city: 'Oslo' });
  });

  it.each(NAMES)('set %s=x through the CLI writes it, prints the change and exits 0', async (name) => {
    const r = await cli(['set', '--dataset', DATASET, '--data-hash', WITHOUT, `${name}=x`, '--state-dir', dir], { url: emulator.url, env: envFor(emulator.url, { ENCORD_SSH_KEY: readFileSync(KEY_PATH, 'utf8') }) });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${name}: (absent) → "x"`);
    expect(Object.getOwnPropertyDescriptor(stored(WITHOUT), name)?.value).toBe('x');
    expect(stored(WITHOUT)['city']).toBe('Oslo');
  });

  it('list --format csv shows each name of the unit that has it and empty cells for the one that does not', async () => {
    const out = join(dir, 'list.csv');
    const r = await cli(['list', '--dataset', DATASET, '--format', 'csv', '--out', out], { url: emulator.url, env: envFor(emulator.url, { ENCORD_SSH_KEY: readFileSync(KEY_PATH, 'utf8') }) });
    expect(r.code).toBe(0);
    const [header, ...lines] = readFileSync(out, 'utf8').trim().split('\n');
    const cols = header!.split(',');
    const withLine = lines.find((l) => l.includes(WITH))!.split(',');
    const withoutLine = lines.find((l) => l.includes(WITHOUT))!.split(',');
    for (const n of NAMES) {
      const i = cols.indexOf(n);
      expect(i, n).toBeGreaterThan(0);
      expect(withLine[i], n).toBe(`old ${n}`);
      expect(withoutLine[i], n).toBe('');
    }
  });

  it('schema pull keeps every name, and pushing it back changes nothing', async () => {
    const file = join(dir, 'schema.json');
    const env = envFor(emulator.url, { ENCORD_SSH_KEY: readFileSync(KEY_PATH, 'utf8') });
    const pull = await cli(['schema', 'pull', '--out', file], { url: emulator.url, env });
    expect(pull.code).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const n of NAMES) expect(Object.prototype.hasOwnProperty.call(doc, n), n).toBe(true);
    const verify = await cli(['schema', 'verify', file], { url: emulator.url, env });
    expect(verify.code).toBe(0);
  });
});
