/**
 * Every error code of encord-meta, once: the contract with users (the README's "Error codes" tables are
 * tested against this table) and with schedulers (the exit code of a thrown error is looked up here).
 *
 * - `thrown`: how a command ends when an error with this code escapes it: `usage` (exit 2: nothing was
 *   written, the caller must fix the command, the file or the config), `fatal` (exit 1) or `interrupted`
 *   (exit 130). Absent: the code never ends a command; it only marks rows.
 * - `row`: the code can mark a row of a failure report (`_error_code`); the run goes on.
 * - `stopsRun`: after this error no other request of the run can succeed (credentials, the dataset, the
 *   service, the journal): the writer stops instead of failing batch after batch.
 *
 * Layers keep their own tables of what only they know (the Encord client's `retryable`, coercion's message
 * titles, sources' descriptions); their keys are `ErrorCode`s, so a code exists here or does not compile.
 */
type Thrown = 'usage' | 'fatal' | 'interrupted';

interface CodeInfo {
  readonly thrown?: Thrown;
  readonly row?: true;
  readonly stopsRun?: true;
}

const usage = { thrown: 'usage' } as const;
const fatal = { thrown: 'fatal' } as const;
const row = { row: true } as const;
/**
 * Refuses the whole command when thrown (a data-file problem in the header or first MiB; `set` naming no
 * unit), or marks one row (the same problem later in the file; an import row naming no unit).
 */
const usageOrRow = { thrown: 'usage', row: true } as const;
/** An Encord or network failure: a row's write after the retries, or a call outside any row (exit 1). */
const api = { thrown: 'fatal', row: true } as const;
const stops = { thrown: 'fatal', stopsRun: true } as const;

export const ERROR_CODES = {
  // ------------------------------------------------------------ usage and configuration (exit 2)
  USAGE: usage,
  /** A bad option value or name, wherever it is checked (`option-check.ts`): library entry points, the client, the emulator, the sources. */
  USAGE_OPTION: usage,
  USAGE_ENV: usage,
  USAGE_KEY_COLUMN: usage,
  USAGE_CONFIRM: usage,
  USAGE_REMOVALS_NOT_ALLOWED: usage,
  USAGE_UNKNOWN_KEY: usage,
  USAGE_INVALID_VALUE: usage,
  USAGE_RESERVED_KEY: usage,
  /** `--shard I/N`, `--shard-from-env`: an index or count out of range or missing. */
  USAGE_SHARD: usage,
  /** `summary merge`: summaries of different runs, or shards missing or doubled. */
  USAGE_SUMMARY_MERGE: usage,
  INVALID_VALUE: usage,
  SCHEMA_INVALID: usage,
  SCHEMA_FILE_UNREADABLE: usage,
  SCHEMA_NOT_REPRESENTABLE: usage,
  SCHEMA_UNKNOWN_COLUMNS: usage,
  CONFIG_INVALID: usage,
  CONFIG_UNREADABLE: usage,
  CONFIG_UNKNOWN_COLUMN: usage,
  CONFIG_DUPLICATE_KEY: usage,
  CREDENTIALS_MISSING: usage,
  CREDENTIALS_CONFLICT: usage,
  KEY_FILE_NOT_FOUND: usage,
  KEY_FILE_UNREADABLE: usage,
  KEY_FILE_PERMISSIONS: usage,
  KEY_NOT_OPENSSH: usage,
  KEY_NOT_ED25519: usage,
  KEY_PASSPHRASE_REQUIRED: usage,
  KEY_PASSPHRASE_WRONG: usage,
  KEY_NOT_ENCRYPTED: usage,
  KEY_UNSUPPORTED_CIPHER: usage,
  // ------------------------------------------------------------ the data file
  SOURCE_NOT_FOUND: usage,
  SOURCE_UNKNOWN_FORMAT: usage,
  SOURCE_EMPTY: usage,
  SOURCE_BAD_HEADER: usage,
  SOURCE_DUPLICATE_COLUMN: usage,
  SOURCE_EMPTY_COLUMN_NAME: usage,
  SOURCE_UNSUPPORTED_ENCODING: usage,
  SOURCE_CORRUPT: usage,
  SOURCE_UNSUPPORTED_TYPE: usage,
  /** Several files: a part's columns differ from the first part's. */
  SOURCE_COLUMNS_DIFFER: usage,
  /** Several files: CSV and Parquet parts in one input. */
  SOURCE_MIXED_FORMATS: usage,
  /** .xlsx: `--sheet` names no worksheet. */
  SOURCE_SHEET_NOT_FOUND: usage,
  SOURCE_INVALID_UTF8: usageOrRow,
  SOURCE_INVALID_ENCODING: usageOrRow,
  SOURCE_NUL_BYTE: usageOrRow,
  SOURCE_READ_FAILED: fatal,
  SOURCE_RECORD_TOO_LARGE: fatal,
  CSV_QUOTE_NOT_CLOSED: row,
  CSV_INVALID_CLOSING_QUOTE: row,
  CSV_INVALID_OPENING_QUOTE: row,
  CSV_RECORD_INCONSISTENT_COLUMNS: row,
  XLSX_ERROR_CELL: row,
  XLSX_FORMULA_NO_VALUE: row,
  XLSX_BAD_CELL: row,
  XLSX_CELL_WITHOUT_HEADER: row,
  /** Dry-run summary: the records above, counted together. */
  BAD_RECORD: row,
  // ------------------------------------------------------------ cells
  INVALID_NUMBER: row,
  INVALID_STRING: row,
  INVALID_STRING_TOO_LONG: row,
  INVALID_BOOLEAN: row,
  INVALID_DATETIME: row,
  AMBIGUOUS_DATE: row,
  INVALID_ENUM: row,
  INVALID_EMBEDDING: row,
  INVALID_GEOSPATIAL: row,
  INVALID_UUID: row,
  SCHEMA_KEY_DELETED: row,
  UNKNOWN_COLUMN_NOT_TEXT: row,
  UNKNOWN_COLUMN_INVALID_JSON: row,
  /** Dry-run summary: the cell codes above, counted together. */
  INVALID_CELL: row,
  // ------------------------------------------------------------ keys and targets (`set` throws the first two: exit 2)
  KEY_NOT_FOUND: usageOrRow,
  KEY_AMBIGUOUS_TITLE: usageOrRow,
  KEY_INVALID: usageOrRow,
  /** Folder targets: a name several items share (`set --folder --name`: exit 2; an import row: fails). */
  KEY_AMBIGUOUS: usageOrRow,
  KEY_EMPTY: row,
  DUPLICATE_TARGET: row,
  SHARED_ITEM_CONFLICT: row,
  ROLLBACK_CONFLICT: row,
  NOT_ATTEMPTED: row,
  ITEM_NOT_RETURNED: row,
  WRITE_UNCONFIRMED: row,
  METADATA_UNKNOWN: row,
  /** The target holds a number a double cannot hold (a big Python int); writing its metadata back would change it. */
  STORED_NUMBER_INEXACT: row,
  /** A `list` export's row whose unit changed in Encord after the listing (listed-stamp.ts). */
  STALE_LISTING: row,
  WRITE_FAILED: row,
  // ------------------------------------------------------------ Encord and the network
  INVALID_ARGUMENTS: api,
  NOT_FOUND: api,
  AUTHORISATION: api,
  ITEM_FORBIDDEN: api,
  PAYLOAD_TOO_LARGE: api,
  SERVER_ERROR: api,
  RATE_LIMITED: api,
  TRANSPORT: api,
  TIMEOUT: api,
  BAD_RESPONSE: api,
  UNEXPECTED_UPDATE: api,
  API_ERROR: api,
  OPERATION_NOT_ALLOWED: fatal,
  AUTHENTICATION: stops,
  SSH_KEY_NOT_FOUND: stops,
  DATASET_NOT_FOUND: stops,
  FOLDER_NOT_FOUND: stops,
  SERVICE_UNREACHABLE: stops,
  // ------------------------------------------------------------ this machine
  LOCKED: fatal,
  JOURNAL_IO: stops,
  JOURNAL_INVALID: fatal,
  STATE_IO: fatal,
  OUTPUT_IO: fatal,
  /** The emulator's state file is damaged (`emulator --state-dir`). */
  STATE_CORRUPT: fatal,
  /** The emulator's test API was asked for something it does not hold. */
  EMULATOR_NOT_FOUND: fatal,
  // ------------------------------------------------------------ interrupted (exit 130)
  ABORTED: { thrown: 'interrupted', stopsRun: true },
  INTERRUPTED: { thrown: 'interrupted' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** True for a known code (for text that crosses a boundary, e.g. a report re-imported). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** How a command ends when an error with `code` escapes it; unknown codes and row-only codes are fatal. */
export function thrownKind(code: string): Thrown {
  const info: CodeInfo | undefined = isErrorCode(code) ? ERROR_CODES[code] : undefined;
  return info?.thrown ?? 'fatal';
}

/** True when no other request of the run can succeed after this error (see `stopsRun`). */
export function stopsRun(code: string): boolean {
  const info: CodeInfo | undefined = isErrorCode(code) ? ERROR_CODES[code] : undefined;
  return info?.stopsRun === true;
}
