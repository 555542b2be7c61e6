/** Every command, in the order `--help` lists them. Each module exports one `register` function. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

export const COMMANDS: readonly RegisterCommand[] = [];
