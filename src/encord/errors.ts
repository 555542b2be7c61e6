/**
 * Errors of the Encord client. Every failure that leaves `src/encord` is an `EncordApiError` (something the
 * API or the network did) or an `EncordConfigError` (keys, credentials, options: found before any I/O).
 * Codes are the contract; messages are for people and never contain keys, tokens or signatures.
 */
import { stopsRun, type ErrorCode } from '../error-codes.js';
import { MetaError, redact } from '../errors.js';

/**
 * Every code this layer can raise. `retryable`: the retry policy may try again. Whether a code stops a
 * bulk operation (no other request with the same credentials can succeed) is `stopsRun` in the one code
 * registry, `src/error-codes.ts`.
 */
export const ENCORD_ERROR_CODES = {
  // ------------------------------------------------------------ API and network
  AUTHENTICATION: { retryable: false, summary: 'Encord rejected the credentials (signature, token or clock)' },
  SSH_KEY_NOT_FOUND: { retryable: false, summary: 'the public key is not registered with any Encord user' },
  AUTHORISATION: { retryable: false, summary: 'the credentials have no access to this resource' },
  NOT_FOUND: { retryable: false, summary: 'the resource does not exist' },
  ITEM_FORBIDDEN: {
    retryable: false,
    summary: 'the key has dataset access but no access to this storage item (its folder, or the item was deleted)',
  },
  DATASET_NOT_FOUND: { retryable: false, summary: 'the dataset does not exist or the key has no access to it' },
  FOLDER_NOT_FOUND: { retryable: false, summary: 'the storage folder does not exist or the key has no access to it' },
  INVALID_ARGUMENTS: { retryable: false, summary: 'Encord rejected the request as invalid (HTTP 400/422)' },
  OPERATION_NOT_ALLOWED: { retryable: false, summary: 'method or operation not allowed for these credentials' },
  RATE_LIMITED: { retryable: true, summary: 'rate limit exceeded (HTTP 429)' },
  PAYLOAD_TOO_LARGE: { retryable: false, summary: 'request body too large (HTTP 413)' },
  SERVER_ERROR: { retryable: true, summary: 'Encord failed (HTTP 5xx)' },
  API_ERROR: { retryable: false, summary: 'any other error reported by Encord' },
  TRANSPORT: { retryable: true, summary: 'network failure or a non-JSON answer (e.g. a proxy page)' },
  TIMEOUT: { retryable: true, summary: 'no answer within `timeoutMs`' },
  BAD_RESPONSE: { retryable: false, summary: 'the answer does not have the documented shape' },
  UNEXPECTED_UPDATE: { retryable: false, summary: 'the server did not store exactly what was sent' },
  ABORTED: { retryable: false, summary: 'the operation was aborted by the caller' },
  SERVICE_UNREACHABLE: {
    retryable: false,
    summary: 'Encord could not be reached (no answer for longer than the outage limit, or the host name does not resolve)',
  },
  // ------------------------------------------------------------ credentials and options (before any I/O)
  KEY_FILE_NOT_FOUND: { retryable: false, summary: 'the SSH key file does not exist' },
  KEY_FILE_UNREADABLE: { retryable: false, summary: 'the SSH key file cannot be read' },
  KEY_FILE_PERMISSIONS: { retryable: false, summary: 'the SSH key file is readable by group or others (chmod 600 it)' },
  KEY_NOT_OPENSSH: { retryable: false, summary: 'not an OpenSSH private key (openssh-key-v1)' },
  KEY_NOT_ED25519: { retryable: false, summary: 'the key is not an Ed25519 key' },
  KEY_PASSPHRASE_REQUIRED: { retryable: false, summary: 'the key is encrypted and no passphrase was given' },
  KEY_PASSPHRASE_WRONG: { retryable: false, summary: 'the passphrase does not decrypt the key' },
  KEY_NOT_ENCRYPTED: { retryable: false, summary: 'a passphrase was given but the key is not encrypted' },
  KEY_UNSUPPORTED_CIPHER: { retryable: false, summary: 'the key is encrypted with an unsupported cipher or KDF' },
  CREDENTIALS_MISSING: { retryable: false, summary: 'no SSH key or bearer token was configured' },
  CREDENTIALS_CONFLICT: { retryable: false, summary: 'both an SSH key and a bearer token were given' },
  USAGE_OPTION: { retryable: false, summary: 'an option of the client is invalid' },
} as const satisfies Partial<Record<ErrorCode, { retryable: boolean; summary: string }>>;

export type EncordErrorCode = keyof typeof ENCORD_ERROR_CODES;

/** Codes that `EncordApiError` carries (API and network). */
export const API_ERROR_CODES = [
  'AUTHENTICATION',
  'SSH_KEY_NOT_FOUND',
  'AUTHORISATION',
  'NOT_FOUND',
  'ITEM_FORBIDDEN',
  'DATASET_NOT_FOUND',
  'FOLDER_NOT_FOUND',
  'INVALID_ARGUMENTS',
  'OPERATION_NOT_ALLOWED',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'SERVER_ERROR',
  'API_ERROR',
  'TRANSPORT',
  'TIMEOUT',
  'BAD_RESPONSE',
  'UNEXPECTED_UPDATE',
  'ABORTED',
  'SERVICE_UNREACHABLE',
] as const satisfies readonly EncordErrorCode[];
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Codes that `EncordConfigError` carries (keys, credentials, options). */
export type ConfigErrorCode = Exclude<EncordErrorCode, ApiErrorCode>;

/** Where a request failed: everything a support ticket needs, nothing secret. */
export interface RequestContext {
  /** HTTP method on the wire (`POST` for every v1 call). */
  readonly method: string;
  /** URL path without query string, e.g. `/public` or `/v2/public/storage/items/patch-bulk`. */
  readonly path: string;
  /** What the call was, e.g. `datarow POST` for v1 or `patch-bulk` for v2. */
  readonly operation: string;
  /** Trace id sent in `X-Cloud-Trace-Context`; the same on every retry. */
  readonly traceId: string;
}

export interface EncordApiErrorInit {
  readonly status?: number | undefined;
  /** Code string from the server, e.g. `RESOURCE_NOT_FOUND_ERROR` (v1) . */
  readonly encordCode?: string | undefined;
  /** Server-requested wait in ms (from `Retry-After`), already parsed. */
  readonly retryAfterMs?: number | undefined;
  /** Overrides the default retryability of the code (e.g. a v1 `UNKNOWN_ERROR` under HTTP 503). */
  readonly retryable?: boolean | undefined;
  readonly attempts?: number | undefined;
  readonly cause?: unknown;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** A failed Encord request. `retryable` drives the retry policy; `traceId` is what Encord support asks for. */
export class EncordApiError extends MetaError {
  override readonly name: string = 'EncordApiError';
  declare readonly code: ApiErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly traceId: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly encordCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** How many HTTP attempts were made before giving up (1 when not retried). */
  readonly attempts: number;
  /** The text without the request context, for re-wrapping. */
  readonly reason: string;

  constructor(code: ApiErrorCode, reason: string, context: RequestContext | undefined, init: EncordApiErrorInit = {}) {
    const attempts = init.attempts ?? 1;
    const where: string[] = [];
    if (context !== undefined) where.push(`${context.method} ${context.path} ${context.operation}`.trim());
    if (init.status !== undefined) where.push(`HTTP ${init.status}`);
    if (init.encordCode !== undefined) where.push(init.encordCode);
    if (context !== undefined && context.traceId !== '') where.push(`trace ${context.traceId}`);
    if (attempts > 1) where.push(`after ${attempts} attempts`);
    const message = where.length === 0 ? reason : `${reason} (${where.join(', ')})`;
    super(code, message, {
      cause: init.cause,
      details: {
        ...init.details,
        method: context?.method,
        path: context?.path,
        operation: context?.operation,
        status: init.status,
        encordCode: init.encordCode,
        traceId: context?.traceId,
        attempts,
        retryAfterMs: init.retryAfterMs,
      },
    });
    this.code = code;
    this.reason = redact(reason);
    this.retryable = init.retryable ?? ENCORD_ERROR_CODES[code].retryable;
    this.status = init.status;
    this.traceId = context?.traceId;
    this.method = context?.method;
    this.path = context?.path;
    this.encordCode = init.encordCode;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = attempts;
    this.context = context;
  }

  /** The request context this error was raised in. */
  readonly context: RequestContext | undefined;

  /** The same error, reporting how many attempts were made. */
  withAttempts(attempts: number): EncordApiError {
    if (attempts === this.attempts) return this;
    return new EncordApiError(this.code, this.reason, this.context, {
      status: this.status,
      encordCode: this.encordCode,
      retryAfterMs: this.retryAfterMs,
      retryable: this.retryable,
      attempts,
      cause: this.cause,
      details: this.details,
    });
  }
}

/** A problem with keys, credentials or options, found before any request is sent. */
export class EncordConfigError extends MetaError {
  override readonly name: string = 'EncordConfigError';
  declare readonly code: ConfigErrorCode;

  constructor(
    code: ConfigErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Readonly<Record<string, unknown>> },
  ) {
    super(code, message, options);
    this.code = code;
  }
}

/** True for errors after which no further request with the same client can succeed (stop the run). */
export function isFatalError(error: unknown): boolean {
  return (error instanceof EncordApiError || error instanceof EncordConfigError) && stopsRun(error.code);
}

/** True if the retry policy may repeat the request that raised `error`. */
export function isRetryableError(error: unknown): boolean {
  return error instanceof EncordApiError && error.retryable;
}
