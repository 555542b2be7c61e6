/**
 * The byte-level pieces of Encord's two request-signing schemes (protocol §2.2, §2.3), shared by the client
 * (which signs) and the emulator (which verifies). Pure functions over bytes and strings: no keys are
 * loaded here and nothing is logged.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/** Label Encord uses in `Signature-Input` / `Signature`. */
export const SIGNATURE_LABEL = 'encord-sig';
/** Covered components, in the only order the server accepts. */
export const COVERED_COMPONENTS = '("@method" "@request-target" "content-digest")';
/** The SDK subtracts this from the clock to work around server-side skew (protocol §2.3 step 2). */
export const CREATED_OFFSET_SECONDS = 30;

/** SHA-256 of the raw body: the 32 bytes that v1 signs as its message. */
export function v1Digest(body: Uint8Array): Buffer {
  return createHash('sha256').update(body).digest();
}

/** `Authorization` value for v1: `{pubhex}:{sighex}`. */
export function v1Authorization(publicKeyHex: string, privateKey: KeyObject, body: Uint8Array): string {
  const sig = sign(null, v1Digest(body), privateKey);
  return `${publicKeyHex}:${sig.toString('hex')}`;
}

/** RFC 9530 `Content-Digest` header value for a body (empty body allowed). */
export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/** Serialized signature parameters, exactly as the SDK writes them. */
export function signatureParams(created: number, keyId: string): string {
  return `${COVERED_COMPONENTS};created=${created};keyid="${keyId}";alg="ed25519"`;
}

/** The RFC 9421 signature base: four LF-joined lines, no trailing LF. */
export function signatureBase(method: string, target: string, digest: string, params: string): string {
  return [
    `"@method": ${method.toUpperCase()}`,
    `"@request-target": ${target}`,
    `"content-digest": ${digest}`,
    `"@signature-params": ${params}`,
  ].join('\n');
}

/** Headers added to a v2 request signed with an ssh key. */
export interface V2SignatureHeaders {
  readonly 'content-digest': string;
  readonly 'signature-input': string;
  readonly signature: string;
}

/**
 * Sign a v2 request. `target` is path plus query exactly as sent on the wire; `created` defaults to
 * now − 30 s like the SDK.
 */
export function v2SignatureHeaders(
  method: string,
  target: string,
  body: Uint8Array,
  publicKeyHex: string,
  privateKey: KeyObject,
  created: number = Math.floor(Date.now() / 1000) - CREATED_OFFSET_SECONDS,
): V2SignatureHeaders {
  const digest = contentDigest(body);
  const params = signatureParams(created, publicKeyHex);
  const base = signatureBase(method, target, digest, params);
  const sig = sign(null, Buffer.from(base, 'utf8'), privateKey);
  return {
    'content-digest': digest,
    'signature-input': `${SIGNATURE_LABEL}=${params}`,
    signature: `${SIGNATURE_LABEL}=:${sig.toString('base64')}:`,
  };
}

/** Ed25519 verification of a raw message with a public key object. Never throws. */
export function verifyEd25519(publicKey: KeyObject, message: Uint8Array, sig: Uint8Array): boolean {
  try {
    return verify(null, message, publicKey, sig);
  } catch {
    return false;
  }
}

/** DER prefix of a PKCS#8 Ed25519 private key; followed by the 32-byte seed. */
export const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
