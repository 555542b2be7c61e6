/**
 * The emulator's storage folder endpoints (protocol §A.1–§A.10): literal segments routed before `{uuid}`,
 * recursive item listings, hidden folders, the folder pager's filters and the configurable [UNKNOWN]s.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { call } from './helpers.js';

let emu: Emulator;
let top: string;
let cam1: string;
let cam2: string;

beforeEach(async () => {
  emu = await startEmulator({ seedFolders: { subfolders: 2, items: 3 }, datasets: [{ title: 'Synced', generate: 2 }] });
  const folders = emu.folders();
  top = folders.find((f) => f.name === 'Rehearsal uploads')!.uuid;
  cam1 = folders.find((f) => f.name === 'cam-01')!.uuid;
  cam2 = folders.find((f) => f.name === 'cam-02')!.uuid;
});
afterEach(async () => {
  await emu.close();
});

const get = (target: string) => call(emu.url, `/v2/public/${target}`);
const names = (r: { json: { results: { name: string }[] } }) => r.json.results.map((x) => x.name);

describe('storage folders in the emulator', () => {
  it('routes the literal segments patch-bulk and move ahead of storage/folders/{uuid}', async () => {
    for (const literal of ['patch-bulk', 'move']) {
      const r = await get(`storage/folders/${literal}`);
      expect(r.status, literal).toBe(404);
      expect(emu.requestLog.last()!.route).toBe('v2:unknown');
    }
    expect((await get(`storage/folders/${top}`)).json).toMatchObject({ uuid: top, name: 'Rehearsal uploads', parent: null, pathToRoot: [{ uuid: top }] });
  });

  it('I honours isRecursive: the items of every folder below, and none of a folder the key may not see', async () => {
    const flat = await get(`storage/folders/${top}/items?isRecursive=False&pageSize=1000`);
    expect(flat.json.results).toHaveLength(3);
    const deep = await get(`storage/folders/${top}/items?isRecursive=True&pageSize=1000`);
    // 3 + 2 × (3 + 1 in archive/)
    expect(deep.json.results).toHaveLength(11);
    expect(deep.json.nextPageToken).toBeNull();
    emu.configure({ forbiddenFolders: [cam2] });
    expect((await get(`storage/folders/${top}/items?isRecursive=True&pageSize=1000`)).json.results).toHaveLength(7);
    expect((await get(`storage/folders/${cam2}/items`)).status).toBe(403);
    expect(names(await get(`storage/folders/${top}/folders`))).toEqual(['cam-01']);
  });

  it('Q lists top-level folders (all with isRecursive), R searches everywhere, S lists subfolders; datasetSynced filters', async () => {
    expect(names(await get('storage/folders?isRecursive=False&order=name&desc=False&pageSize=100'))).toEqual(['Rehearsal uploads', 'Synced']);
    expect(names(await get('storage/folders?isRecursive=True&pageSize=100'))).toHaveLength(2 + 4);
    expect(names(await get('storage/folders?datasetSynced=True'))).toEqual(['Synced']);
    // R ignores isRecursive=False: the path carries the recursion.
    expect(names(await get('storage/search/folders?search=CAM&isRecursive=False'))).toEqual(['cam-01', 'cam-02']);
    expect(names(await get(`storage/folders/${top}/folders?isRecursive=True`))).toEqual(['archive', 'archive', 'cam-01', 'cam-02']);
    const paged = await get(`storage/folders/${top}/folders?order=name&desc=True&pageSize=1`);
    expect(names(paged)).toEqual(['cam-02']);
    const next = await get(`storage/folders/${top}/folders?order=name&desc=True&pageToken=${paged.json.nextPageToken}&pageSize=1`);
    expect(names(next)).toEqual(['cam-01']);
    expect(next.json.nextPageToken).toBeNull();
    // A token replayed with other parameters is refused.
    expect((await get(`storage/folders/${top}/folders?order=createdAt&pageToken=${paged.json.nextPageToken}&pageSize=1`)).status).toBe(400);
  });

  it('the [UNKNOWN]s are switches: pageSize over 1000 refused or clamped, search contains / prefix / exact', async () => {
    expect((await get(`storage/folders/${top}/items?pageSize=5000`)).status).toBe(400);
    expect((await get('storage/folders?pageSize=0')).status).toBe(400);
    emu.configure({ pageSizeOutOfRange: 'clamp' });
    expect((await get(`storage/folders/${top}/items?pageSize=5000`)).json.results).toHaveLength(3);
    expect(names(await get('storage/search/folders?search=rch'))).toEqual(['archive', 'archive']);
    emu.configure({ folderSearch: 'prefix' });
    expect(names(await get('storage/search/folders?search=rch'))).toEqual([]);
    emu.configure({ folderSearch: 'exact' });
    expect(names(await get('storage/search/folders?search=CAM-01'))).toEqual(['cam-01']);
  });

  it('V: a folder summary with every required count', async () => {
    const r = await get(`storage/folders/${cam1}/summary`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ files: 3, folders: 1, images: 3, videos: 0, tombstones: 0, uploadJobs: 0 });
    expect(typeof r.json.totalSize).toBe('number');
    const pathToRoot = (await get(`storage/folders/${cam1}`)).json.pathToRoot as { name: string; parentUuid: string | null }[];
    expect(pathToRoot.map((p) => p.name)).toEqual(['cam-01', 'Rehearsal uploads']);
  });
});
