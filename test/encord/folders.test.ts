/**
 * Storage folders: the client's folder calls against the emulator (paging, recursion, paths, errors) and
 * against a scripted server (the wire query, a token that repeats).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEncordClient, EncordClient } from '../../src/encord/client.js';
import { EncordApiError } from '../../src/encord/errors.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import { parseOpenSshPrivateKey } from '../../src/encord/keys.js';
import { SshKeyAuth } from '../../src/encord/auth.js';
import type { FolderItemPage } from '../../src/encord/metadata-store.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { fakeTime, json, KEY_PATH, startServer, TEST_KEY, wireItem, type TestServer } from './helpers.js';

const DS = '22222222-3333-4444-8555-666666666666';
const ITEM = (n: number): string => `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, '0')}`;

async function collect(pages: AsyncIterable<FolderItemPage>): Promise<FolderItemPage[]> {
  const out: FolderItemPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
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

describe('folder calls against the emulator', () => {
  let emulator: Emulator;
  let client: EncordClient;
  let top: string;

  beforeEach(async () => {
    emulator = await startEmulator({
      seedFolders: { subfolders: 2, items: 25 },
      datasets: [{ hash: DS, title: 'Backed', rows: [{ title: 'shared.jpg', backingItemUuid: ITEM(1), metadata: { a: 1 } }] }],
    });
    top = emulator.folders().find((f) => f.name === 'Rehearsal uploads')!.uuid;
    const { auth } = await loadCredentials({ sshKeyPath: KEY_PATH, env: {} });
    client = createEncordClient({ auth, domain: emulator.url, maxRequestsPerSecond: 1000, startRequestsPerSecond: 1000 });
  });
  afterEach(async () => {
    await client.close();
    await emulator.close();
  });

  it('lists a folder page by page: every item once, pages no larger than pageSize, the token followed', async () => {
    const pages = await collect(client.listFolderItems(top, { pageSize: 10 }));
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5]);
    const items = pages.flatMap((p) => p.items);
    expect(new Set(items.map((i) => i.uuid)).size).toBe(25);
    expect(items.map((i) => i.name)).toEqual([...items.map((i) => i.name)].sort());
    expect(items[0]).toMatchObject({ name: 'frame_000001.jpg', path: 'frame_000001.jpg', parent: top, itemType: 'image', backedDataUnitsCount: 0 });
    // Metadata read is what the emulator holds.
    for (const it of items) expect(it.metadata).toEqual(emulator.state.itemMetadata(it.uuid));
    const targets = emulator.requestLog.find({ route: 'v2:folder-items:GET' }).map((e) => e.target);
    expect(targets).toHaveLength(3);
    expect(targets[0]).toMatch(/\?isRecursive=False&order=name&desc=False&pageSize=10&signUrls=False$/);
    expect(targets[1]).toMatch(/&desc=False&pageToken=[^&]+&pageSize=10&signUrls=False$/);
  });

  it('recursive: walks subfolders and gives each item its path relative to the listed folder', async () => {
    const pages = await collect(client.listFolderItems(top, { recursive: true }));
    const items = pages.flatMap((p) => p.items);
    // 25 own + 2 × (25 + 2 in archive/).
    expect(items).toHaveLength(25 + 2 * 27);
    const paths = items.map((i) => i.path);
    expect(paths).toContain('frame_000001.jpg');
    expect(paths).toContain('cam-01/frame_000001.jpg');
    expect(paths).toContain('cam-02/archive/archive_000002.jpg');
    expect(new Set(paths).size).toBe(items.length);
    expect(pages.map((p) => p.folderPath)).toEqual(['', 'cam-01', 'cam-02', 'cam-01/archive', 'cam-02/archive']);
    // Not recursive: only the folder's own items.
    expect((await collect(client.listFolderItems(top))).flatMap((p) => p.items)).toHaveLength(25);
  });

  it('an item backing a data unit says so (backedDataUnitsCount)', async () => {
    const folder = emulator.datasets()[0]!.folderUuid!;
    const items = (await collect(client.listFolderItems(folder))).flatMap((p) => p.items);
    expect(items).toEqual([expect.objectContaining({ uuid: ITEM(1), name: 'shared.jpg', metadata: { a: 1 }, backedDataUnitsCount: 1 })]);
  });

  it('an unknown folder, or one not shared with the key, is FOLDER_NOT_FOUND (fatal), never an empty listing', async () => {
    const unknown = 'ffffffff-0000-4000-8000-000000000099';
    expect((await rejection(collect(client.listFolderItems(unknown)))).code).toBe('FOLDER_NOT_FOUND');
    expect((await rejection(client.getFolder(unknown))).code).toBe('FOLDER_NOT_FOUND');
    emulator.configure({ forbiddenFolders: [top] });
    expect((await rejection(collect(client.listFolderItems(top)))).code).toBe('FOLDER_NOT_FOUND');
    expect((await rejection(client.listSubfolders(top))).code).toBe('FOLDER_NOT_FOUND');
    expect((await client.listFolders()).map((f) => f.uuid)).not.toContain(top);
  });

  it('lists top-level folders, searches every folder by name, and lists subfolders', async () => {
    const tops = await client.listFolders();
    expect(tops.map((f) => f.name).sort()).toEqual(['Backed', 'Rehearsal uploads']);
    expect(tops.find((f) => f.name === 'Backed')!.syncedDatasetHash).toBe(DS);
    const archives = await client.listFolders({ search: 'ARCH' });
    expect(archives.map((f) => f.name)).toEqual(['archive', 'archive']);
    const subs = await client.listSubfolders(top);
    expect(subs.map((f) => [f.name, f.parent])).toEqual([
      ['cam-01', top],
      ['cam-02', top],
    ]);
    expect((await client.listFolders({ parent: top, recursive: true })).map((f) => f.name)).toEqual(['archive', 'archive', 'cam-01', 'cam-02']);
    expect((await client.getFolder(subs[0]!.uuid)).name).toBe('cam-01');
  });

  it('the folder listing pages like the item listing (Q, R and S share one pager)', async () => {
    const r = await fetchSigned(emulator, `/v2/public/storage/folders/${top}/folders?isRecursive=True&order=name&desc=True&pageSize=1`);
    expect(r.results).toHaveLength(1);
    expect(r.results[0]).toMatchObject({ name: 'cam-02', parent: top, userRole: 'admin', clientMetadata: null, description: '' });
    expect((r.results[0] as { pathToRoot: { name: string }[] }).pathToRoot.map((p) => p.name)).toEqual(['cam-02', 'Rehearsal uploads']);
    expect(typeof r.nextPageToken).toBe('string');
  });
});

/** The emulator's raw answer to a GET (with a bearer token of the test key), to check the wire shape. */
async function fetchSigned(emulator: Emulator, target: string): Promise<{ results: unknown[]; nextPageToken: string | null }> {
  const token = emulator.auth.issueToken('1e982bba926e94e4fb141458328f6b2c432bd9ff017976a4218d4fc3b9b88d00');
  const res = await fetch(`${emulator.url}${target}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { results: unknown[]; nextPageToken: string | null };
}

describe('folder listing on the wire', () => {
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
  function makeClient(): EncordClient {
    const time = fakeTime();
    const c = new EncordClient({ auth: new SshKeyAuth(parseOpenSshPrivateKey(TEST_KEY)), domain: server.origin, now: time.now, sleep: time.sleep, maxRequestsPerSecond: 1000, startRequestsPerSecond: 1000 });
    clients.push(c);
    return c;
  }

  it('a next page token that repeats fails the listing (BAD_RESPONSE) instead of paging forever or stopping short', async () => {
    server.use(json(200, { results: [wireItem(ITEM(1), {})], nextPageToken: 't1' }), json(200, { results: [wireItem(ITEM(2), {})], nextPageToken: 't1' }));
    const err = await rejection(collect(makeClient().listFolderItems('ffffffff-0000-0000-0000-000000000001')));
    expect(err.code).toBe('BAD_RESPONSE');
    expect(server.requests).toHaveLength(2);
  });

  it('an empty-string token is followed (as the SDK does), and a null one ends the listing', async () => {
    server.use(
      json(200, { results: [wireItem(ITEM(1), {})], nextPageToken: '' }),
      json(200, { results: [], nextPageToken: 'x' }),
      json(200, { results: [wireItem(ITEM(2), { k: 1 })], nextPageToken: null }),
    );
    const pages = await collect(makeClient().listFolderItems('ffffffff-0000-0000-0000-000000000001', { pageSize: 1 }));
    expect(pages.flatMap((p) => p.items.map((i) => [i.uuid, i.metadata]))).toEqual([
      [ITEM(1), {}],
      [ITEM(2), { k: 1 }],
    ]);
    expect(server.requests.map((r) => r.url.replace(/^.*\?/, ''))).toEqual([
      'isRecursive=False&order=name&desc=False&pageSize=1&signUrls=False',
      'isRecursive=False&order=name&desc=False&pageToken=&pageSize=1&signUrls=False',
      'isRecursive=False&order=name&desc=False&pageToken=x&pageSize=1&signUrls=False',
    ]);
  });

  it('a page without results is a BAD_RESPONSE; an item without backedDataUnitsCount says null (unknown), not 0', async () => {
    const item = { ...wireItem(ITEM(1), {}) };
    delete item['backedDataUnitsCount'];
    server.use(json(200, { results: [item], nextPageToken: null }));
    const [page] = await collect(makeClient().listFolderItems('ffffffff-0000-0000-0000-000000000001'));
    expect(page!.items[0]!.backedDataUnitsCount).toBeNull();
    server.use(json(200, { nextPageToken: null }));
    expect((await rejection(collect(makeClient().listFolderItems('ffffffff-0000-0000-0000-000000000001')))).code).toBe('BAD_RESPONSE');
  });

  it('refuses a page size outside 1..1000 before any request', async () => {
    expect((await rejection(collect(makeClient().listFolderItems('ffffffff-0000-0000-0000-000000000001', { pageSize: 1001 })))).code).toBe('INVALID_ARGUMENTS');
    expect(server.requests).toHaveLength(0);
  });
});
