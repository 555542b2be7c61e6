/**
 * Promise: Encord's reserved `keyframes` key is never written by `import`, `set` or `rollback`, in any mode:
 * a file column, a renamed column, a constant, `set keyframes=…`, `--unset keyframes` are refused before any
 * request (exit 2, saying why), and every dictionary sent carries the unit's current key frames exactly.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardWrite } from '../../src/pipeline/write-guard.js';
import { runImport } from '../../src/pipeline/run-import.js';
import { cli, envFor } from '../cli/helpers.js';
import { DATASET, ROWS, TEST_KEY_TEXT, startHarness, writeRequests, type Harness } from '../pipeline/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const WITH_KEYFRAMES = ROWS[0].dataHash; // { source: 'legacy-import', keyframes: [0, 12] }
const run = (argv: string[]) => cli(argv, { url: h.emulator.url, env: envFor(h.emulator.url, { ENCORD_SSH_KEY: TEST_KEY_TEXT }) });

describe('never writes keyframes', () => {
  it.each([
    ['a column named keyframes with --unknown-columns string', 'data_hash,city,keyframes\n{H},Paris,oops\n', ['--unknown-columns', 'string']],
    ['a column named keyframes with --unknown-columns skip', 'data_hash,city,keyframes\n{H},Paris,oops\n', ['--unknown-columns', 'skip']],
    ['an empty keyframes cell with --empty delete', 'data_hash,city,keyframes\n{H},Paris,\n', ['--empty', 'delete', '--unknown-columns', 'string']],
    ['a keyframes column in replace mode', 'data_hash,city,keyframes\n{H},Paris,[1]\n', ['--mode', 'replace', '--unknown-columns', 'string']],
  ])('%s is refused before any write, exit 2, saying why', async (_what, text, flags) => {
    const file = h.write('k.csv', text.replace('{H}', WITH_KEYFRAMES));
    const before = writeRequests(h.emulator);
    const r = await run(['import', file, '--dataset', DATASET, '--state-dir', join(h.dir, 'state'), ...flags]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('USAGE_RESERVED_KEY');
    expect(r.err).toMatch(/keyframes.*reserved.*key frames/);
    expect(writeRequests(h.emulator)).toBe(before);
    expect(h.metadataOf(WITH_KEYFRAMES)).toEqual({ source: 'legacy-import', keyframes: [0, 12] });
  });

  it('a job config that renames a column to keyframes, or sets it as a constant, is refused', async () => {
    const file = h.write('r.csv', `data_hash,frames\n${WITH_KEYFRAMES},[5]\n`);
    for (const columns of [{ rename: { frames: 'keyframes' } }, { ignore: ['frames'], constants: { keyframes: '[5]' } }]) {
      const config = join(h.dir, 'job.json');
      writeFileSync(config, JSON.stringify({ dataset: DATASET, columns, unknownColumns: 'string' }));
      const r = await run(['--config', config, 'import', file, '--state-dir', join(h.dir, 'state')]);
      expect(r.code, JSON.stringify(columns)).toBe(2);
      expect(r.err).toContain('USAGE_RESERVED_KEY');
    }
    expect(h.metadataOf(WITH_KEYFRAMES)).toEqual({ source: 'legacy-import', keyframes: [0, 12] });
  });

  it.each([[['keyframes=1']], [['--unset', 'keyframes']], [['--json', '{"keyframes": null}']], [['--json', '{"keyframes": [1]}', '--allow-unknown-keys']]])(
    'set %j is refused with exit 2',
    async (args) => {
      const r = await run(['set', '--dataset', DATASET, '--data-hash', WITH_KEYFRAMES, ...args, '--state-dir', join(h.dir, 'state')]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('USAGE_RESERVED_KEY');
      expect(h.metadataOf(WITH_KEYFRAMES)).toEqual({ source: 'legacy-import', keyframes: [0, 12] });
    },
  );

  it('replace mode and --empty delete keep the key frames a unit has', async () => {
    const file = h.write('rep.csv', `data_hash,city,speed\n${WITH_KEYFRAMES},Paris,\n`);
    const r = await runImport({ datasetHash: DATASET, store: h.client, file, mode: 'replace', empty: 'delete' });
    expect(r.summary).toMatchObject({ written: 1, failed: 0 });
    expect(h.metadataOf(WITH_KEYFRAMES)).toEqual({ keyframes: [0, 12], city: 'Paris' });
  });

  it('key frames that change on the server between the listing and the write are written back as the server has them', async () => {
    const file = h.write('late.csv', `data_hash,city\n${WITH_KEYFRAMES},Paris\n`);
    // Someone adds a key frame in Encord while the import runs: the write must carry [0, 12, 40].
    let edited = false;
    const r = await runImport({
      datasetHash: DATASET,
      store: h.client,
      file,
      onProgress: (p) => {
        if (p.phase === 'writing' && !edited && (edited = true)) h.emulator.state.setRowMetadata(DATASET, WITH_KEYFRAMES, { source: 'legacy-import', keyframes: [0, 12, 40] });
      },
    });
    expect(r.summary).toMatchObject({ written: 1, failed: 0 });
    expect(h.metadataOf(WITH_KEYFRAMES)).toEqual({ source: 'legacy-import', keyframes: [0, 12, 40], city: 'Paris' });
  });
});

describe('guardWrite: the one gate every write passes', () => {
  it('puts back the current key frames whatever the merge produced', () => {
    expect(guardWrite({ keyframes: [1, 2] }, { city: 'x' })).toEqual({ ok: true, metadata: { city: 'x', keyframes: [1, 2] } });
    expect(guardWrite({ keyframes: [1, 2] }, { city: 'x', keyframes: 'oops' })).toEqual({ ok: true, metadata: { city: 'x', keyframes: [1, 2] } });
    expect(guardWrite({}, { city: 'x', keyframes: [9] })).toEqual({ ok: true, metadata: { city: 'x' } });
  });

  it('refuses values that are not exact JSON instead of sending them', () => {
    expect(guardWrite({}, { speed: Number.NaN })).toMatchObject({ ok: false, code: 'INVALID_NUMBER' });
    expect(guardWrite({}, { speed: Number.POSITIVE_INFINITY })).toMatchObject({ ok: false, code: 'INVALID_NUMBER' });
    expect(guardWrite({}, { emb: [1, Number.NaN] })).toMatchObject({ ok: false, code: 'INVALID_NUMBER' });
    expect(guardWrite({}, { city: 'a\uD800b' })).toMatchObject({ ok: false, code: 'INVALID_STRING' });
    expect(guardWrite({}, { city: '😀 ok' })).toMatchObject({ ok: true });
  });

  it('keeps keys named like Object.prototype members as own keys', () => {
    const next = JSON.parse('{"__proto__":"p","constructor":"c"}') as Record<string, string>;
    const r = guardWrite({}, next);
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.stringify(r.metadata)).toBe('{"__proto__":"p","constructor":"c"}');
  });
});
