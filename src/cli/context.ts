/**
 * Shared plumbing for commands: global options, output helpers and the conversion of errors to exit
 * codes. Commands stay thin: parse, call the library, print, return an exit code.
 */
import type { Command } from 'commander';
import { MetaError, redact } from '../errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  readonly domain?: string;
  readonly proxy?: string;
  readonly unreachableAfter?: number;
  readonly maxRetryWait?: number;
  readonly sshKey?: string;
  readonly sshKeyPassphraseEnv?: string;
  readonly bearerTokenEnv?: string;
  readonly config?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

export interface CommandContext {
  readonly io: CliIo;
  /** Global options merged from the root program. */
  globals(command: Command): GlobalOptions;
  /** Run an action; its returned exit code (or the code of the error it throws) becomes the process's. */
  run(action: () => Promise<ExitCode | number>): Promise<void>;
  /** A line for people on stderr (suppressed by --quiet). */
  info(command: Command, line: string): void;
  /** A machine-readable result on stdout. */
  printJson(value: unknown): void;
}

/** Error codes that mean "the user asked for something wrong": exit 2, nothing written. */
const USAGE_CODES = new Set([
  'USAGE',
  'SCHEMA_UNKNOWN_COLUMNS',
  'SCHEMA_INVALID',
  'SCHEMA_FILE_UNREADABLE',
  'SCHEMA_NOT_REPRESENTABLE',
  'OPTIONS_INVALID',
  'INVALID_OPTIONS',
  'CREDENTIALS_MISSING',
  'CREDENTIALS_CONFLICT',
]);

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof MetaError) {
    if (error.code === 'ABORTED' || error.code === 'INTERRUPTED') return EXIT.INTERRUPTED;
    // A data file that cannot be read at all is the caller's to fix (nothing was written); one that
    // breaks part-way (SOURCE_READ_FAILED, SOURCE_RECORD_TOO_LARGE) is fatal.
    const badSource = error.code.startsWith('SOURCE_') && error.code !== 'SOURCE_READ_FAILED' && error.code !== 'SOURCE_RECORD_TOO_LARGE';
    if (USAGE_CODES.has(error.code) || badSource || /^(USAGE|CONFIG|KEY)_/.test(error.code)) {
      return EXIT.USAGE;
    }
  }
  return EXIT.FATAL;
}

export function createContext(io: CliIo, setExit: (code: number) => void): CommandContext {
  const globals = (command: Command): GlobalOptions => command.optsWithGlobals() as GlobalOptions;
  return {
    io,
    globals,
    info(command, line) {
      if (!globals(command).quiet) io.stderr.write(`${redact(line)}\n`);
    },
    printJson(value) {
      io.stdout.write(`${JSON.stringify(value)}\n`);
    },
    async run(action) {
      try {
        setExit(await action());
      } catch (error) {
        const code = exitCodeFor(error);
        const message = error instanceof Error ? error.message : String(error);
        const tag = error instanceof MetaError ? ` [${error.code}]` : '';
        io.stderr.write(`encord-meta: error${tag}: ${redact(message)}\n`);
        setExit(code);
      }
    },
  };
}
