/** `--state DIR`: restarts keep the data, flushes are atomic, and SIGKILL never corrupts the file. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, watch, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, STATE_FILE } from '../../src/emulator/index.js';
import { ensureBuilt } from '../cli/helpers.js';
import { call, pyJson, v1Body } from './helpers.js';

const DS = '0f0f0f0f-5555-4555-8555-000000000001';
const SHARED = 'aaaaaaaa-5555-4555-8555-000000000001';
const H = (n: number): string => `dddddddd-5555-4555-8555-${String(n).padStart(12, '0')}`;

/**
 * Resolves on the first change in `dir` that `accept` takes (inotify: an event, not a clock); rejects if
 * `otherwise` settles first. Start it before the action that makes the change.
 */
function whenDirChanges(dir: string, accept: (event: { eventType: string; filename: string | null }) => boolean, otherwise?: Promise<unknown>): Promise<void> {
  const stop = new AbortController();
  const seen = (async () => {
    for await (const event of watch(dir, { signal: stop.signal })) if (accept(event)) return;
  })().catch((error: unknown) => {
    if (!stop.signal.aborted) throw error;
  });
  const done = otherwise === undefined ? seen : Promise.race([seen, otherwise.then(() => Promise.reject(new Error(`gave up waiting for a change in ${dir}`)))]);
  return done.finally(() => stop.abort());
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('state directory', () => {
  it('survives a restart; seeding happens only when the directory is empty', async () => {
    const first = await startEmulator({
      stateDir: dir,
      seedRows: 50,
      datasets: [
        {
          hash: DS,
          rows: [
            { dataHash: H(1), backingItemUuid: SHARED, metadata: { a: 1 } },
            { dataHash: H(2), backingItemUuid: SHARED },
            { dataHash: H(3), backingItemUuid: null, metadata: { legacy: true } },
          ],
        },
      ],
      typedSchema: { a: { ty: 'number' } },
    });
    const seeded = first.datasets();
    expect(seeded.map((d) => d.rows)).toEqual([50, 3]);
    const rowsBefore = first.state.rows(seeded[0]!.hash);
    await call(first.url, '/public', { dataset: DS, body: v1Body('datarow', 'POST', H(3), { client_metadata: { legacy: 'written' } }) });
    await call(first.url, '/v2/public/storage/items/patch-bulk', {
      method: 'PATCH',
      body: pyJson({ itemPatches: { [SHARED]: { clientMetadata: { via: 'v2' } } } }),
    });
    await first.close();
    expect((await readdir(dir)).sort()).toEqual([STATE_FILE]);

    const second = await startEmulator({ stateDir: dir, seedRows: 50, seed: 99 });
    try {
      expect(second.datasets()).toEqual(seeded);
      expect(second.state.rows(seeded[0]!.hash)).toEqual(rowsBefore);
      expect(second.state.rowMetadata(DS, H(2))).toEqual({ via: 'v2' });
      expect(second.state.rowMetadata(DS, H(3))).toEqual({ legacy: 'written' });
      expect(second.state.item(SHARED).backedDataUnitsCount).toBe(2);
      expect(second.state.typedSchema()).toEqual({ a: { ty: 'number' } });
      // New ids after a restart do not collide with the first run's.
      const [more] = second.state.seedDatasets([{ rows: [{}, {}] }]);
      expect(more!.rows).toBe(2);
    } finally {
      await second.close();
    }
    const third = await startEmulator({ stateDir: dir });
    expect(third.datasets()).toHaveLength(3);
    await third.close();
  });

  it('debounced flushes write a complete file; flush() forces one', async () => {
    const emu = await startEmulator({ stateDir: dir, flushDelayMs: 20, datasets: [{ hash: DS, rows: [{ dataHash: H(1) }] }] });
    try {
      // Nobody calls flush(): the debounced one renames a complete file into place.
      const flushed = whenDirChanges(dir, (e) => e.eventType === 'rename' && e.filename === STATE_FILE);
      emu.state.setRowMetadata(DS, H(1), { x: 1 });
      await flushed;
      const text = await readFile(join(dir, STATE_FILE), 'utf8');
      expect(text.trim().split('\n').at(-1)).toMatch(/"t":"end"/);
      expect(text).toContain('{"x":1}');
      emu.state.setRowMetadata(DS, H(1), { x: 2 });
      await emu.flush();
      expect(await readFile(join(dir, STATE_FILE), 'utf8')).toContain('{"x":2}');
    } finally {
      await emu.close();
    }
  });

  it('refuses a truncated or foreign state file instead of starting empty', async () => {
    const emu = await startEmulator({ stateDir: dir, datasets: [{ rows: [{}] }] });
    await emu.close();
    const text = await readFile(join(dir, STATE_FILE), 'utf8');
    await writeFile(join(dir, STATE_FILE), text.split('\n').slice(0, -2).join('\n'));
    await expect(startEmulator({ stateDir: dir })).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    await writeFile(join(dir, STATE_FILE), '{"hello":1}\n');
    await expect(startEmulator({ stateDir: dir })).rejects.toThrow(/header/);
  });

  it('SIGKILL during writes and flushes leaves a loadable state', async () => {
    ensureBuilt();
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'emulator-child.mjs')], {
      env: { ...process.env, EMU_OPTIONS: JSON.stringify({ stateDir: dir, seedRows: 20_000, flushDelayMs: 0 }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });
      const { url, datasets } = JSON.parse(line) as { url: string; datasets: Array<{ hash: string; folderUuid: string }> };
      const items = await call(url, `/v2/public/storage/folders/${datasets[0]!.folderUuid}/items?pageSize=50`);
      const uuids = (items.json.results as Array<{ uuid: string }>).map((r) => r.uuid);
      // Keep writing (each write schedules a full flush of 20k rows) and kill mid-way.
      let rounds = 0;
      const exited = new Promise((r) => child.once('exit', r));
      // Killed while a flush is writing its temp file, once a few writes have been answered.
      const midFlush = whenDirChanges(dir, (e) => rounds >= 3 && e.eventType === 'change' && e.filename?.startsWith(`${STATE_FILE}.tmp`) === true, exited);
      const writes = (async () => {
        for (let i = 0; ; i += 1) {
          const patches = Object.fromEntries(uuids.map((u) => [u, { clientMetadata: { round: i } }]));
          await call(url, '/v2/public/storage/items/patch-bulk', { method: 'PATCH', body: pyJson({ itemPatches: patches }) });
          rounds += 1;
        }
      })().catch(() => undefined);
      await midFlush;
      child.kill('SIGKILL');
      await writes;
    } finally {
      child.kill('SIGKILL');
    }
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    const leftovers = await readdir(dir);
    const emu = await startEmulator({ stateDir: dir });
    try {
      const [ds] = emu.datasets();
      expect(ds!.rows).toBe(20_000);
      // A temp file of an interrupted flush may remain; it is ignored and removed on start.
      expect(leftovers.filter((n) => n !== STATE_FILE).every((n) => n.startsWith(`${STATE_FILE}.tmp`))).toBe(true);
      expect(await readdir(dir)).toEqual([STATE_FILE]);
    } finally {
      await emu.close();
    }
  });
});
