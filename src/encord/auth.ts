/**
 * The two ways to authenticate (protocol §2): an Ed25519 SSH key that signs every request, or a bearer token.
 * Secrets live in private fields and never appear in `JSON.stringify` or `util.inspect` of these objects.
 */
import { inspect } from 'node:util';
import { CREATED_OFFSET_SECONDS } from './protocol/signing.js';
import { EncordConfigError } from './errors.js';
import type { Ed25519Key } from './ed25519-key.js';

/** Authentication for one client. Create with `sshKeyAuth()` or `bearerTokenAuth()`. */
export interface EncordAuth {
  readonly kind: 'ssh' | 'bearer';
  /** Who is calling, safe to print: the OpenSSH public key line, or "a bearer token". */
  readonly identity: string;
  /** `Authorization` header of a v1 request for these exact body bytes. */
  v1Authorization(body: Uint8Array): string;
  /**
   * Auth headers of a v2 request: `Content-Digest`, `Signature-Input`, `Signature` for a key (signed over
   * method, exact request target and body at `nowMs`), or `Authorization: Bearer …`.
   */
  v2Headers(method: string, target: string, body: Uint8Array, nowMs: number): Record<string, string>;
}

/** Signs requests with an Ed25519 key (v1: body digest; v2: RFC 9421 with `created` = now − 30 s). */
export class SshKeyAuth implements EncordAuth {
  readonly kind = 'ssh' as const;
  readonly identity: string;
  readonly #key: Ed25519Key;

  constructor(key: Ed25519Key) {
    this.#key = key;
    this.identity = `public key ${key.publicKeyOpenSsh}`;
  }

  /** The public half, e.g. to tell the user which key to register. */
  get publicKeyHex(): string {
    return this.#key.publicKeyHex;
  }

  get publicKeyOpenSsh(): string {
    return this.#key.publicKeyOpenSsh;
  }

  v1Authorization(body: Uint8Array): string {
    return this.#key.v1Authorization(body);
  }

  v2Headers(method: string, target: string, body: Uint8Array, nowMs: number): Record<string, string> {
    const created = Math.floor(nowMs / 1000) - CREATED_OFFSET_SECONDS;
    return { ...this.#key.v2SignatureHeaders(method, target, body, created) };
  }

  toJSON(): { kind: 'ssh'; publicKeyHex: string } {
    return { kind: 'ssh', publicKeyHex: this.#key.publicKeyHex };
  }

  [inspect.custom](): string {
    return `SshKeyAuth(${this.#key.publicKeyOpenSsh})`;
  }
}

/** Sends `Authorization: Bearer <token>` on v1 and v2 requests. */
export class BearerTokenAuth implements EncordAuth {
  readonly kind = 'bearer' as const;
  readonly identity = 'bearer token';
  readonly #token: string;

  constructor(token: string) {
    const trimmed = token.trim().replace(/^Bearer\s+/i, '');
    if (trimmed === '') throw new EncordConfigError('CREDENTIALS_MISSING', 'The bearer token is empty');
    // Visible ASCII only: anything else would be rejected by the HTTP layer or split the header.
    if (!/^[\x21-\x7e]+$/.test(trimmed)) {
      throw new EncordConfigError(
        'USAGE_OPTION',
        'The bearer token contains spaces, control or non-ASCII characters; pass the token text only',
      );
    }
    this.#token = trimmed;
  }

  v1Authorization(): string {
    return `Bearer ${this.#token}`;
  }

  v2Headers(): Record<string, string> {
    return { authorization: `Bearer ${this.#token}` };
  }

  toJSON(): { kind: 'bearer' } {
    return { kind: 'bearer' };
  }

  [inspect.custom](): string {
    return 'BearerTokenAuth([REDACTED])';
  }
}

export function sshKeyAuth(key: Ed25519Key): SshKeyAuth {
  return new SshKeyAuth(key);
}

export function bearerTokenAuth(token: string): BearerTokenAuth {
  return new BearerTokenAuth(token);
}
