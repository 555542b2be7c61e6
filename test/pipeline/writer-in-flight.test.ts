/**
 * `--concurrency N` is "N writes in flight": the bulk path reads the next batches while N patch-bulk
 * requests are out, so a server limit R on writes can be reached with N × latency ≥ 1/R per write (issue 11:
 * with a read and a write one after the other in each of N slots, only N/2 writes were in flight on average
 * and the bulk path topped out at ~70 writes/s against the emulator's 20 ms latency). Deterministic: the
 * writes are held at a gate the test opens; no timing.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../src/encord/metadata-store.js';
import { runImport } from '../../src/pipeline/run-import.js';
import { DATASET, startHarness, type Harness, type HarnessRow } from './harness.js';

const ROWS: HarnessRow[] = Array.from({ length: 12 }, (_, i) => ({
  dataHash: `d0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  title: `frame_${String(i).padStart(3, '0')}.jpg`,
  metadata: { source: 'seed' },
}));

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The harness's client with its patch-bulk calls held at a gate, counting reads and writes in flight. */
function gated(store: MetadataStore) {
  const state = { reads: 0, writesPending: 0, maxWritesPending: 0, open: false };
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  /** Waiters on the counts, checked after every change (no polling, no clock). */
  const waiters: Array<{ ready: () => boolean; resolve: () => void }> = [];
  const changed = (): void => {
    for (const w of [...waiters]) {
      if (!w.ready()) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === 'getItems') {
        return (...args: Parameters<MetadataStore['getItems']>) => {
          state.reads += 1;
          changed();
          return target.getItems(...args);
        };
      }
      if (prop === 'patchItems') {
        return async (...args: Parameters<MetadataStore['patchItems']>) => {
          state.writesPending += 1;
          state.maxWritesPending = Math.max(state.maxWritesPending, state.writesPending);
          changed();
          try {
            if (!state.open) await gate;
            return await target.patchItems(...args);
          } finally {
            state.writesPending -= 1;
          }
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    store: wrapped,
    state,
    until: (ready: () => boolean): Promise<void> => (ready() ? Promise.resolve() : new Promise<void>((resolve) => void waiters.push({ ready, resolve }))),
    open: () => {
      state.open = true;
      release();
    },
  };
}

describe('bulk writes in flight (--concurrency N)', () => {
  it('keeps N writes in flight and reads the next batches meanwhile: with 2 writes held, batches 3 and 4 are already read; never a 3rd write at once', async () => {
    h = await startHarness({}, ROWS);
    const g = gated(h.client);
    const file = h.write('in-flight.csv', 'index,city\n' + ROWS.map((_, i) => `${i},City${i}`).join('\n') + '\n');
    const run = runImport({ datasetHash: DATASET, store: g.store, stateDir: join(h.dir, 'state'), file, key: 'index', batchSize: 1, concurrency: 2 });
    try {
      // Two writes wait at the gate; the pipeline must have read the next two batches already.
      await Promise.race([
        g.until(() => g.state.writesPending === 2 && g.state.reads >= 4),
        run.then((r) => Promise.reject(new Error(`the import ended with writes held: ${JSON.stringify(r.summary)}`))),
      ]);
      expect(g.state.writesPending).toBe(2); // the reads ahead do not start a 3rd write (maxWritesPending, below, covers the rest of the run)
    } finally {
      g.open();
    }
    const result = await run;
    expect(result.summary).toMatchObject({ written: 12, failed: 0 });
    expect(g.state.maxWritesPending).toBe(2);
    for (let i = 0; i < ROWS.length; i++) expect(h.metadataOf(ROWS[i]!.dataHash)).toEqual({ source: 'seed', city: `City${i}` });
  });
});
