/** `import --shard I/N`, `--shard-from-env`: mistakes are usage errors (exit 2) before any request; a shard's files say its shard. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { ImportOutput, RunSummaryJson } from '../../src/cli/json-outputs.js';
import { loadSchemaFile, toTypedWire } from '../../src/schema/index.js';
import { DATASET, SAMPLES, cli, demoEmulator, envFor, lastJson, tempDir } from './helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await demoEmulator({ typedSchema: toTypedWire(await loadSchemaFile(join(SAMPLES, 'schema.json'))) });
});
afterAll(async () => {
  await emulator.close();
});

const FILE = join(SAMPLES, 'metadata.csv');
// Nothing listens here: a run that got as far as connecting would exit 1, not 2.
const NOWHERE = 'http://127.0.0.1:1';

describe('import --shard', () => {
  it.each([
    [['--shard', '3/3'], {}, /the --shard index to be a whole number from 0 to 2/],
    [['--shard', '1/0'], {}, /the --shard count to be a whole number from 1/],
    [['--shard', 'half'], {}, /Expected --shard to be I\/N/],
    [['--shard', '0/2', '--shard-from-env'], { JOB_COMPLETION_INDEX: '0' }, /--shard I\/N or --shard-from-env, not both/],
    [['--shard-count', '2'], {}, /--shard-count goes with --shard-from-env/],
    [['--shard-from-env', '--shard-count', '4'], {}, /JOB_COMPLETION_INDEX .*not set/],
    [['--shard-from-env'], { JOB_COMPLETION_INDEX: '1' }, /--shard-count N .*ENCORD_META_SHARD_COUNT/],
    [['--shard-from-env', '--shard-count', '4'], { JOB_COMPLETION_INDEX: '4' }, /completions and --shard-count must be equal/],
    [['--shard-from-env', '--shard-count', '0'], { JOB_COMPLETION_INDEX: '0' }, /Expected --shard-count to be an integer from 1/],
  ])('%j (env %j) is a usage error, exit 2, before any request', async (flags, env, message) => {
    const r = await cli(['import', FILE, '--dataset', DATASET, '--state-dir', tempDir(), ...flags], { url: NOWHERE, env: envFor(NOWHERE, env) });
    expect(r.err).toMatch(/\[USAGE(_SHARD)?\]/);
    expect(r.err).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('--shard-from-env in an Indexed Job pod: the shard from JOB_COMPLETION_INDEX, and every file the run writes says it', async () => {
    const dir = tempDir();
    const env = envFor(emulator.url, { JOB_COMPLETION_INDEX: '1', ENCORD_META_SHARD_COUNT: '2' });
    const r = await cli(['--json', 'import', FILE, '--dataset', DATASET, '--state-dir', dir, '--shard-from-env', '--summary', join(dir, 'run.json'), '--rate-limit', '1000'], { url: emulator.url, env });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = ImportOutput.parse(lastJson(r.out));
    expect(out.summary.shard).toEqual({ index: 1, count: 2 });
    expect(out.summary.rowsRead).toBeGreaterThan(0);
    expect(out.summary.otherShards).toBeGreaterThan(0);
    expect(out.summary.rowsRead + out.summary.otherShards).toBe(300);
    expect(out.summary.journalPath).toMatch(/\.shard-1-of-2\.jsonl$/);
    expect(existsSync(join(dir, 'run.json'))).toBe(false);
    const written = RunSummaryJson.parse(JSON.parse(readFileSync(join(dir, 'run.shard-1-of-2.json'), 'utf8')));
    expect(written.written).toBe(out.summary.written);
  });
});
