/**
 * `runCli(argv, io)`: the whole command line, in-process. Returns the exit code instead of exiting, so
 * tests and embedders call it directly; `main.ts` is the only place that touches `process`.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { createContext, type CommandContext } from './context.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { VERSION } from '../version.js';
import { commandsFor, loadCommands, type RegisterCommand } from './commands/index.js';

export { loadCommands } from './commands/index.js';

/** The program with the given commands (`loadCommands()` gives them all). */
export function buildProgram(ctx: CommandContext, commands: readonly RegisterCommand[]): Command {
  const program = new Command('encord-meta')
    .description(
      'Bulk-import custom metadata (client_metadata) into Encord datasets from CSV, Parquet and Excel (.xlsx), ' +
        'safely (read, merge, write only what changes) and resumably. Ships an Encord emulator.',
    )
    .version(VERSION, '-V, --version')
    .option('--domain <url>', 'Encord API domain: a URL, or "us" for api.us.encord.com (else ENCORD_DOMAIN)')
    .option('--proxy <url>', 'forward proxy for Encord, e.g. http://proxy:3128, or "none" (else HTTPS_PROXY/HTTP_PROXY, minus NO_PROXY)')
    .option('--unreachable-after <seconds>', 'stop with exit 1 after this long without any answer from Encord (default 60)', seconds('--unreachable-after'))
    .option('--max-retry-wait <seconds>', 'longest Retry-After wait honoured (default 600)', seconds('--max-retry-wait'))
    .option('--ssh-key <path>', 'OpenSSH ed25519 private key file (else ENCORD_SSH_KEY_FILE, then ENCORD_SSH_KEY)')
    .option('--ssh-key-passphrase-env <name>', 'name of the environment variable holding the key passphrase')
    .option('--bearer-token-env <name>', 'name of the environment variable holding a bearer token (instead of a key)')
    .option('--config <file>', 'job config file (JSON) with defaults for these options')
    .option('--json', 'machine-readable output on stdout (one JSON document)')
    .option('-q, --quiet', 'only errors on stderr')
    .option('-v, --verbose', 'more detail on stderr (every retry, every rate change)')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: (s, write) => write(usageLine(s)),
    });
  for (const register of commands) register(program, ctx);
  return program;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.OK;
  const ctx = createContext(io, (code) => {
    exitCode = code;
  });
  const program = buildProgram(ctx, await loadCommands(commandsFor(argv)));
  // Sub-commands inherit exit override and output routing.
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(usageLine(s)),
    });
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return EXIT.OK;
      }
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    throw error;
  }
  return exitCode;
}

/** Commander's option and argument errors in the tool's own one-line form (exit 2). */
function usageLine(text: string): string {
  return `encord-meta: error [USAGE]: ${text.replace(/^error: /, '')}`;
}

/** A number of seconds (0 to 7 days) for the outage and retry-wait flags. */
function seconds(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 604_800) {
      throw new InvalidArgumentError(`Expected ${flag} to be a number of seconds from 0 to 604800, got "${value}".`);
    }
    return n;
  };
}
