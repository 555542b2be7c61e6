/** Key loading: every cipher, every error code, file permissions, and the SDK's source precedence. */
import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BearerTokenAuth, SshKeyAuth } from '../../src/encord/auth.js';
import { EncordConfigError } from '../../src/encord/errors.js';
import { expandPath, loadCredentials, resolveKeySource } from '../../src/encord/key-source.js';
import { Ed25519Key, decodeOpenSshPrivateKey, parseOpenSshPrivateKey, readSshKeyFile } from '../../src/encord/keys.js';
import {
  CIPHER_KEYS,
  CIPHER_PASSPHRASE,
  ECDSA_KEY,
  PASSPHRASE,
  PUBLIC_KEY_HEX,
  SEED_HEX,
  TEST_KEY,
  TEST_KEY_PASSPHRASE,
  TEST_PUB,
} from './helpers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EncordConfigError);
    return (error as EncordConfigError).code;
  }
  return undefined;
}

async function codeOfAsync(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(EncordConfigError);
    return { code: (error as EncordConfigError).code, message: (error as Error).message };
  }
  throw new Error('expected a rejection');
}

describe('decodeOpenSshPrivateKey', () => {
  it.each(Object.entries(CIPHER_KEYS))('decrypts %s to the same seed', (_cipher, text) => {
    const d = decodeOpenSshPrivateKey(text, CIPHER_PASSPHRASE);
    expect(d.seed.toString('hex')).toBe(SEED_HEX);
    expect(d.publicKey.toString('hex')).toBe(PUBLIC_KEY_HEX);
  });

  it.each(Object.entries(CIPHER_KEYS))('rejects a wrong passphrase for %s', (_cipher, text) => {
    expect(codeOf(() => decodeOpenSshPrivateKey(text, 'not it'))).toBe('KEY_PASSPHRASE_WRONG');
  });

  it('has a distinct code for each way a key is wrong', () => {
    expect(codeOf(() => decodeOpenSshPrivateKey(ECDSA_KEY))).toBe('KEY_NOT_ED25519');
    expect(codeOf(() => decodeOpenSshPrivateKey(TEST_KEY_PASSPHRASE))).toBe('KEY_PASSPHRASE_REQUIRED');
    expect(codeOf(() => decodeOpenSshPrivateKey(TEST_KEY_PASSPHRASE, ''))).toBe('KEY_PASSPHRASE_REQUIRED');
    expect(codeOf(() => decodeOpenSshPrivateKey(TEST_KEY, 'secret'))).toBe('KEY_NOT_ENCRYPTED');
    expect(codeOf(() => decodeOpenSshPrivateKey('hello'))).toBe('KEY_NOT_OPENSSH');
    expect(codeOf(() => decodeOpenSshPrivateKey('-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----'))).toBe(
      'KEY_NOT_OPENSSH',
    );
    const truncated = TEST_KEY.replace(/\n[^\n]*\n-----END/, '\n-----END');
    expect(codeOf(() => decodeOpenSshPrivateKey(truncated))).toBe('KEY_NOT_OPENSSH');
    expect(codeOf(() => decodeOpenSshPrivateKey(TEST_KEY.replace('b3BlbnNz', 'b3BlbnNy')))).toBe('KEY_NOT_OPENSSH');
    expect(codeOf(() => decodeOpenSshPrivateKey(TEST_KEY.replace('b3BlbnNz', 'b3Bl!nNz')))).toBe('KEY_NOT_OPENSSH');
  });

  it('an empty passphrase means none (like the SDK)', () => {
    expect(decodeOpenSshPrivateKey(TEST_KEY, '').seed.toString('hex')).toBe(SEED_HEX);
  });

  it('names the source but never key material in messages', () => {
    try {
      decodeOpenSshPrivateKey(TEST_KEY, 'secret', 'ENCORD_SSH_KEY');
      expect.unreachable();
    } catch (error) {
      const text = `${String(error)} ${JSON.stringify(error)}`;
      expect(text).toContain('ENCORD_SSH_KEY');
      expect(text).not.toContain('b3BlbnNzaC1rZXktdjEA');
      expect(text).not.toContain('secret');
    }
  });
});

describe('Ed25519Key', () => {
  it('keeps the private key out of JSON and inspect', () => {
    const key = parseOpenSshPrivateKey(TEST_KEY);
    const shown = `${JSON.stringify(key)} ${inspect(key, { showHidden: true, depth: 5 })} ${JSON.stringify(new SshKeyAuth(key))} ${inspect(new SshKeyAuth(key))}`;
    expect(shown).toContain(PUBLIC_KEY_HEX);
    expect(shown).not.toContain(SEED_HEX);
    expect(shown).not.toContain(Buffer.from(SEED_HEX, 'hex').toString('base64url'));
    expect(key.publicKeyOpenSsh).toBe(TEST_PUB);
  });

  it('builds from a seed', () => {
    const k = Ed25519Key.fromSeed(Buffer.from(SEED_HEX, 'hex'), 'c');
    expect(k.publicKeyHex).toBe(PUBLIC_KEY_HEX);
    expect(k.publicKeyOpenSsh).toBe(TEST_PUB.replace('encord-emulator-test-key', 'c'));
  });
});

describe('files and sources', () => {
  let dir: string;
  let keyFile: string;
  let looseFile: string;
  let encFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'encord-keys-'));
    keyFile = join(dir, 'id_ed25519');
    looseFile = join(dir, 'loose');
    encFile = join(dir, 'enc');
    await writeFile(keyFile, TEST_KEY, { mode: 0o600 });
    await writeFile(looseFile, TEST_KEY);
    await chmod(looseFile, 0o644);
    await writeFile(encFile, CIPHER_KEYS['aes128-ctr']!, { mode: 0o600 });
    await mkdir(join(dir, 'home', '.ssh'), { recursive: true });
    await writeFile(join(dir, 'home', '.ssh', 'enc-key'), TEST_KEY, { mode: 0o600 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a 0600 key without warnings', async () => {
    const { key, warnings } = await readSshKeyFile(keyFile);
    expect(key.publicKeyHex).toBe(PUBLIC_KEY_HEX);
    expect(warnings).toEqual([]);
  });

  it('a private key file readable by group or others is refused like OpenSSH does, naming chmod 600 and never the key', async () => {
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      await chmod(looseFile, mode);
      const error = await codeOfAsync(readSshKeyFile(looseFile));
      expect(error.code, mode.toString(8)).toBe('KEY_FILE_PERMISSIONS');
      expect(error.message).toContain(`0${mode.toString(8)}`);
      expect(error.message).toContain(`chmod 600 ${looseFile}`);
      expect(error.message).not.toContain(TEST_KEY.split('\n')[1]!.slice(0, 20));
    }
    await chmod(looseFile, 0o644);
    expect((await codeOfAsync(loadCredentials({ sshKeyPath: looseFile, env: {} }))).code).toBe('KEY_FILE_PERMISSIONS');
    expect((await codeOfAsync(loadCredentials({ env: { ENCORD_SSH_KEY_FILE: looseFile } }))).code).toBe('KEY_FILE_PERMISSIONS');
    // The key text in ENCORD_SSH_KEY is not a file: nothing to check.
    expect((await loadCredentials({ env: { ENCORD_SSH_KEY: TEST_KEY } })).auth.kind).toBe('ssh');
  });

  it('reports a missing file and a directory', async () => {
    const missing = await codeOfAsync(readSshKeyFile(join(dir, 'nope')));
    expect(missing.code).toBe('KEY_FILE_NOT_FOUND');
    expect(missing.message).toContain(join(dir, 'nope'));
    expect((await codeOfAsync(readSshKeyFile(dir))).code).toBe('KEY_FILE_UNREADABLE');
  });

  it('expands ~ with HOME', () => {
    expect(expandPath('~/.ssh/enc-key', { HOME: join(dir, 'home') })).toBe(join(dir, 'home', '.ssh', 'enc-key'));
    expect(expandPath('~', { HOME: '/h' })).toBe('/h');
    expect(expandPath('/abs/x', {})).toBe('/abs/x');
  });

  it('follows the SDK precedence: text arg, path arg, ENCORD_SSH_KEY_FILE, ENCORD_SSH_KEY', () => {
    const env = { ENCORD_SSH_KEY_FILE: '/from/env', ENCORD_SSH_KEY: 'env text' };
    expect(resolveKeySource({ sshKeyText: 'T', sshKeyPath: '/p', env })).toEqual({ kind: 'text', text: 'T', origin: 'argument' });
    expect(resolveKeySource({ sshKeyPath: '/p', env })).toEqual({ kind: 'file', path: '/p', origin: 'argument' });
    expect(resolveKeySource({ env })).toEqual({ kind: 'file', path: '/from/env', origin: 'ENCORD_SSH_KEY_FILE' });
    expect(resolveKeySource({ env: { ENCORD_SSH_KEY: 'env text' } })).toEqual({ kind: 'text', text: 'env text', origin: 'ENCORD_SSH_KEY' });
    expect(resolveKeySource({ env: {} })).toBeUndefined();
    expect(codeOf(() => resolveKeySource({ env: { ENCORD_SSH_KEY: '' } }))).toBe('CREDENTIALS_MISSING');
  });

  it('loadCredentials: env file (~ expanded) wins over env text', async () => {
    const c = await loadCredentials({
      env: { HOME: join(dir, 'home'), ENCORD_SSH_KEY_FILE: '~/.ssh/enc-key', ENCORD_SSH_KEY: 'garbage' },
    });
    expect(c.auth).toBeInstanceOf(SshKeyAuth);
    expect((c.auth as SshKeyAuth).publicKeyHex).toBe(PUBLIC_KEY_HEX);
    expect(c.source).toContain('ENCORD_SSH_KEY_FILE');
    expect(c.warnings).toEqual([]);
  });

  it('loadCredentials: env text, passphrase, warnings, missing env file', async () => {
    // The 2-round copy of the key: a 16-round one costs a third of a second of CPU (vectors.test decrypts it).
    const fromText = await loadCredentials({ env: { ENCORD_SSH_KEY: CIPHER_KEYS['aes256-ctr'] ?? CIPHER_KEYS['aes128-ctr']! }, passphrase: CIPHER_PASSPHRASE });
    expect(fromText.auth.identity).toContain(TEST_PUB);
    expect(fromText.source).toBe('ENCORD_SSH_KEY');
    const enc = await loadCredentials({ sshKeyPath: encFile, passphrase: CIPHER_PASSPHRASE, env: {} });
    expect(enc.auth.kind).toBe('ssh');
    const missing = await codeOfAsync(loadCredentials({ env: { ENCORD_SSH_KEY_FILE: join(dir, 'gone') } }));
    expect(missing.code).toBe('KEY_FILE_NOT_FOUND');
    expect(missing.message).toContain('ENCORD_SSH_KEY_FILE');
    expect((await codeOfAsync(loadCredentials({ env: {} }))).code).toBe('CREDENTIALS_MISSING');
    expect((await codeOfAsync(loadCredentials({ sshKeyPath: encFile, env: {} }))).code).toBe('KEY_PASSPHRASE_REQUIRED');
  });

  it('loadCredentials: bearer tokens', async () => {
    const c = await loadCredentials({ bearerToken: 'tok-123', env: { ENCORD_SSH_KEY_FILE: keyFile } });
    expect(c.auth).toBeInstanceOf(BearerTokenAuth);
    expect(c.auth.v1Authorization(Buffer.alloc(0))).toBe('Bearer tok-123');
    expect(c.auth.v2Headers('GET', '/x', Buffer.alloc(0), 0)).toEqual({ authorization: 'Bearer tok-123' });
    expect(JSON.stringify(c.auth) + inspect(c.auth)).not.toContain('tok-123');
    expect((await codeOfAsync(loadCredentials({ bearerToken: 't', sshKeyPath: keyFile, env: {} }))).code).toBe('CREDENTIALS_CONFLICT');
    expect(codeOf(() => new BearerTokenAuth('a b'))).toBe('USAGE_OPTION');
    expect(new BearerTokenAuth('Bearer abc').v1Authorization()).toBe('Bearer abc');
  });
});
