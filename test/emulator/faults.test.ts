/** Fault injection (each kind), rule selection, rule files, rate limiting and latency. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadFaultsFile, startEmulator, type Emulator, type FaultRule } from '../../src/emulator/index.js';
import { call, otherKey, pyJson, v1Body } from './helpers.js';

const DS = '0f0f0f0f-3333-4333-8333-000000000001';
const I = (n: number): string => `aaaaaaaa-3333-4333-8333-${String(n).padStart(12, '0')}`;
const H = (n: number): string => `dddddddd-3333-4333-8333-${String(n).padStart(12, '0')}`;

let now = Date.now();
let emu: Emulator;
let dir: string;
/** Waits the emulator asked for (latency, delay faults); `hold` keeps them pending until released. */
const sleeps: number[] = [];
let hold: Promise<void> | null = null;
let slept: (() => void) | null = null;
const injectedSleep = async (ms: number, signal: AbortSignal): Promise<void> => {
  sleeps.push(ms);
  slept?.();
  if (hold !== null) await Promise.race([hold, new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))]);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-faults-'));
  emu = await startEmulator({
    clock: () => now,
    sleep: injectedSleep,
    datasets: [{ hash: DS, rows: [1, 2, 3].map((n) => ({ dataHash: H(n), backingItemUuid: I(n), metadata: { n } })) }],
  });
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  sleeps.length = 0;
  hold = null;
  slept = null;
  now = Date.now();
  emu.faults.clear();
  emu.configure({ rateLimit: null, latency: null });
});

const getItem = (n = 1) => call(emu.url, `/v2/public/storage/items/${I(n)}`);
const patchBulk = (patches: Record<string, unknown>) =>
  call(emu.url, '/v2/public/storage/items/patch-bulk', { method: 'PATCH', body: pyJson({ itemPatches: patches }) });
const save = (n: number, md: unknown) =>
  call(emu.url, '/public', { dataset: DS, body: v1Body('datarow', 'POST', H(n), { client_metadata: md }) });

describe('fault actions', () => {
  it.each([500, 502, 503, 504])('status %i with a JSON body on v2 and v1', async (status) => {
    emu.faults.set([{ route: '*', action: { type: 'status', status, retryAfter: 2 } }]);
    const r = await getItem();
    expect(r.status).toBe(status);
    expect(r.headers['retry-after']).toBe('2');
    expect(r.json).toHaveProperty('message');
    const v1 = await save(1, { x: 1 });
    expect(v1.status).toBe(status);
    expect(v1.json).toMatchObject({ status, response: ['UNKNOWN_ERROR'] });
    expect(emu.requestLog.last()?.fault).toBe('rule-0:status');
    expect(emu.state.itemMetadata(I(1))).toEqual({ n: 1 });
  });

  it('html: a proxy error page that is not JSON', async () => {
    emu.faults.set([{ route: 'v1:dataset:GET', action: { type: 'html' } }]);
    const r = await call(emu.url, '/public', { dataset: DS, body: v1Body('dataset', 'GET', null, {}) });
    expect(r.status).toBe(502);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.json).toBeUndefined();
    expect(r.text).toContain('502 Bad Gateway');
    expect((await getItem()).status).toBe(200);
  });

  it('reset: the socket is destroyed before any answer; commit applies first', async () => {
    emu.faults.set([{ route: 'v2:patch-bulk', times: 1, action: { type: 'reset' } }]);
    await expect(patchBulk({ [I(1)]: { clientMetadata: { r: 1 } } })).rejects.toThrow();
    expect(emu.state.itemMetadata(I(1))).toEqual({ n: 1 });
    expect(emu.requestLog.last({ route: 'v2:patch-bulk' })?.response).toBeNull();
    emu.faults.set([{ route: 'v2:patch-bulk', times: 1, action: { type: 'reset', commit: true } }]);
    await expect(patchBulk({ [I(1)]: { clientMetadata: { r: 2 } } })).rejects.toThrow();
    expect(emu.state.itemMetadata(I(1))).toEqual({ r: 2 });
    expect((await patchBulk({ [I(1)]: { clientMetadata: { n: 1 } } })).status).toBe(200);
  });

  it('tooLarge413 over a size, or always', async () => {
    emu.faults.set([{ route: 'v2:patch-bulk', action: { type: 'tooLarge413', overBytes: 100 } }]);
    expect((await patchBulk({ [I(1)]: { clientMetadata: { n: 1 } } })).status).toBe(200);
    const big = await patchBulk({ [I(1)]: { clientMetadata: { n: 1, pad: 'x'.repeat(200) } } });
    expect(big.status).toBe(413);
    expect(big.json).toEqual({ detail: 'Request Entity Too Large' });
    expect(emu.state.itemMetadata(I(1))).toEqual({ n: 1 });
    emu.faults.set([{ route: 'v2:get-bulk', action: { type: 'tooLarge413' } }]);
    const r = await call(emu.url, '/v2/public/storage/items/get-bulk', { method: 'POST', body: pyJson({ itemUuids: [I(1)] }) });
    expect(r.status).toBe(413);
  });

  it('delay longer than the client timeout: the client gives up, the write still lands', async () => {
    emu.faults.set([{ route: 'v1:datarow:POST', action: { type: 'delay', ms: 300 } }]);
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    // The server's delay stays pending until released, so the client can only finish by timing out.
    await expect(
      call(emu.url, '/public', { dataset: DS, body: v1Body('datarow', 'POST', H(2), { client_metadata: { late: true } }), timeoutMs: 80 }),
    ).rejects.toThrow(/client timeout/);
    expect(sleeps).toEqual([300]);
    expect('late' in emu.state.rowMetadata(DS, H(2))).toBe(false);
    release();
    await emu.whenRequests(() => 'late' in emu.state.rowMetadata(DS, H(2)));
    expect(emu.state.rowMetadata(DS, H(2))).toEqual({ late: true });
  });

  it('commitThenFail applies the write and answers 5xx (v1 and v2)', async () => {
    emu.faults.set([{ route: ['v1:datarow:POST', 'v2:patch-bulk'], action: { type: 'commitThenFail', status: 503 } }]);
    const v1 = await save(3, { committed: 'v1' });
    expect(v1.status).toBe(503);
    expect(emu.state.rowMetadata(DS, H(3))).toEqual({ committed: 'v1' });
    const v2 = await patchBulk({ [I(3)]: { clientMetadata: { committed: 'v2' } } });
    expect(v2.status).toBe(503);
    expect(emu.state.itemMetadata(I(3))).toEqual({ committed: 'v2' });
    // A retry of the same full dict is harmless.
    emu.faults.clear();
    expect((await patchBulk({ [I(3)]: { clientMetadata: { committed: 'v2' } } })).status).toBe(200);
    emu.faults.set([{ route: 'v1:datarow:POST', action: { type: 'commitThenFail', html: true } }]);
    const html = await save(3, { committed: 'html' });
    expect(html.status).toBe(500);
    expect(html.headers['content-type']).toMatch(/html/);
    expect(emu.state.rowMetadata(DS, H(3))).toEqual({ committed: 'html' });
  });

  it('partialResults omits one uuid; applyOmitted decides whether it was written', async () => {
    emu.faults.set([{ route: 'v2:patch-bulk', action: { type: 'partialResults', omit: 'last', applyOmitted: true } }]);
    const a = await patchBulk({ [I(1)]: { clientMetadata: { p: 1 } }, [I(2)]: { clientMetadata: { p: 2 } } });
    expect(a.status).toBe(200);
    expect(a.json.results.map((x: { uuid: string }) => x.uuid)).toEqual([I(1)]);
    expect(emu.state.itemMetadata(I(2))).toEqual({ p: 2 });
    emu.faults.set([{ route: 'v2:patch-bulk', action: { type: 'partialResults', omit: 'first', applyOmitted: false } }]);
    const b = await patchBulk({ [I(1)]: { clientMetadata: { q: 1 } }, [I(2)]: { clientMetadata: { q: 2 } } });
    expect(b.json.results.map((x: { uuid: string }) => x.uuid)).toEqual([I(2)]);
    expect(emu.state.itemMetadata(I(1))).toEqual({ p: 1 });
    expect(emu.state.itemMetadata(I(2))).toEqual({ q: 2 });
  });

  it('rateLimit: 429 with or without Retry-After', async () => {
    emu.faults.set([{ route: 'v2:*', action: { type: 'rateLimit', retryAfter: 3 } }]);
    const r = await getItem();
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('3');
    expect(r.json).toEqual({ message: 'Rate limit exceeded' });
    emu.faults.set([{ route: 'v1:*', action: { type: 'rateLimit', retryAfter: null } }]);
    const v1 = await save(1, { n: 1 });
    expect(v1.status).toBe(429);
    expect(v1.headers['retry-after']).toBeUndefined();
    expect(v1.json).toEqual({ status: 429, response: ['RATE_LIMIT_EXCEEDED'] });
  });
});

describe('rule selection', () => {
  const statuses = async (n: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < n; i += 1) out.push((await getItem()).status);
    return out;
  };

  it('every k-th, only the n-th, after, times, method', async () => {
    emu.faults.set([{ route: 'v2:item:GET', every: 3, action: { type: 'status', status: 500 } }]);
    expect(await statuses(6)).toEqual([200, 200, 500, 200, 200, 500]);
    emu.faults.set([{ route: 'v2:item:GET', nth: [2, 5], action: { type: 'status', status: 502 } }]);
    expect(await statuses(6)).toEqual([200, 502, 200, 200, 502, 200]);
    emu.faults.set([{ route: 'v2:item:GET', after: 2, times: 2, action: { type: 'status', status: 503 } }]);
    expect(await statuses(6)).toEqual([200, 200, 503, 503, 200, 200]);
    emu.faults.set([{ route: '*', method: 'patch', action: { type: 'status', status: 504 } }]);
    expect(await statuses(1)).toEqual([200]);
    expect((await patchBulk({})).status).toBe(504);
    expect(emu.faults.stats()).toEqual([{ id: 'rule-0', matched: 1, fired: 1 }]);
  });

  it('probability is seeded: the same seed gives the same faults', async () => {
    const run = async (): Promise<number[]> => {
      const e = await startEmulator({
        seed: 42,
        datasets: [{ rows: [{ backingItemUuid: I(50) }] }],
        faults: [{ probability: 0.5, action: { type: 'status', status: 500 } }],
      });
      try {
        const out: number[] = [];
        for (let i = 0; i < 20; i += 1) out.push((await call(e.url, `/v2/public/storage/items/${I(50)}`)).status);
        return out;
      } finally {
        await e.close();
      }
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(a.filter((s) => s === 500).length).toBeGreaterThan(3);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(3);
  });

  it('a 429 storm window: all requests fail for D ms of every P ms', async () => {
    const t0 = Date.now();
    now = t0;
    emu.faults.set([{ window: { periodMs: 1000, durationMs: 200 }, action: { type: 'rateLimit', retryAfter: 1 } }]);
    const at = async (t: number): Promise<number> => {
      now = t0 + t;
      return (await getItem()).status;
    };
    expect([await at(0), await at(150), await at(250), await at(999), await at(1100), await at(1300)]).toEqual([
      429, 429, 200, 200, 429, 200,
    ]);
    now = t0; // windows count from when the rules are set
    emu.faults.set([{ window: { periodMs: 1000, durationMs: 200, offsetMs: 500 }, action: { type: 'rateLimit', retryAfter: null } }]);
    now = t0 + 600;
    const r = await getItem();
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBeUndefined();
    now = Date.now();
  });

  it('invalid rules are rejected (naming the path) and the old rules stay', () => {
    emu.faults.set([{ route: 'v2:get-bulk', action: { type: 'html' } }]);
    expect(() => emu.faults.set([{ route: 'v2:nope', action: { type: 'html' } }] as FaultRule[])).toThrow(/\[0\]\.route.*unknown route/);
    expect(() => emu.faults.set([{ action: { type: 'status', status: 200 } }])).toThrow(/\[0\]\.action\.status/);
    expect(emu.faults.list()).toEqual([{ route: 'v2:get-bulk', action: { type: 'html' } }]);
  });
});

describe('fault files', () => {
  it('loads an array or {"faults": [...]}', async () => {
    const file = join(dir, 'faults.json');
    await writeFile(file, JSON.stringify({ faults: [{ route: 'v2:patch-bulk', nth: 1, action: { type: 'status', status: 503 } }] }));
    expect(await loadFaultsFile(file)).toHaveLength(1);
    await writeFile(file, JSON.stringify([{ action: { type: 'delay', ms: 5 } }]));
    expect(await loadFaultsFile(file)).toEqual([{ action: { type: 'delay', ms: 5 } }]);
  });

  it('errors name the file and the path inside it', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ faults: [{ action: { type: 'delay' } }, { route: 'x', action: { type: 'reset' }, extra: 1 }] }));
    const error = await loadFaultsFile(file).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/faults\[0\]\.action\.ms/);
    expect((error as Error).message).toMatch(/faults\[1\]/);
    await writeFile(file, '{not json');
    await expect(loadFaultsFile(file)).rejects.toThrow(/is not JSON/);
    await expect(loadFaultsFile(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read/);
  });
});

describe('rate limiting (token bucket per credential and route class)', () => {
  it('429 with Retry-After once the burst is spent, then refills', async () => {
    now = Date.now();
    emu.configure({ rateLimit: { requestsPerSecond: 0.5, burst: 2 } });
    expect([(await getItem()).status, (await getItem()).status]).toEqual([200, 200]);
    const limited = await getItem();
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(limited.json).toEqual({ message: 'Rate limit exceeded' });
    // Another class has its own bucket; v1 answers its own body.
    expect((await patchBulk({})).status).toBe(200);
    expect((await save(1, { n: 1 })).status).toBe(200);
    expect((await save(1, { n: 1 })).status).toBe(200);
    const v1 = await save(1, { n: 1 });
    expect(v1.status).toBe(429);
    expect(v1.json).toEqual({ status: 429, response: ['RATE_LIMIT_EXCEEDED'] });
    // Another credential has its own bucket.
    const other = otherKey();
    emu.auth.authorize(other.publicKeyHex);
    expect((await call(emu.url, `/v2/public/storage/items/${I(1)}`, { auth: { key: other.privateKey, keyHex: other.publicKeyHex } })).status).toBe(200);
    emu.auth.revoke(other.publicKeyHex);
    now += 2000;
    expect((await getItem()).status).toBe(200);
    now = Date.now();
  });

  it('--no-retry-after: 429 without the header', async () => {
    now = Date.now();
    emu.configure({ rateLimit: { requestsPerSecond: 1, burst: 1, retryAfter: false } });
    expect((await getItem()).status).toBe(200);
    const r = await getItem();
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBeUndefined();
    expect(emu.counters()['v2:item:GET']?.byStatus[429]).toBeGreaterThan(0);
    now = Date.now();
  });

  it('latency: fixed plus jitter', async () => {
    emu.configure({ latency: { ms: 60, jitterMs: 20 } });
    for (let i = 0; i < 20; i += 1) expect((await getItem()).status).toBe(200);
    expect(sleeps).toHaveLength(20);
    expect(sleeps.every((ms) => Number.isInteger(ms) && ms >= 60 && ms <= 80)).toBe(true);
    expect(new Set(sleeps).size).toBeGreaterThan(1); // the jitter varies
    // Every request waits for its latency before it is answered.
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    let answered = false;
    const waiting = new Promise<void>((r) => (slept = r));
    const pending = getItem().then((r) => ((answered = true), r));
    await waiting;
    expect(answered).toBe(false);
    release();
    expect((await pending).status).toBe(200);
    expect(() => emu.configure({ latency: { ms: -1 } })).toThrow(/Expected `latency.ms` to be an integer/);
  });
});
