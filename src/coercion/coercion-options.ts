/**
 * How cells are read: decimal and thousands separators, the zone of naive datetimes, day/month order,
 * boolean words, the order of `a,b` points. One user type, one resolved type, one `resolveCoercionOptions()`
 * that fails fast before any row is read.
 */
import { MetaError } from '../errors.js';
import { BAD_OPTION, check, shown } from '../option-check.js';
import { timeZoneFor } from './time-zone.js';

export const THOUSANDS_SEPARATORS = ['none', ',', '.', ' '] as const;
export type ThousandsSeparator = (typeof THOUSANDS_SEPARATORS)[number];

export const DATE_FORMATS = ['iso', 'dd/mm/yyyy', 'mm/dd/yyyy'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export const GEO_ORDERS = ['lat,lon', 'lon,lat'] as const;
export type GeoOrder = (typeof GEO_ORDERS)[number];

/** Words read as `true` unless configured; compared trimmed and case-insensitively. */
export const DEFAULT_TRUE_VALUES = ['true', 'yes', 'y', '1', 'on', 't'] as const;
/** Words read as `false` unless configured; compared trimmed and case-insensitively. */
export const DEFAULT_FALSE_VALUES = ['false', 'no', 'n', '0', 'off', 'f'] as const;

export interface CoercionOptions {
  /**
   * Numbers use a decimal comma (`12,5` = 12.5). Then `.` can only be a thousands separator.
   * @default false
   */
  readonly decimalComma?: boolean | undefined;
  /**
   * Thousands separator accepted in numbers, in groups of three (`1,234,567`). A space also matches the
   * no-break spaces spreadsheets write. Must differ from the decimal separator.
   * @default 'none'
   */
  readonly thousandsSeparator?: ThousandsSeparator | undefined;
  /**
   * IANA zone of datetimes written without `Z` or an offset (`2026-11-28 10:00`). Values with a zone keep it.
   * @default 'UTC'
   */
  readonly timezone?: string | undefined;
  /**
   * How to read slash dates: `28/11/2026` needs `dd/mm/yyyy`, `11/28/2026` needs `mm/dd/yyyy`. With `iso`,
   * slash dates are rejected as ambiguous.
   * @default 'iso'
   */
  readonly dateFormat?: DateFormat | undefined;
  /** Words read as `true`. @default ['true', 'yes', 'y', '1', 'on', 't'] */
  readonly trueValues?: readonly string[] | undefined;
  /** Words read as `false`. @default ['false', 'no', 'n', '0', 'off', 'f'] */
  readonly falseValues?: readonly string[] | undefined;
  /**
   * Cell texts that mean "no value" and read as an empty cell (pandas' `na_values`, Snowflake's
   * `NULL_IF`): `['NaN', 'NA', 'N/A']`. Compared trimmed and exactly (case matters: `NA` is not `na`).
   * @default none
   */
  readonly nullValues?: readonly string[] | undefined;
  /**
   * Order of the two numbers of a bare pair `a,b` / `a b` / `a;b` (and of a two-element list). GeoJSON and
   * WKT are always longitude first, as their standards say.
   * @default 'lat,lon'
   */
  readonly geoOrder?: GeoOrder | undefined;
}

export interface ResolvedCoercionOptions {
  readonly decimalComma: boolean;
  readonly thousandsSeparator: ThousandsSeparator;
  /** Canonical IANA name (`Intl`'s spelling). */
  readonly timezone: string;
  readonly dateFormat: DateFormat;
  /** Lower-cased, trimmed. */
  readonly trueValues: ReadonlySet<string>;
  /** Lower-cased, trimmed. */
  readonly falseValues: ReadonlySet<string>;
  readonly geoOrder: GeoOrder;
  /** Trimmed, exact. Empty: no null words. */
  readonly nullValues: ReadonlySet<string>;
}

/**
 * Validate and fill in defaults. Throws a `MetaError` (`USAGE_OPTION`) shaped like
 * ``Expected `timezone` to be an IANA zone such as Europe/Paris, got `"Mars/Base"` (string)``.
 */
export function resolveCoercionOptions(options: CoercionOptions = {}): ResolvedCoercionOptions {
  const decimalComma = check.boolean('decimalComma', options.decimalComma, false);
  const thousandsSeparator = check.oneOf('thousandsSeparator', options.thousandsSeparator, THOUSANDS_SEPARATORS, 'none');
  const decimalSeparator = decimalComma ? ',' : '.';
  if (thousandsSeparator === decimalSeparator) {
    throw new MetaError(
      BAD_OPTION,
      `Expected \`thousandsSeparator\` to differ from the decimal separator ("${decimalSeparator}"${decimalComma ? ' with `decimalComma`' : ''}), got ${shown(thousandsSeparator)}`,
    );
  }

  const requested = options.timezone ?? 'UTC';
  const zone = typeof requested === 'string' ? timeZoneFor(requested) : null;
  if (zone === null) check.fail('timezone', 'an IANA zone such as Europe/Paris', requested);

  const dateFormat = check.oneOf('dateFormat', options.dateFormat, DATE_FORMATS, 'iso');
  const geoOrder = check.oneOf('geoOrder', options.geoOrder, GEO_ORDERS, 'lat,lon');

  const trueValues = wordSet('trueValues', options.trueValues ?? DEFAULT_TRUE_VALUES);
  const falseValues = wordSet('falseValues', options.falseValues ?? DEFAULT_FALSE_VALUES);
  for (const word of trueValues) {
    if (falseValues.has(word)) {
      throw new MetaError(
        BAD_OPTION,
        `Expected \`trueValues\` and \`falseValues\` to have no word in common, got \`${word}\` in both`,
      );
    }
  }

  const nullValues = new Set<string>();
  if (options.nullValues !== undefined) {
    if (!Array.isArray(options.nullValues)) check.fail('nullValues', 'a list of words', options.nullValues);
    for (const word of options.nullValues as unknown[]) {
      if (typeof word !== 'string' || word.trim() === '') check.fail('nullValues', 'a list of non-empty words', word);
      nullValues.add((word as string).trim());
    }
  }

  return Object.freeze({
    decimalComma,
    thousandsSeparator,
    timezone: zone!.name,
    dateFormat,
    trueValues,
    falseValues,
    geoOrder,
    nullValues,
  });
}

function wordSet(name: string, words: unknown): ReadonlySet<string> {
  if (!Array.isArray(words) || words.length === 0) check.fail(name, 'a non-empty list of words', words);
  const set = new Set<string>();
  for (const word of words as unknown[]) {
    if (typeof word !== 'string' || word.trim() === '') check.fail(name, 'a list of non-empty words', word);
    set.add((word as string).trim().toLowerCase());
  }
  return set;
}

/**
 * The options for machine-written decimal text (Parquet DECIMAL cells): `.` point, no grouping, whatever
 * `--decimal-comma` and `--thousands` say for text people typed (with them, `1.234` would read as 1234).
 */
export function canonicalDecimalOptions(options: ResolvedCoercionOptions): ResolvedCoercionOptions {
  if (!options.decimalComma && options.thousandsSeparator === 'none') return options;
  return { ...options, decimalComma: false, thousandsSeparator: 'none' };
}
