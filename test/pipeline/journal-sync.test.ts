/**
 * The undo journal is made durable before every write it protects, without a synchronous fsync per batch on
 * the event loop (issue 11, bulk path: at 7-14 ms per fsyncSync, one per batch blocked the importer for
 * 26-33 % of the time at 30 writes/s, so a server limit of 100 writes/s could not be reached). Batches
 * waiting together share one fsync (group commit), and a write is still never sent before an fsync that
 * covers its journal records has completed.
 */
import * as realFs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MetadataStore } from '../../src/encord/metadata-store.js';
import { runImport } from '../../src/pipeline/run-import.js';
import { DATASET, startHarness, type Harness, type HarnessRow } from './harness.js';

const calls = vi.hoisted(() => ({ syncFsyncs: 0, asyncFsyncs: 0, durable: new Map<number, number>() }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const fsyncSync = (fd: number): void => {
    calls.syncFsyncs += 1;
    const size = fs.fstatSync(fd).size;
    fs.fsyncSync(fd);
    calls.durable.set(fd, size);
  };
  const fsync = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void => {
    calls.asyncFsyncs += 1;
    const size = fs.fstatSync(fd).size; // what this fsync covers: the bytes written before it began
    fs.fsync(fd, (error) => {
      if (!error) calls.durable.set(fd, Math.max(calls.durable.get(fd) ?? 0, size));
      callback(error);
    });
  };
  return { ...fs, default: { ...fs, fsyncSync, fsync }, fsyncSync, fsync };
});

const ROWS: HarnessRow[] = Array.from({ length: 24 }, (_, i) => ({
  dataHash: `d0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  title: `frame_${String(i).padStart(3, '0')}.jpg`,
  metadata: { source: 'seed' },
}));

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('undo journal durability on the bulk path', () => {
  it('no synchronous fsync per batch; every patch-bulk is sent only after an fsync covering its journal records', async () => {
    h = await startHarness({}, ROWS);
    const journalPath = join(h.dir, 'undo.jsonl');
    const unsafe: string[] = [];
    let patches = 0;
    const store = new Proxy(h.client, {
      get(target, prop) {
        if (prop === 'patchItems') {
          return (items: ReadonlyMap<string, unknown>, options?: { signal?: AbortSignal }) => {
            patches += 1;
            // What an fsync has made durable so far must already hold this batch's "before" records.
            const text = realFs.readFileSync(journalPath, 'utf8');
            const fd = [...calls.durable.keys()].at(-1);
            const durable = text.slice(0, fd === undefined ? 0 : calls.durable.get(fd));
            for (const uuid of items.keys()) if (!durable.includes(`"id":"${uuid}"`)) unsafe.push(uuid);
            return target.patchItems(items as Parameters<MetadataStore['patchItems']>[0], options);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const file = h.write('journal.csv', 'index,city\n' + ROWS.map((_, i) => `${i},City${i}`).join('\n') + '\n');
    calls.syncFsyncs = 0;
    calls.asyncFsyncs = 0;
    const result = await runImport({ datasetHash: DATASET, store, file, key: 'index', batchSize: 2, concurrency: 4, journalPath });
    expect(result.summary).toMatchObject({ written: 24, failed: 0 });
    expect(patches).toBe(12);
    expect(unsafe).toEqual([]);
    // The journal's header at open and the final flush at close, not one per batch.
    expect(calls.syncFsyncs).toBeLessThanOrEqual(2);
    expect(calls.asyncFsyncs).toBeGreaterThanOrEqual(1);
    expect(calls.asyncFsyncs).toBeLessThanOrEqual(12);
  });
});
