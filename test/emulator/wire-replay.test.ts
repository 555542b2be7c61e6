/**
 * SDK wire captures (protocol §3, §4.7, §5.4) replayed byte for byte over a raw TCP connection. This stands in
 * for running the Python SDK against the emulator (PyPI is unreachable here): the bytes are what SDK
 * v0.1.190 sent, including its deterministic signatures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v1Authorization } from '../../src/encord/protocol/signing.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { rawExchange, TEST_PUB_HEX, testPrivateKey } from './helpers.js';

const DATASET = '11111111-2222-3333-4444-555555555555';
const FOLDER = 'ffffffff-0000-0000-0000-000000000001';
const ROW1 = 'dddddddd-0000-0000-0000-000000000001';
const ITEM1 = 'aaaaaaaa-0000-0000-0000-000000000001';
const ITEM2 = 'aaaaaaaa-0000-0000-0000-000000000002';

let now = 1_700_000_030_000;
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    clock: () => now,
    datasets: [
      {
        hash: DATASET,
        folderUuid: FOLDER,
        title: 'Replay',
        rows: [
          { dataHash: ROW1, backingItemUuid: ITEM1, title: 'scan 01/ä&x-0001.jpg', metadata: { keep: 'me' } },
          { dataHash: 'dddddddd-0000-0000-0000-000000000002', backingItemUuid: ITEM2, title: 'b.mp4', dataType: 'VIDEO' },
          { dataHash: 'dddddddd-0000-0000-0000-000000000003', backingItemUuid: null, title: 'legacy.jpg' },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await emu.close();
});

function crlf(lines: string[], body = ''): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

const V1B_BODY =
  '{"query_type": "dataset", "query_method": "GET", "values": {"uid": null, "payload": {"dataset_access_settings": {"fetch_client_metadata": true}}}}';

describe('v1 captures (protocol §4.7)', () => {
  it('get_dataset(fetch_client_metadata=True): the captured request, byte for byte', async () => {
    const res = await rawExchange(
      emu.url,
      crlf(
        [
          'POST /public HTTP/1.1',
          'Host: api.encord.com',
          'Accept: application/json',
          'Content-Type: application/json',
          'Accept-Encoding: gzip',
          'ResourceType: dataset',
          `ResourceID: ${DATASET}`,
          `Authorization: ${TEST_PUB_HEX}:6061935a7d0bd6cfcefb58b1b8efb77d57bdc931e57abaaabc85fb04c0eec814e3b589e903d84c040205dc4615970d76e0c44ce0a9e7a8ca2e0f5c97b4f7b207`,
          'User-Agent: encord-sdk-python/0.1.190 python/3.11.7 pydantic/2.13.4',
          'X-Cloud-Trace-Context: 5ce1550e994c4a02b1cc02f264590405/1;o=1',
          'Content-Length: 146',
        ],
        V1B_BODY,
      ),
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const body = JSON.parse(res.body);
    expect(body.status).toBe(200);
    const ds = body.response;
    for (const key of ['dataset_hash', 'title', 'description', 'dataset_type']) expect(ds).toHaveProperty(key);
    expect(ds.dataset_hash).toBe(DATASET);
    expect(ds.backing_folder_uuid).toBe(FOLDER);
    expect(ds.data_rows.map((r: { data_hash: string }) => r.data_hash)).toEqual([
      ROW1,
      'dddddddd-0000-0000-0000-000000000002',
      'dddddddd-0000-0000-0000-000000000003',
    ]);
    const required = [
      'data_hash', 'data_title', 'data_type', 'created_at', 'last_edited_at', 'width', 'height', 'file_link',
      'file_size', 'file_type', 'storage_location', 'frames_per_second', 'duration',
    ];
    for (const row of ds.data_rows) for (const key of required) expect(row).toHaveProperty(key);
    expect(ds.data_rows[0]).toMatchObject({ client_metadata: { keep: 'me' }, backing_item_uuid: ITEM1, data_title: 'scan 01/ä&x-0001.jpg' });
    expect(ds.data_rows[1]).toMatchObject({ client_metadata: {}, data_type: 'VIDEO' });
    expect(ds.data_rows[2]).toMatchObject({ backing_item_uuid: null });
    expect(ds.data_rows[0].created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(emu.requestLog.last({ route: 'v1:dataset:GET' })?.auth).toMatchObject({ ok: true, scheme: 'v1-signature' });
  });

  it('DataRow.save() (V1-A, then the nested capture) and refetch_data(client_metadata=True)', async () => {
    const v1a =
      '{"query_type": "datarow", "query_method": "POST", "values": {"uid": "dddddddd-0000-0000-0000-000000000001", "payload": {"client_metadata": {"k": 5}}}}';
    const head = (len: number, auth: string): string[] => [
      'POST /public HTTP/1.1',
      'Host: api.encord.com',
      'Accept: application/json',
      'Content-Type: application/json',
      'Accept-Encoding: gzip',
      'ResourceType: dataset',
      `ResourceID: ${DATASET}`,
      `Authorization: ${auth}`,
      'User-Agent: encord-sdk-python/0.1.190 python/3.11.7 pydantic/2.13.4',
      'X-Cloud-Trace-Context: 5ce1550e994c4a02b1cc02f264590405/1;o=1',
      `Content-Length: ${len}`,
    ];
    const a = await rawExchange(
      emu.url,
      crlf(
        head(
          150,
          `${TEST_PUB_HEX}:7152557271f3efe80dd44ab0299577d70bc170794435d2631ca3d7e21fde88abde9ff55b7cc91456d9e47a698f5a0aec0c5d918bd0f18e5ba06386df1a44fa02`,
        ),
        v1a,
      ),
    );
    expect(JSON.parse(a.body)).toMatchObject({
      status: 200,
      response: { updated_fields: ['client_metadata'], data_row: { data_hash: ROW1, client_metadata: { k: 5 } } },
    });

    const nested =
      '{"query_type": "datarow", "query_method": "POST", "values": {"uid": "dddddddd-0000-0000-0000-000000000001", "payload": {"client_metadata": {"k": 5, "nested": {"a": null}, "list": [1, "x"]}}}}';
    const auth = v1Authorization(TEST_PUB_HEX, testPrivateKey(), Buffer.from(nested));
    const b = await rawExchange(emu.url, crlf(head(Buffer.byteLength(nested), auth), nested));
    expect(JSON.parse(b.body).response.data_row.client_metadata).toEqual({ k: 5, nested: { a: null }, list: [1, 'x'] });

    const refetch = `{"query_type": "datarow", "query_method": "GET", "values": {"uid": "${ROW1}", "payload": {"additional_data": {"signed_url": false, "images_data_fetch_options": null, "client_metadata": true}}}}`;
    const c = await rawExchange(
      emu.url,
      crlf(head(Buffer.byteLength(refetch), v1Authorization(TEST_PUB_HEX, testPrivateKey(), Buffer.from(refetch))), refetch),
    );
    expect(JSON.parse(c.body)).toMatchObject({
      status: 200,
      response: { data_hash: ROW1, client_metadata: { k: 5, nested: { a: null }, list: [1, 'x'] }, signed_url: null },
    });
    // v1 and v2 see one value.
    expect(emu.state.itemMetadata(ITEM1)).toEqual({ k: 5, nested: { a: null }, list: [1, 'x'] });
  });
});

const V2_HEADERS_1700 = [
  'Content-Digest: sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:',
  `Signature-Input: encord-sig=("@method" "@request-target" "content-digest");created=1700000000;keyid="${TEST_PUB_HEX}";alg="ed25519"`,
];

describe('v2 captures (protocol §3.3, §5.4)', () => {
  it('V2-B: GET storage item with signUrl=False', async () => {
    now = 1_700_000_030_000;
    const res = await rawExchange(
      emu.url,
      crlf([
        `GET /v2/public/storage/items/${ITEM1}?signUrl=False HTTP/1.1`,
        'Host: api.encord.com',
        'Accept-Encoding: identity',
        'User-Agent: encord-sdk-python/0.1.190 python/3.11.7 pydantic/2.13.4',
        'X-Cloud-Trace-Context: 8dcf0684e7df450e815565bbf5dfbf39/1;o=1',
        ...V2_HEADERS_1700,
        'Signature: encord-sig=:dle7hfZpcak3r00rwSIp/bf2EVLO5hocYLRZMygZIRIdLf88YAAMTocx9xWpcpyxGS5KgXN/DP+Z76eU0gWtBA==:',
      ]),
    );
    expect(res.status).toBe(200);
    const item = JSON.parse(res.body);
    const required = [
      'uuid', 'parent', 'itemType', 'name', 'clientMetadata', 'owner', 'createdAt', 'lastEditedAt', 'backedDataUnitsCount',
      'storageLocation', 'integrationHash', 'url', 'signedUrl', 'fileSize', 'mimeType', 'duration', 'fps', 'height', 'width',
      'dicomInstanceUid', 'dicomStudyUid', 'dicomSeriesUid', 'frameCount', 'audioSampleRate', 'audioBitDepth', 'audioCodec',
      'audioNumChannels', 'description', 'isTombstone', 'isPlaceholder',
    ];
    for (const key of required) expect(item).toHaveProperty(key);
    expect(item).toMatchObject({ uuid: ITEM1, parent: FOLDER, backedDataUnitsCount: 1, signedUrl: null });
    expect(typeof item.clientMetadata).toBe('string');
  });

  it('V2-C: folder listing with an encoded, repeated, non-ASCII query', async () => {
    now = 1_700_000_030_000;
    const target =
      '/v2/public/storage/folders/ffffffff-0000-0000-0000-000000000001/items?search=scan+01%2F%C3%A4%26x&isRecursive=False&itemTypes=image&itemTypes=video&order=name&desc=False&pageSize=100&signUrls=False';
    const res = await rawExchange(
      emu.url,
      crlf([
        `GET ${target} HTTP/1.1`,
        'Host: api.encord.com',
        'Accept-Encoding: identity',
        ...V2_HEADERS_1700,
        'Signature: encord-sig=:F3TJ3x97MxGlInQY/gIImroLW+UrHLLMGQkE2qdJ34ArwJszuudKRth5SwOjH9OLsLZlk2z4++Kr5Zp8h+fKAg==:',
      ]),
    );
    expect(res.status).toBe(200);
    const page = JSON.parse(res.body);
    expect(page.nextPageToken).toBeNull();
    expect(page.results.map((r: { uuid: string }) => r.uuid)).toEqual([ITEM1]);
    expect(emu.requestLog.last({ route: 'v2:folder-items:GET' })?.target).toBe(target);
  });

  it('V2-A and the captured two-item patch-bulk', async () => {
    now = 1_700_000_030_000;
    const v2a = '{"itemPatches": {"aaaaaaaa-0000-0000-0000-000000000001": {"clientMetadata": {"idx": 0}}}}';
    const a = await rawExchange(
      emu.url,
      crlf(
        [
          'PATCH /v2/public/storage/items/patch-bulk HTTP/1.1',
          'Host: api.encord.com',
          'Accept-Encoding: identity',
          'Content-Length: 89',
          'Content-Type: application/json',
          'Content-Digest: sha-256=:sXJiQUifn/mHel4C6bWVOGyIAOW8EXlVYRiKTtRfxQs=:',
          V2_HEADERS_1700[1]!,
          'Signature: encord-sig=:v2OmiXfQLlDh8twSkSNZgV0/zmbHWOC0pZ3ZNFJ8zS7b+tygZBDXFReZPzVIaUPTSritEcWMDyHa9F6akGqmCA==:',
        ],
        v2a,
      ),
    );
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toMatchObject({ results: [{ uuid: ITEM1, clientMetadata: '{"idx":0}' }], nextPageToken: null });

    now = 1_795_877_354_000;
    const body =
      '{"itemPatches": {"aaaaaaaa-0000-0000-0000-000000000001": {"clientMetadata": {"idx": 0}}, "aaaaaaaa-0000-0000-0000-000000000002": {"clientMetadata": {"idx": 1}}}}';
    const b = await rawExchange(
      emu.url,
      crlf(
        [
          'PATCH /v2/public/storage/items/patch-bulk HTTP/1.1',
          'Host: api.encord.com',
          'Accept-Encoding: identity',
          'Content-Length: 161',
          'Content-Type: application/json',
          'User-Agent: encord-sdk-python/0.1.190 python/3.11.7 pydantic/2.13.4',
          'X-Cloud-Trace-Context: 8dcf0684e7df450e815565bbf5dfbf39/1;o=1',
          'Content-Digest: sha-256=:KuPKYVVsNSCmulS4r6+jIjdrNxUMEr5Y/ci+J+pBgSc=:',
          `Signature-Input: encord-sig=("@method" "@request-target" "content-digest");created=1795877324;keyid="${TEST_PUB_HEX}";alg="ed25519"`,
          'Signature: encord-sig=:QHPUeo1fupZnxtcWUZUt4NHPsNW3vYHCzFZbZqGYa6Sg0+mWwzLBdkjMslejJzJQB0phBkb1CYL7cpKRQYtODw==:',
        ],
        body,
      ),
    );
    expect(b.status).toBe(200);
    const page = JSON.parse(b.body);
    expect(page.results.map((r: { uuid: string }) => r.uuid)).toEqual([ITEM1, ITEM2]);
    expect(page.results.map((r: { clientMetadata: string }) => JSON.parse(r.clientMetadata))).toEqual([{ idx: 0 }, { idx: 1 }]);
    // The shared value is visible through v1 too.
    expect(emu.state.rowMetadata(DATASET, ROW1)).toEqual({ idx: 0 });

    // The same capture 11 minutes later is stale (SDK retries re-send identical headers).
    now = 1_795_877_324_000 + 601_000;
    const stale = await rawExchange(
      emu.url,
      crlf(
        [
          'PATCH /v2/public/storage/items/patch-bulk HTTP/1.1',
          'Host: api.encord.com',
          'Content-Length: 161',
          'Content-Type: application/json',
          'Content-Digest: sha-256=:KuPKYVVsNSCmulS4r6+jIjdrNxUMEr5Y/ci+J+pBgSc=:',
          `Signature-Input: encord-sig=("@method" "@request-target" "content-digest");created=1795877324;keyid="${TEST_PUB_HEX}";alg="ed25519"`,
          'Signature: encord-sig=:QHPUeo1fupZnxtcWUZUt4NHPsNW3vYHCzFZbZqGYa6Sg0+mWwzLBdkjMslejJzJQB0phBkb1CYL7cpKRQYtODw==:',
        ],
        body,
      ),
    );
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.body)).toHaveProperty('message');
    expect(emu.requestLog.last({ route: 'v2:patch-bulk' })?.auth).toMatchObject({ ok: false, reason: 'stale' });
  });
});
