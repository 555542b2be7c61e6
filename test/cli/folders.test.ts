/**
 * The folder way on the command line, in-process: `folders` to find a uuid, `list --folder`, `set --folder`
 * and `rollback` of its journal, with the usage errors that keep the dataset and folder flags apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { FolderListOutput, FolderSetOutput } from '../../src/cli/json-outputs.js';
import { cli, lastJson, tempDir } from './helpers.js';

const DATASET = '11111111-2222-4333-8444-555555555555';
const SHARED = 'aaaaaaaa-0000-4000-8000-00000000beef';

let emulator: Emulator;
let top: string;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    seedFolders: { subfolders: 2, items: 4 },
    datasets: [
      {
        hash: DATASET,
        title: 'Backed',
        rows: [
          { title: 'shared.jpg', backingItemUuid: SHARED, metadata: { k: 1 } },
          { title: 'shared.jpg', backingItemUuid: SHARED },
        ],
      },
    ],
  });
  top = emulator.folders().find((f) => f.name === 'Rehearsal uploads')!.uuid;
  dir = tempDir();
});
afterAll(async () => {
  await emulator.close();
});

const run = (argv: string[]) => cli(argv, { url: emulator.url });

describe('folders', () => {
  it('lists the top-level folders with uuid, name, item and subfolder counts, and the dataset a folder backs', async () => {
    const r = await run(['folders']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^folder uuid\s+name\s+items\s+subfolders\s+dataset$/);
    expect(lines.find((l) => l.startsWith(top))).toMatch(/Rehearsal uploads\s+4\s+2\s+-$/);
    expect(lines.find((l) => l.includes('Backed'))).toMatch(new RegExp(`Backed\\s+1\\s+0\\s+${DATASET}$`));
    const subs = lastJson((await run(['--json', 'folders', '--parent', top])).out) as { folders: { name: string; items: number }[] };
    expect(subs.folders.map((f) => [f.name, f.items])).toEqual([
      ['cam-01', 4],
      ['cam-02', 4],
    ]);
    const found = lastJson((await run(['--json', 'folders', '--search', 'archive'])).out) as { folders: { name: string }[] };
    expect(found.folders).toHaveLength(2);
  });
});

describe('list --folder / set --folder / rollback', () => {
  it('list --folder --recursive: CSV keyed by item_uuid, name, path', async () => {
    const r = await run(['list', '--folder', top, '--recursive', '--format', 'csv']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]!.startsWith('item_uuid,name,path')).toBe(true);
    expect(lines).toHaveLength(1 + 4 + 2 * (4 + 1));
    expect(lines.some((l) => /^[0-9a-f-]{36},frame_000001\.jpg,cam-02\/frame_000001\.jpg/.test(l))).toBe(true);
    const json = FolderListOutput.parse(lastJson((await run(['--json', 'list', '--folder', top])).out));
    expect(json).toMatchObject({ folderUuid: top, name: 'Rehearsal uploads', recursive: false, items: 4, rows: 4 });
    expect(json.records![0]).toMatchObject({ name: 'frame_000001.jpg', path: 'frame_000001.jpg', backed_data_units: 0 });
  });

  it('set --folder --name writes one item and prints its undo journal; rollback restores it', async () => {
    const before = lastJson((await run(['--json', 'list', '--folder', top])).out) as { records: { item_uuid: string; name: string; metadata: object }[] };
    const target = before.records.find((x) => x.name === 'frame_000002.jpg')!;
    const r = await run(['set', '--folder', top, '--name', 'frame_000002.jpg', 'reviewed=yes', '--allow-unknown-keys', '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Set reviewed on 1 item of folder "Rehearsal uploads"/);
    expect(emulator.state.itemMetadata(target.item_uuid)).toEqual({ ...target.metadata, reviewed: 'yes' });
    const journal = /undo journal: (\S+)/.exec(r.out)![1]!;
    const back = await run(['rollback', journal, '--state-dir', dir]);
    expect(back.code).toBe(0);
    expect(back.out).toMatch(/Restored 1 of 1 targets in storage folder /);
    expect(emulator.state.itemMetadata(target.item_uuid)).toEqual(target.metadata);
  });

  it('set --folder on an item backing data units says so in the plan (dry run, nothing written)', async () => {
    const folder = emulator.datasets()[0]!.folderUuid!;
    const r = await run(['set', '--folder', folder, '--all', 'reviewed=yes', '--allow-unknown-keys', '--dry-run', '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/note: 1 of these items? backs? 2 data units in datasets/);
    const json = FolderSetOutput.parse(lastJson((await run(['--json', 'set', '--folder', folder, '--all', 'reviewed=yes', '--allow-unknown-keys', '--dry-run'])).out));
    expect(json.backing).toEqual([{ itemUuid: SHARED, name: 'shared.jpg', path: 'shared.jpg', backedDataUnits: 2 }]);
    expect(emulator.state.itemMetadata(SHARED)).toEqual({ k: 1 });
  });

  it('usage errors: dataset and folder flags never mix (exit 2, nothing written)', async () => {
    for (const argv of [
      ['list', '--dataset', DATASET, '--folder', top],
      ['list', '--dataset', DATASET, '--recursive'],
      ['set', '--folder', top, '--index', '0', 'a=1'],
      ['set', '--dataset', DATASET, '--name', 'x.jpg', 'a=1'],
      ['set', '--folder', top, 'a=1'],
      ['list', '--folder', 'not-a-uuid'],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.USAGE);
    }
  });

  it('an unknown folder: FOLDER_NOT_FOUND says how to find the uuid; an unknown dataset points to folders too', async () => {
    const r = await run(['list', '--folder', 'ffffffff-0000-4000-8000-00000000dead']);
    expect(r.code).toBe(EXIT.FATAL);
    expect(r.err).toMatch(/FOLDER_NOT_FOUND[\s\S]*encord-meta folders --search/);
    const d = await run(['list', '--dataset', 'ffffffff-0000-4000-8000-00000000dead']);
    expect(d.err).toMatch(/encord-meta folders/);
  });
});
