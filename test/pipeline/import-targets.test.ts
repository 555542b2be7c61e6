/**
 * Import targets beyond a dataset (issue 10 §1): a storage folder's items by name or path, and storage
 * items by uuid with nothing listed. Against the emulator over HTTP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../src/pipeline/run-import.js';
import { runRollback } from '../../src/pipeline/run-rollback.js';
import { runFolderList } from '../../src/pipeline/run-list.js';
import { writeListCsv } from '../../src/report/list-writers.js';
import { DATASET, startHarness, writeRequests, type Harness } from './harness.js';

let h: Harness;
let top: string;
let items: string[];
let subItems: string[];
beforeEach(async () => {
  h = await startHarness();
  const folder = h.emulator.state.createFolder({
    name: 'uploads',
    items: [
      { name: 'a.jpg', metadata: { city: 'Old', keep: 1 } },
      { name: 'b.jpg' },
    ],
  });
  top = folder.uuid;
  items = folder.items;
  subItems = h.emulator.state.createFolder({ name: 'sub', parent: top, items: [{ name: 'a.jpg' }] }).items;
});
afterEach(async () => {
  await h.close();
});

const base = () => ({ store: h.client, stateDir: join(h.dir, 'state') });
const journalHeader = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!) as Record<string, unknown>;

describe('import into a storage folder', () => {
  it('--key name writes the named items, merging onto their metadata; the journal header names the folder', async () => {
    const file = h.write('by-name.csv', 'name,city\na.jpg,Paris\nb.jpg,Lyon\nzzz.jpg,Nice\n');
    const r = await runImport({ ...base(), file, folderUuid: top, key: 'name' });
    expect(r.summary).toMatchObject({ target: 'folder', folderUuid: top, datasetHash: '', written: 2, failed: 1, failedByCode: { KEY_NOT_FOUND: 1 } });
    expect(h.emulator.state.itemMetadata(items[0]!)).toEqual({ city: 'Paris', keep: 1 });
    expect(h.emulator.state.itemMetadata(items[1]!)).toEqual({ city: 'Lyon' });
    expect(journalHeader(r.summary.journalPath!)).toMatchObject({ type: 'run', datasetHash: '', folderUuid: top, target: 'folder' });
    const again = await runImport({ ...base(), file, folderUuid: top, key: 'name' });
    expect(again.summary).toMatchObject({ written: 0, unchanged: 2 });
  });

  it('a folder listing edited and imported back needs no flag: formula-like cells read back exactly, name and path are never written as keys', async () => {
    const f = h.emulator.state.createFolder({ name: 'listed', items: [{ name: 'a.jpg', metadata: { city: '=HYPERLINK("x")', keep: 1 } }, { name: 'b.jpg' }] });
    let csv = '';
    await writeListCsv(await runFolderList({ store: h.client, folderUuid: f.uuid }), { write: (t: string) => (csv += t) });
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    // The user fills b.jpg's city in a spreadsheet and saves; a.jpg's row is left as listed.
    const lines = csv.trimEnd().split(/\r?\n/);
    const header = lines[0]!.split(',');
    const cityAt = header.indexOf('city');
    const b = lines[2]!.split(',');
    b[cityAt] = 'Lyon';
    lines[2] = b.join(',');
    const file = h.write('listing.csv', lines.join('\n') + '\n');
    for (const key of ['name', 'item_uuid'] as const) {
      const r = await runImport({ ...base(), file, folderUuid: f.uuid, key });
      expect(r.summary).toMatchObject({ failed: 0 });
      expect(r.skippedColumns.map((c) => c.column)).toEqual(expect.arrayContaining(key === 'name' ? ['item_uuid', 'path'] : ['name', 'path']));
      expect(h.emulator.state.itemMetadata(f.items[0]!)).toEqual({ city: '=HYPERLINK("x")', keep: 1 });
      expect(h.emulator.state.itemMetadata(f.items[1]!)).toEqual({ city: 'Lyon' });
    }
  });

  it('--recursive: two items with one name are KEY_AMBIGUOUS for those rows; --key path tells them apart', async () => {
    const byName = h.write('rec-name.csv', 'name,city\na.jpg,X\nb.jpg,Y\n');
    const r = await runImport({ ...base(), file: byName, folderUuid: top, recursive: true, key: 'name', reportPath: join(h.dir, 'r.csv') });
    expect(r.summary).toMatchObject({ written: 1, failed: 1, failedByCode: { KEY_AMBIGUOUS: 1 } });
    expect(readFileSync(join(h.dir, 'r.csv'), 'utf8')).toContain('KEY_AMBIGUOUS');
    expect(h.emulator.state.itemMetadata(items[0]!)).toEqual({ city: 'Old', keep: 1 });
    const byPath = h.write('rec-path.csv', 'path,city\na.jpg,X\nsub/a.jpg,Z\n');
    const p = await runImport({ ...base(), file: byPath, folderUuid: top, recursive: true, key: 'path' });
    expect(p.summary).toMatchObject({ written: 2, failed: 0 });
    expect(h.emulator.state.itemMetadata(subItems[0]!)).toEqual({ city: 'Z' });
  });

  it('an item that backs data units says so in the plan (backedDataUnitsCount)', async () => {
    const backing = h.emulator.folders().find((f) => f.syncedDatasetHash === DATASET)!.uuid;
    const names = h.emulator.state.rows(DATASET).filter((r) => r.backingItemUuid !== null);
    const item = h.emulator.state.item(names[0]!.backingItemUuid!);
    const file = h.write('backed.csv', `item_uuid,city\n${item.uuid},Rome\n`);
    const r = await runImport({ ...base(), file, folderUuid: backing, key: 'item_uuid', dryRun: true });
    expect(r.plan).toMatchObject({ toWrite: 1, itemsBackingDataUnits: 1 });
    expect(r.plan.backedDataUnitsCount).toBeGreaterThanOrEqual(1);
  });
});

describe('import storage items by uuid, nothing listed', () => {
  it('reads and writes items batch by batch; a uuid named twice (any case) fails both rows; an unknown item fails its row', async () => {
    const unknown = 'cccccccc-0000-4000-8000-000000000000';
    const file = h.write(
      'items.csv',
      `item_uuid,city\n${items[0]},Paris\n${subItems[0]},Oslo\n${items[1]},B1\n${items[1]!.toUpperCase()},B2\n${unknown},X\nnot-a-uuid,Y\n`,
    );
    const r = await runImport({ ...base(), file, key: 'item_uuid', reportPath: join(h.dir, 'items-report.csv') });
    expect(h.emulator.counters()['v1:dataset:GET']?.requests ?? 0).toBe(0);
    expect(r.summary).toMatchObject({ target: 'items', datasetHash: '', written: 2, failed: 4 });
    expect(r.summary.failedByCode).toMatchObject({ DUPLICATE_TARGET: 2, KEY_INVALID: 1 });
    expect(h.emulator.state.itemMetadata(items[0]!)).toEqual({ city: 'Paris', keep: 1 });
    expect(h.emulator.state.itemMetadata(subItems[0]!)).toEqual({ city: 'Oslo' });
    expect(h.emulator.state.itemMetadata(items[1]!)).toEqual({});
    expect(journalHeader(r.summary.journalPath!)).toMatchObject({ datasetHash: '', target: 'items' });
    const before = writeRequests(h.emulator);
    const again = await runImport({ ...base(), file, key: 'item_uuid' });
    expect(again.summary).toMatchObject({ written: 0, unchanged: 2 });
    expect(writeRequests(h.emulator)).toBe(before);
  });

  it('rollback of a --key item_uuid run (no dataset, no folder) restores every item it wrote', async () => {
    const file = h.write('items-rb.csv', `item_uuid,city\n${items[0]},Paris\n${subItems[0]},Oslo\n`);
    const r = await runImport({ ...base(), file, key: 'item_uuid' });
    expect(r.summary.written).toBe(2);
    const rb = await runRollback({ journalPath: r.summary.journalPath!, store: h.client, stateDir: join(h.dir, 'state') });
    expect(rb.failed).toEqual([]);
    expect(h.emulator.state.itemMetadata(items[0]!)).toEqual({ city: 'Old', keep: 1 });
    expect(h.emulator.state.itemMetadata(subItems[0]!)).toEqual({});
    // Such a journal names no dataset: one given is refused rather than guessed at.
    await expect(runRollback({ journalPath: r.summary.journalPath!, store: h.client, datasetHash: DATASET })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('a dataset key without --dataset or --folder is a usage error before anything is read', async () => {
    const file = h.write('idx.csv', 'index,city\n0,A\n');
    await expect(runImport({ ...base(), file, key: 'index' })).rejects.toMatchObject({ code: 'USAGE_OPTION' });
    await expect(runImport({ ...base(), file, key: 'name', datasetHash: DATASET })).rejects.toMatchObject({ code: 'USAGE_OPTION' });
  });
});
