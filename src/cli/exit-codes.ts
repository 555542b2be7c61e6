/** Exit codes: the contract with schedulers. Listed in the README. */
export const EXIT = {
  /** Every row applied or already unchanged. */
  OK: 0,
  /** Fatal: authentication, unknown dataset, I/O. Nothing more could be done. */
  FATAL: 1,
  /** Usage or configuration error; nothing was written. */
  USAGE: 2,
  /** Finished, but some rows failed; the failure report lists them. */
  ROWS_FAILED: 3,
  /** Interrupted by SIGINT/SIGTERM; reports were flushed. */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
