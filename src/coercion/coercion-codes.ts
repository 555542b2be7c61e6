/**
 * Error codes of cell coercion: the contract of a failed cell in the failure report (the README lists
 * them). `title` starts every message: `Invalid number: expected a decimal, got "12,5"`.
 */
export const COERCION_ERROR_CODES = {
  INVALID_NUMBER: { title: 'Invalid number', description: 'not a finite decimal number, or one a JSON number (a double) cannot hold exactly (e.g. 9007199254740993, DECIMAL(38,2) 12345678901234567.89, 1e-400): keep such values in a string key' },
  INVALID_STRING: { title: 'Invalid string', description: 'a list where a single text value was expected' },
  INVALID_STRING_TOO_LONG: { title: 'Value too long', description: 'longer than the key’s varchar limit (8192 by default)' },
  INVALID_BOOLEAN: { title: 'Invalid boolean', description: 'not one of the configured true/false words' },
  INVALID_DATETIME: { title: 'Invalid datetime', description: 'not an ISO 8601 date/time, or not a real calendar date' },
  AMBIGUOUS_DATE: { title: 'Ambiguous date', description: 'a dd/mm or mm/dd date while `--date-format` is not set' },
  INVALID_ENUM: { title: 'Invalid enum value', description: 'not one of the enum’s values' },
  INVALID_EMBEDDING: { title: 'Invalid embedding', description: 'not an array of finite numbers of the schema’s size' },
  INVALID_GEOSPATIAL: { title: 'Invalid geospatial point', description: 'not a point, or latitude/longitude out of range' },
  INVALID_UUID: { title: 'Invalid uuid', description: 'not an 8-4-4-4-12 hexadecimal uuid' },
  SCHEMA_KEY_DELETED: { title: 'Deleted key', description: 'the key is a tombstone in the schema and cannot be written' },
} as const;
export type CoercionErrorCode = keyof typeof COERCION_ERROR_CODES;
