/** Option parsers shared by commands: bad values are usage errors with the shape the style guide asks for. */
import { InvalidArgumentError } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function intOption(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Expected ${name} to be an integer from ${min} to ${max}, got "${value}".`);
    }
    return n;
  };
}

export function positiveNumber(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`Expected ${name} to be a number above 0, got "${value}".`);
    }
    return n;
  };
}

/** `~/.encord-meta`, or `$ENCORD_META_STATE_DIR`. */
export function defaultStateDir(env: Readonly<Record<string, string | undefined>>): string {
  return env['ENCORD_META_STATE_DIR'] ?? join(env['HOME'] ?? homedir(), '.encord-meta');
}
