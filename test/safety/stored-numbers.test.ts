/**
 * Promise: keys the file does not mention survive exactly. Encord keeps what its (Python) clients stored,
 * and a Python int is exact at any size: a unit may hold `"external_id": 12345678901234567890`. JSON.parse
 * reads that as 12345678901234567000, and a merge that sent the whole dictionary back would change a key the
 * file never named. Such a target is refused (its row fails with `STORED_NUMBER_INEXACT`), never rewritten.
 *
 * The emulator holds JavaScript values, so a reverse proxy in front of it stands in for Encord: it answers
 * with the stored string "BIG-NUMBER" replaced by the bare number, and leaves requests alone.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEncordClient, type EncordClient } from '../../src/encord/client.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import { runImport } from '../../src/pipeline/run-import.js';
import { runRollback } from '../../src/pipeline/run-rollback.js';
import { cli, envFor } from '../cli/helpers.js';
import { DATASET, KEY_PATH, ROWS, TEST_KEY_TEXT, startHarness, writeRequests, type Harness, type HarnessRow } from '../pipeline/harness.js';

const BIG = '12345678901234567890';
const MARK = 'BIG-NUMBER';
const BACKED = ROWS[1].dataHash;
const LEGACY = ROWS[4].dataHash;

/** A reverse proxy to `target` whose answers carry `BIG` where the emulator holds the string `MARK`. */
async function startBigNumberProxy(target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const upstreamUrl = new URL(target);
  const server: Server = createServer((req, res) => {
    const headers = { ...req.headers, 'accept-encoding': 'identity', host: upstreamUrl.host };
    const upstream = httpRequest({ host: upstreamUrl.hostname, port: upstreamUrl.port, method: req.method, path: req.url, headers }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8').replaceAll(`\\"${MARK}\\"`, BIG).replaceAll(`"${MARK}"`, BIG);
        const out = { ...up.headers };
        delete out['content-length'];
        delete out['transfer-encoding'];
        res.writeHead(up.statusCode ?? 502, { ...out, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const rows: HarnessRow[] = ROWS.map((r) => (r.dataHash === BACKED || r.dataHash === LEGACY ? { ...r, metadata: { ...r.metadata, external_id: MARK } } : r));

let h: Harness;
let proxy: Awaited<ReturnType<typeof startBigNumberProxy>>;
let client: EncordClient;
beforeEach(async () => {
  h = await startHarness({}, rows);
  proxy = await startBigNumberProxy(h.emulator.url);
  const { auth } = await loadCredentials({ sshKeyPath: KEY_PATH, env: {} });
  client = createEncordClient({ auth, domain: proxy.url, retryBaseDelayMs: 5, retryMaxDelayMs: 40, maxRetryAfterMs: 50, maxRequestsPerSecond: 1000, startRequestsPerSecond: 1000, maxRetries: 2 });
});
afterEach(async () => {
  await client.close();
  await proxy.close();
  await h.close();
});

describe('a stored number a double cannot hold is never written back rounded', () => {
  it.each([
    ['a backed unit (v2 read and patch)', BACKED],
    ['a legacy unit (v1 read and save)', LEGACY],
  ])('import: %s fails with STORED_NUMBER_INEXACT and keeps its metadata', async (_what, dataHash) => {
    const before = h.metadataOf(dataHash);
    const file = h.write('city.csv', `data_hash,city\n${dataHash},Paris\n${ROWS[3].dataHash},Rome\n`);
    const r = await runImport({ datasetHash: DATASET, store: client, file, stateDir: join(h.dir, 'state') });
    expect(h.metadataOf(dataHash)).toEqual(before);
    expect(r.summary).toMatchObject({ written: 1, failed: 1 });
    expect(r.summary.failedByCode).toEqual({ STORED_NUMBER_INEXACT: 1 });
    expect(h.metadataOf(ROWS[3].dataHash)).toEqual({ city: 'Rome' });
  });

  it('a row that gives the key a value of its own is written; a row that changes nothing is unchanged, not failed', async () => {
    const file = h.write('own.csv', `data_hash,city,external_id\n${BACKED},Paris,EXT-1\n${LEGACY},,\n`);
    const r = await runImport({ datasetHash: DATASET, store: client, file, unknownColumns: 'string', stateDir: join(h.dir, 'state') });
    expect(r.summary).toMatchObject({ written: 1, unchanged: 1, failed: 0 });
    expect(h.metadataOf(BACKED)).toEqual({ city: 'Paris', external_id: 'EXT-1' });
    expect(h.metadataOf(LEGACY)).toEqual({ source: 'v1-only', external_id: MARK });
  });

  it('rollback of a run that replaced it refuses to restore it rounded (the journal keeps the literal)', async () => {
    const file = h.write('own2.csv', `data_hash,city,external_id\n${BACKED},Paris,EXT-1\n${LEGACY},Rome,EXT-2\n${ROWS[3].dataHash},Oslo,EXT-3\n`);
    const journalPath = join(h.dir, 'undo.jsonl');
    const r = await runImport({ datasetHash: DATASET, store: client, file, unknownColumns: 'string', stateDir: join(h.dir, 'state'), journalPath });
    expect(r.summary).toMatchObject({ written: 3, failed: 0 });
    const back = await runRollback({ journalPath, store: client, stateDir: join(h.dir, 'state'), reportPath: join(h.dir, 'rb.csv') });
    expect(back.failed.map((f) => [f.dataHash, f.code])).toEqual([
      [BACKED, 'STORED_NUMBER_INEXACT'],
      [LEGACY, 'STORED_NUMBER_INEXACT'],
    ]);
    expect(back.failed[0]!.message).toContain(BIG);
    expect(back.restored).toBe(1);
    expect(h.metadataOf(BACKED)).toEqual({ city: 'Paris', external_id: 'EXT-1' });
    expect(h.metadataOf(LEGACY)).toEqual({ source: 'v1-only', city: 'Rome', external_id: 'EXT-2' });
    expect(h.metadataOf(ROWS[3].dataHash)).toEqual({});
  });

  it('replace mode, which drops the keys the file does not name, may drop it', async () => {
    const file = h.write('rep.csv', `data_hash,city\n${BACKED},Paris\n`);
    const r = await runImport({ datasetHash: DATASET, store: client, file, mode: 'replace', stateDir: join(h.dir, 'state') });
    expect(r.summary).toMatchObject({ written: 1, failed: 0 });
    expect(h.metadataOf(BACKED)).toEqual({ city: 'Paris' });
  });

  it.each([
    ['a backed unit', BACKED],
    ['a legacy unit', LEGACY],
  ])('set: %s is refused, nothing written', async (_what, dataHash) => {
    const before = h.metadataOf(dataHash);
    const writes = writeRequests(h.emulator);
    const r = await cli(['set', '--dataset', DATASET, '--data-hash', dataHash, 'city=Paris', '--state-dir', join(h.dir, 'state')], {
      url: proxy.url,
      env: envFor(proxy.url, { ENCORD_SSH_KEY: TEST_KEY_TEXT }),
    });
    expect(r.code, r.err).not.toBe(0);
    expect(r.err + r.out).toContain('STORED_NUMBER_INEXACT');
    expect(h.metadataOf(dataHash)).toEqual(before);
    expect(writeRequests(h.emulator)).toBe(writes);
  });
});
