/**
 * Promise: files that hold business metadata are private to the user who runs the tool. Reports,
 * journals, summaries, listings, the lock, copies of standard input and the state directory are created
 * 0600 / 0700 whatever the umask; the copy of standard input is removed when the run ends.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { bufferIo } from '../../src/cli/io.js';
import { DATASET, KEY_PATH, ROWS, startHarness, type Harness } from '../pipeline/harness.js';

let h: Harness;
const umask = process.umask();
beforeEach(async () => {
  process.umask(0o022); // the usual default, which would make files 0644
  h = await startHarness();
});
afterEach(async () => {
  process.umask(umask);
  await h.close();
});

const mode = (path: string): number => statSync(path).mode & 0o777;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)]));
}

describe('business files are private (0600 files, 0700 directories)', () => {
  it('an import with failures: state dir, report, journal, summary, listing', async () => {
    const state = join(h.dir, 'state');
    const file = h.write('in.csv', `data_hash,city,speed\n${ROWS[1].dataHash},Paris,1\n${ROWS[3].dataHash},Oslo,fast\n`);
    const summary = join(h.dir, 'out', 'summary.json');
    const io = bufferIo({ env: { HOME: h.dir }, cwd: h.dir });
    const code = await runCli(['--domain', h.emulator.url, '--ssh-key', KEY_PATH, 'import', file, '--dataset', DATASET, '--state-dir', state, '--summary', summary, '--no-progress'], io);
    expect(code).toBe(3);
    expect(mode(summary)).toBe(0o600);
    expect(mode(join(h.dir, 'out'))).toBe(0o700);
    expect(mode(state)).toBe(0o700);
    const made = walk(state);
    expect(made.some((p) => p.endsWith('.csv'))).toBe(true); // the failure report
    expect(made.some((p) => p.endsWith('.jsonl'))).toBe(true); // the undo journal
    for (const p of made) expect([p, mode(p)]).toEqual([p, statSync(p).isDirectory() ? 0o700 : 0o600]);

    const listed = join(h.dir, 'listing', 'all.csv');
    const list = await runCli(['--domain', h.emulator.url, '--ssh-key', KEY_PATH, 'list', '--dataset', DATASET, '--format', 'csv', '--out', listed], bufferIo({ env: { HOME: h.dir }, cwd: h.dir }));
    expect(list).toBe(0);
    expect(mode(listed)).toBe(0o600);
  });

  it('standard input is copied to a private file that is gone when the run ends', async () => {
    const state = join(h.dir, 'state');
    const stdin = (async function* () {
      yield Buffer.from(`data_hash,city\n${ROWS[1].dataHash},Zürich\n`);
    })();
    const code = await runCli(['--domain', h.emulator.url, '--ssh-key', KEY_PATH, 'import', '-', '--dataset', DATASET, '--state-dir', state, '--no-progress'], {
      ...bufferIo({ env: { HOME: h.dir }, cwd: h.dir }),
      stdin,
    });
    expect(code).toBe(0);
    expect(h.metadataOf(ROWS[1].dataHash)).toEqual({ city: 'Zürich' });
    const copies = existsSync(join(state, 'stdin')) ? readdirSync(join(state, 'stdin')) : [];
    expect(copies).toEqual([]);
  });
});
