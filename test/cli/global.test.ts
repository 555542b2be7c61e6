import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { VERSION } from '../../src/version.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli } from '../../src/cli/run-cli.js';
import { bufferIo } from '../../src/cli/io.js';
import { EmulatorOutput } from '../../src/cli/json-outputs.js';
import { DATASET, TEST_KEY_TEXT, cli, demoEmulator, envFor, tempDir } from './helpers.js';

let emulator: Emulator;
let url: string;
beforeAll(async () => {
  emulator = await demoEmulator();
  url = emulator.url;
});
afterAll(async () => {
  await emulator.close();
});

const COMMANDS: string[][] = [['demo'], ['schema'], ['schema', 'push'], ['schema', 'pull'], ['schema', 'verify'], ['schema', 'check'], ['schema', 'infer'], ['import'], ['list'], ['set'], ['rollback'], ['summary'], ['summary', 'merge'], ['datasets'], ['emulator']];

/** A fresh OpenSSH (openssh-key-v1, unencrypted) ed25519 private key that nobody registered. */
function unregisteredKey(): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const str = (b: Buffer | string): Buffer => {
    const body = typeof b === 'string' ? Buffer.from(b) : b;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    return Buffer.concat([len, body]);
  };
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const pubBlob = Buffer.concat([str('ssh-ed25519'), str(pub)]);
  let priv = Buffer.concat([u32(0x12345678), u32(0x12345678), str('ssh-ed25519'), str(pub), str(Buffer.concat([seed, pub])), str('unregistered@test')]);
  for (let i = 1; priv.length % 8 !== 0; i++) priv = Buffer.concat([priv, Buffer.from([i])]);
  const blob = Buffer.concat([Buffer.from('openssh-key-v1\0'), str('none'), str('none'), str(''), u32(1), str(pubBlob), str(priv)]);
  const b64 = blob.toString('base64').replace(/.{1,70}/g, '$&\n');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`;
}

describe('the command line as a whole', () => {
  it('--help lists every command; every command has --help with an example', async () => {
    const top = await cli(['--help'], { url });
    expect(top.code).toBe(0);
    for (const name of ['demo', 'schema', 'import', 'list', 'set', 'rollback', 'emulator']) expect(top.out).toMatch(new RegExp(`\\n\\s+${name}\\b`));
    for (const flag of ['--domain', '--ssh-key', '--ssh-key-passphrase-env', '--bearer-token-env', '--config', '--json', '--quiet', '--verbose', '--version']) {
      expect(top.out).toContain(flag);
    }
    for (const argv of COMMANDS) {
      const r = await cli([...argv, '--help'], { url });
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.out, argv.join(' ')).toMatch(/Examples?:\n\s+(npx )?encord-meta /);
    }
  });

  it('--version prints the version; an unknown command or option is a usage error', async () => {
    const v = await cli(['--version'], { url });
    expect(v).toMatchObject({ code: 0 });
    expect(v.out.trim()).toBe(VERSION);
    expect((await cli(['frobnicate'], { url })).code).toBe(EXIT.USAGE);
    expect((await cli(['list', '--frobnicate'], { url })).code).toBe(EXIT.USAGE);
  });

  it('an unregistered key: the error names the public key to register', async () => {
    const r = await cli(['schema', 'pull'], { url, env: envFor(url, { ENCORD_SSH_KEY: undefined, ENCORD_SSH_KEY_FILE: writeKey(unregisteredKeyOpenSsh()) }) });
    expect(r.code).toBe(EXIT.FATAL);
    // v2 answers 401 (AUTHENTICATION), v1 SSH_KEY_NOT_FOUND_ERROR: either way the key to register is named.
    expect(r.err).toMatch(/\[(AUTHENTICATION|SSH_KEY_NOT_FOUND)\].*public key ssh-ed25519 AAAA\S+ unregistered@test is registered with Encord/);
    const v1 = await cli(['list', '--dataset', DATASET, '--schema-keys-only'], { url, env: envFor(url, { ENCORD_SSH_KEY: unregisteredKey() }) });
    expect(v1.code).toBe(EXIT.FATAL);
    expect(v1.err).toMatch(/public key ssh-ed25519 AAAA\S+ unregistered@test/);
  });

  it('no credentials at all: usage error saying where credentials come from', async () => {
    const r = await cli(['list', '--dataset', DATASET], { url, env: { HOME: tempDir(), ENCORD_DOMAIN: url } });
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/CREDENTIALS_MISSING.*ENCORD_SSH_KEY_FILE/);
  });

  it('--domain and --ssh-key work like the environment variables', async () => {
    const dir = tempDir();
    const key = join(dir, 'key');
    writeFileSync(key, TEST_KEY_TEXT, { mode: 0o600 });
    const r = await cli(['--domain', url, '--ssh-key', key, 'schema', 'pull'], { url, env: { HOME: dir } });
    expect(r.code, r.err).toBe(0);
  });

  it('a job config supplies defaults; a bad one is a usage error that points at the key', async () => {
    const dir = tempDir();
    const good = join(dir, 'job.json');
    writeFileSync(good, JSON.stringify({ dataset: DATASET, domain: url }));
    const r = await cli(['--config', good, 'list', '--limit', '1', '--format', 'jsonl'], { url, env: envFor('', { ENCORD_DOMAIN: undefined }) });
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ index: 0 });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ dataset: DATASET, concurrency: 0, coercion: { timezone: 3 } }));
    const e = await cli(['--config', bad, 'list'], { url });
    expect(e.code).toBe(EXIT.USAGE);
    expect(e.err).toMatch(/CONFIG_INVALID.*bad\.json has 2 errors:\n\s+concurrency: .*\n\s+coercion\.timezone: /s);
  });

  it('emulator (in-process): prints where it listens, serves until interrupted', async () => {
    const controller = new AbortController();
    const io = bufferIo({ env: { HOME: tempDir() }, signal: controller.signal });
    const done = runCli(['--json', 'emulator', '--seed-rows', '3'], io);
    await Promise.race([io.until('out', (t) => t.includes('\n')), done.then((code) => Promise.reject(new Error(`emulator exited ${code}: ${io.err()}`)))]);
    const info = EmulatorOutput.parse(JSON.parse(io.out()));
    expect(info.datasets).toHaveLength(1);
    const listed = await cli(['list', '--dataset', info.datasets[0]!.hash, '--format', 'jsonl'], { url: info.url });
    expect(listed.out.trim().split('\n')).toHaveLength(3);
    controller.abort();
    expect(await done).toBe(0);
  });

  it('--quiet keeps stdout and stderr free of chatter', async () => {
    const r = await cli(['-q', 'schema', 'pull', '--out', join(tempDir(), 's.json')], { url });
    expect(r).toMatchObject({ code: 0, out: '', err: '' });
  });
});

function unregisteredKeyOpenSsh(): string {
  return unregisteredKey();
}

function writeKey(text: string): string {
  const file = join(tempDir(), 'other-key');
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

describe('option errors', () => {
  it('are one line in the tool\'s own form, exit 2', async () => {
    for (const argv of [['import', 'x.csv', '--bogus'], ['schema', 'push', '--nope'], ['import', 'x.csv', '--dataset', 'nope']]) {
      const r = await cli(argv, { url: 'http://127.0.0.1:1' });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(/^encord-meta: error \[USAGE\]: /);
    }
  });
});
