/** Every command, in the order `--help` lists them. Each module exports one `register` function. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { registerDemo } from './demo.js';
import { registerEmulator } from './emulator.js';
import { registerImport } from './import.js';
import { registerList } from './list.js';
import { registerRollback } from './rollback.js';
import { registerSchema } from './schema.js';
import { registerSet } from './set.js';

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerDemo,
  registerSchema,
  registerImport,
  registerList,
  registerSet,
  registerRollback,
  registerEmulator,
];
