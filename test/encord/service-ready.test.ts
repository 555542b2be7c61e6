/**
 * Issue 11, "ready for the real service": behaviour around the requests that the real Encord may show and
 * the emulator now models on demand. Every test runs the client against the emulator over HTTP.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createEncordClient, type EncordClient } from '../../src/encord/client.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import type { EncordClientOptions } from '../../src/encord/client-options.js';
import type { Metadata } from '../../src/encord/protocol/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import type { DatasetSeed } from '../../src/emulator/state.js';
import { forbiddenBudget } from '../../src/encord/storage-items.js';
import { KEY_PATH } from './helpers.js';
import { makeTempDir } from '../temp-dirs.js';

const DS = '22222222-3333-4444-8555-666666666666';
const OTHER = '22222222-3333-4444-8555-777777777777';
const SECRET_FOLDER = 'ffffffff-0000-4000-8000-000000000001';
const ITEM = (n: number): string => `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ROW = (n: number): string => `cccccccc-0000-4000-8000-${String(n).padStart(12, '0')}`;

let emulator: Emulator | undefined;
let client: EncordClient | undefined;

async function setup(
  datasets: readonly DatasetSeed[],
  options: EmulatorOptions = {},
  clientOptions: Partial<EncordClientOptions> = {},
): Promise<{ emulator: Emulator; client: EncordClient }> {
  emulator = await startEmulator({ datasets, ...options });
  const { auth } = await loadCredentials({ sshKeyPath: KEY_PATH, env: {} });
  client = createEncordClient({
    auth,
    domain: emulator.url,
    retryBaseDelayMs: 2,
    retryMaxDelayMs: 10,
    maxRetryAfterMs: 1500,
    maxRequestsPerSecond: 10_000, startRequestsPerSecond: 10_000,
    ...clientOptions,
  });
  return { emulator, client };
}

afterEach(async () => {
  await client?.close();
  await emulator?.close();
  client = undefined;
  emulator = undefined;
});

/** `n` rows, each backed by its own item `ITEM(1..n)`. */
function rows(n: number, metadata: Metadata = {}): NonNullable<DatasetSeed['rows']> {
  return Array.from({ length: n }, (_, i) => ({ dataHash: ROW(i + 1), backingItemUuid: ITEM(i + 1), title: `f${i + 1}.jpg`, metadata }));
}

function patches(n: number, value: (i: number) => Metadata): Map<string, Metadata> {
  return new Map(Array.from({ length: n }, (_, i) => [ITEM(i + 1), value(i + 1)] as const));
}

describe('v1 save without an echo (issue 11 point 6)', () => {
  for (const echo of ['omit', 'null'] as const) {
    it(`an answer that ${echo === 'omit' ? 'leaves out' : 'nulls'} the metadata is confirmed by re-reading, not failed`, async () => {
      const { client, emulator } = await setup(
        [{ hash: DS, rows: [{ dataHash: ROW(1), backingItemUuid: null, title: 'legacy.jpg', metadata: { a: 1 } }] }],
        { v1SaveEcho: echo },
      );
      expect(await client.saveMetadata(DS, ROW(1), { a: 1, b: 'x' })).toEqual({ a: 1, b: 'x' });
      expect(emulator.state.rowMetadata(DS, ROW(1))).toEqual({ a: 1, b: 'x' });
      expect(emulator.counters()['v1:datarow:GET']!.requests).toBe(1);
    });
  }

  it('a save whose re-read shows other metadata still fails UNEXPECTED_UPDATE', async () => {
    const { client } = await setup(
      [{ hash: DS, rows: [{ dataHash: ROW(1), backingItemUuid: null, title: 'legacy.jpg', metadata: {} }] }],
      { v1SaveEcho: 'omit', metadataWriteMode: 'merge' },
    );
    await client.saveMetadata(DS, ROW(1), { a: 1 });
    await expect(client.saveMetadata(DS, ROW(1), { b: 2 })).rejects.toMatchObject({ code: 'UNEXPECTED_UPDATE' });
  });
});

describe('paged get-bulk (issue 11 point 7)', () => {
  it('follows nextPageToken: every item of a paged answer is read, in request order', async () => {
    const { client, emulator } = await setup([{ hash: DS, rows: rows(7, { k: 1 }) }], { getBulkPageSize: 3 });
    const uuids = [ITEM(7), ...Array.from({ length: 6 }, (_, i) => ITEM(i + 1))];
    const got = await client.getItems(uuids);
    expect(got.map((g) => g.uuid)).toEqual(uuids);
    expect(got.every((g) => g.metadata['k'] === 1)).toBe(true);
    expect(emulator.counters()['v2:get-bulk']!.requests).toBe(3);
  });
});

describe('smaller points (issue 11 point 8)', () => {
  it('the emulator accepts the bearer scheme in any case', async () => {
    const { client, emulator } = await setup([{ hash: DS, rows: rows(1) }]);
    const token = await client.getBearerToken();
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await fetch(`${emulator.url}/v2/public/datasets/list`, { headers: { authorization: `${scheme} ${token}` } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
  });

  it('seedLegacy seeds legacy data units (no storage item) that the v1 save can write', async () => {
    emulator = await startEmulator({ seedRows: 3, seedLegacy: 2 });
    const { auth } = await loadCredentials({ sshKeyPath: KEY_PATH, env: {} });
    client = createEncordClient({ auth, domain: emulator.url });
    const [summary] = emulator.state.datasets();
    const listing = await client.getDataset(summary!.hash);
    expect(listing.units.map((u) => u.backingItemUuid === null)).toEqual([false, false, false, true, true]);
    const legacy = listing.units[4]!;
    expect(await client.saveMetadata(summary!.hash, legacy.dataHash, { ...legacy.metadata, x: 1 })).toMatchObject({ x: 1 });
  });

  it('many calls in flight on one shared signal add one abort listener to it, not one per call', async () => {
    // The emulator holds every request until the test has looked: 4 in flight (the client's 4 connections), 36 waiting.
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    let fourHeld: () => void = () => {};
    const allHeld = new Promise<void>((r) => (fourHeld = r));
    const { client } = await setup(
      [{ hash: DS, rows: Array.from({ length: 40 }, (_, i) => ({ dataHash: ROW(i + 1), backingItemUuid: null, title: `l${i}.jpg` })) }],
      {
        latency: { ms: 40 },
        sleep: async () => {
          if (++held === 4) fourHeld();
          await gate;
        },
      },
      { concurrency: 4 },
    );
    const shared = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const calls = Array.from({ length: 40 }, (_, i) => client.saveMetadata(DS, ROW(i + 1), { n: i }, { signal: shared.signal }));
      const items = client.getItems([], { signal: shared.signal });
      await allHeld;
      expect(getEventListeners(shared.signal, 'abort').length).toBeLessThanOrEqual(1);
      release();
      await Promise.all([...calls, items]);
      expect(held).toBe(40);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});

describe('bounded bisection (issue 11 point 5)', () => {
  it('a patch-bulk rejected wholesale (400) costs at most 3 requests and fails every item', async () => {
    const { client, emulator } = await setup([{ hash: DS, rows: rows(256) }], { unknownSchemaKeys: 'reject', typedSchema: { known: { ty: 'number', format: 'F64' } } });
    const out = await client.patchItems(patches(256, () => ({ unknown: 1 })));
    expect(out.every((o) => !o.ok && (o.error as { code?: string }).code === 'INVALID_ARGUMENTS')).toBe(true);
    expect(emulator.counters()['v2:patch-bulk']!.requests).toBeLessThanOrEqual(3);
  });

  it('one bad item in 1000 costs at most 21 requests and only that item fails', async () => {
    const { client, emulator } = await setup([{ hash: DS, rows: rows(1000) }], { unknownSchemaKeys: 'reject', typedSchema: { known: { ty: 'number', format: 'F64' } } });
    const out = await client.patchItems(patches(1000, (i) => (i === 637 ? { unknown: 1 } : { known: i })));
    expect(out.filter((o) => !o.ok).map((o) => o.uuid)).toEqual([ITEM(637)]);
    expect(emulator.counters()['v2:patch-bulk']!.requests).toBeLessThanOrEqual(21);
    expect(emulator.state.itemMetadata(ITEM(1))).toEqual({ known: 1 });
  });
});

/** Dataset DS lists rows 1..n; items of the rows in `secret` live in a folder this key cannot access. */
function partialAccess(n: number, secret: readonly number[]): DatasetSeed[] {
  const secretSet = new Set(secret);
  return [
    // Items of another folder, created first so DS's rows can link them.
    { hash: OTHER, folderUuid: SECRET_FOLDER, rows: secret.map((i) => ({ dataHash: ROW(10_000 + i), backingItemUuid: ITEM(i), title: `s${i}.jpg`, metadata: { s: i } })) },
    { hash: DS, rows: Array.from({ length: n }, (_, k) => ({ dataHash: ROW(k + 1), backingItemUuid: ITEM(k + 1), title: `f${k + 1}.jpg`, ...(secretSet.has(k + 1) ? {} : { metadata: { v: k + 1 } }) })) },
  ];
}

describe('partial storage permissions (issue 11 point 1)', () => {
  it('get-bulk: an item of a folder the key cannot access is isolated; the rest of the chunk is read', async () => {
    const { client, emulator } = await setup(partialAccess(100, [42]), { forbiddenFolders: [SECRET_FOLDER] });
    const refused: { uuid: string; code: string }[] = [];
    const got = await client.getItems(Array.from({ length: 100 }, (_, i) => ITEM(i + 1)), {
      onItemError: (f) => refused.push({ uuid: f.uuid, code: (f.error as unknown as { code: string }).code }),
    });
    expect(got).toHaveLength(99);
    expect(got.some((g) => g.uuid === ITEM(42))).toBe(false);
    expect(refused).toEqual([{ uuid: ITEM(42), code: 'ITEM_FORBIDDEN' }]);
    expect(emulator.counters()['v2:get-bulk']!.requests).toBeLessThanOrEqual(1 + 2 * 7);
  });

  it('a key with no storage access at all: every item fails ITEM_FORBIDDEN within a bounded number of requests', async () => {
    const { client, emulator } = await setup([{ hash: DS, folderUuid: SECRET_FOLDER, rows: rows(1000) }], { forbiddenFolders: [SECRET_FOLDER] });
    const refused: string[] = [];
    const got = await client.getItems(Array.from({ length: 1000 }, (_, i) => ITEM(i + 1)), {
      onItemError: (f) => refused.push((f.error as unknown as { code: string }).code),
    });
    expect(got).toEqual([]);
    expect(refused).toHaveLength(1000);
    expect(new Set(refused)).toEqual(new Set(['ITEM_FORBIDDEN']));
    expect(emulator.counters()['v2:get-bulk']!.requests).toBeLessThanOrEqual(1 + forbiddenBudget(1000));
  });

  it('patch-bulk: only the inaccessible items fail with ITEM_FORBIDDEN, the others are written', async () => {
    const { client, emulator } = await setup(partialAccess(64, [5]), { forbiddenFolders: [SECRET_FOLDER] });
    const out = await client.patchItems(patches(64, (i) => ({ w: i })));
    expect(out.filter((o) => !o.ok).map((o) => [o.uuid, (o as unknown as { error: { code: string } }).error.code])).toEqual([[ITEM(5), 'ITEM_FORBIDDEN']]);
    expect(emulator.state.itemMetadata(ITEM(6))).toEqual({ w: 6 });
    expect(emulator.state.itemMetadata(ITEM(5))).toEqual({ s: 5 });
  });

  it('a tombstoned item still linked from a data unit is refused alone', async () => {
    const { client, emulator } = await setup([{ hash: DS, rows: rows(10, { v: 0 }) }], { tombstonedItems: [ITEM(3)] });
    expect((await client.getDataset(DS)).units).toHaveLength(10);
    const out = await client.patchItems(patches(10, (i) => ({ v: i })));
    expect(out.filter((o) => !o.ok).map((o) => o.uuid)).toEqual([ITEM(3)]);
    expect(out.find((o) => !o.ok)).toMatchObject({ error: { code: 'ITEM_FORBIDDEN' } });
    expect(emulator.state.itemMetadata(ITEM(4))).toEqual({ v: 4 });
  });
});

describe('partial storage permissions through the pipeline (issue 11 point 1)', () => {
  const dataset = (): DatasetSeed[] => partialAccess(30, [7, 19]);

  it('import: only the rows of inaccessible items fail ITEM_FORBIDDEN; every other row is written', async () => {
    const { runImport } = await import('../../src/pipeline/run-import.js');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { client, emulator } = await setup(dataset(), { forbiddenFolders: [SECRET_FOLDER] });
    const dir = makeTempDir('svc-ready-');
    const file = join(dir, 'in.csv');
    writeFileSync(file, `data_hash,label\n${Array.from({ length: 30 }, (_, i) => `${ROW(i + 1)},x${i + 1}`).join('\n')}\n`);
    const r = await runImport({ file, datasetHash: DS, store: client, unknownColumns: 'string', stateDir: join(dir, 'state') });
    expect(r.summary).toMatchObject({ written: 28, failed: 2, failedByCode: { ITEM_FORBIDDEN: 2 } });
    expect(emulator.state.rowMetadata(DS, ROW(8))).toMatchObject({ label: 'x8' });
    expect(emulator.state.itemMetadata(ITEM(7))).toEqual({ s: 7 });
  });

  it('set --all and rollback: the inaccessible items fail alone; the rest is written and then restored', async () => {
    const { runSet } = await import('../../src/pipeline/run-set.js');
    const { runRollback } = await import('../../src/pipeline/run-rollback.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { client, emulator } = await setup(dataset(), { forbiddenFolders: [SECRET_FOLDER] });
    const journalPath = join(makeTempDir('svc-ready-'), 'set.jsonl');
    const set = await runSet({ store: client, datasetHash: DS, target: { all: true }, values: { tag: 'new' }, unknownKeys: 'allow', journalPath });
    expect(set.written).toBe(28);
    expect(set.failed.map((f) => [f.dataHash, f.code])).toEqual([
      [ROW(7), 'ITEM_FORBIDDEN'],
      [ROW(19), 'ITEM_FORBIDDEN'],
    ]);
    expect(emulator.state.rowMetadata(DS, ROW(1))).toEqual({ v: 1, tag: 'new' });
    const rb = await runRollback({ journalPath, store: client });
    expect(rb).toMatchObject({ restored: 28, failed: [] });
    expect(emulator.state.rowMetadata(DS, ROW(1))).toEqual({ v: 1 });
  });
});
