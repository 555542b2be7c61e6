/**
 * The cell-reading options `schema check`, `schema infer` and `set` share with `import` (same names, same
 * meaning), and small helpers those commands share: shell quoting for suggested commands, the dataset
 * option with its job-config fallback.
 */
import { Option, type Command } from 'commander';
import type { CoercionOptions } from '../coercion/index.js';
import type { JobConfig } from './job-config.js';

export interface CoercionFlags {
  decimalComma?: boolean;
  thousands?: 'none' | ',' | '.' | ' ';
  timezone?: string;
  dateFormat?: 'iso' | 'dd/mm/yyyy' | 'mm/dd/yyyy';
}

/** Add --decimal-comma, --thousands, --timezone and --date-format to a command. */
export function addCoercionOptions(command: Command): Command {
  return command
    .option('--decimal-comma', 'numbers use a decimal comma (12,5)')
    .addOption(new Option('--thousands <sep>', 'accept this thousands separator in numbers').choices(['none', ',', '.', ' ']))
    .option('--timezone <zone>', 'IANA zone for dates without an offset (default UTC)')
    .addOption(new Option('--date-format <format>', 'how to read slash dates').choices(['iso', 'dd/mm/yyyy', 'mm/dd/yyyy']));
}

/** The coercion options of the job config, overridden by the flags given. */
export function coercionFrom(flags: CoercionFlags, config: JobConfig): CoercionOptions {
  return {
    ...config.coercion,
    ...(flags.decimalComma !== undefined && { decimalComma: flags.decimalComma }),
    ...(flags.thousands !== undefined && { thousandsSeparator: flags.thousands }),
    ...(flags.timezone !== undefined && { timezone: flags.timezone }),
    ...(flags.dateFormat !== undefined && { dateFormat: flags.dateFormat }),
  };
}

/** Quote a word for a POSIX shell when it needs it (`weather=enum(a,b)` → `'weather=enum(a,b)'`). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
