/** `encord-meta emulator`: in-process with `runCli`, and the built bin as a child process. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run-cli.js';
import { call, otherKey, sentSecrets, TEST_SEED_HEX, v1Body } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'main.js');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Run the command until its first stdout line, hand the line to `use`, then abort and collect. */
async function runUntilReady(
  argv: string[],
  use: (out: string) => Promise<void>,
): Promise<{ code: number; out: string; err: string }> {
  const controller = new AbortController();
  const io = bufferIo({ signal: controller.signal, cwd: dir });
  const running = runCli(argv, io);
  // The first line, or the command's end (then `use` is skipped and the caller sees the exit code).
  await Promise.race([io.until('out', (t) => t.includes('\n')), running]);
  if (io.out().includes('\n')) await use(io.out());
  controller.abort();
  const code = await running;
  return { code, out: io.out(), err: io.err() };
}

describe('runCli emulator', () => {
  it('--seed-rows 1000 --json prints exactly one JSON line and stops when the signal aborts', async () => {
    const result = await runUntilReady(['emulator', '--seed-rows', '1000', '--json'], async (out) => {
      const info = JSON.parse(out.trim()) as { url: string; datasets: Array<{ hash: string; title: string; rows: number }> };
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.datasets).toEqual([{ hash: expect.any(String), title: expect.any(String), rows: 1000 }]);
      const r = await call(info.url, '/public', { dataset: info.datasets[0]!.hash, body: v1Body('dataset', 'GET', null, {}) });
      expect(r.json.response.data_rows).toHaveLength(1000);
    });
    expect(result.code).toBe(0);
    expect(result.out.split('\n').filter((l) => l !== '')).toHaveLength(1);
  });

  it('--seed-folders N --seed-folder-items M --json: the JSON line lists every folder (seeded tree and backing folders) with its items', async () => {
    const result = await runUntilReady(['emulator', '--seed-rows', '3', '--seed-folders', '2', '--seed-folder-items', '5', '--json'], async (out) => {
      const info = JSON.parse(out.trim()) as { url: string; folders: Array<{ uuid: string; name: string; items: number; parent: string | null; dataset: string | null }> };
      const top = info.folders.find((f) => f.name === 'Rehearsal uploads')!;
      expect(top).toMatchObject({ items: 5, parent: null, dataset: null });
      const cams = info.folders.filter((f) => f.parent === top.uuid);
      expect(cams.map((f) => [f.name, f.items])).toEqual([
        ['cam-01', 5],
        ['cam-02', 5],
      ]);
      expect(info.folders.filter((f) => f.name === 'archive').map((f) => f.items)).toEqual([1, 1]);
      // The seeded dataset's backing folder is listed too, with its 3 items.
      expect(info.folders.filter((f) => f.dataset !== null).map((f) => f.items)).toEqual([3]);
      // The folder listing answers for the seeded tree.
      const r = await call(info.url, `/v2/public/storage/folders/${top.uuid}/folders?isRecursive=False&order=name&desc=False&pageSize=100`);
      expect(r.json.results.map((f: { name: string }) => f.name)).toEqual(['cam-01', 'cam-02']);
    });
    expect(result.code).toBe(0);
  });

  it('human output names the URL and the datasets; options reach the emulator', async () => {
    const faults = join(dir, 'faults.json');
    await writeFile(faults, JSON.stringify([{ route: 'v2:item:GET', action: { type: 'status', status: 503 } }]));
    const extra = otherKey();
    await writeFile(join(dir, 'other.pub'), `${extra.opensshLine}\n`);
    const result = await runUntilReady(
      ['emulator', '--seed-rows', '5', '--seed', '4', '--faults', 'faults.json', '--authorize', 'other.pub', '--write-mode', 'merge', '--rate-limit', '100', '--burst', '5', '--no-retry-after', '--latency', '1'],
      async (out) => {
        const url = /listening on (\S+)/.exec(out)![1]!;
        expect((await call(url, '/v2/public/storage/items/aaaaaaaa-0000-4000-8000-000000000000')).status).toBe(503);
        const r = await call(url, '/v2/public/datasets/list', { auth: { key: extra.privateKey, keyHex: extra.publicKeyHex } });
        expect(r.status).toBe(200);
      },
    );
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Encord emulator listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(result.out).toMatch(/dataset [0-9a-f-]{36} {2}"Fleet cameras \(5 data units\)" {2}5 rows/);
    // No secret in anything the command printed.
    for (const secret of [TEST_SEED_HEX, 'PRIVATE KEY', ...sentSecrets]) expect(result.out + result.err).not.toContain(secret);
  });

  it('--seed-legacy N adds N legacy data units (no storage item) to the seeded dataset (issue 11 point 8)', async () => {
    const result = await runUntilReady(['emulator', '--seed-rows', '3', '--seed-legacy', '2', '--json'], async (out) => {
      const info = JSON.parse(out.trim()) as { url: string; datasets: Array<{ hash: string; rows: number }> };
      expect(info.datasets[0]!.rows).toBe(5);
      const r = await call(info.url, '/public', { dataset: info.datasets[0]!.hash, body: v1Body('dataset', 'GET', null, {}) });
      const rows = r.json.response.data_rows as Array<{ backing_item_uuid?: string | null }>;
      expect(rows.filter((row) => row.backing_item_uuid === null || row.backing_item_uuid === undefined)).toHaveLength(2);
    });
    expect(result.code).toBe(0);
  });

  it('--state DIR keeps data across runs and seeds only once', async () => {
    const hashes: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const r = await runUntilReady(['emulator', '--state', 'st', '--seed-rows', '20', '--seed', String(i + 1), '--json'], async (out) => {
        hashes.push(...(JSON.parse(out) as { datasets: Array<{ hash: string }> }).datasets.map((d) => d.hash));
      });
      expect(r.code).toBe(0);
    }
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).toBe(hashes[1]);
  });

  it('usage errors exit 2 and name the problem', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify([{ action: { type: 'status', status: 99 } }]));
    const bad = await runUntilReady(['emulator', '--faults', 'bad.json'], async () => {});
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad\.json: \[0\]\.action\.status/);
    const key = await runUntilReady(['emulator', '--authorize', 'nope.pub'], async () => {});
    expect(key.code).toBe(2);
    expect((await runUntilReady(['emulator', '--port', 'x'], async () => {})).code).toBe(2);
    expect((await runUntilReady(['emulator', '--write-mode', 'upsert'], async () => {})).code).toBe(2);
  });

  it('--help shows an example', async () => {
    const io = bufferIo();
    expect(await runCli(['emulator', '--help'], io)).toBe(0);
    expect(io.out()).toContain('Examples:');
    expect(io.out()).toContain('encord-meta emulator --seed-rows 1000');
  });
});

describe('the built bin', () => {
  it('node dist/cli/main.js emulator --json --seed-rows 10, then SIGTERM: exit 0', async () => {
    expect(existsSync(BIN), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
    const child = spawn(process.execPath, [BIN, 'emulator', '--json', '--seed-rows', '10'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (l) => lines.push(l));
    const first = await Promise.race([
      new Promise<string>((resolve) => rl.once('line', resolve)),
      exited.then((code) => {
        throw new Error(`bin exited (${code}) before printing: ${stderr}`);
      }),
    ]);
    const info = JSON.parse(first) as { url: string; datasets: Array<{ hash: string; rows: number }> };
    expect(info.datasets[0]!.rows).toBe(10);
    const r = await call(info.url, '/public', { dataset: info.datasets[0]!.hash, body: v1Body('dataset', 'GET', null, {}) });
    expect(r.json.response.data_rows).toHaveLength(10);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines).toHaveLength(1);
    for (const secret of [TEST_SEED_HEX, 'PRIVATE KEY', ...sentSecrets]) expect(lines.join('\n') + stderr).not.toContain(secret);
  });
});
