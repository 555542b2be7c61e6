/**
 * Usage errors found before any request: a dataset hash that is not a hash (never put into a file path),
 * a key file others can read, a config number JSON.parse would round, a data hash that is not a hash.
 */
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { Emulator } from '../../src/emulator/index.js';
import { DATASET, TEST_KEY_TEXT, cli, demoEmulator, envFor, tempDir, writeRequests } from './helpers.js';

let emulator: Emulator;
let url: string;

beforeAll(async () => {
  emulator = await demoEmulator();
  url = emulator.url;
});
afterAll(async () => {
  await emulator.close();
});

const requests = (): number => emulator.requestLog.find({}).length;

describe('a dataset hash that is not a hash is a usage error before any request, and never becomes a path', () => {
  it.each<[string, (state: string) => string[]]>([
    ['import -d ../../etc/passwd', (state) => ['import', 'samples/metadata.csv', '-d', '../../etc/passwd', '--state-dir', state]],
    ['import --dataset zzz', (state) => ['import', 'samples/metadata.csv', '--dataset', 'zzz', '--state-dir', state]],
    ['set -d ../../etc/passwd', (state) => ['set', '-d', '../../etc/passwd', '--index', '0', 'city=Paris', '--state-dir', state]],
    ['list -d ../x', () => ['list', '-d', '../x']],
    ['rollback -d ../x', (state) => ['rollback', join(state, 'journal.jsonl'), '-d', '../x']],
  ])('%s exits 2', async (_what, argv) => {
    const state = tempDir();
    const before = requests();
    const r = await cli(argv(state), { url });
    expect(r.code, r.err).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/dataset hash \(a uuid/);
    expect(requests()).toBe(before);
    expect(readdirSync(state)).toEqual([]);
  });

  it('"dataset" in a job config is checked the same way', async () => {
    const config = join(tempDir(), 'job.json');
    writeFileSync(config, JSON.stringify({ dataset: '../../etc/passwd' }));
    const before = requests();
    const r = await cli(['--config', config, 'list'], { url });
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/CONFIG_INVALID.*dataset: expected a dataset hash/s);
    expect(requests()).toBe(before);
  });
});

describe('numbers are exact or refused: a job-config number JSON.parse would round', () => {
  it('a constant 9007199254740993 is refused (exit 2) instead of being written as 9007199254740992', async () => {
    const config = join(tempDir(), 'job.json');
    writeFileSync(config, `{"dataset": "${DATASET}", "columns": {"constants": {"city": 9007199254740993}}}`);
    const r = await cli(['--config', config, 'import', 'samples/metadata.csv', '--state-dir', tempDir()], { url });
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/CONFIG_INVALID.*9007199254740993.*written as 9007199254740992.*string/);
    expect(writeRequests(emulator)).toBe(0);
  });
});

describe('set --data-hash that is not a hash', () => {
  it('is KEY_INVALID (exit 2), not KEY_NOT_FOUND', async () => {
    const r = await cli(['set', '--dataset', DATASET, '--data-hash', 'zzz', 'city=Paris', '--allow-unknown-keys', '--state-dir', tempDir()], { url });
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toContain('[KEY_INVALID]');
  });
});

describe('a private key file readable by group or others is refused like OpenSSH does', () => {
  it.each([['0644', 0o644], ['0640', 0o640]])('mode %s: exit 2, a message naming chmod 600, never the key, no request', async (_octal, mode) => {
    const key = join(tempDir(), 'encord-key');
    writeFileSync(key, TEST_KEY_TEXT, { mode: 0o600 });
    chmodSync(key, mode);
    const before = requests();
    for (const env of [envFor(url, { ENCORD_SSH_KEY: undefined, ENCORD_SSH_KEY_FILE: key }), envFor(url, { ENCORD_SSH_KEY: undefined })]) {
      const argv = env['ENCORD_SSH_KEY_FILE'] ? ['list', '--dataset', DATASET] : ['--ssh-key', key, 'list', '--dataset', DATASET];
      const r = await cli(argv, { url, env });
      expect(r.code, r.err).toBe(EXIT.USAGE);
      expect(r.err).toContain('[KEY_FILE_PERMISSIONS]');
      expect(r.err).toContain(`chmod 600 ${key}`);
      expect(r.err + r.out).not.toContain(TEST_KEY_TEXT.split('\n')[1]!.slice(0, 24));
    }
    expect(requests()).toBe(before);
    chmodSync(key, 0o600);
    expect((await cli(['--ssh-key', key, 'list', '--dataset', DATASET, '--limit', '1', '--format', 'jsonl'], { url, env: envFor(url, { ENCORD_SSH_KEY: undefined }) })).code).toBe(0);
  });
});
