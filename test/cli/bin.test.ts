/**
 * The built bin, spawned as a person or cron would run it: real process, real exit code, stdin not a
 * terminal, stderr a pipe. (CI builds dist/ before the tests; a missing dist/ is built here.)
 *
 * A spawn costs about a second of CPU (loading the command's modules from dist/), so only what needs the
 * real process is spawned here: --version, --help (every command's modules load from dist/), a refusal
 * without a terminal (exit 2), and the emulator until SIGINT. The other steps of a session run the same
 * command lines in-process (`cli`), against the state the spawned runs left. Elsewhere the built bin runs
 * the demo with nothing in its environment but HOME (the CSV, Parquet and Excel readers and a listing from
 * dist/; demo.test.ts), imports as cron runs it, piped, and exits 3 for failed rows (cron.test.ts), exits
 * 1 on a lock held by another process (rollback.test.ts), is killed mid-import (kill-resume.test.ts), runs
 * as N shards (shard-processes.test.ts) and stops on SIGTERM mid-import, exiting 130 (import-cli.test.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { EmulatorOutput, SchemaPullOutput, SetOutput } from '../../src/cli/json-outputs.js';
import { VERSION } from '../../src/version.js';
import { BIN, DATASET, SAMPLES, cli, demoEmulator, ensureBuilt, envFor, lastJson, spawnBin, tempDir } from './helpers.js';

let emulator: Emulator;
let env: Record<string, string | undefined>;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await demoEmulator();
  env = envFor(emulator.url);
  dir = tempDir();
});
afterAll(async () => {
  await emulator.close();
});

describe('the spawned bin', () => {
  it('--version and --help', async () => {
    const v = await spawnBin(['--version'], env);
    expect(v).toMatchObject({ code: 0 });
    expect(v.out.trim()).toBe(VERSION);
    const h = await spawnBin(['--help'], env);
    expect(h.code).toBe(0);
    expect(h.out).toContain('Usage: encord-meta');
  });

  it('schema push refuses without a terminal and without --yes (spawned, exit 2), then pushes with --yes; pull, verify (a mismatch exits 3), check, infer', async () => {
    const schema = join(SAMPLES, 'schema.json');
    const refused = await spawnBin(['schema', 'push', schema], env);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('pass --yes');
    const inProcess = (argv: string[]) => cli(argv, { url: emulator.url, env });
    expect((await inProcess(['schema', 'push', schema, '--yes'])).code).toBe(0);
    const pull = await inProcess(['schema', 'pull', '--json']);
    expect(pull.code).toBe(0);
    expect(SchemaPullOutput.parse(lastJson(pull.out)).keys).toBe(6);
    expect((await inProcess(['schema', 'verify', schema])).code).toBe(0);
    expect((await inProcess(['schema', 'verify', join(SAMPLES, 'encord-guide-schema.json')])).code).toBe(3);
    expect((await inProcess(['schema', 'check', join(SAMPLES, 'metadata.parquet')])).code).toBe(0);
    const infer = await inProcess(['schema', 'infer', join(SAMPLES, 'metadata.csv')]);
    expect(infer.code).toBe(0);
    expect(JSON.parse(infer.out)).toMatchObject({ dark: 'boolean' });
  });

  it('import, list, set, rollback', async () => {
    const inProcess = (argv: string[]) => cli(argv, { url: emulator.url, env });
    const imported = await inProcess(['import', join(SAMPLES, 'metadata.csv'), '--dataset', DATASET, '--state-dir', dir]);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toContain('written 300');
    // Not a terminal: plain progress lines, no control characters (and so for the built bin under cron,
    // cron.test.ts).
    expect(imported.err).not.toMatch(/[\r\x1b]/);
    const listed = await inProcess(['list', '--dataset', DATASET, '--format', 'csv']);
    expect(listed.code).toBe(0);
    expect(listed.out.trimEnd().split('\n')).toHaveLength(601);
    const set = await inProcess(['set', '--dataset', DATASET, '--index', '0', 'city=Porto', '--json', '--state-dir', dir]);
    expect(set.code, set.err).toBe(0);
    const journal = SetOutput.parse(lastJson(set.out)).journalPath!;
    expect(emulator.state.rows(DATASET)[0]!.metadata['city']).toBe('Porto');
    const rb = await inProcess(['rollback', journal]);
    expect(rb.code).toBe(0);
    expect(emulator.state.rows(DATASET)[0]!.metadata['city']).toBe('Lisbon');
  });

  it('emulator runs until SIGINT and exits 0', async () => {
    const child = spawn(process.execPath, [BIN, '--json', 'emulator', '--port', '0', '--seed-rows', '5'], { env: { PATH: process.env['PATH'], HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    // Wait on the child's own output (or its exit), not on a clock.
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve();
      });
      child.on('exit', () => resolve());
    });
    const info = EmulatorOutput.parse(lastJson(out));
    expect(info.datasets[0]?.rows).toBe(5);
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    expect(await code).toBe(0);
  });

  it('the TEST-ONLY key shipped for the demo is the one the emulator trusts', () => {
    expect(readFileSync(join(SAMPLES, 'keys', 'README.md'), 'utf8')).toMatch(/TEST-ONLY KEY — NEVER REGISTER IT WITH ENCORD/);
  });
});
