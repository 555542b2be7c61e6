/** Option parsers shared by commands: bad values are usage errors with the shape the style guide asks for. */
import { InvalidArgumentError } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
// The light table module, not key-resolver.js: that one loads the dataset index, the schema tools and zod,
// which `import --help` must not pay for.
import { isEncordHash } from '../mapping/mapping-options.js';

export function intOption(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Expected ${name} to be an integer from ${min} to ${max}, got "${value}".`);
    }
    return n;
  };
}

/** An integer flag over a range written once in its layer (`BATCH_SIZE`, `CONCURRENCY`…). */
export function rangeOption(name: string, range: { readonly min: number; readonly max: number }): (value: string) => number {
  return intOption(name, range.min, range.max);
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

/** A dataset hash is a uuid: anything else (`../../etc/passwd`, `zzz`) is a usage error before any request or path. */
export function datasetHashOption(name = '--dataset'): (value: string) => string {
  return (value) => checkDatasetHash(value, name);
}

/** `value` when it is shaped like a dataset hash (a uuid), else a usage error naming `name`. */
export function checkDatasetHash(value: string, name: string): string {
  const text = value.trim();
  if (!isEncordHash(text)) {
    throw new InvalidArgumentError(`Expected ${name} to be a dataset hash (a uuid such as 3fa85f64-5717-4562-b3fc-2c963f66afa6), got "${value.length > 80 ? `${value.slice(0, 77)}...` : value}".`);
  }
  return text;
}
