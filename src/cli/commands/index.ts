/**
 * Every command, in the order `--help` lists them. Each module exports one `register` function and is
 * loaded only when needed: `encord-meta import …` loads the import command alone, `--version` none, so a
 * cron job does not pay for the emulator, the schema tools or DuckDB at start-up.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

const LOADERS = {
  demo: async () => (await import('./demo.js')).registerDemo,
  schema: async () => (await import('./schema.js')).registerSchema,
  import: async () => (await import('./import.js')).registerImport,
  list: async () => (await import('./list.js')).registerList,
  set: async () => (await import('./set.js')).registerSet,
  rollback: async () => (await import('./rollback.js')).registerRollback,
  summary: async () => (await import('./summary.js')).registerSummary,
  datasets: async () => (await import('./datasets.js')).registerDatasets,
  folders: async () => (await import('./folders.js')).registerFolders,
  emulator: async () => (await import('./emulator.js')).registerEmulator,
} as const satisfies Record<string, () => Promise<RegisterCommand>>;

export type CommandName = keyof typeof LOADERS;
export const COMMAND_NAMES = Object.keys(LOADERS) as CommandName[];

/** The register functions of `names` (all commands when omitted), in `--help` order. */
export async function loadCommands(names: readonly CommandName[] = COMMAND_NAMES): Promise<RegisterCommand[]> {
  return Promise.all(COMMAND_NAMES.filter((n) => names.includes(n)).map((n) => LOADERS[n]()));
}

/**
 * Which commands a command line needs: every argument that names a command (an option value that happens
 * to be a command name only costs loading one more module); none for a bare `--version`; all otherwise
 * (top-level `--help`, a mistyped command, no command at all), so every message lists every command.
 */
export function commandsFor(argv: readonly string[]): readonly CommandName[] {
  const named = COMMAND_NAMES.filter((n) => argv.includes(n));
  if (named.length > 0) return named;
  if (argv.length > 0 && argv.every((a) => a === '--version' || a === '-V')) return [];
  return COMMAND_NAMES;
}
