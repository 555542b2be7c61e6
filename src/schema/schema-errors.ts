/**
 * Error codes of the schema layer. They are the contract (the README lists them); messages are for people
 * and always name the file and the key path when there is one.
 */
import { MetaError } from '../errors.js';

export const SCHEMA_ERROR_CODES = {
  /** A schema document or option is malformed: bad JSON/YAML, unknown type, bad key name, bad limits. */
  SCHEMA_INVALID: 'SCHEMA_INVALID',
  /** A schema file could not be read. */
  SCHEMA_FILE_UNREADABLE: 'SCHEMA_FILE_UNREADABLE',
  /** A schema cannot be sent in the requested wire form (enum without values, embedding without size, …). */
  SCHEMA_NOT_REPRESENTABLE: 'SCHEMA_NOT_REPRESENTABLE',
} as const;
export type SchemaErrorCode = keyof typeof SCHEMA_ERROR_CODES;

/** A schema error; `details.key` names the key when there is one. */
export function schemaError(
  code: SchemaErrorCode,
  message: string,
  options?: { cause?: unknown; key?: string; file?: string },
): MetaError {
  const details: Record<string, unknown> = {};
  if (options?.key !== undefined) details['key'] = options.key;
  if (options?.file !== undefined) details['file'] = options.file;
  return new MetaError(code, message, { cause: options?.cause, details });
}
