/**
 * The import holds an index of the dataset, not its metadata (issue 10 §2): rows already applied are still
 * skipped without a request, a row the index cannot decide is read fresh (never written blind, never
 * skipped blind), and the dry run's preview shows what Encord holds now.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../src/pipeline/run-import.js';
import { DATASET, ROWS, startHarness, writeRequests, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const base = () => ({ datasetHash: DATASET, store: h.client, stateDir: join(h.dir, 'state') });
const hash = (i: number): string => ROWS[i]!.dataHash;
const reads = (): number => {
  const c = h.emulator.counters();
  return (c['v2:get-bulk']?.requests ?? 0) + (c['v1:datarows:POST']?.requests ?? 0);
};

describe('flat memory keeps the promises of the listing it replaced', () => {
  it('the nightly unchanged rerun sends no write and no read beyond the listing (datetimes spelt otherwise, objects in another key order)', async () => {
    const file = h.write(
      'nightly.csv',
      'data_hash,captured_at,city,gps,speed\n' +
        `${hash(0)},2026-11-28T10:00:00+01:00,Paris,"48.85,2.35",1\n` +
        `${hash(4)},2026-11-27 08:00,Lyon,"45.76,4.83",2\n` + // legacy unit (v1 save)
        `${hash(1)},2026-11-26T00:00:00Z,Nice,,3\n`,
    );
    const first = await runImport({ ...base(), file, empty: 'null' });
    expect(first.summary).toMatchObject({ written: 3, failed: 0 });
    const [writesBefore, readsBefore] = [writeRequests(h.emulator), reads()];
    const again = await runImport({ ...base(), file, empty: 'null' });
    expect(again.summary).toMatchObject({ written: 0, unchanged: 3, failed: 0 });
    expect(writeRequests(h.emulator)).toBe(writesBefore);
    expect(reads()).toBe(readsBefore);
  });

  it('a row that leaves a key as it is (empty cell kept) is read fresh and, being equal, not written', async () => {
    const file = h.write('sparse.csv', `data_hash,city,speed\n${hash(2)},Old,\n`);
    const r = await runImport({ ...base(), file });
    expect(r.summary).toMatchObject({ written: 0, unchanged: 1, failed: 0 });
    expect(writeRequests(h.emulator)).toBe(0);
    expect(h.metadataOf(hash(2))).toEqual({ qa_status: 'approved', city: 'Old' });
  });

  it('a value changed on Encord since the listing is never skipped: the unit is written from its fresh value', async () => {
    const file = h.write('stale.csv', `data_hash,city\n${hash(2)},Old\n`);
    await runImport({ ...base(), file });
    h.emulator.state.setRowMetadata(DATASET, hash(2), { qa_status: 'approved', city: 'Changed' });
    const r = await runImport({ ...base(), file });
    expect(r.summary).toMatchObject({ written: 1 });
    expect(h.metadataOf(hash(2))).toEqual({ qa_status: 'approved', city: 'Old' });
  });

  it('the dry run preview reads its units fresh: before is what Encord holds, keys outside the file included', async () => {
    const file = h.write('preview.csv', `data_hash,city\n${hash(0)},Paris\n${hash(2)},Old\n`);
    const r = await runImport({ ...base(), file, dryRun: true });
    expect(writeRequests(h.emulator)).toBe(0);
    expect(r.plan).toMatchObject({ toWrite: 1, unchanged: 1 });
    expect(r.diffs).toEqual([
      {
        line: 2,
        dataHash: hash(0),
        title: ROWS[0]!.title,
        before: { source: 'legacy-import', keyframes: [0, 12] },
        after: { source: 'legacy-import', keyframes: [0, 12], city: 'Paris' },
        changedKeys: ['city'],
      },
    ]);
  });
});
