import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { bufferIo } from '../../src/cli/io.js';
import { DemoOutput } from '../../src/cli/json-outputs.js';
import { DEMO_DATASET_HASH } from '../../src/cli/demo-data.js';
import { displayPath } from '../../src/cli/commands/demo.js';
import { ROOT, ensureBuilt, lastJson, spawnBin, tempDir } from './helpers.js';

/** The demo needs nothing from the environment: no key, no domain, no network. */
const bareEnv = (): Record<string, string> => ({ HOME: tempDir('encord-meta-demo-home-') });

describe('demo', () => {
  // The built bin, spawned with nothing in its environment but HOME: a whole demo is seconds of CPU, and
  // this one run is both this test and the proof that the bin runs the demo (CSV, Parquet and Excel
  // readers, a listing) from dist/ with no key, no domain and no network (bin.test.ts spawns the rest).
  it('runs the whole job on a fresh machine and shows the imported metadata (the built bin, spawned)', async () => {
    ensureBuilt();
    const r = await spawnBin(['demo'], bareEnv());
    expect(r.code, r.err).toBe(0);
    const out = r.out;
    expect(out).toContain('signing with the TEST-ONLY key samples/keys/demo-test-key');
    expect(out).toContain(`dataset ${DEMO_DATASET_HASH} "Dashcam demo (600 data units)": 600 data units`);
    expect(out).toContain('2. encord-meta schema push samples/schema.json --yes');
    expect(out).toContain('+ weather: enum(');
    expect(out).toMatch(/3\. encord-meta import samples\/metadata\.csv .*\n\s+rows 300 \(key: index\) \| written 300 \| unchanged 0 \| failed 0/);
    expect(out).toMatch(/4\. encord-meta import samples\/metadata\.parquet .*\n\s+rows 300 \(key: title\) \| written 300 \| unchanged 0 \| failed 0/);
    // The .xlsx holds the CSV's first 100 rows as typed Excel cells: read exactly, they change nothing.
    expect(out).toMatch(/5\. encord-meta import samples\/metadata\.xlsx .*\n\s+rows 100 \(key: index\) \| written 0 \| unchanged 100 \| failed 0/);
    expect(out).toMatch(/index\s+title\s+captured_at\s+city\s+dark\s+weather\s+gps\s+keyframes\s+qa_status\s+embedding/);
    expect(out).toMatch(/\n\s+0\s+dashcam-\d\d\/2026-11-11\/frame_000001\.jpg\s+2026-11-11T10:04:32\.000Z\s+Lisbon\s+false\s+sunny\s+38\.74265,-9\.08332/);
    expect(out).toContain('600 data units written, 0 failed');
  });

  // One in-process run for three promises (a whole demo is seconds of CPU): the --json document; a proxy in
  // the environment never stands in the way; --keep-running leaves the emulator up for other commands.
  it('--json --keep-running: one document matching its schema, a proxy in the environment never stands between demo and its own loopback emulator, and the emulator stays up for other commands until interrupted', async () => {
    const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], HTTPS_PROXY: process.env['HTTPS_PROXY'] };
    const restore = (): void => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
    process.env['HTTP_PROXY'] = 'http://127.0.0.1:9'; // nothing listens there: a request through it fails
    process.env['HTTPS_PROXY'] = 'http://127.0.0.1:9';
    const controller = new AbortController();
    const io = bufferIo({ env: { ...bareEnv(), HTTP_PROXY: 'http://127.0.0.1:9' }, cwd: ROOT, signal: controller.signal });
    let done: Promise<number>;
    try {
      done = runCli(['--json', 'demo', '--rows', '3', '--keep-running'], io);
      await Promise.race([io.until('err', (t) => t.includes('keeps running')), done.then((code) => Promise.reject(new Error(`demo exited ${code}: ${io.err()}`)))]);
    } finally {
      restore();
    }
    const json = DemoOutput.parse(lastJson(io.out()));
    expect(json).toMatchObject({ datasetHash: DEMO_DATASET_HASH, units: 600, keptRunning: true, schema: { outcome: 'pushed' } });
    expect(json.imports.map((s) => [s.written, s.failed])).toEqual([[300, 0], [300, 0], [0, 0]]);
    expect(json.listed).toHaveLength(3);
    expect(json.listed[4 - 4]!.metadata).toMatchObject({ city: 'Lisbon', weather: 'sunny', dark: false });

    const url = /keeps running on (\S+)/.exec(io.err())?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(json.emulatorUrl).toBe(url);
    expect(io.err()).toContain('export ENCORD_DOMAIN=');
    // The key text, not the shipped 0644 file: key files readable by others are refused.
    expect(io.err()).toContain('ENCORD_SSH_KEY="$(cat samples/keys/demo-test-key)"');
    const other = bufferIo({ env: { ...bareEnv(), ENCORD_DOMAIN: url!, ENCORD_SSH_KEY: readFileSync(`${ROOT}samples/keys/demo-test-key`, 'utf8') }, cwd: ROOT });
    expect(await runCli(['list', '--dataset', DEMO_DATASET_HASH, '--format', 'jsonl', '--limit', '1'], other)).toBe(0);
    expect(JSON.parse(other.out())).toMatchObject({ index: 0, metadata: { city: 'Lisbon' } });
    controller.abort();
    expect(await done!).toBe(0);
  });
});

describe('demo prints paths relative to the current directory only when shorter, else absolute', () => {
  it('below the current directory: relative; elsewhere: absolute, never ../../…', () => {
    expect(displayPath('/opt/encord-meta', '/opt/encord-meta/samples/metadata.csv')).toBe('samples/metadata.csv');
    expect(displayPath('/home/ana/projects/other', '/opt/encord-meta/samples/metadata.csv')).toBe('/opt/encord-meta/samples/metadata.csv');
    expect(displayPath('/opt/encord-meta/samples/keys', '/opt/encord-meta/samples/metadata.csv')).toBe('/opt/encord-meta/samples/metadata.csv');
    expect(displayPath('/', '/opt/encord-meta/samples/metadata.csv')).toBe('opt/encord-meta/samples/metadata.csv');
    expect(displayPath('/opt/encord-meta/samples/metadata.csv', '/opt/encord-meta/samples/metadata.csv')).toBe('/opt/encord-meta/samples/metadata.csv');
  });
});
