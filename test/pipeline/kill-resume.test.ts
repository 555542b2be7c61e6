/**
 * Crash safety: an import killed with SIGKILL at a random point, then rerun with the same command,
 * ends with exactly the expected state; an in-process abort (Ctrl-C) stops cleanly and resumes too.
 * The killed process is the real bin (dist/), talking to an emulator in this process; the reruns after the
 * kills run the same command line in-process.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Metadata } from '../../src/encord/protocol/types.js';
import { runImport } from '../../src/pipeline/run-import.js';
import { cli } from '../cli/helpers.js';
import { DATASET, KEY_PATH, SCHEMA, startHarness, type Harness } from './harness.js';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const N = 300;

function rows(): { dataHash: string; title: string; metadata: Metadata }[] {
  return Array.from({ length: N }, (_, i) => ({
    dataHash: `e0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    title: `cam/frame_${String(i).padStart(5, '0')}.jpg`,
    metadata: i % 3 === 0 ? { source: 'legacy', keyframes: [i] } : {},
  }));
}

function csv(): { text: string; expected: Map<string, Metadata> } {
  const expected = new Map<string, Metadata>();
  const lines = ['data_hash,city,speed,dark'];
  for (const r of rows()) {
    const i = Number(r.dataHash.slice(-12));
    lines.push(`${r.dataHash},City ${i},${i / 4},${i % 2 === 0 ? 'yes' : 'no'}`);
    expected.set(r.dataHash, { ...r.metadata, city: `City ${i}`, speed: i / 4, dark: i % 2 === 0 });
  }
  return { text: `${lines.join('\n')}\n`, expected };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`build first: ${BIN} is missing (npm run build)`);
});

function runBin(args: string[], env: Record<string, string>): { done: Promise<number>; kill: () => void } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  child.stderr.resume();
  const done = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 1))));
  return { done, kill: () => child.kill('SIGKILL') };
}

async function waitForWrites(harness: Harness, n: number): Promise<void> {
  await harness.emulator.whenRequests((counters) => (counters['v2:patch-bulk']?.requests ?? 0) >= n);
}

describe('crash safety', () => {
  it('SIGKILL mid-way three times, then rerun: exactly the expected state, nothing lost or doubled', async () => {
    h = await startHarness({ latency: { ms: 15 } }, rows());
    const { text, expected } = csv();
    const file = h.write('big.csv', text);
    const args = ['--domain', h.emulator.url, '--ssh-key', KEY_PATH, '--quiet', 'import', file, '--dataset', DATASET, '--batch-size', '10', '--concurrency', '2', '--state-dir', join(h.dir, 'state'), '--rate-limit', '1000'];
    const env = { HOME: h.dir };
    for (const at of [2, 9, 17]) {
      const run = runBin(args, env);
      await Promise.race([waitForWrites(h, at), run.done.then((code) => Promise.reject(new Error(`import exited ${code} before ${at} writes`)))]);
      run.kill();
      expect(await run.done).toBe(137);
    }
    const partial = [...expected.keys()].filter((k) => h!.metadataOf(k)['city'] !== undefined).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(N);
    // The rerun and the one after it run in-process: the same command line, state dir and HOME. The kills
    // need real processes; resuming from what they left does not (a spawn is a second of CPU).
    const final = await cli(args, { url: h.emulator.url, env });
    expect(final.code, final.err).toBe(0);
    for (const [dataHash, want] of expected) expect(h.metadataOf(dataHash)).toEqual(want);
    // Nothing is written twice: a further rerun sends no write at all.
    const before = h.emulator.counters()['v2:patch-bulk']?.requests ?? 0;
    expect((await cli(args, { url: h.emulator.url, env })).code).toBe(0);
    expect(h.emulator.counters()['v2:patch-bulk']?.requests ?? 0).toBe(before);
  });

  it('an abort (Ctrl-C) stops reading, finishes in-flight writes and reports interrupted; the rerun completes', async () => {
    h = await startHarness({ latency: { ms: 10 } }, rows());
    const { text, expected } = csv();
    const file = h.write('big.csv', text);
    const controller = new AbortController();
    const harness = h;
    const watcher = (async () => {
      await waitForWrites(harness, 3);
      controller.abort(new Error('SIGINT'));
    })();
    const first = await runImport({ datasetHash: DATASET, store: h.client, file, batchSize: 20, concurrency: 2, signal: controller.signal, schema: undefined });
    await watcher;
    expect(first.summary.interrupted).toBe(true);
    expect(first.summary.written).toBeGreaterThan(0);
    expect(first.summary.written).toBeLessThan(N);
    const second = await runImport({ datasetHash: DATASET, store: h.client, file });
    expect(second.summary.interrupted).toBe(false);
    expect(second.summary.written + second.summary.unchanged).toBe(N);
    expect(second.summary.unchanged).toBeGreaterThanOrEqual(first.summary.written);
    for (const [dataHash, want] of expected) expect(h.metadataOf(dataHash)).toEqual(want);
  });
});

void SCHEMA;
