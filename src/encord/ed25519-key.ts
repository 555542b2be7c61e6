/**
 * An Ed25519 signing key held as a node:crypto `KeyObject` built from its 32-byte seed. The private key
 * object sits in a private field: it never shows in `JSON.stringify`, `console.log` or `util.inspect`, and
 * signing goes through the shared byte-level helpers of protocol/signing.ts.
 */
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { publicKeyFromRaw } from './protocol/public-key.js';
import {
  v1Authorization,
  v2SignatureHeaders,
  type V2SignatureHeaders,
} from './protocol/signing.js';

const ED25519 = 'ssh-ed25519';

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

/** `ssh-ed25519 AAAA… comment`, the line to register with Encord (and what `ssh-keygen -y` prints). */
export function openSshPublicKeyLine(publicKey: Uint8Array, comment = ''): string {
  const blob = Buffer.concat([sshString(ED25519), sshString(Buffer.from(publicKey))]);
  const line = `${ED25519} ${blob.toString('base64')}`;
  return comment === '' ? line : `${line} ${comment}`;
}

/**
 * The private key object of a seed, imported as a JWK: OpenSSL's DER decoder takes ~0.6 ms a key, the raw
 * JWK import ~0.04 ms (a key is loaded per CLI run and per client in tests). Node imports an OKP private
 * JWK from `d` alone and derives the public half itself; `x` must be a string, so an empty one is passed
 * (the public key is then read back from the object, never taken from the caller).
 */
function privateKeyObjectFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(seed).toString('base64url'), x: '' }, format: 'jwk' });
}

/** The 32 raw public key bytes of a private key object. */
function rawPublicOf(privateKey: KeyObject): Buffer {
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('Ed25519 public key export gave no "x"');
  return Buffer.from(x, 'base64url');
}

export function ed25519PublicFromSeed(seed: Uint8Array): Buffer {
  return rawPublicOf(privateKeyObjectFromSeed(seed));
}

/**
 * An Ed25519 signing key. The private `KeyObject` is held in a private field, so it does not appear in
 * `JSON.stringify`, `console.log` or `util.inspect` of the key.
 */
export class Ed25519Key {
  /** 32-byte raw public key as 64 lowercase hex chars: the identity in v1 and v2 signatures. */
  readonly publicKeyHex: string;
  /** `ssh-ed25519 AAAA… comment`: the line a user registers with Encord. */
  readonly publicKeyOpenSsh: string;
  readonly comment: string;
  /** The public key as a node:crypto object (for verification). */
  readonly publicKey: KeyObject;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject, publicKey: Buffer, comment: string) {
    this.#privateKey = privateKey;
    this.publicKey = publicKeyFromRaw(publicKey);
    this.publicKeyHex = publicKey.toString('hex');
    this.comment = comment;
    this.publicKeyOpenSsh = openSshPublicKeyLine(publicKey, comment);
  }

  /** Build a key from its 32-byte seed (the seed buffer is not retained). */
  static fromSeed(seed: Uint8Array, comment = ''): Ed25519Key {
    if (seed.length !== 32) throw new RangeError(`Expected a 32-byte Ed25519 seed, got ${seed.length} bytes`);
    const privateKey = privateKeyObjectFromSeed(seed);
    return new Ed25519Key(privateKey, rawPublicOf(privateKey), comment);
  }

  /** Pure Ed25519 signature of `message`. */
  sign(message: Uint8Array): Buffer {
    return sign(null, message, this.#privateKey);
  }

  /** v1 `Authorization` value for `body` (protocol §2.2). */
  v1Authorization(body: Uint8Array): string {
    return v1Authorization(this.publicKeyHex, this.#privateKey, body);
  }

  /** v2 signature headers (protocol §2.3); `created` is Unix seconds (already minus the SDK's 30 s). */
  v2SignatureHeaders(method: string, target: string, body: Uint8Array, created: number): V2SignatureHeaders {
    return v2SignatureHeaders(method, target, body, this.publicKeyHex, this.#privateKey, created);
  }

  toJSON(): { type: string; publicKeyHex: string; comment: string } {
    return { type: ED25519, publicKeyHex: this.publicKeyHex, comment: this.comment };
  }

  [inspect.custom](): string {
    return `Ed25519Key(${this.publicKeyOpenSsh})`;
  }
}

