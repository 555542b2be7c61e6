/**
 * Rollback never wipes later edits: a unit is restored only when it still holds what the run wrote;
 * units changed since are left alone and reported (ROLLBACK_CONFLICT) unless `force`. Rollback takes the
 * dataset lock like import and set do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireDatasetLock } from '../../src/checkpoint/dataset-lock.js';
import type { MetadataStore } from '../../src/encord/metadata-store.js';
import { MetaError } from '../../src/errors.js';
import { runImport } from '../../src/pipeline/run-import.js';
import { runRollback } from '../../src/pipeline/run-rollback.js';
import { runSet } from '../../src/pipeline/run-set.js';
import { DATASET, ROWS, startHarness, writeRequests, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const hash = (i: number): string => ROWS[i]!.dataHash;
const itemOf = (i: number): string => h.emulator.state.row(DATASET, hash(i)).backingItemUuid!;

/** Import city=Imported<i> into units 0 (keyframes), 1, 2 (items) and 4 (legacy row); returns the journal. */
async function importCities(store: MetadataStore = h.client): Promise<string> {
  const journalPath = join(h.dir, 'import-journal.jsonl');
  const file = h.write('cities.csv', `data_hash,city\n${[0, 1, 2, 4].map((i) => `${hash(i)},Imported${i}`).join('\n')}\n`);
  const r = await runImport({ file, datasetHash: DATASET, store, journalPath, stateDir: join(h.dir, 'state-import'), reportPath: join(h.dir, 'report.csv') });
  expect(r.summary).toMatchObject({ written: 4, failed: 0 });
  return journalPath;
}

describe('rollback leaves units edited after the run alone', () => {
  it('a later set on one item and one legacy unit: those two are reported ROLLBACK_CONFLICT and kept, the others restored', async () => {
    const before = ROWS.map((r) => h.metadataOf(r.dataHash));
    const journalPath = await importCities();
    await runSet({ store: h.client, datasetHash: DATASET, target: { dataHash: hash(2) }, assignments: ['city=LaterEdit'] });
    await runSet({ store: h.client, datasetHash: DATASET, target: { dataHash: hash(4) }, assignments: ['qa_status=checked'] });
    const reportPath = join(h.dir, 'conflicts.csv');

    const rb = await runRollback({ journalPath, store: h.client, reportPath, stateDir: join(h.dir, 'state-rollback') });
    expect(rb).toMatchObject({ targets: 4, restored: 2, unchanged: 0, failed: [], reportPath });
    expect(rb.conflicts.map((c) => [c.dataHash, c.code]).sort()).toEqual([
      [hash(2), 'ROLLBACK_CONFLICT'],
      [hash(4), 'ROLLBACK_CONFLICT'],
    ].sort());
    expect(rb.conflicts.find((c) => c.dataHash === hash(2))!.message).toContain('city');
    expect(rb.conflicts.find((c) => c.dataHash === hash(4))!.message).toContain('qa_status');
    expect(h.metadataOf(hash(2))).toEqual({ qa_status: 'approved', city: 'LaterEdit' });
    expect(h.metadataOf(hash(4))).toEqual({ source: 'v1-only', city: 'Imported4', qa_status: 'checked' });
    expect(h.metadataOf(hash(0))).toEqual(before[0]);
    expect(h.metadataOf(hash(1))).toEqual(before[1]);

    // The report: one line per conflict, id + data hash + code + which keys differ, never the values; 0600.
    const report = readFileSync(reportPath, 'utf8');
    expect(report.trim().split('\n')).toHaveLength(3);
    expect(report).toContain(`${itemOf(2)},${hash(2)},ROLLBACK_CONFLICT,`);
    expect(report).not.toContain('LaterEdit');
    expect(statSync(reportPath).mode & 0o777).toBe(0o600);

    // --force restores them anyway.
    const forced = await runRollback({ journalPath, store: h.client, force: true, stateDir: join(h.dir, 'state-rollback') });
    expect(forced).toMatchObject({ restored: 2, unchanged: 2, conflicts: [], forced: 2, failed: [] });
    expect(ROWS.map((r) => h.metadataOf(r.dataHash))).toEqual(before);
  });

  it('a dry run counts the conflicts and writes nothing', async () => {
    const journalPath = await importCities();
    await runSet({ store: h.client, datasetHash: DATASET, target: { dataHash: hash(1) }, assignments: ['city=LaterEdit'] });
    const writes = writeRequests(h.emulator);
    const rb = await runRollback({ journalPath, store: h.client, dryRun: true, reportPath: join(h.dir, 'dry.csv') });
    expect(rb).toMatchObject({ restored: 3, unchanged: 0 });
    expect(rb.conflicts.map((c) => c.dataHash)).toEqual([hash(1)]);
    expect(writeRequests(h.emulator)).toBe(writes);
    expect(h.metadataOf(hash(1))).toMatchObject({ city: 'LaterEdit' });
  });

  it('never writes keyframes from the journal: a restore carries the keyframes the unit has now', async () => {
    const journalPath = await importCities();
    // Encord's editor adds a keyframe after the run: not a conflict (keyframes are not ours), and kept.
    h.emulator.state.setRowMetadata(DATASET, hash(0), { ...h.metadataOf(hash(0)), keyframes: [0, 12, 24] });
    const rb = await runRollback({ journalPath, store: h.client });
    expect(rb).toMatchObject({ restored: 4, conflicts: [] });
    expect(h.metadataOf(hash(0))).toEqual({ source: 'legacy-import', keyframes: [0, 12, 24] });
  });

  it('a run killed after journalling but before its write landed: the unit is unchanged, not a conflict', async () => {
    const killed = new Proxy(h.client, {
      get(target, property) {
        if (property === 'patchItems' || property === 'saveMetadata') {
          return async () => {
            throw new MetaError('ABORTED', 'killed before the write was sent');
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    await expect(importCities(killed)).rejects.toMatchObject({ code: 'ABORTED' });
    const journal = readFileSync(join(h.dir, 'import-journal.jsonl'), 'utf8');
    expect(journal).toContain('"written"');
    const rb = await runRollback({ journalPath: join(h.dir, 'import-journal.jsonl'), store: h.client });
    expect(rb.conflicts).toEqual([]);
    expect(rb.unchanged).toBe(rb.targets);
    expect(rb.restored).toBe(0);
  });

  it('an old journal (no written values): a unit that differs from its previous value is a conflict unless forced', async () => {
    const journalPath = join(h.dir, 'old.jsonl');
    const lines = [
      { type: 'run', version: 1, datasetHash: DATASET, source: 'old.csv', startedAt: '2026-11-01T00:00:00.000Z' },
      { type: 'before', target: 'item', id: itemOf(1), dataHash: hash(1), metadata: {} },
      { type: 'before', target: 'item', id: itemOf(2), dataHash: hash(2), metadata: { qa_status: 'approved', city: 'Old' } },
    ];
    writeFileSync(journalPath, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    h.emulator.state.setRowMetadata(DATASET, hash(1), { city: 'Somebody' });
    const rb = await runRollback({ journalPath, store: h.client, reportPath: join(h.dir, 'old-report.csv') });
    expect(rb).toMatchObject({ targets: 2, restored: 0, unchanged: 1 });
    expect(rb.conflicts).toHaveLength(1);
    expect(rb.conflicts[0]).toMatchObject({ dataHash: hash(1), code: 'ROLLBACK_CONFLICT' });
    expect(rb.conflicts[0]!.message).toMatch(/older version.*--force/);
    expect(h.metadataOf(hash(1))).toEqual({ city: 'Somebody' });
    const forced = await runRollback({ journalPath, store: h.client, force: true });
    expect(forced).toMatchObject({ restored: 1, forced: 1, conflicts: [] });
    expect(h.metadataOf(hash(1))).toEqual({});
  });

  it('a journal value that is not exact JSON (a lone surrogate) fails its target through the write gate; nothing is sent', async () => {
    const journalPath = join(h.dir, 'bad-value.jsonl');
    const current = h.metadataOf(hash(1));
    const lines = [
      JSON.stringify({ type: 'run', version: 2, datasetHash: DATASET, source: 'x.csv', startedAt: '2026-11-01T00:00:00.000Z' }),
      `{"type":"before","target":"item","id":"${itemOf(1)}","dataHash":"${hash(1)}","metadata":{"city":"\\ud800"},"written":${JSON.stringify(current)}}`,
    ];
    writeFileSync(journalPath, `${lines.join('\n')}\n`);
    const writes = writeRequests(h.emulator);
    const rb = await runRollback({ journalPath, store: h.client, reportPath: join(h.dir, 'bad-value.csv') });
    expect(rb).toMatchObject({ restored: 0, conflicts: [] });
    expect(rb.failed).toEqual([expect.objectContaining({ dataHash: hash(1), code: 'INVALID_STRING' })]);
    expect(writeRequests(h.emulator)).toBe(writes);
    expect(h.metadataOf(hash(1))).toEqual(current);
  });

  it('the rollback journals what it writes, so it can itself be rolled back', async () => {
    const journalPath = await importCities();
    const after = ROWS.map((r) => h.metadataOf(r.dataHash));
    const rb = await runRollback({ journalPath, store: h.client, stateDir: join(h.dir, 'state-rb') });
    expect(rb.journalPath).toMatch(/-rollback\.jsonl$/);
    expect(statSync(rb.journalPath!).mode & 0o777).toBe(0o600);
    const again = await runRollback({ journalPath: rb.journalPath!, store: h.client });
    expect(again).toMatchObject({ restored: 4, conflicts: [] });
    expect(ROWS.map((r) => h.metadataOf(r.dataHash))).toEqual(after);
  });
});

describe('rollback and the dataset lock', () => {
  it('is refused (LOCKED) while another run holds the dataset, whatever state dir either uses; writes nothing', async () => {
    const journalPath = await importCities();
    const lock = acquireDatasetLock({ stateDir: join(h.dir, 'state-a'), domain: h.client.domain, datasetHash: DATASET });
    const writes = writeRequests(h.emulator);
    try {
      await expect(runRollback({ journalPath, store: h.client, stateDir: join(h.dir, 'state-b') })).rejects.toMatchObject({ code: 'LOCKED' });
      await expect(runRollback({ journalPath, store: h.client })).rejects.toMatchObject({ code: 'LOCKED' });
      expect(writeRequests(h.emulator)).toBe(writes);
    } finally {
      lock.release();
    }
    expect((await runRollback({ journalPath, store: h.client, stateDir: join(h.dir, 'state-b') })).restored).toBe(4);
  });

  it('import and set are refused while a rollback-held lock exists, and work after the rollback', async () => {
    const journalPath = await importCities();
    const lock = acquireDatasetLock({ domain: h.client.domain, datasetHash: DATASET });
    try {
      const file = h.write('again.csv', `data_hash,city\n${hash(3)},X\n`);
      await expect(runImport({ file, datasetHash: DATASET, store: h.client, stateDir: join(h.dir, 'other') })).rejects.toMatchObject({ code: 'LOCKED' });
      await expect(runSet({ store: h.client, datasetHash: DATASET, target: { index: 3 }, assignments: ['city=X'] })).rejects.toMatchObject({ code: 'LOCKED' });
    } finally {
      lock.release();
    }
    await runRollback({ journalPath, store: h.client, stateDir: join(h.dir, 'state-rb') });
    const s = await runSet({ store: h.client, datasetHash: DATASET, target: { index: 3 }, assignments: ['city=AfterRollback'], stateDir: join(h.dir, 'state-rb') });
    expect(s.written).toBe(1);
    const file = h.write('after.csv', `data_hash,city\n${hash(1)},AfterRollbackToo\n`);
    const r = await runImport({ file, datasetHash: DATASET, store: h.client, stateDir: join(h.dir, 'state-rb'), reportPath: join(h.dir, 'r2.csv') });
    expect(r.summary).toMatchObject({ written: 1, failed: 0 });
    expect(h.metadataOf(hash(3))).toEqual({ city: 'AfterRollback' });
    expect(h.metadataOf(hash(1))).toEqual({ city: 'AfterRollbackToo' });
  });
});

describe('runRollback checks its option names like the CLI checks flags', () => {
  it('a misspelt option is a usage error naming the right one', async () => {
    const { runRollback: rollback } = await import('../../src/pipeline/run-rollback.js');
    const error = await rollback({ journal: '/tmp/x.jsonl', store: {} } as never).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toBe('USAGE_OPTION');
    expect(error?.message).toContain('`journal` (did you mean `journalPath`?)');
  });
});
