/**
 * OpenSSH Ed25519 private keys (protocol §2.1) without sshpk: a small `openssh-key-v1` reader, the bcrypt KDF
 * from `bcrypt-pbkdf` (the one piece node:crypto lacks) and node:crypto for everything else. Signing uses a
 * node:crypto `KeyObject` built from the seed, which never leaves this module.
 *
 * Supported encryption: none, aes{128,192,256}-ctr (ssh-keygen's default is aes256-ctr), aes{128,192,256}-cbc,
 * aes{128,256}-gcm@openssh.com and chacha20-poly1305@openssh.com, each with the bcrypt KDF.
 */
import { createDecipheriv } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import bcryptPbkdf from 'bcrypt-pbkdf';
import { Ed25519Key, ed25519PublicFromSeed } from './ed25519-key.js';
import { EncordConfigError } from './errors.js';

const MAGIC = 'openssh-key-v1\0';
const ARMOR = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/;
const ED25519 = 'ssh-ed25519';
/** Largest key file we read: an Ed25519 key is ~0.5 KB; anything this big is not a key. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** OpenSSH cipher name -> node:crypto cipher, key length, IV length. */
const CIPHERS = {
  'aes128-ctr': { node: 'aes-128-ctr', keyLen: 16, ivLen: 16, tagLen: 0 },
  'aes192-ctr': { node: 'aes-192-ctr', keyLen: 24, ivLen: 16, tagLen: 0 },
  'aes256-ctr': { node: 'aes-256-ctr', keyLen: 32, ivLen: 16, tagLen: 0 },
  'aes128-cbc': { node: 'aes-128-cbc', keyLen: 16, ivLen: 16, tagLen: 0 },
  'aes192-cbc': { node: 'aes-192-cbc', keyLen: 24, ivLen: 16, tagLen: 0 },
  'aes256-cbc': { node: 'aes-256-cbc', keyLen: 32, ivLen: 16, tagLen: 0 },
  'aes128-gcm@openssh.com': { node: 'aes-128-gcm', keyLen: 16, ivLen: 12, tagLen: 16 },
  'aes256-gcm@openssh.com': { node: 'aes-256-gcm', keyLen: 32, ivLen: 12, tagLen: 16 },
  'chacha20-poly1305@openssh.com': { node: 'chacha20', keyLen: 64, ivLen: 0, tagLen: 16 },
} as const;
type OpenSshCipher = keyof typeof CIPHERS;

/** Names of the ciphers this module can decrypt. */
export const SUPPORTED_KEY_CIPHERS = Object.keys(CIPHERS) as readonly OpenSshCipher[];

/** The raw parts of a decoded key. Contains the secret seed: for tests and the emulator only. */
export interface DecodedOpenSshKey {
  /** 32-byte Ed25519 seed (secret). */
  readonly seed: Buffer;
  /** 32-byte raw public key. */
  readonly publicKey: Buffer;
  readonly comment: string;
  /** `none` or the OpenSSH cipher name. */
  readonly cipher: string;
}

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  u32(): number {
    if (this.offset + 4 > this.buf.length) throw new RangeError('truncated');
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  bytes(): Buffer {
    const n = this.u32();
    if (this.offset + n > this.buf.length) throw new RangeError('truncated');
    const s = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return s;
  }
  rest(): Buffer {
    return this.buf.subarray(this.offset);
  }
}

function notOpenSsh(source: string, detail: string): EncordConfigError {
  return new EncordConfigError(
    'KEY_NOT_OPENSSH',
    `SSH key ${source} is not an OpenSSH private key: ${detail}. Expected a file starting with ` +
      '"-----BEGIN OPENSSH PRIVATE KEY-----", as written by `ssh-keygen -t ed25519`',
  );
}

/**
 * Decode an OpenSSH private key. Throws `EncordConfigError` with a distinct code for every way it can be
 * wrong; messages name `source` (a path or env variable), never any key material.
 */
export function decodeOpenSshPrivateKey(text: string, passphrase?: string, source = '(text)'): DecodedOpenSshKey {
  const armored = ARMOR.exec(text);
  if (armored === null) {
    const other = /-----BEGIN ([A-Z0-9 ]*)-----/.exec(text)?.[1];
    throw notOpenSsh(source, other === undefined ? 'no OpenSSH armor found' : `found a "${other}" block`);
  }
  const b64 = armored[1]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw notOpenSsh(source, 'the body is not base64');
  const buf = Buffer.from(b64, 'base64');
  if (buf.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw notOpenSsh(source, 'bad magic');

  let cipher: string;
  let kdf: string;
  let kdfOptions: Buffer;
  let publicBlob: Buffer;
  let encrypted: Buffer;
  let trailer: Buffer;
  try {
    const r = new Reader(buf.subarray(MAGIC.length));
    cipher = r.bytes().toString('latin1');
    kdf = r.bytes().toString('latin1');
    kdfOptions = r.bytes();
    const count = r.u32();
    if (count !== 1) throw notOpenSsh(source, `expected 1 key in the file, found ${count}`);
    publicBlob = r.bytes();
    encrypted = r.bytes();
    trailer = r.rest();
  } catch (error) {
    if (error instanceof EncordConfigError) throw error;
    throw notOpenSsh(source, 'the file is truncated');
  }

  let keyType: string;
  try {
    keyType = new Reader(publicBlob).bytes().toString('latin1');
  } catch {
    throw notOpenSsh(source, 'the public key is truncated');
  }
  // Checked before the passphrase: an RSA key with a right passphrase would still be useless.
  if (keyType !== ED25519) {
    throw new EncordConfigError(
      'KEY_NOT_ED25519',
      `SSH key ${source} is of type ${keyType}; Encord accepts only Ed25519 keys (create one with \`ssh-keygen -t ed25519\`)`,
    );
  }

  const pass = passphrase === undefined || passphrase === '' ? undefined : passphrase;
  let plain: Buffer;
  if (cipher === 'none') {
    if (pass !== undefined) {
      throw new EncordConfigError(
        'KEY_NOT_ENCRYPTED',
        `A passphrase was given but SSH key ${source} is not encrypted; remove the passphrase option`,
      );
    }
    plain = encrypted;
  } else {
    const spec = (CIPHERS as Record<string, (typeof CIPHERS)[OpenSshCipher] | undefined>)[cipher];
    if (spec === undefined || kdf !== 'bcrypt') {
      throw new EncordConfigError(
        'KEY_UNSUPPORTED_CIPHER',
        `SSH key ${source} is encrypted with cipher "${cipher}" and KDF "${kdf}"; supported: ` +
          `${SUPPORTED_KEY_CIPHERS.join(', ')} with bcrypt. Re-encrypt it with \`ssh-keygen -p -Z aes256-ctr -f <file>\``,
      );
    }
    if (pass === undefined) {
      throw new EncordConfigError(
        'KEY_PASSPHRASE_REQUIRED',
        `SSH key ${source} is protected by a passphrase, but no passphrase was given: put it in an environment variable and name that variable with --ssh-key-passphrase-env (e.g. --ssh-key-passphrase-env ENCORD_SSH_KEY_PASSPHRASE)`,
      );
    }
    plain = decrypt(spec, kdfOptions, pass, encrypted, trailer, source);
  }
  return readPrivateSection(plain, publicBlob, cipher, pass !== undefined, source);
}

function decrypt(
  spec: (typeof CIPHERS)[OpenSshCipher],
  kdfOptions: Buffer,
  passphrase: string,
  encrypted: Buffer,
  trailer: Buffer,
  source: string,
): Buffer {
  let salt: Buffer;
  let rounds: number;
  try {
    const r = new Reader(kdfOptions);
    salt = r.bytes();
    rounds = r.u32();
  } catch {
    throw notOpenSsh(source, 'the KDF options are truncated');
  }
  const pass = Buffer.from(passphrase, 'utf8');
  const material = Buffer.alloc(spec.keyLen + spec.ivLen);
  if (rounds < 1 || bcryptPbkdf.pbkdf(pass, pass.length, salt, salt.length, material, material.length, rounds) !== 0) {
    throw notOpenSsh(source, 'invalid bcrypt KDF parameters');
  }
  const wrong = (): EncordConfigError =>
    new EncordConfigError('KEY_PASSPHRASE_WRONG', `The passphrase does not decrypt SSH key ${source} (wrong passphrase)`);
  try {
    if (spec.node === 'chacha20') {
      // chacha20-poly1305@openssh.com with sequence number 0: the payload is ChaCha20 (main key = first
      // 32 bytes) with block counter 1 and a zero nonce. node:crypto has no standalone Poly1305, so the tag
      // is not checked; a wrong passphrase is still caught by the check-ints below (1 in 2^32 miss).
      const iv = Buffer.alloc(16);
      iv.writeUInt32LE(1, 0);
      const d = createDecipheriv('chacha20', material.subarray(0, 32), iv);
      return Buffer.concat([d.update(encrypted), d.final()]);
    }
    const key = material.subarray(0, spec.keyLen);
    const iv = material.subarray(spec.keyLen);
    if (spec.tagLen > 0) {
      const d = createDecipheriv(spec.node as 'aes-256-gcm', key, iv);
      d.setAuthTag(trailer.subarray(0, spec.tagLen));
      return Buffer.concat([d.update(encrypted), d.final()]);
    }
    const d = createDecipheriv(spec.node, key, iv);
    d.setAutoPadding(false);
    return Buffer.concat([d.update(encrypted), d.final()]);
  } catch {
    // GCM tag mismatch, or a block cipher given a length that is not a multiple of the block size.
    throw wrong();
  } finally {
    material.fill(0);
  }
}

function readPrivateSection(
  plain: Buffer,
  publicBlob: Buffer,
  cipher: string,
  wasEncrypted: boolean,
  source: string,
): DecodedOpenSshKey {
  const r = new Reader(plain);
  let check1: number;
  let check2: number;
  try {
    check1 = r.u32();
    check2 = r.u32();
  } catch {
    throw notOpenSsh(source, 'the private section is truncated');
  }
  if (check1 !== check2) {
    if (wasEncrypted) {
      throw new EncordConfigError('KEY_PASSPHRASE_WRONG', `The passphrase does not decrypt SSH key ${source} (wrong passphrase)`);
    }
    throw notOpenSsh(source, 'the private section is corrupt (check values differ)');
  }
  try {
    const type = r.bytes().toString('latin1');
    if (type !== ED25519) {
      throw new EncordConfigError('KEY_NOT_ED25519', `SSH key ${source} holds a key of type ${type}; Encord accepts only Ed25519 keys`);
    }
    const pub = Buffer.from(r.bytes());
    const priv = r.bytes();
    const comment = r.bytes().toString('utf8');
    if (pub.length !== 32 || priv.length !== 64 || !priv.subarray(32).equals(pub)) {
      throw notOpenSsh(source, 'the Ed25519 key is malformed');
    }
    const blobPub = new Reader(publicBlob);
    blobPub.bytes();
    if (!blobPub.bytes().equals(pub)) throw notOpenSsh(source, 'the public and private parts do not match');
    const seed = Buffer.from(priv.subarray(0, 32));
    const derived = ed25519PublicFromSeed(seed);
    if (!derived.equals(pub)) throw notOpenSsh(source, 'the private key does not match its public key');
    return { seed, publicKey: pub, comment, cipher };
  } catch (error) {
    if (error instanceof EncordConfigError) throw error;
    throw notOpenSsh(source, 'the private section is truncated');
  } finally {
    plain.fill(0);
  }
}

/** Parse an OpenSSH Ed25519 private key into a signing key. `source` names the key in messages. */
export function parseOpenSshPrivateKey(text: string, passphrase?: string, source?: string): Ed25519Key {
  const decoded = decodeOpenSshPrivateKey(text, passphrase, source);
  try {
    return Ed25519Key.fromSeed(decoded.seed, decoded.comment);
  } finally {
    decoded.seed.fill(0);
  }
}

/** A key read from a file, with non-fatal findings (e.g. loose file permissions). */
export interface LoadedKey {
  readonly key: Ed25519Key;
  readonly warnings: readonly string[];
}

/**
 * Read and parse a key file. Refuses (`KEY_FILE_PERMISSIONS`) a file readable by group or others before
 * reading it, like OpenSSH does for its own keys. `warnings` is kept for non-fatal findings.
 */
export async function readSshKeyFile(path: string, passphrase?: string, origin?: string): Promise<LoadedKey> {
  const name = origin === undefined ? path : `${path} (from ${origin})`;
  const source = `file ${name}`;
  const warnings: string[] = [];
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new EncordConfigError('KEY_FILE_UNREADABLE', `SSH key file ${name} is not a regular file`);
    }
    if (info.size > MAX_KEY_FILE_BYTES) throw notOpenSsh(source, `the file is ${info.size} bytes, too large for a key`);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      // Like OpenSSH ("UNPROTECTED PRIVATE KEY FILE"): refused before it is read, whatever it holds.
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      throw new EncordConfigError(
        'KEY_FILE_PERMISSIONS',
        `Unprotected private key file: permissions ${mode} for SSH key file ${name} are too open (readable by group or others); ` +
          `a private key must be accessible only by you: run \`chmod 600 ${path}\``,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof EncordConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new EncordConfigError('KEY_FILE_NOT_FOUND', `SSH key file ${name} does not exist`, { cause: error });
    }
    throw new EncordConfigError('KEY_FILE_UNREADABLE', `SSH key file ${name} cannot be read (${code ?? 'error'})`, {
      cause: error,
    });
  }
  return { key: parseOpenSshPrivateKey(text, passphrase, source), warnings };
}
export { Ed25519Key, openSshPublicKeyLine } from './ed25519-key.js';
