/**
 * The cell-reading options `schema check`, `schema infer` and `set` share with `import` (same names, same
 * meaning), and small helpers those commands share: shell quoting for suggested commands, the dataset
 * option with its job-config fallback.
 */
import { Option, type Command } from 'commander';
import { DATE_FORMATS, DEFAULT_FALSE_VALUES, DEFAULT_TRUE_VALUES, GEO_ORDERS, THOUSANDS_SEPARATORS, type CoercionOptions } from '../coercion/coercion-options.js';
import type { JobConfig } from './job-config.js';

/** The flags as commander gives them: the coercion options' own types, `--thousands` for `thousandsSeparator`, word lists added to. */
export interface CoercionFlags extends Pick<CoercionOptions, 'decimalComma' | 'timezone' | 'dateFormat' | 'geoOrder'> {
  thousands?: CoercionOptions['thousandsSeparator'];
  nullValues?: string[];
  trueValues?: string[];
  falseValues?: string[];
}

/** `NaN,NA,N/A` → its words (a comma list, like pandas' `na_values` or Snowflake's `NULL_IF`). */
function wordList(text: string, previous: string[] | undefined): string[] {
  const words = text.split(',').map((w) => w.trim()).filter((w) => w !== '');
  return [...(previous ?? []), ...words];
}

/** Add the cell-reading flags (--decimal-comma, --thousands, --timezone, --date-format, word lists) to a command. */
export function addCoercionOptions(command: Command): Command {
  return command
    .option('--decimal-comma', 'numbers use a decimal comma (12,5)')
    .addOption(new Option('--thousands <sep>', 'accept this thousands separator in numbers').choices(THOUSANDS_SEPARATORS))
    .option('--timezone <zone>', 'IANA zone for dates without an offset (default UTC)')
    .addOption(new Option('--date-format <format>', 'how to read slash dates').choices(DATE_FORMATS))
    .addOption(new Option('--geo-order <order>', 'order of a bare pair "a,b" or a two-number list (GeoJSON and WKT are always lon,lat)').choices(GEO_ORDERS))
    .option('--null-values <words>', 'cells holding one of these words are empty cells, e.g. NaN,NA,N/A (exact, case matters)', wordList)
    .option('--true-values <words>', 'more words read as true, e.g. WAHR,VRAI,ja (added to true/yes/y/1/on/t)', wordList)
    .option('--false-values <words>', 'more words read as false, e.g. FALSCH,FAUX,nein (added to false/no/n/0/off/f)', wordList);
}

/** The coercion options of the job config, overridden by the flags given. */
export function coercionFrom(flags: CoercionFlags, config: JobConfig): CoercionOptions {
  return {
    ...config.coercion,
    ...(flags.decimalComma !== undefined && { decimalComma: flags.decimalComma }),
    ...(flags.thousands !== undefined && { thousandsSeparator: flags.thousands }),
    ...(flags.timezone !== undefined && { timezone: flags.timezone }),
    ...(flags.dateFormat !== undefined && { dateFormat: flags.dateFormat }),
    ...(flags.geoOrder !== undefined && { geoOrder: flags.geoOrder }),
    ...(flags.nullValues !== undefined && { nullValues: [...(config.coercion?.nullValues ?? []), ...flags.nullValues] }),
    ...(flags.trueValues !== undefined && { trueValues: [...(config.coercion?.trueValues ?? DEFAULT_TRUE_VALUES), ...flags.trueValues] }),
    ...(flags.falseValues !== undefined && { falseValues: [...(config.coercion?.falseValues ?? DEFAULT_FALSE_VALUES), ...flags.falseValues] }),
  };
}

/** Quote a word for a POSIX shell when it needs it (`weather=enum(a,b)` → `'weather=enum(a,b)'`). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
