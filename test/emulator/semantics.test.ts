/** Semantic switches: write modes, unknown schema keys, strict type validation (protocol §7, §9). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkTyped, isIsoDatetime } from '../../src/emulator/metadata-rules.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { WireTypedOption } from '../../src/encord/protocol/types.js';
import { call, pyJson, v1Body } from './helpers.js';

const DS = '0f0f0f0f-4444-4444-8444-000000000001';
const ITEM = 'aaaaaaaa-4444-4444-8444-000000000001';
const ROW = 'dddddddd-4444-4444-8444-000000000001';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ datasets: [{ hash: DS, rows: [{ dataHash: ROW, backingItemUuid: ITEM, metadata: { keep: 1 } }] }] });
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  emu.configure({ metadataWriteMode: 'replace', unknownSchemaKeys: 'accept', typeValidation: 'off' });
  emu.state.setTypedSchema(null);
  emu.state.setSimpleSchema(null);
  emu.state.setItemMetadata(ITEM, { keep: 1 });
});

const save = (md: unknown) => call(emu.url, '/public', { dataset: DS, body: v1Body('datarow', 'POST', ROW, { client_metadata: md }) });
const patch = (md: unknown) =>
  call(emu.url, '/v2/public/storage/items/patch-bulk', { method: 'PATCH', body: pyJson({ itemPatches: { [ITEM]: { clientMetadata: md } } }) });

describe('metadataWriteMode', () => {
  it('replace (default): the written dict is the whole value', async () => {
    await save({ a: 1 });
    expect(emu.state.itemMetadata(ITEM)).toEqual({ a: 1 });
    await patch({ b: 2 });
    expect(emu.state.itemMetadata(ITEM)).toEqual({ b: 2 });
  });

  it('merge: written keys are merged over the stored ones (shallow)', async () => {
    emu.configure({ metadataWriteMode: 'merge' });
    const r = await save({ a: 1 });
    expect(r.json.response.data_row.client_metadata).toEqual({ keep: 1, a: 1 });
    const p = await patch({ a: { nested: true }, b: 2 });
    expect(JSON.parse(p.json.results[0].clientMetadata)).toEqual({ keep: 1, a: { nested: true }, b: 2 });
  });
});

describe('unknownSchemaKeys: reject', () => {
  it('rejects keys outside the typed schema with 400 / INVALID_ARGUMENTS_ERROR; keyframes is always allowed', async () => {
    emu.state.setTypedSchema({ a: { ty: 'number' }, gone: { ty: 'tombstone', deleted_ty: null } });
    emu.configure({ unknownSchemaKeys: 'reject' });
    const v1 = await save({ a: 1, b: 2 });
    expect(v1.status).toBe(400);
    expect(v1.json).toMatchObject({ status: 400, response: ['INVALID_ARGUMENTS_ERROR'] });
    expect(v1.json.payload).toContain('"b"');
    const v2 = await patch({ a: 1, gone: 'x' });
    expect(v2.status).toBe(400);
    expect(v2.json.message).toContain('"gone"');
    expect(emu.state.itemMetadata(ITEM)).toEqual({ keep: 1 });
    expect((await save({ a: 1, keyframes: [1, 2] })).status).toBe(200);
  });

  it('falls back to the simple schema; with no schema every key is unknown', async () => {
    emu.configure({ unknownSchemaKeys: 'reject' });
    expect((await patch({ a: 1 })).status).toBe(400);
    emu.state.setSimpleSchema({ a: 'number' });
    expect((await patch({ a: 1 })).status).toBe(200);
  });
});

describe('typeValidation: strict', () => {
  const schema = {
    n: { ty: 'number', format: 'F64' },
    vc: { ty: 'varchar', max_length: 5 },
    t: { ty: 'text' },
    b: { ty: 'boolean' },
    dt: { ty: 'datetime', timezone: 'UTC' },
    en: { ty: 'enum', values: ['a', 'b'] },
    emb: { ty: 'embedding', size: 3, api: null },
    geo: { ty: 'geospatial' },
    id: { ty: 'uuid' },
  } as const;

  it('accepts values of the right types and rejects the others (v1 and v2)', async () => {
    emu.state.setTypedSchema(schema as unknown as Record<string, WireTypedOption>);
    emu.configure({ typeValidation: 'strict' });
    const good = {
      n: 1.5,
      vc: 'abcde',
      t: 'x'.repeat(10_000),
      b: false,
      dt: '2026-11-28T02:00:00Z',
      en: 'b',
      emb: [0.1, 0.2, 0.3],
      geo: { latitude: 51.5, longitude: -0.12 },
      id: '123e4567-e89b-42d3-a456-426614174000',
      other: { anything: true },
      nothing: null,
    };
    expect((await patch(good)).status).toBe(200);
    expect((await save(good)).status).toBe(200);
    const bad: Array<[string, unknown]> = [
      ['n', '12'],
      ['vc', 'abcdef'],
      ['t', 5],
      ['b', 'true'],
      ['dt', '28/11/2026'],
      ['dt', '2026-02-30'],
      ['en', 'c'],
      ['emb', [1, 2]],
      ['emb', [1, 'x', 3]],
      ['geo', { latitude: 91, longitude: 0 }],
      ['geo', [51, 0]],
      ['id', 'not-a-uuid'],
    ];
    for (const [key, value] of bad) {
      const r = await patch({ [key]: value });
      expect(r.status, `${key}=${JSON.stringify(value)}`).toBe(400);
      expect(r.json.message).toContain(key);
      const v1 = await save({ [key]: value });
      expect(v1.json.response).toEqual(['INVALID_ARGUMENTS_ERROR']);
    }
  });

  it('off (default): anything is stored', async () => {
    emu.state.setTypedSchema(schema as unknown as Record<string, WireTypedOption>);
    expect((await patch({ n: 'not a number' })).status).toBe(200);
  });

  it('datetime forms from the docs', () => {
    for (const ok of ['20261128', '2026-11-28', '2026-11-28T02:00:00', '2026-11-28T02:00:00.123456', '2026-11-28T02:00:00+01:00']) {
      expect(isIsoDatetime(ok), ok).toBe(true);
    }
    for (const bad of ['2026-13-01', '2026-11-28T25:00', 'yesterday', '']) expect(isIsoDatetime(bad), bad).toBe(false);
    expect(checkTyped({ ty: 'variant', hint: 'number' }, 'x')).toMatch(/number/);
    expect(checkTyped({ ty: 'variant', hint: 'text' }, 'x')).toBeNull();
  });
});
