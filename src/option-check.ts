/**
 * The one option checker. Every `resolve…Options()` (runImport and the other pipeline entry points, the
 * Encord client, the emulator, cell reading, the sources) checks its values with these, so a bad option
 * reads the same wherever it is caught:
 * `` Expected `concurrency` to be an integer from 1 to 256, got `0` (number) ``, and carries one code,
 * `USAGE_OPTION` (exit 2: fix the call or the command, nothing was read or sent).
 *
 * It sits beside `error-codes.ts`, below every layer, so the emulator and the client may use it too.
 */
import { MetaError } from './errors.js';

/** The code of every bad option value or name. */
export const BAD_OPTION = 'USAGE_OPTION';

/** How a layer raises a bad option: the Encord client raises its `EncordConfigError` (same code). */
export type OptionError = (message: string) => MetaError;

const metaError: OptionError = (message) => new MetaError(BAD_OPTION, message);

/** An inclusive range of a numeric option, with its default: written once, read by flags, config and checks. */
export interface OptionRange {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/**
 * A value as a message shows it: `` `0` (number) ``, `` `"8"` (string) `` (quoted, so `"8"` is not taken for
 * `8` and a space is visible), `` `{…}` (object) `` (an object is never dumped: it may hold credentials).
 */
export function shown(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  else if (typeof value === 'function') text = '[function]';
  else if (Array.isArray(value)) text = value.length === 0 ? '[]' : '[…]';
  else if (typeof value === 'object' && value !== null) text = '{…}';
  else text = String(value);
  return `\`${text}\` (${type})`;
}

/** `one of "merge", "replace"`: the allowed values of a closed set, as messages list them. */
export function oneOfText(allowed: readonly (string | number)[]): string {
  return `one of ${allowed.map((a) => (typeof a === 'string' ? JSON.stringify(a) : String(a))).join(', ')}`;
}

/** ``Expected `name` to be EXPECTED, got `value` (type)``. */
export function optionMessage(name: string, expected: string, value: unknown): string {
  return `Expected \`${name}\` to be ${expected}, got ${shown(value)}`;
}

/** Checks that fill in a default when the value is `undefined` and throw a bad-option error otherwise. */
export interface OptionCheck {
  /** Throw the bad-option error for `name`. */
  fail(name: string, expected: string, value: unknown): never;
  /** An integer from `min` to `max`. */
  integer(name: string, value: unknown, min: number, max: number, fallback: number): number;
  /** An integer in `range`, `range.default` when absent. */
  inRange(name: string, value: unknown, range: OptionRange): number;
  /** A finite number from `min` to `max`. */
  number(name: string, value: unknown, min: number, max: number, fallback: number): number;
  /** A member of a closed set (an `as const` table). */
  oneOf<T extends string | number>(name: string, value: unknown, allowed: readonly T[], fallback: T): T;
  boolean(name: string, value: unknown, fallback: boolean): boolean;
  /** A function (a callback or an injected clock). */
  fn<T>(name: string, value: unknown, fallback: T): T;
}

/** The checks, raising `error` (a `MetaError` with `BAD_OPTION` unless the layer has its own class). */
export function optionCheck(error: OptionError = metaError): OptionCheck {
  const fail = (name: string, expected: string, value: unknown): never => {
    throw error(optionMessage(name, expected, value));
  };
  const integer = (name: string, value: unknown, min: number, max: number, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(name, max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`, value);
    }
    return value as number;
  };
  return {
    fail,
    integer,
    inRange: (name, value, range) => integer(name, value, range.min, range.max, range.default),
    number(name, value, min, max, fallback) {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
        fail(name, `a number from ${min} to ${max}`, value);
      }
      return value as number;
    },
    oneOf<T extends string | number>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
      if (value === undefined) return fallback;
      if (!allowed.includes(value as T)) fail(name, oneOfText(allowed), value);
      return value as T;
    },
    boolean(name, value, fallback) {
      if (value === undefined) return fallback;
      if (typeof value !== 'boolean') fail(name, 'a boolean', value);
      return value as boolean;
    },
    fn<T>(name: string, value: unknown, fallback: T): T {
      if (value === undefined) return fallback;
      if (typeof value !== 'function') fail(name, 'a function', value);
      return value as T;
    },
  };
}

/** The checks with the plain `MetaError`. */
export const check: OptionCheck = optionCheck();
