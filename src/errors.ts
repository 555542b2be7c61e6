/**
 * The one base error of encord-meta. Every error that leaves a layer is a `MetaError` (or a subclass)
 * carrying a stable `code`: codes are the contract, listed in the README; messages are for people.
 * Messages never contain keys, tokens or signatures: callers pass already-safe text, and `redact()`
 * is the last line of defence before anything reaches a log, report or error.
 */
import type { ErrorCode } from './error-codes.js';

export class MetaError extends Error {
  override readonly name: string = 'MetaError';
  /** One of `ERROR_CODES` (src/error-codes.ts), which also says what exit code it means. */
  readonly code: ErrorCode;
  /** Extra, secret-free facts for logs and `--json` output. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Readonly<Record<string, unknown>> },
  ) {
    super(redact(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

const SECRET_PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // v1 Authorization: 64 hex public key, colon, 128 hex signature. Keep the public key (it is not secret
  // and users need it to register), drop the signature.
  /\b([0-9a-f]{64}):[0-9a-f]{128}\b/gi,
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g,
  /\b(encord-sig)=:[A-Za-z0-9+/=]+:/g,
  /\b[0-9a-f]{128}\b/gi,
];

/** Remove private keys, bearer tokens and signatures from free text. */
export function redact(text: string): string {
  let out = text;
  out = out.replace(SECRET_PATTERNS[0]!, '[REDACTED PRIVATE KEY]');
  out = out.replace(SECRET_PATTERNS[1]!, '$1:[REDACTED SIGNATURE]');
  out = out.replace(SECRET_PATTERNS[2]!, '$1 [REDACTED]');
  out = out.replace(SECRET_PATTERNS[3]!, '$1=:[REDACTED]:');
  out = out.replace(SECRET_PATTERNS[4]!, '[REDACTED SIGNATURE]');
  return out;
}
