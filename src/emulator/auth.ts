/**
 * Request authentication exactly as protocol §2.5: v1 signatures over SHA-256(body), v2 RFC 9421 signatures
 * (content digest recomputed, components checked, base rebuilt from the actual method, the raw request
 * target and the headers as received, `created` within a window), and bearer tokens issued by
 * `user/bearer-token`. The verifier never logs or returns secrets: results carry the public key (not
 * secret) and a reason.
 */
import { randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import {
  COVERED_COMPONENTS,
  SIGNATURE_LABEL,
  contentDigest,
  signatureBase,
  v1Digest,
  verifyEd25519,
} from '../encord/protocol/signing.js';
import { parsePublicKey, publicKeyFromRaw, type ParsedPublicKey } from '../encord/protocol/public-key.js';

/** The protocol §3.1 TEST-ONLY key (public half), registered unless disabled. */
export const SPEC_TEST_PUBLIC_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB6YK7qSbpTk+xQUWDKPayxDK9n/AXl2pCGNT8O5uI0A encord-emulator-test-key';

export const AUTH_FAILURES = [
  'missing',
  'malformed',
  'bad-signature',
  'digest-mismatch',
  'bad-components',
  'bad-algorithm',
  'stale',
  'future',
  'unknown-key',
  'unknown-token',
  'expired-token',
] as const;
export type AuthFailure = (typeof AUTH_FAILURES)[number];

export type AuthScheme = 'v1-signature' | 'v2-signature' | 'bearer';

export type AuthResult =
  | {
      readonly ok: true;
      readonly scheme: AuthScheme;
      /** Public key hex of the caller (for bearer: the key the token was issued to). */
      readonly keyId: string;
      /** What the rate limiter keys on: the key hex, or `token:<first 8 chars>` for bearer. */
      readonly credential: string;
    }
  | {
      readonly ok: false;
      readonly scheme: AuthScheme | 'none';
      readonly reason: AuthFailure;
      /** Safe to show: no secrets. */
      readonly message: string;
      readonly keyId?: string;
    };

interface TokenRecord {
  readonly keyId: string;
  readonly expiresAt: number;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/i;

export interface VerifierOptions {
  readonly clock: () => number;
  readonly maxAgeSeconds: () => number;
  readonly maxFutureSeconds: () => number;
  readonly tokenTtlSeconds: number;
}

function fail(scheme: AuthScheme | 'none', reason: AuthFailure, message: string, keyId?: string): AuthResult {
  return keyId === undefined ? { ok: false, scheme, reason, message } : { ok: false, scheme, reason, message, keyId };
}

export class AuthVerifier {
  readonly #keys = new Map<string, KeyObject>();
  readonly #tokens = new Map<string, TokenRecord>();
  readonly #options: VerifierOptions;

  constructor(options: VerifierOptions) {
    this.#options = options;
  }

  /** Register a public key (OpenSSH line, 64 hex, or a parsed key). Returns its hex. */
  authorize(key: string | ParsedPublicKey): string {
    const parsed = typeof key === 'string' ? parsePublicKey(key) : key;
    this.#keys.set(parsed.publicKeyHex, parsed.keyObject);
    return parsed.publicKeyHex;
  }

  revoke(publicKeyHex: string): void {
    this.#keys.delete(publicKeyHex.toLowerCase());
  }

  keys(): string[] {
    return [...this.#keys.keys()];
  }

  isAuthorized(publicKeyHex: string): boolean {
    return this.#keys.has(publicKeyHex);
  }

  /** Issue a bearer token for a registered key. */
  issueToken(keyId: string): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.#options.clock() + this.#options.tokenTtlSeconds * 1000;
    this.#tokens.set(token, { keyId, expiresAt });
    return { token, expiresAt };
  }

  /** Bearer check shared by v1 and v2. */
  #bearer(authorization: string): AuthResult {
    const token = authorization.replace(/^bearer\s+/i, '').trim();
    const rec = this.#tokens.get(token);
    if (rec === undefined) return fail('bearer', 'unknown-token', 'Unknown bearer token');
    if (this.#options.clock() >= rec.expiresAt) {
      this.#tokens.delete(token);
      return fail('bearer', 'expired-token', 'Bearer token expired');
    }
    if (!this.#keys.has(rec.keyId)) return fail('bearer', 'unknown-key', 'The key behind this token is no longer registered', rec.keyId);
    return { ok: true, scheme: 'bearer', keyId: rec.keyId, credential: `token:${token.slice(0, 8)}` };
  }

  /** protocol §2.5 v1: bearer, or `{pubhex}:{sighex}` verified over SHA-256(raw body), then key lookup. */
  verifyV1(authorization: string | undefined, body: Uint8Array): AuthResult {
    if (authorization === undefined || authorization === '') {
      return fail('none', 'missing', 'Missing Authorization header');
    }
    if (/^bearer\s/i.test(authorization)) return this.#bearer(authorization);
    const parts = authorization.split(':');
    if (parts.length !== 2) return fail('v1-signature', 'malformed', 'Authorization must be <public key hex>:<signature hex>');
    const [pubRaw, sigHex] = parts as [string, string];
    const pub = pubRaw.trim().toLowerCase();
    if (!HEX64.test(pub) || !HEX128.test(sigHex.trim())) {
      return fail('v1-signature', 'malformed', 'Authorization must be 64 hex characters, a colon, and 128 hex characters');
    }
    const keyObject = this.#keys.get(pub) ?? safeKey(pub);
    if (keyObject === undefined) return fail('v1-signature', 'bad-signature', 'Invalid public key', pub);
    if (!verifyEd25519(keyObject, v1Digest(body), Buffer.from(sigHex.trim(), 'hex'))) {
      return fail('v1-signature', 'bad-signature', 'Signature does not match the request body', pub);
    }
    if (!this.#keys.has(pub)) return fail('v1-signature', 'unknown-key', 'Public key is not registered', pub);
    return { ok: true, scheme: 'v1-signature', keyId: pub, credential: pub };
  }

  /**
   * protocol §2.5 v2: digest, Signature-Input (label, exact components, created/keyid/alg), base rebuilt from
   * the actual method + raw target + header value + params as received, signature, window, key.
   */
  verifyV2(
    method: string,
    rawTarget: string,
    headers: { authorization?: string; contentDigest?: string; signatureInput?: string; signature?: string },
    body: Uint8Array,
  ): AuthResult {
    if (headers.authorization !== undefined && /^bearer\s/i.test(headers.authorization)) {
      return this.#bearer(headers.authorization);
    }
    const { contentDigest: digestHeader, signatureInput, signature } = headers;
    if (digestHeader === undefined || signatureInput === undefined || signature === undefined) {
      return fail('none', 'missing', 'Missing Content-Digest, Signature-Input or Signature header (or a bearer token)');
    }
    // 1. Content digest, recomputed from the raw body.
    const sha = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/=]*):/.exec(digestHeader);
    const expected = contentDigest(body).slice('sha-256=:'.length, -1);
    if (sha === null || !sameText(sha[1]!, expected)) {
      return fail('v2-signature', 'digest-mismatch', 'Content-Digest does not match the request body');
    }
    // 2. Signature-Input: `encord-sig=(...);created=…;keyid="…";alg="…"`.
    const prefix = `${SIGNATURE_LABEL}=`;
    if (!signatureInput.startsWith(prefix)) {
      return fail('v2-signature', 'malformed', `Signature-Input must use the label ${SIGNATURE_LABEL}`);
    }
    const params = signatureInput.slice(prefix.length);
    if (!params.startsWith(COVERED_COMPONENTS)) {
      return fail('v2-signature', 'bad-components', `Signature-Input must cover exactly ${COVERED_COMPONENTS}`);
    }
    const parsed = parseParams(params.slice(COVERED_COMPONENTS.length));
    if (parsed === null) return fail('v2-signature', 'malformed', 'Signature-Input parameters are malformed');
    const created = parsed.get('created');
    const keyId = parsed.get('keyid');
    const alg = parsed.get('alg');
    if (typeof created !== 'number' || typeof keyId !== 'string' || typeof alg !== 'string') {
      return fail('v2-signature', 'malformed', 'Signature-Input needs created (integer), keyid and alg (strings)');
    }
    if (alg !== 'ed25519') return fail('v2-signature', 'bad-algorithm', 'alg must be "ed25519"');
    const pub = keyId.toLowerCase();
    if (!HEX64.test(pub)) return fail('v2-signature', 'malformed', 'keyid must be 64 hex characters');
    const sigMatch = new RegExp(`(?:^|,)\\s*${SIGNATURE_LABEL}=:([A-Za-z0-9+/=]+):\\s*(?:,|$)`).exec(signature);
    if (sigMatch === null) return fail('v2-signature', 'malformed', `Signature must be ${SIGNATURE_LABEL}=:<base64>:`, pub);
    // 3-4. Rebuild the base from what was received and verify.
    const base = signatureBase(method, rawTarget, digestHeader, params);
    const keyObject = this.#keys.get(pub) ?? safeKey(pub);
    if (keyObject === undefined || !verifyEd25519(keyObject, Buffer.from(base, 'utf8'), Buffer.from(sigMatch[1]!, 'base64'))) {
      return fail('v2-signature', 'bad-signature', 'Signature does not match the request', pub);
    }
    // 5. The created window.
    const nowS = Math.floor(this.#options.clock() / 1000);
    if (created < nowS - this.#options.maxAgeSeconds()) {
      return fail('v2-signature', 'stale', `Signature created ${nowS - created} s ago, outside the accepted window`, pub);
    }
    if (created > nowS + this.#options.maxFutureSeconds()) {
      return fail('v2-signature', 'future', `Signature created ${created - nowS} s in the future`, pub);
    }
    if (!this.#keys.has(pub)) return fail('v2-signature', 'unknown-key', 'Public key is not registered', pub);
    return { ok: true, scheme: 'v2-signature', keyId: pub, credential: pub };
  }
}

function sameText(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

function safeKey(hex: string): KeyObject | undefined {
  try {
    return publicKeyFromRaw(Buffer.from(hex, 'hex'));
  } catch {
    return undefined;
  }
}

/** Parse `;name=value` parameters (integer or quoted string). Duplicates or junk give null. */
function parseParams(text: string): Map<string, string | number> | null {
  const out = new Map<string, string | number>();
  const re = /;([a-z][a-z0-9_.*-]*)=(?:(-?\d{1,15})|"((?:[^"\\]|\\.)*)")/gy;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) return null;
    const name = m[1]!;
    if (out.has(name)) return null;
    out.set(name, m[2] !== undefined ? Number(m[2]) : m[3]!.replace(/\\(.)/g, '$1'));
    at = re.lastIndex;
  }
  return out;
}
