import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { MetadataStore } from '../../src/encord/metadata-store.js';
import { MetaError } from '../../src/errors.js';
import { runSet, buildSetUpdate, type SetOptions } from '../../src/pipeline/run-set.js';
import { runRollback } from '../../src/pipeline/run-rollback.js';
import { EMPTY_SCHEMA } from '../../src/schema/index.js';
import { DATASET, ROWS, SHARED_ITEM, startHarness, writeRequests, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const hashOf = (i: number): string => ROWS[i]!.dataHash;
const set = (options: Omit<SetOptions, 'store' | 'datasetHash'>) => runSet({ store: h.client, datasetHash: DATASET, stateDir: h.dir, ...options });

async function rejection(promise: Promise<unknown>): Promise<MetaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MetaError);
  return error as MetaError;
}

describe('runSet on one data unit', () => {
  it('coerces like an import cell and merges onto the current metadata (keyframes and other keys kept)', async () => {
    const r = await set({ target: { index: 0 }, assignments: ['dark=yes', 'captured_at=2026-11-28T10:00:00+01:00', 'city=Paris', 'gps=48.85,2.35'] });
    expect(r).toMatchObject({ units: 1, targets: 1, written: 1, unchanged: 0, failed: [] });
    expect(h.metadataOf(hashOf(0))).toEqual({
      source: 'legacy-import',
      keyframes: [0, 12],
      dark: true,
      captured_at: '2026-11-28T09:00:00.000Z',
      city: 'Paris',
      gps: { latitude: 48.85, longitude: 2.35 },
    });
    expect(r.changes[0]).toMatchObject({ index: 0, changedKeys: ['dark', 'captured_at', 'city', 'gps'] });
    expect(r.update.set).toMatchObject({ dark: true, city: 'Paris' });
  });

  it('finds units by data hash and title; an unknown or ambiguous one is a usage error before any write', async () => {
    expect((await set({ target: { dataHash: hashOf(3) }, assignments: ['speed=12.5'] })).written).toBe(1);
    expect(h.metadataOf(hashOf(3))).toEqual({ speed: 12.5 });
    expect((await set({ target: { title: 'cam-2/frame_009.jpg' }, assignments: ['weather=fog'] })).written).toBe(1);
    expect(h.metadataOf(hashOf(2))).toEqual({ qa_status: 'approved', city: 'Old', weather: 'fog' });
    const before = writeRequests(h.emulator);
    expect((await rejection(set({ target: { title: 'dup.jpg' }, assignments: ['speed=1'] }))).code).toBe('KEY_AMBIGUOUS_TITLE');
    const past = await rejection(set({ target: { index: 99 }, assignments: ['speed=1'] }));
    expect(past.code).toBe('KEY_NOT_FOUND');
    expect(past.message).toContain('it has 9 data units, 0 to 8');
    expect((await rejection(set({ target: { dataHash: 'd0000000-0000-4000-8000-00000000ffff' }, assignments: ['speed=1'] }))).code).toBe('KEY_NOT_FOUND');
    expect(writeRequests(h.emulator)).toBe(before);
  });

  it('writes nothing when the unit already holds the values', async () => {
    await set({ target: { index: 2 }, assignments: ['city=Old'] });
    const before = writeRequests(h.emulator);
    const r = await set({ target: { index: 2 }, assignments: ['city=Old', 'qa_status=approved'] });
    expect(r).toMatchObject({ written: 0, unchanged: 1 });
    expect(writeRequests(h.emulator)).toBe(before);
  });

  it('refuses bad values, unknown keys and reserved keys with the rule that was broken', async () => {
    const bad = await rejection(set({ target: { index: 1 }, assignments: ['speed=12,5'] }));
    expect(bad.code).toBe('USAGE_INVALID_VALUE');
    expect(bad.message).toMatch(/^Invalid number: .*got "12,5".*key speed/);
    const unknown = await rejection(set({ target: { index: 1 }, assignments: ['weathr=fog'] }));
    expect(unknown.code).toBe('USAGE_UNKNOWN_KEY');
    expect(unknown.message).toContain('did you mean "weather"');
    expect(unknown.message).toContain('encord-meta schema push --set weathr=TYPE');
    expect((await rejection(set({ target: { index: 1 }, assignments: ['keyframes=1'] }))).message).toContain('reserved');
    expect((await rejection(set({ target: { index: 1 }, assignments: ['city='] }))).message).toContain('--unset city');
    expect((await rejection(set({ target: { index: 1 }, assignments: ['city'] }))).code).toBe('USAGE');
    expect((await rejection(set({ target: { index: 1 } }))).message).toContain('Nothing to set');
    expect(writeRequests(h.emulator)).toBe(0);
    const allowed = await set({ target: { index: 1 }, assignments: ['note=hello'], unknownKeys: 'allow' });
    expect(allowed.written).toBe(1);
    expect(h.metadataOf(hashOf(1))).toEqual({ note: 'hello' });
    // KEY=VALUE for a key the schema lacks is text, as the README says: 5 is the string "5".
    await set({ target: { index: 1 }, assignments: ['count=5'], unknownKeys: 'allow' });
    expect(h.metadataOf(hashOf(1))).toEqual({ note: 'hello', count: '5' });
  });

  it('takes typed JSON values: types must match, null and --unset remove keys', async () => {
    await set({ target: { index: 2 }, values: { speed: 3, dark: false, gps: { lat: 1, lon: 2 }, embedding: [1, 2, 3, 4] } });
    expect(h.metadataOf(hashOf(2))).toEqual({ qa_status: 'approved', city: 'Old', speed: 3, dark: false, gps: { latitude: 1, longitude: 2 }, embedding: [1, 2, 3, 4] });
    const wrong = await rejection(set({ target: { index: 2 }, values: { speed: '3' } }));
    expect(wrong.message).toMatch(/Invalid number: expected a JSON number/);
    await set({ target: { index: 2 }, values: { city: null }, unset: ['speed'] });
    expect(h.metadataOf(hashOf(2))).toEqual({ qa_status: 'approved', dark: false, gps: { latitude: 1, longitude: 2 }, embedding: [1, 2, 3, 4] });
  });

  it('replace mode makes the given keys the whole metadata, keeping keyframes', async () => {
    await set({ target: { index: 0 }, assignments: ['city=Oslo'], mode: 'replace' });
    expect(h.metadataOf(hashOf(0))).toEqual({ keyframes: [0, 12], city: 'Oslo' });
  });

  it('writes a legacy unit (no storage item) with the v1 save', async () => {
    const r = await set({ target: { index: 4 }, assignments: ['city=Lyon'] });
    expect(r.written).toBe(1);
    expect(h.metadataOf(hashOf(4))).toEqual({ source: 'v1-only', city: 'Lyon' });
    expect(h.emulator.counters()['v1:datarow:POST']?.requests).toBe(1);
  });

  it('says which other units change with a shared storage item', async () => {
    const r = await set({ target: { index: 7 }, assignments: ['city=Nice'] });
    // Both rows show the item's name as their title.
    expect(r.alsoChanged).toEqual([{ index: 8, dataHash: hashOf(8), title: 'shared-a.jpg' }]);
    expect(h.emulator.state.itemMetadata(SHARED_ITEM)).toEqual({ source: 'shared', city: 'Nice' });
    expect(h.metadataOf(hashOf(8))).toEqual({ source: 'shared', city: 'Nice' });
  });

  it('merges onto the metadata read just before the write, not the listing', async () => {
    // Someone edits the unit in the UI between the listing and the write.
    const c = h.client;
    const store: MetadataStore = {
      async getDataset(hash, options) {
        const listing = await c.getDataset(hash, options);
        h.emulator.state.setRowMetadata(DATASET, hashOf(1), { qa_status: 'edited-in-ui' });
        return listing;
      },
      refetchDataUnit: (...a) => c.refetchDataUnit(...a),
      getDataUnits: (...a) => c.getDataUnits(...a),
      saveMetadata: (...a) => c.saveMetadata(...a),
      getItems: (...a) => c.getItems(...a),
      patchItems: (...a) => c.patchItems(...a),
      getTypedSchema: (...a) => c.getTypedSchema(...a),
      setTypedSchema: (...a) => c.setTypedSchema(...a),
      getSimpleSchema: (...a) => c.getSimpleSchema(...a),
      setSimpleSchema: (...a) => c.setSimpleSchema(...a),
      get stats() {
        return c.stats;
      },
      close: () => c.close(),
    };
    const r = await runSet({ store, datasetHash: DATASET, target: { index: 1 }, assignments: ['city=Rome'] });
    expect(r.written).toBe(1);
    expect(h.metadataOf(hashOf(1))).toEqual({ qa_status: 'edited-in-ui', city: 'Rome' });
  });
});

describe('runSet --all', () => {
  it('writes every unit through patch-bulk (and the v1 save for legacy units), shared items once', async () => {
    const progress: number[] = [];
    const r = await set({ target: { all: true }, assignments: ['weather=rain'], batchSize: 3, onProgress: (p) => progress.push(p.done) });
    expect(r).toMatchObject({ units: 9, targets: 8, written: 9, unchanged: 0, failed: [] });
    for (const row of ROWS) expect(h.metadataOf(row.dataHash)['weather']).toBe('rain');
    const c = h.emulator.counters();
    expect(c['v2:patch-bulk']?.requests).toBe(3); // 7 items in batches of 3
    expect(c['v1:datarow:POST']?.requests).toBe(1);
    expect(c['v2:item:PATCH']).toBeUndefined();
    expect(progress[progress.length - 1]).toBe(9);
    expect(h.metadataOf(hashOf(0))['keyframes']).toEqual([0, 12]);

    const before = writeRequests(h.emulator);
    const again = await set({ target: { all: true }, assignments: ['weather=rain'] });
    expect(again).toMatchObject({ written: 0, unchanged: 9 });
    expect(writeRequests(h.emulator)).toBe(before);
  });

  it('a dry run reports the changes and writes nothing', async () => {
    const r = await set({ target: { all: true }, assignments: ['dark=true'], dryRun: true });
    expect(r).toMatchObject({ dryRun: true, written: 9, journalPath: null });
    expect(r.changes).toHaveLength(8);
    expect(writeRequests(h.emulator)).toBe(0);
  });

  it('journals previous values so rollback undoes a set', async () => {
    const journalPath = join(h.dir, 'set-journal.jsonl');
    const before = ROWS.map((row) => h.metadataOf(row.dataHash));
    const r = await set({ target: { all: true }, assignments: ['city=Bern'], journalPath });
    expect(r.journalPath).toBe(journalPath);
    const rb = await runRollback({ journalPath, store: h.client });
    expect(rb).toMatchObject({ targets: 8, restored: 8, failed: [] });
    expect(ROWS.map((row) => h.metadataOf(row.dataHash))).toEqual(before);
  });

  it('failed writes are reported per unit and the rest is written', async () => {
    h.emulator.faults.set([{ route: 'v1:datarow:POST', action: { type: 'status', status: 400, message: 'bad value' } }]);
    const r = await set({ target: { all: true }, assignments: ['city=Bern'] });
    expect(r.written).toBe(8);
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]).toMatchObject({ index: 4, dataHash: hashOf(4) });
  });
});

describe('buildSetUpdate', () => {
  it('refuses a key given twice', () => {
    expect(() => buildSetUpdate({ assignments: ['a=1'], values: { a: 1 }, unknownKeys: 'allow' }, EMPTY_SCHEMA)).toThrow(/given twice/);
  });
});
