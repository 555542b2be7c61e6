/**
 * `encord-meta import` as a person or a scheduler sees it: argv in, stdout/stderr/exit code out, in-process
 * through runCli, plus the real bin for signals.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run-cli.js';
import { DATASET, KEY_PATH, ROWS, TEST_KEY_TEXT, startHarness, writeRequests, type Harness } from './harness.js';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const hash = (i: number): string => ROWS[i]!.dataHash;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const io = bufferIo({ env: { HOME: h.dir, ...env }, cwd: h.dir });
  const code = await runCli(['--domain', h.emulator.url, '--ssh-key', KEY_PATH, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('encord-meta import', () => {
  it('exit 0 when every row is applied; prints a summary; --summary writes JSON', async () => {
    const file = h.write('ok.csv', `index,city\n0,Paris\n1,Rome\n`);
    const r = await cli(['import', file, '--dataset', DATASET, '--summary', 'run.json', '--no-progress']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rows 2 \| written 2 \| unchanged 0 \| failed 0/);
    // The key plan is said before the first write.
    expect(r.out.split('\n')[0]).toBe('key: index from column "index"; 2 rows: 2 to write, 0 already up to date');
    const summary = JSON.parse(readFileSync(join(h.dir, 'run.json'), 'utf8'));
    expect(summary).toMatchObject({ rowsRead: 2, written: 2, failed: 0, dryRun: false, datasetHash: DATASET });
    expect(typeof summary.durationMs).toBe('number');
  });

  it('exit 3 with failed rows and a report path; --max-errors stops early', async () => {
    const file = h.write('bad.csv', `index,speed\n0,x\n1,y\n2,3\n3,z\n`);
    const r = await cli(['import', file, '--dataset', DATASET, '--report', 'fail.csv', '--no-progress']);
    expect(r.code).toBe(3);
    expect(r.out).toContain('failed by code: INVALID_NUMBER 3');
    expect(r.out).toContain(join(h.dir, 'fail.csv'));
    const early = await cli(['import', file, '--dataset', DATASET, '--max-errors', '0', '--json', '--no-progress']);
    expect(early.code).toBe(3);
    expect(JSON.parse(early.out).summary).toMatchObject({ stoppedEarly: true, failed: 1 });
  });

  it('exit 2 for usage errors, before any write', async () => {
    const file = h.write('u.csv', `index,colour\n0,red\n`);
    const unknown = await cli(['import', file, '--dataset', DATASET]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/colour.*no key in the org metadata schema.*schema push/s);
    expect((await cli(['import', file])).code).toBe(2);
    expect((await cli(['import', file, '--dataset', DATASET, '--concurrency', '0'])).code).toBe(2);
    expect((await cli(['import', file, '--dataset', DATASET, '--mode', 'overwrite'])).code).toBe(2);
    expect(writeRequests(h.emulator)).toBe(0);
  });

  it('exit 1 for fatal errors: unknown dataset, unregistered key (naming the key to register)', async () => {
    const file = h.write('f.csv', `index,city\n0,X\n`);
    const missing = await cli(['import', file, '--dataset', '99999999-9999-4999-8999-999999999999']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/not found or .*no access/i);
    h.emulator.auth.revoke('1e982bba926e94e4fb141458328f6b2c432bd9ff017976a4218d4fc3b9b88d00');
    const unregistered = await cli(['import', file, '--dataset', DATASET]);
    expect(unregistered.code).toBe(1);
    expect(unregistered.err).toContain('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB6YK7qSbpTk+xQUWDKPayxDK9n/AXl2pCGNT8O5uI0A');
    expect(unregistered.err).not.toContain(TEST_KEY_TEXT.split('\n')[1]!);
  });

  it('--dry-run prints the key plan, column counts and diffs, and writes nothing', async () => {
    const file = h.write('dry.csv', `data_hash,city,speed\n${hash(2)},New,abc\n${hash(1)},Rome,2\nd0000000-0000-4000-8000-0000000000ff,X,1\n`);
    const r = await cli(['import', file, '--dataset', DATASET, '--dry-run', '--no-progress']);
    expect(r.code).toBe(3);
    expect(r.out).toContain('Dry run');
    expect(r.out).toMatch(/keys not found\s+1/);
    expect(r.out).toMatch(/speed\s+ok 1, empty 0, invalid 1/);
    expect(r.out).toContain('city: (absent) → "Rome"');
    expect(writeRequests(h.emulator)).toBe(0);
  });

  it('job config: rename, ignore, constants and two columns combined into one geospatial value', async () => {
    h.write('data.csv', `Data Hash,Town,lat,lon,notes\n${hash(1)},Lisbon,38.72,-9.14,ignore me\n`);
    writeFileSync(
      join(h.dir, 'job.json'),
      JSON.stringify({
        dataset: DATASET,
        file: 'data.csv',
        keyColumn: 'Data Hash',
        key: 'data_hash',
        columns: { rename: { Town: 'city' }, ignore: ['notes'], constants: { qa_status: 'nightly' }, geo: [{ key: 'gps', latitude: 'lat', longitude: 'lon' }] },
      }),
    );
    const r = await cli(['--config', 'job.json', 'import', '--no-progress']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(h.metadataOf(hash(1))).toEqual({ city: 'Lisbon', qa_status: 'nightly', gps: { latitude: 38.72, longitude: -9.14 } });
  });

  it('job config constants for keys the schema lacks keep their JSON type: the string "5" stays a string (--unknown-columns json)', async () => {
    h.write('data.csv', `index,city\n2,Oslo\n`);
    writeFileSync(
      join(h.dir, 'job.json'),
      JSON.stringify({ dataset: DATASET, file: 'data.csv', key: 'index', columns: { constants: { batch: '5', count: 5, flag: true, tags: '[1,2]', note: 'true' } } }),
    );
    const r = await cli(['--config', 'job.json', 'import', '--unknown-columns', 'json', '--no-progress']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(h.metadataOf(hash(2))).toMatchObject({ city: 'Oslo', batch: '5', count: 5, flag: true, tags: '[1,2]', note: 'true' });
  });

  it('a config error names the key path', async () => {
    writeFileSync(join(h.dir, 'bad.json'), JSON.stringify({ dataset: DATASET, concurrency: 'many', columns: { renam: {} } }));
    const r = await cli(['--config', 'bad.json', 'import', 'x.csv']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/concurrency/);
    expect(r.err).toMatch(/columns/);
  });

  it('reads CSV from standard input with "-"', async () => {
    const io = bufferIo({ env: { HOME: h.dir }, cwd: h.dir });
    const stdin = (async function* () {
      yield Buffer.from(`index,city\n3,Piped\n`);
    })();
    const code = await runCli(['--domain', h.emulator.url, '--ssh-key', KEY_PATH, 'import', '-', '--dataset', DATASET, '--no-progress'], { ...io, stdin });
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(h.metadataOf(hash(3))).toEqual({ city: 'Piped' });
  });

  it('SIGTERM: stops, flushes, exits 130; the rerun finishes', async () => {
    const lines = ['index,city'];
    for (let i = 0; i < ROWS.length; i += 1) if (i !== 5 && i !== 6 && i !== 7 && i !== 8) lines.push(`${i},T${i}`);
    const file = h.write('term.csv', `${lines.join('\n')}\n`);
    h.emulator.faults.set([{ route: 'v2:get-bulk', action: { type: 'delay', ms: 400 } }]);
    const child = spawn(process.execPath, [BIN, '--domain', h.emulator.url, '--ssh-key', KEY_PATH, 'import', file, '--dataset', DATASET, '--batch-size', '1', '--state-dir', join(h.dir, 's')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    await h.emulator.whenRequests((counters) => (counters['v2:get-bulk']?.requests ?? 0) >= 1);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toContain('SIGTERM');
    h.emulator.faults.clear();
    const again = await cli(['import', file, '--dataset', DATASET, '--no-progress', '--state-dir', join(h.dir, 's')]);
    expect(again.code).toBe(0);
    for (let i = 0; i < 5; i += 1) expect(h.metadataOf(hash(i))['city']).toBe(`T${i}`);
  });
});

describe('exit codes of unreadable files', () => {
  it('a file that cannot be read at all is a usage error (2): nothing was written', async () => {
    const missing = await cli(['import', join(h.dir, 'nope.csv'), '--dataset', DATASET]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('SOURCE_NOT_FOUND');
    const empty = await cli(['import', h.write('empty.csv', ''), '--dataset', DATASET]);
    expect(empty.code).toBe(2);
    expect(writeRequests(h.emulator)).toBe(0);
  });
});
