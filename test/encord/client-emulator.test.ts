/**
 * The client against the real emulator over HTTP on port 0: every call the import uses, and every fault
 * the emulator can inject, each ending in exactly the intended state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEncordClient, type EncordClient } from '../../src/encord/client.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import type { EncordClientOptions } from '../../src/encord/client-options.js';
import type { WireTypedSchema } from '../../src/encord/protocol/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { FaultRule } from '../../src/emulator/faults.js';
import { KEY_PATH } from './helpers.js';

const DS = '22222222-3333-4444-8555-666666666666';
const ITEM = (n: number): string => `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ROW = (n: number): string => `cccccccc-0000-4000-8000-${String(n).padStart(12, '0')}`;

let emulator: Emulator;
let client: EncordClient;

async function makeClient(options: Partial<EncordClientOptions> = {}): Promise<EncordClient> {
  const { auth } = await loadCredentials({ sshKeyPath: KEY_PATH, env: {} });
  return createEncordClient({ auth, domain: emulator.url, retryBaseDelayMs: 2, retryMaxDelayMs: 10, maxRetryAfterMs: 1500, maxRequestsPerSecond: 1000, startRequestsPerSecond: 1000, ...options });
}

const SEED_ROWS = [
  { dataHash: ROW(1), title: 'b.jpg', backingItemUuid: ITEM(1), metadata: { keep: 1 } },
  { dataHash: ROW(2), title: 'a.jpg', backingItemUuid: ITEM(2), metadata: {} },
  { dataHash: ROW(3), title: 'legacy.jpg', backingItemUuid: null, metadata: { old: true } },
];

beforeEach(async () => {
  emulator = await startEmulator({
    datasets: [
      { hash: DS, rows: SEED_ROWS },
    ],
  });
  client = await makeClient();
});
afterEach(async () => {
  await client.close();
  await emulator.close();
});

describe('calls', () => {
  it('lists the dataset in server order with metadata, and refetches one row', async () => {
    const d = await client.getDataset(DS);
    expect(d.units.map((u) => [u.index, u.dataHash, u.title, u.backingItemUuid, u.metadata])).toEqual([
      [0, ROW(1), 'b.jpg', ITEM(1), { keep: 1 }],
      [1, ROW(2), 'a.jpg', ITEM(2), {}],
      [2, ROW(3), 'legacy.jpg', null, { old: true }],
    ]);
    expect((await client.refetchDataUnit(DS, ROW(3))).metadata).toEqual({ old: true });
    expect((await client.listDataRows(DS, { titleLike: '%.jpg', dataHashes: [ROW(2)] })).map((r) => r.dataHash)).toEqual([ROW(2)]);
  });

  it('saves a row (v1) and reads it back through v2 and v1', async () => {
    expect(await client.saveMetadata(DS, ROW(1), { keep: 1, k: 'v' })).toEqual({ keep: 1, k: 'v' });
    expect((await client.getItems([ITEM(1)]))[0]!.metadata).toEqual({ keep: 1, k: 'v' });
    expect(emulator.state.rowMetadata(DS, ROW(1))).toEqual({ keep: 1, k: 'v' });
  });

  it('get-bulk and patch-bulk keep request order; a missing uuid fails that item only (ITEM_FORBIDDEN)', async () => {
    const got = await client.getItems([ITEM(2), ITEM(1)]);
    expect(got.map((g) => g.uuid)).toEqual([ITEM(2), ITEM(1)]);
    const out = await client.patchItems(new Map([[ITEM(2), { a: 1 }], [ITEM(1), { keep: 1, b: 2 }]]));
    expect(out.every((o) => o.ok)).toBe(true);
    expect(emulator.state.rowMetadata(DS, ROW(2))).toEqual({ a: 1 });
    // An item the key cannot access is left out and reported on its own (issue 11: partial permissions).
    const refused: string[] = [];
    expect(await client.getItems([ITEM(9), ITEM(1)], { onItemError: (f) => refused.push(`${f.uuid} ${(f.error as unknown as { code: string }).code}`) })).toHaveLength(1);
    expect(refused).toEqual([`${ITEM(9)} ITEM_FORBIDDEN`]);
  });

  it('schema in both forms', async () => {
    await client.setSimpleSchema({ a: 'number', b: 'long_string' });
    expect(await client.getSimpleSchema()).toEqual({ a: 'number', b: 'long_string' });
    const typed: WireTypedSchema = { n: { ty: 'number', format: 'F64' }, e: { ty: 'enum', values: ['x', 'y'] }, emb: { ty: 'embedding', size: 3, api: null } };
    await client.setTypedSchema(typed);
    expect(await client.getTypedSchema()).toEqual(typed);
  });

  it('a bearer token fetched with the key works for v1 and v2', async () => {
    const token = await client.getBearerToken();
    const { auth } = await loadCredentials({ bearerToken: token, env: {} });
    const bearer = createEncordClient({ auth, domain: emulator.url });
    try {
      expect((await bearer.getDataset(DS)).units).toHaveLength(3);
      expect(await bearer.getItems([ITEM(1)])).toHaveLength(1);
    } finally {
      await bearer.close();
    }
  });

  it('an unknown dataset is one clear error', async () => {
    await expect(client.getDataset('99999999-9999-4999-8999-999999999999')).rejects.toMatchObject({ code: 'DATASET_NOT_FOUND' });
  });
});

describe('rate limits and faults', () => {
  const patchOnce = async (fault: FaultRule, options: Partial<EncordClientOptions> = {}) => {
    emulator.faults.set([fault]);
    const c = Object.keys(options).length > 0 ? await makeClient(options) : client;
    try {
      const out = await c.patchItems(new Map([[ITEM(2), { v: 'new' }]]));
      return { out, stats: { ...c.stats } };
    } finally {
      if (c !== client) await c.close();
    }
  };

  it('429 with Retry-After waits and succeeds', async () => {
    const { out, stats } = await patchOnce({ route: 'v2:patch-bulk', nth: 1, action: { type: 'rateLimit', retryAfter: 1 } });
    expect(out[0]!.ok).toBe(true);
    expect(stats.rateLimited).toBe(1);
    expect(emulator.state.rowMetadata(DS, ROW(2))).toEqual({ v: 'new' });
  });

  it('429 without Retry-After falls back to backoff', async () => {
    const { out, stats } = await patchOnce({ route: 'v2:patch-bulk', nth: [1, 2], action: { type: 'rateLimit', retryAfter: null } });
    expect(out[0]!.ok).toBe(true);
    expect(stats.retries).toBe(2);
  });

  it('the emulator token bucket answers 429 and the client slows down and gets through', async () => {
    await emulator.close();
    emulator = await startEmulator({ datasets: [{ hash: DS, rows: [{ dataHash: ROW(1), backingItemUuid: ITEM(1) }] }], rateLimit: { requestsPerSecond: 20, burst: 2 } });
    // Started at 200 (no slow start), so the first requests overrun the bucket.
    const c = await makeClient({ maxRequestsPerSecond: 200, startRequestsPerSecond: 200 });
    try {
      for (let i = 0; i < 12; i += 1) await c.getItems([ITEM(1)]);
      expect(c.stats.rateLimited).toBeGreaterThan(0);
      expect(c.currentRate).toBeLessThan(200);
    } finally {
      await c.close();
    }
  });

  for (const [name, action] of [
    ['500', { type: 'status', status: 500 }],
    ['502', { type: 'status', status: 502 }],
    ['503', { type: 'status', status: 503 }],
    ['504', { type: 'status', status: 504 }],
    ['an HTML error page', { type: 'html', status: 502 }],
    ['a connection reset', { type: 'reset' }],
    ['commit-then-fail', { type: 'commitThenFail', status: 500 }],
  ] as const) {
    it(`${name} on patch-bulk is retried and ends in exactly the intended state`, async () => {
      const { out, stats } = await patchOnce({ route: 'v2:patch-bulk', nth: 1, action });
      expect(out).toEqual([{ uuid: ITEM(2), ok: true, metadata: { v: 'new' } }]);
      expect(stats.retries).toBe(1);
      expect(emulator.state.rowMetadata(DS, ROW(2))).toEqual({ v: 'new' });
      expect(emulator.state.rowMetadata(DS, ROW(1))).toEqual({ keep: 1 });
    });
  }

  it('commit-then-fail on the v1 save: the retry leaves exactly the intended dictionary', async () => {
    emulator.faults.set([{ route: 'v1:datarow:POST', nth: 1, action: { type: 'commitThenFail', status: 502, html: true } }]);
    expect(await client.saveMetadata(DS, ROW(3), { old: true, added: 1 })).toEqual({ old: true, added: 1 });
    expect(emulator.state.rowMetadata(DS, ROW(3))).toEqual({ old: true, added: 1 });
  });

  it('413 halves the batch until it fits', async () => {
    emulator.faults.set([{ route: 'v2:patch-bulk', action: { type: 'tooLarge413', overBytes: 120 } }]);
    const out = await client.patchItems(new Map([[ITEM(1), { keep: 1, x: 'aaaa' }], [ITEM(2), { y: 'bbbb' }]]));
    expect(out.every((o) => o.ok)).toBe(true);
    expect(emulator.counters()['v2:patch-bulk']!.requests).toBe(3);
  });

  it('a delay past the client timeout is retried; the late write is harmless', async () => {
    // An emulator whose fault delays are held until the test lets them go (no clock in the test).
    const held: Array<() => void> = [];
    await client.close();
    await emulator.close();
    emulator = await startEmulator({
      datasets: [{ hash: DS, rows: SEED_ROWS }],
      sleep: (_ms, signal) =>
        new Promise<void>((resolve, reject) => {
          held.push(resolve);
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        }),
    });
    client = await makeClient({ timeoutMs: 200 });
    emulator.faults.set([{ route: 'v2:patch-bulk', nth: 1, action: { type: 'delay', ms: 600 } }]);
    const out = await client.patchItems(new Map([[ITEM(2), { v: 'new' }]]));
    expect(out[0]!.ok).toBe(true);
    expect(client.stats.retries).toBe(1);
    // The first request is still held, its client long gone: let it write now.
    expect(held).toHaveLength(1);
    held[0]!();
    await new Promise((r) => setImmediate(r));
    expect(emulator.state.rowMetadata(DS, ROW(2))).toEqual({ v: 'new' });
    expect(emulator.state.rowMetadata(DS, ROW(1))).toEqual({ keep: 1 });
  });

  it('a partial patch-bulk answer fails the missing item only', async () => {
    emulator.faults.set([{ route: 'v2:patch-bulk', nth: 1, action: { type: 'partialResults', omit: 'first', applyOmitted: false } }]);
    const out = await client.patchItems(new Map([[ITEM(1), { keep: 1, z: 1 }], [ITEM(2), { z: 2 }]]));
    expect(out.map((o) => o.ok)).toEqual([false, true]);
    expect(out[0]).toMatchObject({ ok: false, error: { code: 'UNEXPECTED_UPDATE' } });
  });

  it('an unregistered key is refused with the code that names it', async () => {
    emulator.auth.revoke('1e982bba926e94e4fb141458328f6b2c432bd9ff017976a4218d4fc3b9b88d00');
    const e = await client.getDataset(DS).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'SSH_KEY_NOT_FOUND' });
    expect(String(e)).not.toMatch(/[0-9a-f]{128}/);
  });
});
