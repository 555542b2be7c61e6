/**
 * Ed25519 public keys as people hand them over: an OpenSSH line (`ssh-ed25519 AAAA… comment`, as in a
 * `.pub` file or `authorized_keys`) or the 64-hex `public_key_hex` Encord uses as the identity (protocol §2.1).
 * Public keys are not secret, so errors may quote them (shortened).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { MetaError } from '../../errors.js';

export interface ParsedPublicKey {
  /** The 32 raw key bytes as lowercase hex: Encord's v1 key part and v2 `keyid`. */
  readonly publicKeyHex: string;
  /** A Node key object, ready for `crypto.verify`. */
  readonly keyObject: KeyObject;
  /** The comment of an OpenSSH line, if any. */
  readonly comment: string | undefined;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;
const SSH_ED25519 = 'ssh-ed25519';

/** A key object from the 32 raw public key bytes (as a JWK: OpenSSL's SPKI decoder is ~6× slower). */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) {
    throw new MetaError('KEY_INVALID', `Invalid Ed25519 public key: expected 32 bytes, got ${raw.length}`);
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/**
 * Parse one public key: an OpenSSH line `ssh-ed25519 <base64> [comment]` (authorized_keys options before
 * the type are allowed) or 64 hex characters. Throws `MetaError('KEY_INVALID')` naming what is wrong.
 */
export function parsePublicKey(text: string, where = 'public key'): ParsedPublicKey {
  const line = text.trim();
  if (HEX64.test(line)) {
    const hex = line.toLowerCase();
    return { publicKeyHex: hex, keyObject: publicKeyFromRaw(Buffer.from(hex, 'hex')), comment: undefined };
  }
  const fields = line.split(/\s+/);
  const typeAt = fields.indexOf(SSH_ED25519);
  if (typeAt < 0) {
    const shown = line.length > 24 ? `${line.slice(0, 24)}…` : line;
    const kind = /^ssh-(rsa|dss)|^ecdsa-/.test(line) ? ' (only Ed25519 keys are supported)' : '';
    throw new MetaError(
      'KEY_INVALID',
      `Invalid ${where}: expected "ssh-ed25519 AAAA…" or 64 hex characters, got "${shown}"${kind}`,
    );
  }
  const blobText = fields[typeAt + 1];
  if (blobText === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(blobText)) {
    throw new MetaError('KEY_INVALID', `Invalid ${where}: missing or malformed base64 key after "ssh-ed25519"`);
  }
  const blob = Buffer.from(blobText, 'base64');
  const raw = readSshEd25519Blob(blob, where);
  const comment = fields.slice(typeAt + 2).join(' ');
  return {
    publicKeyHex: Buffer.from(raw).toString('hex'),
    keyObject: publicKeyFromRaw(raw),
    comment: comment === '' ? undefined : comment,
  };
}

/**
 * Parse every key of an `authorized_keys`-style text: one key per line, blank lines and `#` comments
 * skipped. Errors name the line number.
 */
export function parsePublicKeys(text: string, where = 'public key file'): ParsedPublicKey[] {
  const keys: ParsedPublicKey[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    keys.push(parsePublicKey(line, `${where} line ${i + 1}`));
  }
  if (keys.length === 0) throw new MetaError('KEY_INVALID', `Invalid ${where}: no public key found`);
  return keys;
}

/** The SSH wire blob: string "ssh-ed25519", string pub32. */
function readSshEd25519Blob(blob: Buffer, where: string): Uint8Array {
  let at = 0;
  const readString = (): Buffer => {
    if (at + 4 > blob.length) throw new MetaError('KEY_INVALID', `Invalid ${where}: truncated key blob`);
    const len = blob.readUInt32BE(at);
    at += 4;
    if (at + len > blob.length) throw new MetaError('KEY_INVALID', `Invalid ${where}: truncated key blob`);
    const out = blob.subarray(at, at + len);
    at += len;
    return out;
  };
  const type = readString().toString('latin1');
  if (type !== SSH_ED25519) {
    throw new MetaError('KEY_INVALID', `Invalid ${where}: key blob says "${type}", expected "ssh-ed25519"`);
  }
  const raw = readString();
  if (raw.length !== 32 || at !== blob.length) {
    throw new MetaError('KEY_INVALID', `Invalid ${where}: expected a 32-byte Ed25519 key in the blob`);
  }
  return raw;
}
