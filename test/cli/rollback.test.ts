/**
 * `encord-meta rollback` never wipes later edits (ROLLBACK_CONFLICT, exit 3, --force), and never runs
 * alongside another run on the same dataset, even one using another --state-dir or HOME.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDatasetLock, machineLockPath } from '../../src/checkpoint/dataset-lock.js';
import type { Emulator } from '../../src/emulator/index.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { ImportOutput, RollbackOutput } from '../../src/cli/json-outputs.js';
import { loadSchemaFile, toTypedWire } from '../../src/schema/index.js';
import { DATASET, SAMPLES, cli, demoEmulator, ensureBuilt, envFor, lastJson, spawnBin, tempDir } from './helpers.js';

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

const run = (argv: string[], env = envFor(url)) => cli(argv, { url, env });
const rows = () => emulator.state.rows(DATASET);

/** The data units the imports below set (the first of the dataset's 600: size is not what is tested). */
const UNITS = 100;

/** A CSV setting city=<prefix><index> on each of the first `UNITS` data units. */
function citiesFile(name: string, prefix: string): string {
  const path = join(dir, name);
  writeFileSync(path, `index,city\n${rows().slice(0, UNITS).map((_, i) => `${i},${prefix}${i}`).join('\n')}\n`);
  return path;
}

async function importCities(prefix: string, stateDir: string, extra: string[] = []): Promise<string> {
  const r = await run(['--json', 'import', citiesFile(`${prefix}.csv`, prefix), '--dataset', DATASET, '--state-dir', stateDir, ...extra]);
  expect(r.code, r.err).toBe(EXIT.OK);
  return ImportOutput.parse(lastJson(r.out)).summary.journalPath!;
}

describe('rollback and later edits', () => {
  it('a unit set after the import is left alone and reported (ROLLBACK_CONFLICT, exit 3); the others are restored; --force restores it', async () => {
    const before = rows().map((r) => r.metadata);
    const journal = await importCities('Imported', join(dir, 'state'));
    const set = await run(['set', '--dataset', DATASET, '--index', '5', 'city=LaterEdit', '--state-dir', join(dir, 'state')]);
    expect(set.code, set.err).toBe(EXIT.OK);

    const rb = await run(['rollback', journal, '--state-dir', join(dir, 'state')]);
    expect(rb.code, rb.err).toBe(EXIT.ROWS_FAILED);
    expect(rows()[5]!.metadata['city']).toBe('LaterEdit');
    expect(rows().filter((r, i) => i !== 5).map((r) => r.metadata)).toEqual(before.filter((_, i) => i !== 5));
    expect(rb.out).toContain('ROLLBACK_CONFLICT');
    expect(rb.out).toContain('--force');
    const reportPath = /report: (\S+)/.exec(rb.out)?.[1];
    expect(reportPath && existsSync(reportPath)).toBe(true);
    expect(readFileSync(reportPath!, 'utf8')).toContain(`${rows()[5]!.dataHash},ROLLBACK_CONFLICT,`);

    const json = await run(['--json', 'rollback', journal, '--state-dir', join(dir, 'state'), '--report', join(dir, 'conflicts.csv')]);
    expect(json.code).toBe(EXIT.ROWS_FAILED);
    const out = RollbackOutput.parse(lastJson(json.out));
    expect(out).toMatchObject({ restored: 0, reportPath: join(dir, 'conflicts.csv') });
    expect(out.conflicts).toEqual([expect.objectContaining({ dataHash: rows()[5]!.dataHash, code: 'ROLLBACK_CONFLICT' })]);

    const forced = await run(['rollback', journal, '--force', '--state-dir', join(dir, 'state')]);
    expect(forced.code, forced.err).toBe(EXIT.OK);
    expect(rows().map((r) => r.metadata)).toEqual(before);
  });

  it('set and import after a rollback work', async () => {
    const stateDir = join(dir, 'state');
    const journal = await importCities('First', stateDir);
    expect((await run(['rollback', journal, '--state-dir', stateDir])).code).toBe(EXIT.OK);
    const set = await run(['set', '--dataset', DATASET, '--index', '1', 'city=AfterRollback', '--state-dir', stateDir]);
    expect(set.code, set.err).toBe(EXIT.OK);
    await importCities('Second', stateDir);
    expect(rows()[1]!.metadata['city']).toBe('Second1');
  });
});

describe('rollback and a running import', () => {
  it('is refused (LOCKED, exit 1) while an import of the dataset runs with another --state-dir and HOME; the import loses nothing', async () => {
    const journal = await importCities('First', join(dir, 'state-first'));
    // A slow second import (as in the report: rollback started seconds into it).
    emulator.configure({ latency: { ms: 60 } });
    const writesBefore = emulator.counters()['v2:patch-bulk']?.requests ?? 0;
    const importing = run(['import', citiesFile('second.csv', 'Second'), '--dataset', DATASET, '--state-dir', join(dir, 'state-a'), '--batch-size', '4', '--concurrency', '1'], envFor(url));
    // Its first write is answered: it holds the dataset lock, with 24 more batches to go.
    await Promise.race([
      emulator.whenRequests((c) => (c['v2:patch-bulk']?.requests ?? 0) > writesBefore),
      importing.then((r) => Promise.reject(new Error(`the import ended before its first write: ${r.code} ${r.err}`))),
    ]);
    expect(existsSync(machineLockPath(url, DATASET))).toBe(true);

    const other = envFor(url); // another HOME
    const refused = await run(['rollback', journal, '--state-dir', join(dir, 'state-b')], other);
    expect(refused.code).toBe(EXIT.FATAL);
    expect(refused.err).toContain('[LOCKED]');
    const refusedDefault = await run(['rollback', journal], { ...other, ENCORD_META_STATE_DIR: join(dir, 'state-c') });
    expect(refusedDefault.err).toContain('[LOCKED]');

    const imported = await importing;
    expect(imported.code, imported.err).toBe(EXIT.OK);
    emulator.configure({ latency: null });
    expect(rows().slice(0, UNITS).every((r, i) => r.metadata['city'] === `Second${i}`)).toBe(true);
  });

  it('a rollback in another process (the built bin, its own HOME and state dir) is refused while this process holds the dataset lock', async () => {
    ensureBuilt();
    const journal = await importCities('First', join(dir, 'state-first'));
    const held = acquireDatasetLock({ stateDir: join(dir, 'state-a'), domain: url, datasetHash: DATASET });
    try {
      const env = { ...envFor(url), ...(process.env['TMPDIR'] !== undefined && { TMPDIR: process.env['TMPDIR'] }) };
      const refused = await spawnBin(['rollback', journal], env);
      expect(refused.code).toBe(EXIT.FATAL);
      expect(refused.err).toContain('[LOCKED]');
      expect(refused.err).toContain(`pid ${process.pid}`);
      expect(rows().slice(0, UNITS).every((r, i) => r.metadata['city'] === `First${i}`)).toBe(true);
    } finally {
      held.release();
    }
  });
});
