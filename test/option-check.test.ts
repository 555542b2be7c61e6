/**
 * One option checker (src/option-check.ts): every entry point refuses a bad option with the same code,
 * `USAGE_OPTION` (exit 2), and the same message shape, so a caller catches one code and a person reads
 * one kind of sentence, whichever layer caught the mistake.
 */
import { describe, expect, it } from 'vitest';
import { JobConfigSchema } from '../src/cli/job-config.js';
import { resolveCoercionOptions } from '../src/coercion/coercion-options.js';
import { resolveOptions as resolveEmulatorOptions } from '../src/emulator/options.js';
import { BearerTokenAuth } from '../src/encord/auth.js';
import { resolveClientOptions, type EncordClientOptions } from '../src/encord/client-options.js';
import { EncordConfigError } from '../src/encord/errors.js';
import { exitCodeFor } from '../src/cli/context.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { MetaError } from '../src/errors.js';
import { KEY_KINDS, UNKNOWN_COLUMN_POLICIES } from '../src/mapping/mapping-options.js';
import { check, optionCheck, shown } from '../src/option-check.js';
import { resolveImportOptions, type ImportOptions } from '../src/pipeline/import-options.js';
import { BATCH_SIZE, EMPTY_POLICIES, WRITE_MODES } from '../src/pipeline/option-sets.js';
import { resolveCsvOptions } from '../src/sources/csv/csv-source.js';
import { resolveParquetOptions } from '../src/sources/parquet/parquet-source.js';
import type { MetadataStore } from '../src/encord/metadata-store.js';

const DATASET = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const importOptions = (extra: Record<string, unknown>): ImportOptions =>
  ({ file: 'x.csv', datasetHash: DATASET, store: {} as MetadataStore, ...extra }) as ImportOptions;

function thrown(f: () => unknown): MetaError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(MetaError);
    return error as MetaError;
  }
  throw new Error('expected a bad-option error');
}

describe('a bad option, wherever it is caught', () => {
  it.each<[string, () => unknown, string]>([
    ['runImport', () => resolveImportOptions(importOptions({ concurrency: 0 })), 'Expected `concurrency` to be an integer from 1 to 256, got `0` (number)'],
    ['runImport, a closed set', () => resolveImportOptions(importOptions({ mode: 'upsert' })), 'Expected `mode` to be one of "merge", "replace", got `"upsert"` (string)'],
    ['the Encord client', () => resolveClientOptions({ auth: new BearerTokenAuth('t'), concurrency: 0 } as EncordClientOptions), 'Expected `concurrency` to be an integer from 1 to 256, got `0` (number)'],
    ['the emulator', () => resolveEmulatorOptions({ port: -1 }), 'Expected `port` to be an integer from 0 to 65535, got `-1` (number)'],
    ['cell reading', () => resolveCoercionOptions({ dateFormat: 'ymd' as never }), 'Expected `dateFormat` to be one of "iso", "dd/mm/yyyy", "mm/dd/yyyy", got `"ymd"` (string)'],
    ['the CSV reader', () => resolveCsvOptions({ unnamedColumns: 'drop' as never }), 'Expected `unnamedColumns` to be one of "error", "skip", got `"drop"` (string)'],
    ['the Parquet reader', () => resolveParquetOptions({ threads: 0 }), 'Expected `threads` to be an integer from 1 to 64, got `0` (number)'],
  ])('%s: USAGE_OPTION (exit 2), one message shape', (_where, f, message) => {
    const error = thrown(f);
    expect(error.code).toBe('USAGE_OPTION');
    expect(error.message).toBe(message);
    expect(exitCodeFor(error)).toBe(EXIT.USAGE);
  });

  it('the client keeps its own error class, with the same code', () => {
    const error = thrown(() => resolveClientOptions({ auth: new BearerTokenAuth('t'), timeoutMs: 'soon' } as unknown as EncordClientOptions));
    expect(error).toBeInstanceOf(EncordConfigError);
    expect(error.code).toBe('USAGE_OPTION');
  });
});

describe('shown: what a message says it got', () => {
  it.each<[unknown, string]>([
    [0, '`0` (number)'],
    ['8', '`"8"` (string)'], // not to be taken for the number 8
    [' ', '`" "` (string)'], // a space stays visible
    ['x'.repeat(100), `\`"${'x'.repeat(77)}..."\` (string)`],
    [null, '`null` (null)'],
    [undefined, '`undefined` (undefined)'],
    [[], '`[]` (array)'],
    [['secret'], '`[…]` (array)'],
    [{ privateKey: 'secret' }, '`{…}` (object)'], // never dumped: an options object may hold credentials
    [() => 1, '`[function]` (function)'],
  ])('%o → %s', (value, text) => {
    expect(shown(value)).toBe(text);
  });
});

describe('the checks', () => {
  it('fill in the default for undefined, and only for undefined', () => {
    expect(check.integer('n', undefined, 1, 9, 4)).toBe(4);
    expect(check.inRange('batchSize', undefined, BATCH_SIZE)).toBe(1000);
    expect(check.oneOf('mode', undefined, WRITE_MODES, 'merge')).toBe('merge');
    expect(() => check.integer('n', null, 1, 9, 4)).toThrow('Expected `n` to be an integer from 1 to 9, got `null` (null)');
    expect(() => check.boolean('dryRun', 'yes', false)).toThrow('Expected `dryRun` to be a boolean, got `"yes"` (string)');
    expect(() => check.integer('maxErrors', -1, 0, Number.MAX_SAFE_INTEGER, 0)).toThrow('Expected `maxErrors` to be an integer of at least 0, got `-1` (number)');
  });

  it('raise the error the layer asks for', () => {
    class LayerError extends MetaError {}
    expect(() => optionCheck((m) => new LayerError('USAGE_OPTION', m)).fn('now', 5, Date.now)).toThrow(LayerError);
  });
});

describe('a closed set is written once: the job config, runImport and the table agree', () => {
  const sets: [keyof ImportOptions, readonly string[]][] = [
    ['mode', WRITE_MODES],
    ['empty', EMPTY_POLICIES],
    ['unknownColumns', UNKNOWN_COLUMN_POLICIES],
  ];
  it.each(sets)('%s', (name, values) => {
    for (const value of values) {
      expect(JobConfigSchema.safeParse({ [name]: value }).success).toBe(true);
      expect(resolveImportOptions(importOptions({ [name]: value }))[name]).toBe(value);
    }
    expect(JobConfigSchema.safeParse({ [name]: 'other' }).success).toBe(false);
    expect(thrown(() => resolveImportOptions(importOptions({ [name]: 'other' }))).code).toBe('USAGE_OPTION');
  });

  it('key: runImport takes every kind; a job config, which names a dataset, the dataset kinds only', () => {
    for (const key of KEY_KINDS) {
      expect(JobConfigSchema.safeParse({ key }).success).toBe(key !== 'name' && key !== 'path');
    }
    expect(thrown(() => resolveImportOptions(importOptions({ key: 'uuid' }))).message).toBe(
      'Expected `key` to be one of "index", "data_hash", "title", "item_uuid", "name", "path", got `"uuid"` (string)',
    );
  });
});
