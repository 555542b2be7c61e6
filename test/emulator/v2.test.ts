/** The v2 REST API over real HTTP: items, bulk get/patch, folder paging, schemas, tokens, datasets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { call, otherKey, pyJson, v1Body } from './helpers.js';

const DS = '0f0f0f0f-2222-4222-8222-000000000001';
const FOLDER = 'ffffffff-2222-4222-8222-000000000001';
const I = (n: number): string => `aaaaaaaa-2222-4222-8222-${String(n).padStart(12, '0')}`;
const H = (n: number): string => `dddddddd-2222-4222-8222-${String(n).padStart(12, '0')}`;

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    datasets: [
      {
        hash: DS,
        folderUuid: FOLDER,
        title: 'v2 tests',
        description: 'for v2',
        rows: [
          { dataHash: H(1), backingItemUuid: I(3), title: 'b.jpg', metadata: { n: 1 }, createdAt: '2026-01-03T00:00:00Z' },
          { dataHash: H(2), backingItemUuid: I(1), title: 'c.mp4', dataType: 'VIDEO', createdAt: '2026-01-01T00:00:00Z' },
          { dataHash: H(3), backingItemUuid: I(2), title: 'a.jpg', createdAt: '2026-01-02T00:00:00Z' },
          { dataHash: H(4), backingItemUuid: I(2) },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await emu.close();
});

const v2 = (target: string, method = 'GET', body?: unknown) =>
  call(emu.url, `/v2/public/${target}`, { method, ...(body !== undefined ? { body: typeof body === 'string' ? body : pyJson(body) } : {}) });

describe('storage items', () => {
  it('GET storage/items/{uuid}: camelCase, clientMetadata as a JSON string, True/true accepted', async () => {
    const r = await v2(`storage/items/${I(3)}?signUrl=False`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toMatchObject({ uuid: I(3), parent: FOLDER, name: 'b.jpg', clientMetadata: '{"n":1}', itemType: 'image' });
    expect((await v2(`storage/items/${I(3)}?signUrl=true`)).json.signedUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/signed\//);
    expect((await v2(`storage/items/${I(3)}?signUrl=maybe`)).status).toBe(400);
    expect((await v2(`storage/items/${I(2)}`)).json.backedDataUnitsCount).toBe(2);
  });

  it('unknown items and folders: 403 by default, 404 as an option', async () => {
    expect((await v2(`storage/items/${I(99)}`)).status).toBe(403);
    expect((await v2(`storage/folders/${I(99)}`)).status).toBe(403);
    emu.configure({ unknownStorageStatus: 404 });
    expect((await v2(`storage/items/${I(99)}`)).status).toBe(404);
    expect((await v2('storage/items/get-bulk', 'POST', { itemUuids: [I(99)] })).status).toBe(404);
    emu.configure({ unknownStorageStatus: 403 });
  });

  it('POST get-bulk keeps request order and answers 403 if any uuid is unknown', async () => {
    const r = await v2('storage/items/get-bulk', 'POST', { itemUuids: [I(2), I(3), I(1), I(2)], signUrls: false });
    expect(r.status).toBe(200);
    expect(r.json.results.map((x: { uuid: string }) => x.uuid)).toEqual([I(2), I(3), I(1), I(2)]);
    expect(r.json.nextPageToken).toBeNull();
    const snake = await v2('storage/items/get-bulk', 'POST', { item_uuids: [I(1)], sign_urls: false });
    expect(snake.json.results).toHaveLength(1);
    const bad = await v2('storage/items/get-bulk', 'POST', { itemUuids: [I(1), I(98)] });
    expect(bad.status).toBe(403);
    expect(bad.json.message).toContain(I(98));
    expect((await v2('storage/items/get-bulk', 'POST', { itemUuids: 'x' })).status).toBe(400);
    expect((await v2('storage/items/get-bulk', 'GET')).status).toBe(405);
  });

  it('PATCH storage/folders/{folder}/items/{uuid} updates metadata, name, description', async () => {
    const r = await v2(`storage/folders/${FOLDER}/items/${I(1)}`, 'PATCH', { clientMetadata: { k: 1, z: null } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.json.clientMetadata)).toEqual({ k: 1, z: null });
    expect(emu.state.rowMetadata(DS, H(2))).toEqual({ k: 1, z: null });
    const renamed = await v2(`storage/folders/${FOLDER}/items/${I(1)}`, 'PATCH', { name: 'c2.mp4', description: 'd' });
    expect(renamed.json).toMatchObject({ name: 'c2.mp4', description: 'd', clientMetadata: '{"k":1,"z":null}' });
    expect((await v2(`storage/folders/${I(77)}/items/${I(1)}`, 'PATCH', { name: 'x' })).status).toBe(403);
    expect((await v2(`storage/folders/${FOLDER}/items/${I(1)}`, 'PATCH', { clientMetadata: 'x' })).status).toBe(400);
  });

  it('PATCH patch-bulk validates everything, then applies, and returns a Page', async () => {
    const r = await v2('storage/items/patch-bulk', 'PATCH', {
      itemPatches: { [I(2)]: { clientMetadata: { p: 2 } }, [I(3)]: { client_metadata: { p: 3 } } },
    });
    expect(r.status).toBe(200);
    expect(r.json.nextPageToken).toBeNull();
    expect(r.json.results.map((x: { uuid: string; clientMetadata: string }) => [x.uuid, JSON.parse(x.clientMetadata)])).toEqual([
      [I(2), { p: 2 }],
      [I(3), { p: 3 }],
    ]);
    // A shared item updates both of its rows.
    expect(emu.state.rowMetadata(DS, H(3))).toEqual({ p: 2 });
    expect(emu.state.rowMetadata(DS, H(4))).toEqual({ p: 2 });
    // All-or-nothing: one bad patch or one unknown uuid and nothing is applied.
    const bad = await v2('storage/items/patch-bulk', 'PATCH', {
      itemPatches: { [I(2)]: { clientMetadata: { p: 'new' } }, [I(3)]: { clientMetadata: [1] } },
    });
    expect(bad.status).toBe(400);
    const unknown = await v2('storage/items/patch-bulk', 'PATCH', {
      itemPatches: { [I(2)]: { clientMetadata: { p: 'new' } }, [I(97)]: { clientMetadata: {} } },
    });
    expect(unknown.status).toBe(403);
    expect(emu.state.itemMetadata(I(2))).toEqual({ p: 2 });
    expect((await v2('storage/items/patch-bulk', 'PATCH', { itemPatches: {} })).json).toEqual({ results: [], nextPageToken: null });
  });

  it('bulk limit: more than 1000 entries is a 400 (configurable)', async () => {
    const uuids = Array.from({ length: 1001 }, () => I(1));
    expect((await v2('storage/items/get-bulk', 'POST', { itemUuids: uuids })).status).toBe(400);
    emu.configure({ bulkLimit: 0 });
    expect((await v2('storage/items/get-bulk', 'POST', { itemUuids: uuids })).status).toBe(200);
    emu.configure({ bulkLimit: 1000 });
  });
});

describe('folders', () => {
  it('GET storage/folders/{uuid}', async () => {
    const r = await v2(`storage/folders/${FOLDER}`);
    expect(r.json).toMatchObject({ uuid: FOLDER, name: 'v2 tests', syncedDatasetHash: DS, userRole: 'admin', parent: null });
  });

  it('lists items with real paging: opaque tokens, null on the last page, order, desc, search', async () => {
    const pageThrough = async (query: string, pageSize: number): Promise<string[]> => {
      const names: string[] = [];
      let token: string | null = null;
      let pages = 0;
      do {
        const r = await v2(`storage/folders/${FOLDER}/items?${query}${token !== null ? `&pageToken=${token}` : ''}&pageSize=${pageSize}`);
        expect(r.status).toBe(200);
        expect(r.json.results.length).toBeLessThanOrEqual(pageSize);
        names.push(...r.json.results.map((x: { name: string }) => x.name));
        token = r.json.nextPageToken;
        pages += 1;
      } while (token !== null && pages < 10);
      return names;
    };
    const byName = await pageThrough('isRecursive=False&order=name&desc=False&signUrls=False', 1);
    expect(byName).toEqual([...byName].sort());
    expect(byName).toHaveLength(3);
    expect(await pageThrough('order=name&desc=True', 2)).toEqual([...byName].sort().reverse());
    const byCreated = await pageThrough('order=createdAt&desc=false', 2);
    expect(byCreated[0]).toBe(emu.state.item(I(1)).name);
    expect(await pageThrough('order=name&search=B.J', 100)).toEqual(['b.jpg']);
    expect(await pageThrough('order=name&itemTypes=video', 100)).toEqual([emu.state.item(I(1)).name]);
    const last = await v2(`storage/folders/${FOLDER}/items?pageSize=1000`);
    expect(last.json.nextPageToken).toBeNull();
  });

  it('rejects bad paging parameters and foreign tokens', async () => {
    expect((await v2(`storage/folders/${FOLDER}/items?pageSize=0`)).status).toBe(400);
    expect((await v2(`storage/folders/${FOLDER}/items?pageSize=1001`)).status).toBe(400);
    expect((await v2(`storage/folders/${FOLDER}/items?order=size`)).status).toBe(400);
    expect((await v2(`storage/folders/${FOLDER}/items?pageToken=tok-2`)).status).toBe(400);
    const first = await v2(`storage/folders/${FOLDER}/items?order=name&pageSize=1`);
    const token = first.json.nextPageToken as string;
    expect((await v2(`storage/folders/${FOLDER}/items?order=createdAt&pageSize=1&pageToken=${token}`)).status).toBe(400);
  });

  it('pages a large folder consistently while metadata changes', async () => {
    const big = await startEmulator({ seedRows: 2500, seed: 11 });
    try {
      const [ds] = big.datasets();
      const seen: string[] = [];
      let token: string | null = null;
      do {
        const r = await call(big.url, `/v2/public/storage/folders/${ds!.folderUuid}/items?order=name&pageSize=1000${token ? `&pageToken=${token}` : ''}`);
        seen.push(...r.json.results.map((x: { uuid: string }) => x.uuid));
        token = r.json.nextPageToken;
        if (seen.length === 1000) big.state.setItemMetadata(seen[0]!, { touched: true });
      } while (token !== null);
      expect(seen).toHaveLength(2500);
      expect(new Set(seen).size).toBe(2500);
    } finally {
      await big.close();
    }
  });
});

describe('organisation schema', () => {
  it('simple form: GET null, POST the bare map, GET the record', async () => {
    expect((await v2('organisation/client-metadata-schema')).json).toBeNull();
    const posted = await v2('organisation/client-metadata-schema', 'POST', { a: 'number', b: 'string', c: 'long_string', d: 'enum' });
    expect(posted.status).toBe(200);
    const r = await v2('organisation/client-metadata-schema');
    expect(r.json).toMatchObject({ metadataSchema: { a: 'number', b: 'string', c: 'long_string', d: 'enum' }, organisationId: 1 });
    for (const key of ['uuid', 'createdAt', 'updatedAt']) expect(r.json).toHaveProperty(key);
    expect((await v2('organisation/client-metadata-schema', 'POST', { a: 'float' })).status).toBe(400);
  });

  it('typed form: POST replaces the whole schema (snake_case options kept)', async () => {
    expect((await v2('organisation/client-metadata-schema-v2')).json).toBeNull();
    const schema = {
      n: { ty: 'number', format: 'F64' },
      vc: { ty: 'varchar', max_length: 8192 },
      en: { ty: 'enum', values: ['a', 'b'] },
      emb: { ty: 'embedding', size: 512, api: null },
      gone: { ty: 'tombstone', deleted_ty: null },
      old: { ty: 'tombstone', deleted_ty: { ty: 'variant', hint: 'number' } },
    };
    expect((await v2('organisation/client-metadata-schema-v2', 'POST', schema)).status).toBe(200);
    expect((await v2('organisation/client-metadata-schema-v2')).json).toEqual(schema);
    await v2('organisation/client-metadata-schema-v2', 'POST', { only: { ty: 'text' } });
    expect((await v2('organisation/client-metadata-schema-v2')).json).toEqual({ only: { ty: 'text' } });
    expect((await v2('organisation/client-metadata-schema-v2', 'POST', { keyframes: { ty: 'text' } })).status).toBe(400);
    expect((await v2('organisation/client-metadata-schema-v2', 'POST', { x: { ty: 'enum', values: [] } })).status).toBe(400);
    emu.state.setTypedSchema(null);
  });
});

describe('tokens, datasets, unknown paths', () => {
  it('user/bearer-token issues a token usable on v2; unknown tokens get 401', async () => {
    const r = await v2('user/bearer-token');
    expect(r.json.token).toEqual(expect.any(String));
    const ok = await call(emu.url, `/v2/public/storage/items/${I(1)}`, { auth: { bearer: r.json.token } });
    expect(ok.status).toBe(200);
    const bad = await call(emu.url, `/v2/public/storage/items/${I(1)}`, { auth: { bearer: 'nope' } });
    expect(bad.status).toBe(401);
    expect(bad.json.message).toEqual(expect.any(String));
    // The token never reaches the log.
    expect(emu.requestLog.last({ route: 'v2:bearer-token' })?.response?.body).toBe('{"token":"[REDACTED]"}');
  });

  it('v2 auth failures answer 401 {"message"}', async () => {
    expect((await call(emu.url, `/v2/public/storage/items/${I(1)}`, { auth: 'none' })).status).toBe(401);
    const other = otherKey();
    const r = await call(emu.url, `/v2/public/storage/items/${I(1)}`, { auth: { key: other.privateKey, keyHex: other.publicKeyHex } });
    expect(r.status).toBe(401);
    expect(emu.requestLog.last({ route: 'v2:item:GET' })?.auth).toMatchObject({ ok: false, reason: 'unknown-key' });
    const stale = await call(emu.url, `/v2/public/storage/items/${I(1)}`, { created: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.status).toBe(401);
  });

  it('datasets/list', async () => {
    const r = await v2('datasets/list?titleLike=v2%25&includeOrgAccess=False');
    expect(r.json.result).toEqual([
      expect.objectContaining({ datasetUuid: DS, title: 'v2 tests', description: 'for v2', userRole: 'admin', backingFolderUuid: FOLDER }),
    ]);
    expect((await v2('datasets/list?titleEq=nope')).json.result).toEqual([]);
  });

  it('unknown paths: 404 JSON; v1 on GET: 405 envelope', async () => {
    const r = await v2('storage/nothing');
    expect(r.status).toBe(404);
    expect(r.json).toHaveProperty('message');
    expect((await call(emu.url, '/elsewhere', { auth: 'none' })).status).toBe(404);
    const get = await call(emu.url, '/public', { method: 'GET', body: v1Body('dataset', 'GET', null, {}), dataset: DS });
    expect(get.json.response).toEqual(['METHOD_NOT_ALLOWED_ERROR']);
  });
});
