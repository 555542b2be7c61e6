/**
 * Shared plumbing for commands: global options, output helpers and the conversion of errors to exit
 * codes. Commands stay thin: parse, call the library, print, return an exit code.
 */
import type { Command } from 'commander';
import { thrownKind } from '../error-codes.js';
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

/** The exit code of an error that ends a command: looked up in the one code registry. */
export function exitCodeFor(error: unknown): ExitCode {
  if (!(error instanceof MetaError)) return EXIT.FATAL;
  const kind = thrownKind(error.code);
  return kind === 'usage' ? EXIT.USAGE : kind === 'interrupted' ? EXIT.INTERRUPTED : EXIT.FATAL;
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
