/**
 * Storage folder targets: `list --folder`, `set --folder` and the rollback of a folder run, in-process
 * against the emulator. The dataset's backing folder holds items that back data units (shared with the
 * dataset); a separate tree holds items in no dataset, with one name repeated in two folders.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MetaError } from '../../src/errors.js';
import { runFolderList } from '../../src/pipeline/run-list.js';
import { runFolderSet, type FolderSetOptions } from '../../src/pipeline/run-set.js';
import { runRollback } from '../../src/pipeline/run-rollback.js';
import { readUndoJournal } from '../../src/report/undo-journal.js';
import { writeListCsv } from '../../src/report/list-writers.js';
import { DATASET, SHARED_ITEM, startHarness, writeRequests, type Harness } from './harness.js';

let h: Harness;
let tree: { top: string; cam: string; items: Record<string, string> };

beforeEach(async () => {
  h = await startHarness();
  const top = h.emulator.state.createFolder({
    name: 'uploads',
    items: [
      { name: 'a.jpg', metadata: { qa: 'old', keyframes: [1, 2] } },
      { name: 'b.jpg', metadata: {} },
    ],
  });
  const cam = h.emulator.state.createFolder({ name: 'cam-01', parent: top.uuid, items: [{ name: 'a.jpg', metadata: { other: 1 } }] });
  tree = { top: top.uuid, cam: cam.uuid, items: { 'a.jpg': top.items[0]!, 'b.jpg': top.items[1]!, 'cam-01/a.jpg': cam.items[0]! } };
});
afterEach(async () => {
  await h.close();
});

const setFolder = (options: Omit<FolderSetOptions, 'store' | 'stateDir'>) => runFolderSet({ store: h.client, stateDir: h.dir, ...options });

async function rejection(promise: Promise<unknown>): Promise<MetaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MetaError);
  return error as MetaError;
}

describe('runFolderList', () => {
  it('lists a folder keyed by item uuid, name and path; --recursive adds subfolder items with their path', async () => {
    const flat = await runFolderList({ store: h.client, folderUuid: tree.top });
    expect(flat.folderName).toBe('uploads');
    expect(flat.units.map((u) => [u.backingItemUuid, u.title, u.path, u.metadata])).toEqual([
      [tree.items['a.jpg'], 'a.jpg', 'a.jpg', { qa: 'old', keyframes: [1, 2] }],
      [tree.items['b.jpg'], 'b.jpg', 'b.jpg', {}],
    ]);
    const deep = await runFolderList({ store: h.client, folderUuid: tree.top, recursive: true });
    expect(deep.units.map((u) => u.path)).toEqual(['a.jpg', 'b.jpg', 'cam-01/a.jpg']);
    // Schema keys first, then the other keys seen.
    expect(deep.keys.slice(-3)).toEqual(['keyframes', 'other', 'qa']);
    let csv = '';
    await writeListCsv(deep, { write: (t: string) => (csv += t) });
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]!.startsWith('item_uuid,name,path,captured_at,')).toBe(true);
    expect(lines[3]!.startsWith(`${tree.items['cam-01/a.jpg']},a.jpg,cam-01/a.jpg,`)).toBe(true);
  });

  it('an unknown folder fails with FOLDER_NOT_FOUND, before anything else is read', async () => {
    const e = await rejection(runFolderList({ store: h.client, folderUuid: 'ffffffff-0000-4000-8000-00000000dead' }));
    expect(e.code).toBe('FOLDER_NOT_FOUND');
  });
});

describe('runFolderSet', () => {
  it('--name merges onto the current metadata (keyframes and other keys kept) and journals the item', async () => {
    const r = await setFolder({ folderUuid: tree.top, target: { name: 'a.jpg' }, assignments: ['city=Paris', 'dark=yes'] });
    expect(r).toMatchObject({ items: 1, written: 1, unchanged: 0, failed: [], backing: [], backingUnknown: 0 });
    expect(h.emulator.state.itemMetadata(tree.items['a.jpg']!)).toEqual({ qa: 'old', keyframes: [1, 2], city: 'Paris', dark: true });
    const journal = readUndoJournal(r.journalPath!);
    expect(journal.header).toMatchObject({ datasetHash: '', folderUuid: tree.top });
    expect(journal.entries).toEqual([
      expect.objectContaining({ target: 'item', id: tree.items['a.jpg'], metadata: { qa: 'old', keyframes: [1, 2] } }),
    ]);
  });

  it('--recursive: a name in two folders is KEY_AMBIGUOUS (nothing written); the path says which', async () => {
    const e = await rejection(setFolder({ folderUuid: tree.top, recursive: true, target: { name: 'a.jpg' }, assignments: ['city=Rome'] }));
    expect(e.code).toBe('KEY_AMBIGUOUS');
    expect(e.message).toContain('cam-01/a.jpg');
    expect(writeRequests(h.emulator)).toBe(0);
    const r = await setFolder({ folderUuid: tree.top, recursive: true, target: { name: 'cam-01/a.jpg' }, assignments: ['city=Rome'] });
    expect(r.written).toBe(1);
    expect(h.emulator.state.itemMetadata(tree.items['cam-01/a.jpg']!)).toEqual({ other: 1, city: 'Rome' });
    expect(h.emulator.state.itemMetadata(tree.items['a.jpg']!)).toEqual({ qa: 'old', keyframes: [1, 2] });
  });

  it('--item-uuid targets one item; an item not in the folder is KEY_NOT_FOUND', async () => {
    const r = await setFolder({ folderUuid: tree.top, target: { itemUuid: tree.items['b.jpg']! }, assignments: ['city=Oslo'] });
    expect(r.written).toBe(1);
    expect(h.emulator.state.itemMetadata(tree.items['b.jpg']!)).toEqual({ city: 'Oslo' });
    const e = await rejection(setFolder({ folderUuid: tree.top, target: { itemUuid: tree.items['cam-01/a.jpg']! }, assignments: ['city=Oslo'] }));
    expect(e.code).toBe('KEY_NOT_FOUND');
  });

  it('a write to an item that backs data units says so in the plan, and the data units show the new value', async () => {
    const backingFolder = h.emulator.datasets()[0]!.folderUuid!;
    const plan = await setFolder({ folderUuid: backingFolder, target: { all: true }, assignments: ['weather=fog'], dryRun: true });
    // 7 items back the dataset's 8 non-legacy data units (the shared one backs two); the dry run writes nothing.
    expect(plan.items).toBe(7);
    expect(plan.written).toBe(7);
    expect(plan.backing).toHaveLength(7);
    expect(plan.backing.find((b) => b.itemUuid === SHARED_ITEM)).toMatchObject({ backedDataUnits: 2 });
    expect(writeRequests(h.emulator)).toBe(0);
    const r = await setFolder({ folderUuid: backingFolder, target: { all: true }, assignments: ['weather=fog'] });
    expect(r.written).toBe(7);
    for (const row of h.emulator.state.rows(DATASET)) {
      if (row.backingItemUuid !== null) expect(row.metadata['weather']).toBe('fog');
    }
    // Unchanged items cost no write on a rerun.
    const again = await setFolder({ folderUuid: backingFolder, target: { all: true }, assignments: ['weather=fog'] });
    expect(again).toMatchObject({ written: 0, unchanged: 7 });
  });

  it('the write gate applies: keyframes are never written by set --folder', async () => {
    const e = await rejection(setFolder({ folderUuid: tree.top, target: { name: 'a.jpg' }, values: { keyframes: [9] }, unknownKeys: 'allow' }));
    expect(e.code).toMatch(/RESERVED/);
    expect(h.emulator.state.itemMetadata(tree.items['a.jpg']!)).toEqual({ qa: 'old', keyframes: [1, 2] });
  });
});

describe('rollback of a folder run', () => {
  it('restores every item the folder set wrote, taking the folder lock, and refuses --dataset for such a journal', async () => {
    const r = await setFolder({ folderUuid: tree.top, recursive: true, target: { all: true }, assignments: ['city=Lyon'] });
    expect(r.written).toBe(3);
    const wrong = await rejection(runRollback({ journalPath: r.journalPath!, store: h.client, datasetHash: DATASET, stateDir: h.dir }));
    expect(wrong.code).toBe('USAGE');
    const back = await runRollback({ journalPath: r.journalPath!, store: h.client, stateDir: h.dir });
    expect(back).toMatchObject({ folderUuid: tree.top, datasetHash: '', targets: 3, restored: 3, conflicts: [], failed: [] });
    expect(h.emulator.state.itemMetadata(tree.items['a.jpg']!)).toEqual({ qa: 'old', keyframes: [1, 2] });
    expect(h.emulator.state.itemMetadata(tree.items['b.jpg']!)).toEqual({});
    expect(h.emulator.state.itemMetadata(tree.items['cam-01/a.jpg']!)).toEqual({ other: 1 });
    // The rollback's own journal is a folder journal too.
    expect(JSON.parse(readFileSync(back.journalPath!, 'utf8').split('\n')[0]!)).toMatchObject({ folderUuid: tree.top });
  });

  it('an item changed since the folder run is a ROLLBACK_CONFLICT, left alone', async () => {
    const r = await setFolder({ folderUuid: tree.top, target: { name: 'b.jpg' }, assignments: ['city=Lyon'] });
    h.emulator.state.setItemMetadata(tree.items['b.jpg']!, { city: 'edited' });
    const back = await runRollback({ journalPath: r.journalPath!, store: h.client, stateDir: h.dir });
    expect(back.conflicts.map((c) => c.code)).toEqual(['ROLLBACK_CONFLICT']);
    expect(h.emulator.state.itemMetadata(tree.items['b.jpg']!)).toEqual({ city: 'edited' });
  });
});
