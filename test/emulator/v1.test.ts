/** The v1 querier (`POST /public`): calls A–D, `/public/user`, errors and auth failures over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { call, otherKey, pyJson, v1Body } from './helpers.js';

const DS = '0f0f0f0f-1111-4111-8111-000000000001';
const SHARED = 'aaaaaaaa-1111-4111-8111-000000000099';
const H = (n: number): string => `dddddddd-1111-4111-8111-${String(n).padStart(12, '0')}`;

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    seed: 7,
    datasets: [
      {
        hash: DS,
        title: 'v1 tests',
        rows: [
          { dataHash: H(5), title: 'cam-02/2026-11-01/frame_000002.jpg', metadata: { a: 1, keyframes: [3, 9] } },
          { dataHash: H(1), title: 'cam-01/2026-11-01/frame_000001.jpg' },
          { dataHash: H(9), title: 'cam_x/100%.jpg', backingItemUuid: SHARED, metadata: { shared: true } },
          { dataHash: H(3), title: 'ignored: shared item keeps its name', backingItemUuid: SHARED },
          { dataHash: H(2), title: 'legacy/old.jpg', backingItemUuid: null, metadata: { legacy: 1 } },
          { dataHash: H(4), title: 'clips/c.mp4', dataType: 'VIDEO', createdAt: '2025-01-01T00:00:00Z' },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await emu.close();
});

const getDataset = (flag: boolean, dataset = DS) =>
  call(emu.url, '/public', {
    dataset,
    body: v1Body('dataset', 'GET', null, { dataset_access_settings: { fetch_client_metadata: flag } }),
  });

const datarows = (filters: Record<string, unknown>) =>
  call(emu.url, '/public', {
    dataset: DS,
    body: v1Body('datarows', 'GET', null, {
      title_eq: null,
      title_like: null,
      created_before: null,
      created_after: null,
      data_types: null,
      dataset_access_settings: { fetch_client_metadata: false },
      data_hashes: null,
      ...filters,
    }),
  });

const titlesOf = (rows: Array<{ data_title: string }>) => rows.map((r) => r.data_title);

describe('call A: dataset/GET', () => {
  it('returns every row in stable insertion order; metadata only with the flag', async () => {
    const without = await getDataset(false);
    expect(without.status).toBe(200);
    expect(without.headers['content-type']).toBe('application/json');
    const rows = without.json.response.data_rows;
    expect(rows.map((r: { data_hash: string }) => r.data_hash)).toEqual([H(5), H(1), H(9), H(3), H(2), H(4)]);
    expect(rows.every((r: { client_metadata: unknown }) => r.client_metadata === null)).toBe(true);
    const withMd = (await getDataset(true)).json.response.data_rows;
    expect(withMd.map((r: { client_metadata: unknown }) => r.client_metadata)).toEqual([
      { a: 1, keyframes: [3, 9] },
      {},
      { shared: true },
      { shared: true },
      { legacy: 1 },
      {},
    ]);
    expect(withMd[2].backing_item_uuid).toBe(SHARED);
    expect(withMd[3].data_title).toBe('cam_x/100%.jpg');
    expect(withMd[4].backing_item_uuid).toBeNull();
    expect(withMd[5]).toMatchObject({ data_type: 'VIDEO', frames_per_second: 30, file_type: 'video/mp4' });
    expect((await getDataset(true)).text).toBe((await getDataset(true)).text);
  });

  it('seeded rows are in an order that is neither sorted by title nor by hash', async () => {
    const seeded = await startEmulator({ seedRows: 200, seed: 3 });
    try {
      const [ds] = seeded.datasets();
      const rows = (await call(seeded.url, '/public', { dataset: ds!.hash, body: v1Body('dataset', 'GET', null, {}) })).json
        .response.data_rows as Array<{ data_title: string; data_hash: string; data_type: string }>;
      expect(rows).toHaveLength(200);
      const titles = rows.map((r) => r.data_title);
      expect(titles).not.toEqual([...titles].sort());
      expect(rows.map((r) => r.data_hash)).not.toEqual(rows.map((r) => r.data_hash).sort());
      expect(titles[0]).toMatch(/^[a-z]+-\d\d\/2026-10-\d\d\/[a-z]+_\d{6}(\.[a-z]+)?$/);
      expect(new Set(rows.map((r) => r.data_type)).size).toBeGreaterThan(3);
      const md = seeded.state.rows(ds!.hash).map((r) => r.metadata);
      const withMd = md.filter((m) => Object.keys(m).length > 0).length;
      expect(withMd).toBeGreaterThan(30);
      expect(withMd).toBeLessThan(100);
      expect(md.some((m) => 'keyframes' in m)).toBe(true);
      expect(md.some((m) => 'qa_status' in m)).toBe(true);
    } finally {
      await seeded.close();
    }
  });

  it('unknown dataset: RESOURCE_NOT_FOUND_ERROR mirrored, always-200, or AUTHORISATION_ERROR', async () => {
    const unknown = '99999999-0000-4000-8000-000000000000';
    const r = await getDataset(true, unknown);
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ status: 404, response: ['RESOURCE_NOT_FOUND_ERROR'], payload: `Dataset ${unknown} not found` });
    emu.configure({ v1ErrorStatus: 'always-200' });
    const r200 = await getDataset(true, unknown);
    expect(r200.status).toBe(200);
    expect(r200.json.response).toEqual(['RESOURCE_NOT_FOUND_ERROR']);
    emu.configure({ v1ErrorStatus: 'mirror', unknownDataset: 'authorisation' });
    const auth = await getDataset(true, unknown);
    expect(auth.json.response).toEqual(['AUTHORISATION_ERROR']);
    emu.configure({ unknownDataset: 'not-found' });
  });

  it('requires ResourceType: dataset', async () => {
    const r = await call(emu.url, '/public', {
      headers: { resourcetype: 'project', resourceid: DS },
      body: v1Body('dataset', 'GET', null, {}),
    });
    expect(r.json.response).toEqual(['INVALID_ARGUMENTS_ERROR']);
  });
});

describe('call B: datarows/GET', () => {
  it('filters by title_eq, title_like (% and _), data_hashes, data_types and created_*', async () => {
    expect(titlesOf((await datarows({ title_eq: 'cam-01/2026-11-01/frame_000001.jpg' })).json.response)).toEqual([
      'cam-01/2026-11-01/frame_000001.jpg',
    ]);
    expect(titlesOf((await datarows({ title_like: 'cam-0_/%' })).json.response)).toEqual([
      'cam-02/2026-11-01/frame_000002.jpg',
      'cam-01/2026-11-01/frame_000001.jpg',
    ]);
    // `_` and `%` are wildcards unless escaped; LIKE is case-sensitive.
    expect(titlesOf((await datarows({ title_like: 'cam\\_x/100\\%.jpg' })).json.response)).toEqual(['cam_x/100%.jpg', 'cam_x/100%.jpg']);
    expect((await datarows({ title_like: 'CAM%' })).json.response).toEqual([]);
    const byHash = await datarows({ data_hashes: [H(4), H(5)], dataset_access_settings: { fetch_client_metadata: true } });
    expect(byHash.json.response.map((r: { data_hash: string }) => r.data_hash)).toEqual([H(5), H(4)]);
    expect(byHash.json.response[0].client_metadata).toEqual({ a: 1, keyframes: [3, 9] });
    expect(titlesOf((await datarows({ data_types: ['VIDEO'] })).json.response)).toEqual(['clips/c.mp4']);
    expect(titlesOf((await datarows({ created_before: '2025-06-01 00:00:00' })).json.response)).toEqual(['clips/c.mp4']);
    expect((await datarows({ title_eq: 5 })).json.response).toEqual(['INVALID_ARGUMENTS_ERROR']);
  });
});

describe('call C: datarow/GET', () => {
  const refetch = (uid: string, clientMetadata: boolean) =>
    call(emu.url, '/public', {
      dataset: DS,
      body: v1Body('datarow', 'GET', uid, {
        additional_data: { signed_url: false, images_data_fetch_options: null, client_metadata: clientMetadata },
      }),
    });

  it('honours additional_data.client_metadata', async () => {
    expect((await refetch(H(5), true)).json.response.client_metadata).toEqual({ a: 1, keyframes: [3, 9] });
    expect((await refetch(H(5), false)).json.response.client_metadata).toBeNull();
  });

  it('unknown data hash: RESOURCE_NOT_FOUND_ERROR', async () => {
    const r = await refetch(H(77), true);
    expect(r.json).toMatchObject({ status: 404, response: ['RESOURCE_NOT_FOUND_ERROR'] });
  });
});

describe('call D: datarow/POST (DataRow.save)', () => {
  const save = (uid: string, payload: unknown) =>
    call(emu.url, '/public', { dataset: DS, body: v1Body('datarow', 'POST', uid, payload) });

  it('replaces client_metadata and answers updated_fields + data_row', async () => {
    const r = await save(H(1), { client_metadata: { k: 5, nested: { a: null }, list: [1, 'x'] } });
    expect(r.status).toBe(200);
    expect(r.json.response.updated_fields).toEqual(['client_metadata']);
    expect(r.json.response.data_row).toMatchObject({ data_hash: H(1), client_metadata: { k: 5, nested: { a: null }, list: [1, 'x'] } });
    await save(H(1), { client_metadata: { only: 'this' } });
    expect(emu.state.rowMetadata(DS, H(1))).toEqual({ only: 'this' });
  });

  it('renames with data_title, alone or with metadata', async () => {
    const r = await save(H(4), { data_title: 'clips/renamed.mp4', client_metadata: { x: 1 } });
    expect(r.json.response.updated_fields).toEqual(['data_title', 'client_metadata']);
    expect(r.json.response.data_row).toMatchObject({ data_title: 'clips/renamed.mp4', client_metadata: { x: 1 } });
    const empty = await save(H(4), {});
    expect(empty.json.response.updated_fields).toEqual([]);
  });

  it('a shared item: writing one row changes the other row and the item', async () => {
    await save(H(3), { client_metadata: { via: 'row 3' } });
    expect(emu.state.rowMetadata(DS, H(9))).toEqual({ via: 'row 3' });
    expect(emu.state.itemMetadata(SHARED)).toEqual({ via: 'row 3' });
    expect(emu.state.item(SHARED).backedDataUnitsCount).toBe(2);
  });

  it('a legacy row (no backing item) keeps its own metadata', async () => {
    const r = await save(H(2), { client_metadata: { legacy: 2 } });
    expect(r.json.response.data_row).toMatchObject({ backing_item_uuid: null, client_metadata: { legacy: 2 } });
  });

  it('rejects bad payloads and unknown rows', async () => {
    expect((await save(H(1), { client_metadata: [1] })).json.response).toEqual(['INVALID_ARGUMENTS_ERROR']);
    expect((await save(H(1), { client_metadata: null })).json.response).toEqual(['INVALID_ARGUMENTS_ERROR']);
    expect((await save(H(1), { width: 3 })).json.response).toEqual(['INVALID_ARGUMENTS_ERROR']);
    const unknown = await save(H(78), { client_metadata: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.json.response).toEqual(['RESOURCE_NOT_FOUND_ERROR']);
  });

  it('accepts camelCase envelope keys', async () => {
    const body = pyJson({ queryType: 'datarow', queryMethod: 'POST', values: { uid: H(1), payload: { clientMetadata: { c: 1 } } } });
    const r = await call(emu.url, '/public', { dataset: DS, body });
    expect(r.json.response.updated_fields).toEqual(['client_metadata']);
  });
});

describe('other v1 answers', () => {
  it('POST /public/user answers UNKNOWN_ERROR', async () => {
    const r = await call(emu.url, '/public/user', {
      headers: { resourcetype: '', resourceid: '' },
      body: v1Body('user', 'GET', null, null),
    });
    expect(r.json.response).toEqual(['UNKNOWN_ERROR']);
  });

  it('an unimplemented query answers METHOD_NOT_ALLOWED_ERROR; a non-JSON body INVALID_ARGUMENTS_ERROR', async () => {
    expect((await call(emu.url, '/public', { dataset: DS, body: v1Body('project', 'GET', null, null) })).json.response).toEqual([
      'METHOD_NOT_ALLOWED_ERROR',
    ]);
    expect((await call(emu.url, '/public', { dataset: DS, body: 'not json' })).json.response).toEqual(['INVALID_ARGUMENTS_ERROR']);
  });

  it('auth failures: AUTHENTICATION_ERROR and SSH_KEY_NOT_FOUND_ERROR with HTTP 400', async () => {
    const body = v1Body('dataset', 'GET', null, {});
    const bad = await call(emu.url, '/public', { dataset: DS, body, headers: { authorization: 'x' }, auth: 'none' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ status: 400, response: ['AUTHENTICATION_ERROR'] });
    const none = await call(emu.url, '/public', { dataset: DS, body, auth: 'none' });
    expect(none.json.response).toEqual(['AUTHENTICATION_ERROR']);
    const other = otherKey();
    const unknown = await call(emu.url, '/public', { dataset: DS, body, auth: { key: other.privateKey, keyHex: other.publicKeyHex } });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({
      status: 400,
      response: ['SSH_KEY_NOT_FOUND_ERROR'],
      payload: 'Your used SSH key does not exist. Please add this SSH key to your user profile.',
    });
    emu.auth.authorize(other.opensshLine);
    const ok = await call(emu.url, '/public', { dataset: DS, body, auth: { key: other.privateKey, keyHex: other.publicKeyHex } });
    expect(ok.json.status).toBe(200);
    emu.auth.revoke(other.publicKeyHex);
  });

  it('accepts a bearer token issued by user/bearer-token', async () => {
    const token = (await call(emu.url, '/v2/public/user/bearer-token')).json.token as string;
    const r = await call(emu.url, '/public', { dataset: DS, body: v1Body('dataset', 'GET', null, {}), auth: { bearer: token } });
    expect(r.json.status).toBe(200);
    expect(emu.requestLog.last({ route: 'v1:dataset:GET' })?.auth).toMatchObject({ ok: true, scheme: 'bearer' });
  });

  it('gzip when asked, identity otherwise', async () => {
    const body = v1Body('dataset', 'GET', null, {});
    const gz = await call(emu.url, '/public', { dataset: DS, body, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.json.status).toBe(200);
    const plain = await call(emu.url, '/public', { dataset: DS, body, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['connection']).toBe('keep-alive');
  });
});
