/**
 * EncordClient against a loopback node:http server: wire format, signatures (verified with signing.ts),
 * retries, rate limiting, timeouts, bulk chunking/halving and per-item outcomes. Backoff never really waits:
 * the client gets a fake clock and sleep.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BearerTokenAuth, SshKeyAuth } from '../../src/encord/auth.js';
import { EncordClient } from '../../src/encord/client.js';
import type { ClientEvent } from '../../src/encord/client-events.js';
import type { EncordClientOptions } from '../../src/encord/client-options.js';
import { EncordApiError } from '../../src/encord/errors.js';
import { parseOpenSshPrivateKey } from '../../src/encord/keys.js';
import type { Metadata } from '../../src/encord/protocol/types.js';
import { contentDigest, signatureBase, v1Digest, verifyEd25519 } from '../../src/encord/protocol/signing.js';
import {
  TEST_KEY,
  fakeTime,
  json,
  startServer,
  v1err,
  v1ok,
  wireItem,
  wireRow,
  type RecordedRequest,
  type TestServer,
} from './helpers.js';

const key = parseOpenSshPrivateKey(TEST_KEY);
const auth = new SshKeyAuth(key);
const DS = '11111111-2222-3333-4444-555555555555';
const U = (n: number): string => `aaaaaaaa-0000-0000-0000-${String(n).padStart(12, '0')}`;

let server: TestServer;
const clients: EncordClient[] = [];
beforeAll(async () => {
  server = await startServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.requests.length = 0;
});
afterAll(async () => {
  await server.close();
});

function makeClient(extra: Partial<EncordClientOptions> = {}) {
  const time = fakeTime();
  const events: ClientEvent[] = [];
  const client = new EncordClient({
    auth,
    domain: server.origin,
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    maxRequestsPerSecond: 1000, startRequestsPerSecond: 1000,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  clients.push(client);
  return { client, time, events, retries: () => events.filter((e) => e.type === 'retry') };
}

async function rejection(p: Promise<unknown>): Promise<EncordApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EncordApiError);
    return e as EncordApiError;
  }
  throw new Error('expected a rejection');
}

function verifyV1(r: RecordedRequest): boolean {
  const [pub, sig] = String(r.headers['authorization']).split(':');
  return pub === key.publicKeyHex && verifyEd25519(key.publicKey, v1Digest(r.body), Buffer.from(sig ?? '', 'hex'));
}

/** Verify a v2 request exactly as protocol §2.5 says a server must; returns `created`. */
function verifyV2(r: RecordedRequest): number {
  expect(r.headers['content-digest']).toBe(contentDigest(r.body));
  const input = String(r.headers['signature-input']);
  expect(input.startsWith('encord-sig=("@method" "@request-target" "content-digest");')).toBe(true);
  const params = input.slice('encord-sig='.length);
  const base = signatureBase(r.method, r.url, String(r.headers['content-digest']), params);
  const sig = /^encord-sig=:([A-Za-z0-9+/=]+):$/.exec(String(r.headers['signature']))?.[1] ?? '';
  expect(verifyEd25519(key.publicKey, Buffer.from(base), Buffer.from(sig, 'base64'))).toBe(true);
  expect(params).toContain(`keyid="${key.publicKeyHex}"`);
  return Number(/created=(\d+)/.exec(params)?.[1]);
}

describe('v1 calls', () => {
  it('getDataset: exact body, headers, signature; server order and null metadata kept', async () => {
    const { client } = makeClient();
    const rows = [wireRow('h-b', 'b.png', { k: 1 }, U(2)), wireRow('h-a', 'a.png', null, U(1)), wireRow('h-c', 'c.png', {}, null)];
    server.use(v1ok({ dataset_hash: DS, title: 'T', description: '', dataset_type: 'CORD_STORAGE', backing_folder_uuid: null, data_rows: rows }));
    const ds = await client.getDataset(DS);
    expect(ds.units.map((u) => [u.index, u.dataHash, u.metadata, u.backingItemUuid])).toEqual([
      [0, 'h-b', { k: 1 }, U(2)],
      [1, 'h-a', null, U(1)],
      [2, 'h-c', {}, null],
    ]);
    const r = server.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/public');
    expect(r.body.toString()).toBe(
      '{"query_type": "dataset", "query_method": "GET", "values": {"uid": null, "payload": {"dataset_access_settings": {"fetch_client_metadata": true}}}}',
    );
    expect(r.headers).toMatchObject({
      accept: 'application/json',
      'content-type': 'application/json',
      resourcetype: 'dataset',
      resourceid: DS,
    });
    expect(r.headers['user-agent']).toMatch(/^encord-meta\/\S+ node\/\d+\.\d+\.\d+$/);
    expect(r.headers['x-cloud-trace-context']).toMatch(/^[0-9a-f]{32}\/1;o=1$/);
    expect(verifyV1(r)).toBe(true);
    expect(client.stats).toEqual({ requests: 1, retries: 0, rateLimited: 0 });
  });

  it('getDataset: not found and no access are one error', async () => {
    const { client } = makeClient();
    server.use(v1err(404, 'RESOURCE_NOT_FOUND_ERROR', `Dataset ${DS} not found`));
    const e1 = await rejection(client.getDataset(DS));
    expect(e1.code).toBe('DATASET_NOT_FOUND');
    expect(e1.message).toContain(`Dataset ${DS} not found or this key has no access to it`);
    expect(e1.traceId).toMatch(/^[0-9a-f]{32}$/);
    server.use(v1err(200, 'AUTHORISATION_ERROR'));
    expect((await rejection(client.getDataset(DS))).code).toBe('DATASET_NOT_FOUND');
    server.use(v1ok(null));
    expect((await rejection(client.getDataset(DS))).code).toBe('DATASET_NOT_FOUND');
  });

  it('decodes a gzip answer', async () => {
    const { client } = makeClient();
    server.use((_req, res) => {
      const body = gzipSync(JSON.stringify({ status: 200, response: [wireRow('h1', 'ü.png', { 'ä': 'ö' })] }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(body);
    });
    const rows = await client.listDataRows(DS, { titleLike: '%.png', dataHashes: ['h1'] });
    expect(rows).toEqual([{ dataHash: 'h1', title: 'ü.png', dataType: 'IMAGE', backingItemUuid: null, metadata: { 'ä': 'ö' } }]);
    // Loopback: the client asks for no compression (the server may still send gzip, as here).
    expect(server.requests[0]!.headers['accept-encoding']).toBe('identity');
    expect(server.requests[0]!.body.toString()).toBe(
      '{"query_type": "datarows", "query_method": "GET", "values": {"uid": null, "payload": {"title_eq": null, "title_like": "%.png", "created_before": null, "created_after": null, "data_types": null, "dataset_access_settings": {"fetch_client_metadata": true}, "data_hashes": ["h1"]}}}',
    );
  });

  it('refetchDataUnit sends additional_data and keeps null apart from {}', async () => {
    const { client } = makeClient();
    server.use(v1ok(wireRow('h1', 't', { a: [1, null] }, U(1))));
    const unit = await client.refetchDataUnit(DS, 'h1');
    expect(unit).toMatchObject({ index: -1, dataHash: 'h1', metadata: { a: [1, null] } });
    expect(server.requests[0]!.body.toString()).toBe(
      '{"query_type": "datarow", "query_method": "GET", "values": {"uid": "h1", "payload": {"additional_data": {"signed_url": false, "images_data_fetch_options": null, "client_metadata": true}}}}',
    );
  });

  it('saveMetadata: ASCII body signed as sent; checks updated_fields and the echo', async () => {
    const { client } = makeClient();
    const md = { name: 'Zürich', n: 1.5, nested: { a: null }, list: [1, 'x'] };
    server.use(v1ok({ updated_fields: ['client_metadata'], data_row: wireRow('h1', 't', md) }));
    expect(await client.saveMetadata(DS, 'h1', md)).toEqual(md);
    const r = server.requests[0]!;
    expect(r.body.toString()).toContain('"payload": {"client_metadata": {"name": "Z\\u00fcrich", "n": 1.5, "nested": {"a": null}, "list": [1, "x"]}}');
    expect([...r.body].every((b) => b < 0x80)).toBe(true);
    expect(verifyV1(r)).toBe(true);

    server.use(v1ok({ updated_fields: ['client_metadata', 'data_title'], data_row: wireRow('h1', 't', md) }));
    expect((await rejection(client.saveMetadata(DS, 'h1', md))).code).toBe('UNEXPECTED_UPDATE');
    server.use(v1ok({ updated_fields: ['client_metadata'], data_row: wireRow('h1', 't', { ...md, extra: 1 }) }));
    expect((await rejection(client.saveMetadata(DS, 'h1', md))).code).toBe('UNEXPECTED_UPDATE');
    // No echo (null metadata): confirmed by re-reading the row; a re-read showing other metadata fails.
    server.use(v1ok({ updated_fields: ['client_metadata'], data_row: wireRow('h1', 't', null) }), v1ok(wireRow('h1', 't', { other: 1 })));
    expect((await rejection(client.saveMetadata(DS, 'h1', md))).code).toBe('UNEXPECTED_UPDATE');
    server.use(v1ok({ updated_fields: ['client_metadata'], data_row: wireRow('h1', 't', null) }), v1ok(wireRow('h1', 't', md)));
    expect(await client.saveMetadata(DS, 'h1', md)).toEqual(md);
    const sent = server.requests.length;
    expect((await rejection(client.saveMetadata(DS, 'h1', { x: Number.NaN }))).code).toBe('INVALID_ARGUMENTS');
    expect((await rejection(client.saveMetadata(DS, 'bad hash', md))).code).toBe('INVALID_ARGUMENTS');
    expect(server.requests.length).toBe(sent);
  });
});

describe('retries and pacing', () => {
  it('429 with Retry-After: that request waits that long, the rate drops, the trace id is kept', async () => {
    const { client, retries, events } = makeClient();
    server.use(json(429, { status: 429, response: ['RATE_LIMIT_EXCEEDED'] }, { 'retry-after': '2' }), v1ok(wireRow('h1', 't', {})));
    await client.refetchDataUnit(DS, 'h1');
    expect(retries()).toMatchObject([{ retryNumber: 1, code: 'RATE_LIMITED', status: 429, delayMs: 2000, delaySource: 'retry-after' }]);
    expect(events.some((e) => e.type === 'rate' && e.reason === 'rate-limited')).toBe(true);
    expect(client.stats).toEqual({ requests: 2, retries: 1, rateLimited: 1 });
    const [a, b] = server.requests;
    expect(a!.headers['x-cloud-trace-context']).toBe(b!.headers['x-cloud-trace-context']);
  });

  it('a 429 on a write lowers the write rate only: reads are paced by their own limiter', async () => {
    // Issue 11, bulk R = 5: one limiter over every route settled on the read/write mix, and the writes ran at
    // 93-94 % of a write limit.
    const { client, events } = makeClient({ maxRequestsPerSecond: undefined, startRequestsPerSecond: 250 });
    server.use(json(429, { message: 'slow' }, { 'retry-after': '1' }), json(200, { results: [wireItem(U(1), { v: 1 })] }), json(200, { results: [wireItem(U(1), { v: 1 })] }));
    await client.patchItems(new Map([[U(1), { v: 1 }]]));
    expect(client.currentRate).toBe(125); // halved: nothing measured yet
    const limited = events.flatMap((e) => (e.type === 'rate' && e.reason === 'rate-limited' ? [e.rateClass] : []));
    expect(limited).toEqual(['v2-write']);
    await client.getItems([U(1)]);
    expect(client.currentRate).toBe(250);
  });

  it('a ceiling the user gave (--rate-limit) bounds every request together: one limiter, a 429 on a write slows reads too', async () => {
    const { client, events } = makeClient({ maxRequestsPerSecond: 40, startRequestsPerSecond: 40 });
    server.use(json(429, { message: 'slow' }, { 'retry-after': '1' }), json(200, { results: [wireItem(U(1), { v: 1 })] }), json(200, { results: [wireItem(U(1), { v: 1 })] }));
    await client.patchItems(new Map([[U(1), { v: 1 }]]));
    await client.getItems([U(1)]);
    expect(client.currentRate).toBe(20);
    const limited = events.flatMap((e) => (e.type === 'rate' && e.reason === 'rate-limited' ? [e.rateClass] : []));
    expect(limited).toEqual(['all']);
  });

  it('a tiny run does not wait out slow start: the first reads of a class and the first write go at once', async () => {
    const { client, time } = makeClient({ maxRequestsPerSecond: undefined, startRequestsPerSecond: undefined });
    server.use((req, res) => {
      const body = JSON.parse(req.body.toString()) as { itemUuids?: string[]; itemPatches?: Record<string, { clientMetadata: unknown }> };
      const results = body.itemUuids?.map((u) => wireItem(u, {})) ?? Object.entries(body.itemPatches ?? {}).map(([u, p]) => wireItem(u, p.clientMetadata));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
    });
    for (let i = 0; i < 5; i++) await client.getItems([U(1)]);
    await client.patchItems(new Map([[U(1), { v: 1 }]]));
    expect(time.sleeps).toEqual([]);
    await client.getItems([U(1)]); // past the burst: paced (slow start, grown a little by the answers)
    expect(time.sleeps).toHaveLength(1);
    expect(time.sleeps[0]).toBeGreaterThan(0);
  });

  it('caps Retry-After and falls back to jittered backoff without it', async () => {
    const { client, retries } = makeClient({ maxRetryAfterMs: 5000, retryBaseDelayMs: 100 });
    server.use(json(429, { message: 'slow' }, { 'retry-after': '3600' }), json(429, { message: 'slow' }), json(200, { token: 't' }));
    await client.getBearerToken();
    expect(retries().map((r) => (r.type === 'retry' ? [r.delayMs, r.delaySource] : []))).toEqual([
      [5000, 'retry-after'],
      [100, 'backoff'], // random 0.5 * (100 * 2^1)
    ]);
  });

  it('5xx then success; exhausted retries report attempts and the trace id', async () => {
    const { client } = makeClient({ maxRetries: 2 });
    server.use(json(503, { message: 'busy' }), json(502, '<html>bad gateway</html>'), json(200, { token: 'abc' }));
    expect(await client.getBearerToken()).toBe('abc');
    expect(server.requests).toHaveLength(3);
    server.use((_q, res) => {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>proxy</html>');
    });
    // A gateway page that never goes away is an outage (issue 11): retried past maxRetries until
    // unreachableAfterMs (60 s of the fake clock), then the fatal SERVICE_UNREACHABLE.
    const e = await rejection(client.getDataset(DS));
    expect(e).toMatchObject({ code: 'SERVICE_UNREACHABLE', status: 502 });
    expect(e.attempts).toBeGreaterThan(3);
    expect(e.message).toMatch(/unreachable/);
    expect(e.message).toMatch(/trace [0-9a-f]{32}/);
  });

  it('a 4xx is never retried; a 504 is', async () => {
    const { client } = makeClient();
    server.use(json(400, { message: 'bad key name' }));
    const e = await rejection(client.getTypedSchema());
    expect(e).toMatchObject({ code: 'INVALID_ARGUMENTS', attempts: 1 });
    expect(server.requests).toHaveLength(1);
    server.use(json(504, {}), json(204, ''));
    expect(await client.getTypedSchema()).toBeNull();
  });

  it('retries a reset connection on a fresh one', async () => {
    const { client, retries } = makeClient();
    server.use((_q, _res, raw) => raw.socket.destroy(), json(200, { token: 'after-reset' }));
    expect(await client.getBearerToken()).toBe('after-reset');
    expect(retries()).toMatchObject([{ code: 'TRANSPORT' }]);
  });

  it('re-signs every attempt with a fresh created', async () => {
    const { client, time } = makeClient();
    server.use(json(503, {}, { 'retry-after': '40' }), json(503, {}, { 'retry-after': '40' }), json(200, { token: 'ok' }));
    const start = time.now();
    await client.getBearerToken();
    const created = server.requests.map(verifyV2);
    expect(created[0]).toBe(Math.floor(start / 1000) - 30);
    expect(created[1]! - created[0]!).toBeGreaterThanOrEqual(40);
    expect(created[2]! - created[1]!).toBeGreaterThanOrEqual(40);
    expect(new Set(server.requests.map((r) => r.headers['signature'])).size).toBe(3);
  });

  it('times out a silent server; with no outage allowance that is SERVICE_UNREACHABLE at once', async () => {
    // unreachableAfterMs 0: the first timeout already counts as an outage (issue 11), so one attempt.
    const { client } = makeClient({ timeoutMs: 150, maxRetries: 1, unreachableAfterMs: 0 });
    server.use(() => {
      /* never answer */
    });
    const e = await rejection(client.getBearerToken());
    expect(e).toMatchObject({ code: 'SERVICE_UNREACHABLE', attempts: 1 });
    expect(e.message).toMatch(/No answer from Encord in time/);
  });

  it('aborts an in-flight call', async () => {
    const { client } = makeClient();
    const ac = new AbortController();
    // Stopped once the request is at the server (in flight), which never answers.
    server.use(() => ac.abort(new Error('user stop')));
    const p = client.getBearerToken({ signal: ac.signal });
    expect((await rejection(p)).code).toBe('ABORTED');
    expect(server.requests).toHaveLength(1);
  });
});

describe('v2 storage items', () => {
  it('getItems: chunks, request order, decoded clientMetadata, camelCase body', async () => {
    const { client } = makeClient({ bulkChunkSize: 2 });
    server.use((req, res) => {
      const { itemUuids } = JSON.parse(req.body.toString()) as { itemUuids: string[] };
      const results = [...itemUuids].reverse().map((u) => wireItem(u, { u }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
    });
    const uuids = [U(3), U(1), U(2), U(5), U(4)];
    const items = await client.getItems(uuids);
    expect(items.map((i) => i.uuid)).toEqual(uuids);
    expect(items[0]!.metadata).toEqual({ u: U(3) });
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]!.url).toBe('/v2/public/storage/items/get-bulk');
    expect(server.requests[0]!.body.toString()).toBe(`{"itemUuids": ["${U(3)}", "${U(1)}"], "signUrls": false}`);
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
    server.requests.forEach(verifyV2);
  });

  it('getItems: an item missing from the answer is an error, not an empty dict', async () => {
    const { client } = makeClient();
    server.use(json(200, { results: [wireItem(U(1), {})] }));
    expect((await rejection(client.getItems([U(1), U(2)]))).code).toBe('BAD_RESPONSE');
    server.use(json(200, { results: [{ ...wireItem(U(1), {}), clientMetadata: undefined }] }));
    expect((await rejection(client.getItems([U(1)]))).code).toBe('BAD_RESPONSE');
  });

  it('patchItems: halves on 413 down to single items, then fails the oversize one', async () => {
    const { client } = makeClient();
    server.use((req, res) => {
      const { itemPatches } = JSON.parse(req.body.toString()) as { itemPatches: Record<string, { clientMetadata: unknown }> };
      const uuids = Object.keys(itemPatches);
      if (uuids.length > 2 || uuids.includes(U(9))) {
        res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Request Entity Too Large' }));
        return;
      }
      const results = uuids.map((u) => wireItem(u, itemPatches[u]!.clientMetadata));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
    });
    const patches = new Map([1, 2, 9, 4, 5].map((n) => [U(n), { n }]));
    const out = await client.patchItems(patches);
    expect(out.map((o) => [o.uuid, o.ok])).toEqual([
      [U(1), true],
      [U(2), true],
      [U(9), false],
      [U(4), true],
      [U(5), true],
    ]);
    const failed = out[2]!;
    expect(!failed.ok && failed.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(server.requests.map((r) => Object.keys((JSON.parse(r.body.toString()) as { itemPatches: object }).itemPatches).length)).toEqual([
      // Both halves of a split are tried before going deeper (so a wholesale rejection can stop early).
      5, 3, 2, 2, 1,
    ]);
    expect(server.requests[0]!.method).toBe('PATCH');
    expect(server.requests[0]!.body.toString().startsWith(`{"itemPatches": {"${U(1)}": {"clientMetadata": {"n": 1}}`)).toBe(true);
  });

  it('patchItems: a uuid missing from results or a differing echo fails that item only', async () => {
    const { client } = makeClient();
    server.use(json(200, { results: [wireItem(U(1), { v: 1 }), wireItem(U(3), { v: 'changed' })] }));
    const out = await client.patchItems(new Map([[U(1), { v: 1 }], [U(2), { v: 2 }], [U(3), { v: 3 }]]));
    expect(out[0]).toEqual({ uuid: U(1), ok: true, metadata: { v: 1 } });
    expect(out[1]).toMatchObject({ uuid: U(2), ok: false, error: { code: 'UNEXPECTED_UPDATE' } });
    expect(out[2]).toMatchObject({ uuid: U(3), ok: false, error: { code: 'UNEXPECTED_UPDATE' } });
  });

  it('patchItems: a chunk failing after retries fails each item; other chunks still succeed', async () => {
    const { client } = makeClient({ bulkChunkSize: 2, maxRetries: 1, concurrency: 1 });
    // [1,2] → 400, bisected: [1] → 400, [2] → 400; [3,4] → 500 twice; [5] → ok
    server.use(
      json(400, { message: 'unknown key' }),
      json(400, { message: 'unknown key' }),
      json(400, { message: 'unknown key' }),
      json(500, {}),
      json(500, {}),
      json(200, { results: [wireItem(U(5), { n: 5 })] }),
    );
    const out = await client.patchItems(new Map([1, 2, 3, 4, 5].map((n) => [U(n), { n }])));
    expect(out.map((o) => (o.ok ? 'ok' : (o.error as EncordApiError).code))).toEqual([
      'INVALID_ARGUMENTS',
      'INVALID_ARGUMENTS',
      'SERVER_ERROR',
      'SERVER_ERROR',
      'ok',
    ]);
  });

  it('patchItems: a 400 on a chunk is bisected so only the invalid item fails', async () => {
    const { client } = makeClient({ bulkChunkSize: 2, maxRetries: 0, concurrency: 1 });
    server.use(json(400, { message: 'bad value' }), json(200, { results: [wireItem(U(1), { n: 1 })] }), json(400, { message: 'bad value' }));
    const out = await client.patchItems(new Map([1, 2].map((n) => [U(n), { n }])));
    expect(out.map((o) => (o.ok ? 'ok' : (o.error as EncordApiError).code))).toEqual(['ok', 'INVALID_ARGUMENTS']);
  });

  it('patchItems: authentication errors reject the whole call', async () => {
    const { client } = makeClient({ bulkChunkSize: 1 });
    server.use(json(401, { message: 'bad signature' }));
    const e = await rejection(client.patchItems(new Map([[U(1), {}], [U(2), {}]])));
    expect(e.code).toBe('AUTHENTICATION');
    expect(e.message).toContain(key.publicKeyOpenSsh);
  });

  it('patchItems: unencodable metadata fails that item, the rest is sent', async () => {
    const { client } = makeClient();
    server.use(json(200, { results: [wireItem(U(1), { ok: 1 })] }));
    const out = await client.patchItems(new Map<string, Metadata>([[U(1), { ok: 1 }], [U(2), { bad: Number.NaN }]]));
    expect(out[0]!.ok).toBe(true);
    expect(out[1]).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    expect(server.requests).toHaveLength(1);
  });

  it('getStorageItem uses signUrl=False', async () => {
    const { client } = makeClient();
    server.use(json(200, wireItem(U(1), { a: 1 })));
    expect((await client.getStorageItem(U(1))).metadata).toEqual({ a: 1 });
    expect(server.requests[0]!.url).toBe(`/v2/public/storage/items/${U(1)}?signUrl=False`);
    expect(server.requests[0]!.headers['content-type']).toBeUndefined();
  });
});

describe('schemas, token, datasets', () => {
  it('typed schema: sent as given (snake_case, nulls, unknown options), read back untouched', async () => {
    const { client } = makeClient();
    const schema = {
      vc: { ty: 'varchar', max_length: 8192 },
      gone: { ty: 'tombstone', deleted_ty: null },
      emb: { ty: 'embedding', size: 512, api: null },
      future: { ty: 'hologram', depth: 3, extra: { x: [1] } },
    } as never;
    server.use(json(200, {}));
    await client.setTypedSchema(schema);
    expect(server.requests[0]!.body.toString()).toBe(
      '{"vc": {"ty": "varchar", "max_length": 8192}, "gone": {"ty": "tombstone", "deleted_ty": null}, "emb": {"ty": "embedding", "size": 512, "api": null}, "future": {"ty": "hologram", "depth": 3, "extra": {"x": [1]}}}',
    );
    expect(server.requests[0]!.url).toBe('/v2/public/organisation/client-metadata-schema-v2');
    server.use(json(200, schema));
    expect(await client.getTypedSchema()).toEqual(schema);
  });

  it('simple schema: bare map out, metadataSchema in, null when none', async () => {
    const { client } = makeClient();
    server.use(json(204, ''));
    await client.setSimpleSchema({ a: 'number', b: 'string' });
    expect(server.requests[0]!.body.toString()).toBe('{"a": "number", "b": "string"}');
    server.use(json(200, { uuid: 'u', metadataSchema: { a: 'number' }, organisationId: 1, createdAt: 'x', updatedAt: 'y' }));
    expect(await client.getSimpleSchema()).toEqual({ a: 'number' });
    server.use(json(200, null));
    expect(await client.getSimpleSchema()).toBeNull();
  });

  it('listDatasets sends Python booleans and maps the result', async () => {
    const { client } = makeClient();
    server.use(json(200, { result: [{ datasetUuid: DS, title: 'T', description: '', createdAt: 'c', lastEditedAt: 'l', userRole: 'ADMIN', backingFolderUuid: null }] }));
    const list = await client.listDatasets({ titleLike: 'scan %' });
    expect(list[0]).toMatchObject({ datasetHash: DS, title: 'T', userRole: 'ADMIN' });
    expect(server.requests[0]!.url).toBe('/v2/public/datasets/list?titleLike=scan+%25&includeOrgAccess=False');
  });

  it('bearer auth: v1 and v2 carry Authorization: Bearer and no signature headers', async () => {
    const { client } = makeClient({ auth: new BearerTokenAuth('tok-xyz') });
    server.use(v1ok(wireRow('h1', 't', {})));
    await client.refetchDataUnit(DS, 'h1');
    server.use(json(200, { token: 'again' }));
    await client.getBearerToken();
    const [v1r, v2r] = server.requests;
    expect(v1r!.headers['authorization']).toBe('Bearer tok-xyz');
    expect(v2r!.headers['authorization']).toBe('Bearer tok-xyz');
    expect(v2r!.headers['signature']).toBeUndefined();
    expect(v2r!.headers['content-digest']).toBeUndefined();
  });
});
