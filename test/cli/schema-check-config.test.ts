/**
 * `schema check` reads a file through the job config exactly as `import` does: `columns.geo` (two columns,
 * one point), `columns.rename`, `columns.ignore`, `columns.constants`, `keyColumn`, and the coercion options.
 * A file the import takes cleanly checks clean; a cell the import refuses, the check reports.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, envFor } from './helpers.js';
import { DATASET, ROWS, TEST_KEY_TEXT, startHarness, type Harness } from '../pipeline/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const run = (argv: string[]) => cli(argv, { url: h.emulator.url, env: envFor(h.emulator.url, { ENCORD_SSH_KEY: TEST_KEY_TEXT }) });

function config(extra: Record<string, unknown> = {}): string {
  const path = join(h.dir, 'job.json');
  writeFileSync(
    path,
    JSON.stringify({
      key: 'title',
      keyColumn: 'frame',
      coercion: { decimalComma: true, trueValues: ['WAHR'], falseValues: ['FALSCH'], timezone: 'Europe/Berlin' },
      columns: {
        geo: [{ key: 'gps', latitude: 'lat', longitude: 'lon' }],
        rename: { stadt: 'city', tempo: 'speed' },
        ignore: ['kommentar'],
        constants: { qa_status: 'imported' },
      },
      ...extra,
    }),
  );
  return path;
}

const GOOD =
  'frame;stadt;lat;lon;tempo;dark;captured_at;kommentar\n' +
  `${ROWS[1].title};Köln;50,9375;6,9603;12,5;WAHR;2026-11-28 10:00;frei\n` +
  `${ROWS[3].title};Zürich;47,3769;8,5417;-3,25;FALSCH;2026-07-01 08:00;\n`;

describe('schema check honours the job config as import does', () => {
  it('geo, rename, ignore, constants, keyColumn and coercion: the file import takes cleanly checks clean', async () => {
    const file = h.write('de.csv', GOOD);
    const cfg = config();
    const check = await run(['--config', cfg, 'schema', 'check', file]);
    expect(check.code, check.out + check.err).toBe(0);
    const json = await run(['--config', cfg, '--json', 'schema', 'check', file]);
    const doc = JSON.parse(json.out) as { ok: boolean; missingKeys: string[]; columns: { column: string; type: string | null; ok: number }[] };
    expect(doc.ok).toBe(true);
    expect(doc.missingKeys).toEqual([]);
    expect(doc.columns.map((c) => [c.column, c.type, c.ok])).toEqual(expect.arrayContaining([['stadt', 'string', 2], ['lat+lon', 'geospatial', 2], ['tempo', 'number', 2]]));
    const imported = await run(['--config', cfg, 'import', file, '--dataset', DATASET, '--state-dir', join(h.dir, 'state'), '--no-progress']);
    expect(imported.code, imported.err).toBe(0);
    expect(h.metadataOf(ROWS[1].dataHash)).toMatchObject({ city: 'Köln', gps: { latitude: 50.9375, longitude: 6.9603 }, speed: 12.5, dark: true, qa_status: 'imported' });
  });

  it('a cell the import refuses (a bad latitude, a renamed column of the wrong type) fails the check under the key it is written to', async () => {
    const file = h.write(
      'bad.csv',
      'frame;stadt;lat;lon;tempo;dark;captured_at;kommentar\n' + `${ROWS[1].title};Köln;north;6,9603;schnell;WAHR;2026-11-28 10:00;\n`,
    );
    const cfg = config();
    const check = await run(['--config', cfg, 'schema', 'check', file]);
    expect(check.code).toBe(3);
    expect(check.out).toMatch(/lat\+lon → gps: geospatial: 0 ok, 1 failed/);
    expect(check.out).toMatch(/tempo → speed: number: 0 ok, 1 failed/);
    expect(check.out).not.toMatch(/no key in the schema/);
    const imported = await run(['--config', cfg, 'import', file, '--dataset', DATASET, '--state-dir', join(h.dir, 'state'), '--no-progress', '--dry-run']);
    expect(imported.code).toBe(3);
  });

  it('a config column missing from the file is refused by both, naming it (exit 2)', async () => {
    const file = h.write('nolat.csv', `frame;stadt;lon\n${ROWS[1].title};Köln;6,9603\n`);
    const cfg = config();
    const check = await run(['--config', cfg, 'schema', 'check', file]);
    expect(check.code).toBe(2);
    expect(check.err).toMatch(/CONFIG_UNKNOWN_COLUMN.*"lat"/);
  });

  it('without the config the same file has unknown columns and unread cells (the check is not clean by accident)', async () => {
    const file = h.write('de.csv', GOOD);
    const check = await run(['schema', 'check', file]);
    expect(check.code).toBe(3);
    expect(check.out).toMatch(/no key in the schema: .*stadt/);
  });
});
