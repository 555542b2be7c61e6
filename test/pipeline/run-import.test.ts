/**
 * The import pipeline end to end against the real emulator over HTTP: every key kind, CSV and Parquet,
 * pre-existing keys surviving, failures reported and re-importable, faults, rollback, resume.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { runImport } from '../../src/pipeline/run-import.js';
import { runRollback } from '../../src/pipeline/run-rollback.js';
import { DATASET, ROWS, SHARED_ITEM, startHarness, writeRequests, type Harness } from './harness.js';

const H = Object.fromEntries(ROWS.map((r) => [r.title.replace(/\W/g, '_'), r.dataHash])) as Record<string, string>;
const hash = (i: number): string => ROWS[i]!.dataHash;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const base = () => ({ datasetHash: DATASET, store: h.client, stateDir: join(h.dir, 'state') });

describe('import by each key kind', () => {
  it('by index: writes coerced values, keeps keys the file does not mention (keyframes included)', async () => {
    const file = h.write(
      'by-index.csv',
      'index,captured_at,city,dark,weather,gps,embedding,speed\n' +
        '0,2026-11-28T10:00:00+01:00,Paris,yes,sunny,"48.85,2.35","[0.1,0.2,0.3,0.4]",1e3\n' +
        '2,20261127,Berlin,0,Rain,,,\n' + // Rain: case-only enum mismatch → row fails
        '3,2026-11-26 08:30,Lyon,FALSE,fog,POINT(4.83 45.76),"[1,2,3,4]",12.5\n',
    );
    const result = await runImport({ ...base(), file, reportPath: join(h.dir, 'report.csv') });
    expect(result.summary).toMatchObject({ keyKind: 'index', rowsRead: 3, written: 2, failed: 1, unchanged: 0 });
    expect(h.metadataOf(hash(0))).toEqual({
      source: 'legacy-import',
      keyframes: [0, 12],
      captured_at: '2026-11-28T09:00:00.000Z',
      city: 'Paris',
      dark: true,
      weather: 'sunny',
      gps: { latitude: 48.85, longitude: 2.35 },
      embedding: [0.1, 0.2, 0.3, 0.4],
      speed: 1000,
    });
    expect(h.metadataOf(hash(2))).toEqual({ qa_status: 'approved', city: 'Old' }); // failed row untouched
    expect(h.metadataOf(hash(3))).toEqual({
      captured_at: '2026-11-26T08:30:00.000Z',
      city: 'Lyon',
      dark: false,
      weather: 'fog',
      gps: { latitude: 45.76, longitude: 4.83 },
      embedding: [1, 2, 3, 4],
      speed: 12.5,
    });
    const report = readFileSync(join(h.dir, 'report.csv'), 'utf8');
    expect(report.split('\n')[0]).toBe('index,captured_at,city,dark,weather,gps,embedding,speed,_line,_error_code,_error_column,_error,_raw');
    expect(report).toContain('2,20261127,Berlin,0,Rain,,,,3,INVALID_ENUM,weather,');
    expect(report).toMatch(/differ only in case|did you mean "rain"/i);
  });

  it('by data_hash, title and item_uuid', async () => {
    const byHash = h.write('h.csv', `data_hash,city\n${hash(1)},Rome\n`);
    const byTitle = h.write('t.csv', `title,city\ncam-2/frame_001.jpg,Oslo\n`);
    const item = h.emulator.state.row(DATASET, hash(0)).backingItemUuid!;
    const byItem = h.write('i.csv', `item_uuid,city\n${item},Nice\n`);
    for (const file of [byHash, byTitle, byItem]) {
      const r = await runImport({ ...base(), file });
      expect(r.summary.failed).toBe(0);
      expect(r.summary.written).toBe(1);
    }
    expect(h.metadataOf(hash(1))).toEqual({ city: 'Rome' });
    expect(h.metadataOf(hash(3))).toEqual({ city: 'Oslo' });
    expect(h.metadataOf(hash(0))).toEqual({ source: 'legacy-import', keyframes: [0, 12], city: 'Nice' });
  });

  it('a legacy row without storage item goes through the per-row save', async () => {
    const file = h.write('legacy.csv', `data_hash,city\n${hash(4)},Madrid\n`);
    const r = await runImport({ ...base(), file });
    expect(r.summary.written).toBe(1);
    expect(h.metadataOf(hash(4))).toEqual({ source: 'v1-only', city: 'Madrid' });
    expect(h.emulator.counters()['v1:datarow:POST']?.requests).toBe(1);
    expect(h.emulator.counters()['v2:patch-bulk']?.requests ?? 0).toBe(0);
  });

  it('Parquet written by DuckDB imports the same values as the CSV', async () => {
    const csv = h.write(
      'src.csv',
      `data_hash,captured_at,dark,speed,weather\n${hash(1)},2026-11-28T10:00:00Z,true,3.25,snow\n${hash(3)},2026-11-29T00:00:00Z,false,-1,cloudy\n`,
    );
    const parquet = join(h.dir, 'src.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(
      `COPY (SELECT data_hash, CAST(captured_at AS TIMESTAMPTZ) AS captured_at, dark::BOOLEAN AS dark, speed::DOUBLE AS speed, weather FROM read_csv('${csv}', all_varchar=true)) TO '${parquet}' (FORMAT parquet, COMPRESSION zstd)`,
    );
    con.closeSync();
    db.closeSync();
    const fromParquet = await runImport({ ...base(), file: parquet });
    expect(fromParquet.summary).toMatchObject({ written: 2, failed: 0 });
    const snapshot = [h.metadataOf(hash(1)), h.metadataOf(hash(3))];
    expect(snapshot[0]).toEqual({ captured_at: '2026-11-28T10:00:00.000Z', dark: true, speed: 3.25, weather: 'snow' });
    // The same data as CSV is already applied: nothing to write.
    const fromCsv = await runImport({ ...base(), file: csv });
    expect(fromCsv.summary).toMatchObject({ written: 0, unchanged: 2, failed: 0 });
  });
});

describe('key plan failures', () => {
  it('reports not found, ambiguous titles, duplicate targets and shared-item conflicts; the rest proceed', async () => {
    const file = h.write(
      'plan.csv',
      'title,city\n' +
        'nope.jpg,X\n' + // not found
        'dup.jpg,X\n' + // two units have this title
        'cam-1/frame_002.jpg,A\n' +
        'cam-1/frame_002.jpg,B\n' + // same unit twice
        'cam-2/frame_009.jpg,Good\n',
    );
    // Units sharing one storage item show the item's name as title, so address them by data hash.
    const shared = h.write('shared-conflict.csv', `data_hash,city\n${hash(7)},S1\n${hash(8)},S2\n`);
    const result = await runImport({ ...base(), file, reportPath: join(h.dir, 'r.csv'), dryRun: true });
    expect(result.plan).toMatchObject({ rows: 5, notFound: 1, ambiguousTitle: 1, duplicateTarget: 2 });
    // The preview adds up: only the one good row would be written, and no diff is shown for failing rows.
    expect(result.plan).toMatchObject({ resolved: 1, toWrite: 1, unchanged: 0 });
    expect(result.diffs.map((d) => d.line)).toEqual([6]);
    const sharedPlan = await runImport({ ...base(), file: shared, dryRun: true });
    expect(sharedPlan.plan).toMatchObject({ rows: 2, sharedItemConflict: 2, resolved: 0, toWrite: 0 });
    expect(sharedPlan.diffs).toEqual([]);
    expect(writeRequests(h.emulator)).toBe(0);
    const real = await runImport({ ...base(), file, reportPath: join(h.dir, 'r2.csv') });
    expect(real.summary.failedByCode).toEqual({ KEY_NOT_FOUND: 1, KEY_AMBIGUOUS_TITLE: 1, DUPLICATE_TARGET: 2 });
    expect(real.summary.written).toBe(1);
    const realShared = await runImport({ ...base(), file: shared });
    expect(realShared.summary.failedByCode).toEqual({ SHARED_ITEM_CONFLICT: 2 });
    expect(h.metadataOf(hash(2))).toEqual({ qa_status: 'approved', city: 'Good' });
    expect(h.metadataOf(hash(1))).toEqual({});
    expect(h.emulator.state.item(SHARED_ITEM).metadata).toEqual({ source: 'shared' });
  });

  it('two units sharing one item with the same value: one write', async () => {
    const file = h.write('shared.csv', `data_hash,city\n${hash(7)},Same\n${hash(8)},Same\n`);
    const r = await runImport({ ...base(), file });
    expect(r.summary).toMatchObject({ written: 2, failed: 0 });
    expect(h.emulator.state.item(SHARED_ITEM).metadata).toEqual({ source: 'shared', city: 'Same' });
  });

  it('a column with no schema key stops the run before any write, unless told to skip it', async () => {
    const file = h.write('unknown.csv', `data_hash,city,colour\n${hash(1)},Rome,red\n`);
    await expect(runImport({ ...base(), file })).rejects.toMatchObject({ code: 'SCHEMA_UNKNOWN_COLUMNS' });
    expect(writeRequests(h.emulator)).toBe(0);
    const r = await runImport({ ...base(), file, unknownColumns: 'skip' });
    expect(r.summary.written).toBe(1);
    expect(h.metadataOf(hash(1))).toEqual({ city: 'Rome' });
  });
});

describe('resume and safety', () => {
  it('rerunning the same file writes nothing', async () => {
    const file = h.write('again.csv', `index,city,speed\n0,A,1\n1,B,2\n3,C,3\n`);
    await runImport({ ...base(), file });
    const before = writeRequests(h.emulator);
    const again = await runImport({ ...base(), file });
    expect(again.summary).toMatchObject({ written: 0, unchanged: 3, failed: 0 });
    expect(writeRequests(h.emulator)).toBe(before);
  });

  it('the failure report, fixed by hand and imported, completes the job', async () => {
    const file = h.write('bad.csv', `data_hash,speed,weather\n${hash(1)},12,5,sunny\n${hash(3)},"12,5",sunny\n${hash(0)},7,hail\n`);
    const report = join(h.dir, 'failures.csv');
    const first = await runImport({ ...base(), file, reportPath: report });
    expect(first.summary.failed).toBe(3); // a bad record (extra field), a decimal comma, an unknown enum value
    const text = readFileSync(report, 'utf8');
    expect(text).toContain('CSV_RECORD_INCONSISTENT_COLUMNS');
    expect(text).toContain(`"${hash(1)},12,5,sunny"`); // the record's exact text is kept in _raw
    expect(text).toContain('\n,,,2,CSV_RECORD_INCONSISTENT_COLUMNS,'); // its cells are empty: never a guess
    const fixed = h.write(
      'fixed.csv',
      text
        .replace('\n,,,2,CSV_RECORD_INCONSISTENT_COLUMNS,', `\n${hash(1)},12,sunny,2,CSV_RECORD_INCONSISTENT_COLUMNS,`)
        .replace('"12,5"', '12.5')
        .replace(',hail,', ',snow,'),
    );
    const second = await runImport({ ...base(), file: fixed });
    expect(second.summary).toMatchObject({ failed: 0, written: 3 });
    expect(h.metadataOf(hash(1))).toMatchObject({ speed: 12, weather: 'sunny' });
    expect(h.metadataOf(hash(3))).toMatchObject({ speed: 12.5, weather: 'sunny' });
    expect(h.metadataOf(hash(0))).toMatchObject({ speed: 7, weather: 'snow', keyframes: [0, 12] });
  });

  it('rollback restores the state before the run exactly', async () => {
    const before = ROWS.map((r) => h.metadataOf(r.dataHash));
    const file = h.write('change.csv', `data_hash,city,dark\n${hash(0)},X,true\n${hash(2)},Y,false\n${hash(4)},Z,true\n`);
    const r = await runImport({ ...base(), file, mode: 'replace' });
    expect(r.summary.written).toBe(3);
    expect(h.metadataOf(hash(2))).toEqual({ city: 'Y', dark: false });
    expect(h.metadataOf(hash(0))).toEqual({ keyframes: [0, 12], city: 'X', dark: true }); // reserved key kept even in replace mode
    expect(r.summary.journalPath).toBeTruthy();
    const rb = await runRollback({ journalPath: r.summary.journalPath!, store: h.client });
    expect(rb).toMatchObject({ restored: 3, failed: [] });
    expect(ROWS.map((row) => h.metadataOf(row.dataHash))).toEqual(before);
  });

  it('a dry run writes nothing but the report and shows diffs', async () => {
    const file = h.write('dry.csv', `index,city\n0,Paris\n1,\n`);
    const r = await runImport({ ...base(), file, dryRun: true, reportPath: join(h.dir, 'dry-report.csv') });
    expect(writeRequests(h.emulator)).toBe(0);
    expect(r.plan).toMatchObject({ toWrite: 1, unchanged: 1 });
    expect(r.diffs[0]).toMatchObject({ line: 2, changedKeys: ['city'] });
    expect(existsSync(join(h.dir, 'dry-report.csv'))).toBe(false); // no failures, no report file
  });

  it('--empty delete removes keys, keep leaves them', async () => {
    const file = h.write('empty.csv', `data_hash,city,qa_status\n${hash(2)},,\n`);
    const keep = await runImport({ ...base(), file });
    expect(keep.summary.unchanged).toBe(1);
    const del = await runImport({ ...base(), file, empty: 'delete' });
    expect(del.summary.written).toBe(1);
    expect(h.metadataOf(hash(2))).toEqual({});
  });

  it('a second concurrent run on the same dataset is refused', async () => {
    const { RunLock } = await import('../../src/checkpoint/run-lock.js');
    const lock = RunLock.acquire(join(h.dir, 'state'), DATASET);
    try {
      const file = h.write('locked.csv', `index,city\n0,A\n`);
      await expect(runImport({ ...base(), file })).rejects.toMatchObject({ code: 'LOCKED' });
    } finally {
      lock.release();
    }
  });
});

describe('faults', () => {
  it('5xx, resets, HTML pages, commit-then-fail and 429 storms end in exactly the expected state', async () => {
    const expected = new Map<string, string>();
    const lines = ['data_hash,city,speed'];
    ROWS.forEach((r, i) => {
      if (r.title === 'dup.jpg' || r.title.startsWith('shared')) return;
      lines.push(`${r.dataHash},City${i},${i}`);
      expected.set(r.dataHash, `City${i}`);
    });
    const file = h.write('faults.csv', `${lines.join('\n')}\n`);
    h.emulator.faults.set([
      { route: 'v2:patch-bulk', nth: 1, action: { type: 'commitThenFail', status: 502 } },
      { route: 'v2:get-bulk', nth: [1, 3], action: { type: 'status', status: 503 } },
      { route: 'v2:patch-bulk', nth: 2, action: { type: 'reset' } },
      { route: 'v2:patch-bulk', nth: 3, action: { type: 'html', status: 502 } },
      { route: 'v1:datarow:POST', nth: 1, action: { type: 'commitThenFail', status: 500 } },
      { route: 'v1:datarow:GET', nth: 1, action: { type: 'rateLimit', retryAfter: null } },
      { route: '*', window: { periodMs: 400, durationMs: 60 }, action: { type: 'rateLimit', retryAfter: 0 } },
    ]);
    const r = await runImport({ ...base(), file, batchSize: 2 });
    expect(r.summary.failed).toBe(0);
    expect(r.summary.retries).toBeGreaterThan(0);
    for (const row of ROWS) {
      const want = expected.get(row.dataHash);
      const got = h.metadataOf(row.dataHash);
      if (want) expect(got.city).toBe(want);
      // Pre-existing keys survive every retry.
      for (const [k, v] of Object.entries(row.metadata)) if (k !== 'city') expect(got[k]).toEqual(v);
    }
  });

  it('the same result when the server merges instead of replacing', async () => {
    h.emulator.configure({ metadataWriteMode: 'merge' });
    const file = h.write('merge.csv', `data_hash,city\n${hash(0)},M\n`);
    await runImport({ ...base(), file });
    expect(h.metadataOf(hash(0))).toEqual({ source: 'legacy-import', keyframes: [0, 12], city: 'M' });
  });

  it('a partial patch-bulk answer is a failed row, and the rerun completes it', async () => {
    h.emulator.faults.set([{ route: 'v2:patch-bulk', nth: 1, action: { type: 'partialResults', omit: 'first', applyOmitted: false } }]);
    const file = h.write('partial.csv', `data_hash,city\n${hash(1)},P1\n${hash(3)},P3\n`);
    const r = await runImport({ ...base(), file, reportPath: join(h.dir, 'p.csv') });
    expect(r.summary.failed).toBe(1);
    const again = await runImport({ ...base(), file });
    expect(again.summary).toMatchObject({ failed: 0, written: 1, unchanged: 1 });
    expect(h.metadataOf(hash(1)).city).toBe('P1');
    expect(h.metadataOf(hash(3)).city).toBe('P3');
  });
});

void H;
