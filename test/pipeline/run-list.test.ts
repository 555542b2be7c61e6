import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataUnit } from '../../src/encord/metadata-store.js';
import { listedStamp } from '../../src/listed-stamp.js';
import { runList } from '../../src/pipeline/run-list.js';
import {
  formatListTable,
  listCell,
  openTextFile,
  writeListCsv,
  writeListJsonl,
  writeListParquet,
  type ListingView,
} from '../../src/report/list-writers.js';
import { ParquetSource } from '../../src/sources/parquet/parquet-source.js';
import { CsvSource } from '../../src/sources/csv/csv-source.js';
import type { RawRow, TabularSource } from '../../src/sources/source.js';
import { DATASET, ROWS, SHARED_ITEM, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function readAll(source: TabularSource): Promise<RawRow[]> {
  await source.open();
  const rows: RawRow[] = [];
  try {
    for await (const item of source.items()) if (item.kind === 'row') rows.push(item.row);
  } finally {
    await source.close();
  }
  return rows;
}

class Sink {
  text = '';
  writes = 0;
  write(t: string): void {
    this.text += t;
    this.writes += 1;
  }
}

describe('runList', () => {
  it('lists units in server order with schema keys first (schema order), then the other keys found, sorted', async () => {
    const r = await runList({ store: h.client, datasetHash: DATASET });
    expect(r.units.map((u) => u.dataHash)).toEqual(ROWS.map((row) => row.dataHash));
    expect(r.units.map((u) => u.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.keys).toEqual(['captured_at', 'city', 'dark', 'weather', 'gps', 'embedding', 'speed', 'qa_status', 'keyframes', 'source']);
    expect(r.units[4]!.backingItemUuid).toBeNull();
    expect(r.units[7]!.backingItemUuid).toBe(SHARED_ITEM);
    expect(r).toMatchObject({ datasetTitle: 'pipeline test dataset', schemaForm: 'typed', unknownMetadata: 0, omittedKeys: [] });
    const only = await runList({ store: h.client, datasetHash: DATASET, schemaKeysOnly: true });
    expect(only.keys).toEqual(['captured_at', 'city', 'dark', 'weather', 'gps', 'embedding', 'speed', 'qa_status']);
    expect(only.omittedKeys).toEqual(['keyframes', 'source']);
  });

  it('an unknown dataset is DATASET_NOT_FOUND', async () => {
    await expect(runList({ store: h.client, datasetHash: '99999999-2222-4333-8444-555555555555' })).rejects.toMatchObject({ code: 'DATASET_NOT_FOUND' });
  });
});

describe('list writers', () => {
  it('encodes cells so the import reads back the same values', () => {
    expect(listCell(undefined)).toBe('');
    expect(listCell(null)).toBe('');
    expect(listCell('  spaced ')).toBe('  spaced ');
    expect(listCell('12')).toBe('12');
    expect(listCell(12.5)).toBe('12.5');
    expect(listCell(1e21)).toBe('1e+21');
    expect(listCell(false)).toBe('false');
    expect(listCell({ latitude: 1, longitude: 2 })).toBe('{"latitude":1,"longitude":2}');
    expect(listCell([0.5, -1])).toBe('[0.5,-1]');
  });

  it('CSV: id columns, then keys; strings as is (quoted when needed), JSON for the rest', async () => {
    h.emulator.state.setRowMetadata(DATASET, ROWS[1]!.dataHash, { city: 'Paris, "FR"', speed: 3, dark: true, gps: { latitude: 1.5, longitude: 2 }, embedding: [1, 2, 3, 4] });
    const r = await runList({ store: h.client, datasetHash: DATASET });
    const sink = new Sink();
    expect(await writeListCsv(r, sink)).toBe(9);
    const lines = sink.text.trimEnd().split('\n');
    // Encord's reserved `keyframes` is written as `_keyframes`, a column the import never reads.
    // The last column stamps each unit's whole metadata as listed (listed-stamp.ts).
    expect(lines[0]).toBe('index,data_hash,title,item_uuid,captured_at,city,dark,weather,gps,embedding,speed,qa_status,_keyframes,source,_listed');
    const stamp = (i: number): string => listedStamp(r.units[i]!.metadata);
    expect(lines[1]).toBe(`0,${ROWS[0]!.dataHash},cam-1/frame_007.jpg,${r.units[0]!.backingItemUuid},,,,,,,,,"[0,12]",legacy-import,${stamp(0)}`);
    expect(lines[2]).toBe(`1,${ROWS[1]!.dataHash},cam-1/frame_002.jpg,${r.units[1]!.backingItemUuid},,"Paris, ""FR""",true,,"{""latitude"":1.5,""longitude"":2}","[1,2,3,4]",3,,,,${stamp(1)}`);
    expect(lines[5]).toBe(`4,${ROWS[4]!.dataHash},legacy/frame_005.jpg,,,,,,,,,,,v1-only,${stamp(4)}`);
    expect(stamp(1)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(stamp(1)).not.toBe(stamp(0));
    // Parsed back by the import's own reader, every cell is what was written.
    const file = join(h.dir, 'list.csv');
    const out = openTextFile(file);
    await writeListCsv(r, out, { limit: 3 });
    await out.close();
    const rows = await readAll(new CsvSource(file));
    expect(rows).toHaveLength(3);
    expect(rows[1]!.values['city']).toBe('Paris, "FR"');
    expect(rows[1]!.values['gps']).toBe('{"latitude":1.5,"longitude":2}');
  });

  it('JSONL: one object per unit with the metadata nested and typed', async () => {
    const r = await runList({ store: h.client, datasetHash: DATASET });
    const sink = new Sink();
    await writeListJsonl(r, sink, { limit: 2 });
    const records = sink.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({
      index: 0,
      data_hash: ROWS[0]!.dataHash,
      title: 'cam-1/frame_007.jpg',
      item_uuid: r.units[0]!.backingItemUuid,
      data_type: 'IMAGE',
      metadata: { source: 'legacy-import', keyframes: [0, 12] },
    });
  });

  it('Parquet: typed columns where every value fits, text otherwise; nothing is lost', async () => {
    h.emulator.state.setRowMetadata(DATASET, ROWS[1]!.dataHash, {
      captured_at: '2026-11-28T09:00:00Z',
      speed: 3.25,
      dark: true,
      gps: { latitude: 1.5, longitude: 2 },
      embedding: [1, 2, 3, 4],
      city: 'Paris',
    });
    h.emulator.state.setRowMetadata(DATASET, ROWS[3]!.dataHash, { speed: 'fast' });
    const r = await runList({ store: h.client, datasetHash: DATASET });
    const file = join(h.dir, 'list.parquet');
    const progress: number[] = [];
    expect(await writeListParquet(r, file, { onProgress: (d) => progress.push(d) })).toBe(9);
    expect(progress).toEqual([9]);
    const rows = await readAll(new ParquetSource(file));
    expect(rows).toHaveLength(9);
    const one = rows[1]!.values;
    expect(one['index']).toBe(1);
    expect(one['captured_at']).toBe('2026-11-28T09:00:00.000000Z');
    expect(one['dark']).toBe(true);
    expect(one['embedding']).toEqual([1, 2, 3, 4]);
    expect(JSON.parse(one['gps'] as string)).toEqual({ latitude: 1.5, longitude: 2 });
    // `speed` holds a number and a string: kept as text, the number as JSON text.
    expect(one['speed']).toBe('3.25');
    expect(rows[3]!.values['speed']).toBe('fast');
    expect(rows[0]!.values['_keyframes']).toBe('[0,12]');
    expect(rows[0]!.values['keyframes']).toBeUndefined();
    expect(rows[4]!.values['item_uuid']).toBeNull();
    // An empty listing still makes a file with the columns.
    const empty = join(h.dir, 'empty.parquet');
    await writeListParquet({ ...r, units: [] }, empty);
    const source = new ParquetSource(empty);
    await source.open();
    expect(source.columns.slice(0, 4)).toEqual(['index', 'data_hash', 'title', 'item_uuid']);
    await source.close();
  });

  it('table: a header, a rule, one line per unit; long cells cut, hashes whole, unknown metadata shown as ?', () => {
    const unit = (index: number, metadata: DataUnit['metadata']): DataUnit => ({
      index,
      dataHash: `d0000000-0000-4000-8000-00000000000${index}`,
      title: `t${index}.jpg`,
      dataType: 'IMAGE',
      backingItemUuid: index === 1 ? null : `a0000000-0000-4000-8000-00000000000${index}`,
      metadata,
    });
    const view: ListingView = {
      keys: ['city', 'gps', 'note'],
      specs: new Map(),
      units: [unit(0, { city: 'Paris', gps: { latitude: 48.85, longitude: 2.35 }, note: 'x'.repeat(100) }), unit(1, null)],
    };
    const text = formatListTable(view, { maxCellWidth: 20 });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^index  data_hash\s+title\s+item_uuid\s+city\s+gps\s+note$/);
    expect(lines[1]).toMatch(/^-----  -{36}/);
    expect(lines[2]).toContain('d0000000-0000-4000-8000-000000000000');
    expect(lines[2]).toContain('48.85,2.35');
    expect(lines[2]).toContain(`${'x'.repeat(19)}…`);
    expect(lines[3]).toMatch(/\(legacy\)\s+\?\s+\?\s+\?$/);
    expect(formatListTable(view, { columns: ['index', 'city'], limit: 1 })).toBe('index  city\n-----  -----\n    0  Paris\n');
  });
});

describe('the table on a narrow terminal', () => {
  it('switches to one block per unit when the table is wider than the terminal', async () => {
    const { formatListTable } = await import('../../src/report/list-writers.js');
    const view = {
      keys: ['city', 'weather'],
      specs: new Map(),
      units: [{ index: 0, dataHash: 'd0000000-0000-4000-8000-000000000001', title: 'a.jpg', backingItemUuid: null, metadata: { city: 'Paris', weather: 'fog' } }],
    } as never;
    const wide = formatListTable(view, { width: 500 });
    expect(wide.split('\n')[0]).toMatch(/^index\s+data_hash\s+title\s+item_uuid\s+city\s+weather$/);
    const narrow = formatListTable(view, { width: 40 });
    expect(narrow).toBe('    index: 0\ndata_hash: d0000000-0000-4000-8000-000000000001\n    title: a.jpg\nitem_uuid: (legacy)\n     city: Paris\n  weather: fog\n');
  });
});
