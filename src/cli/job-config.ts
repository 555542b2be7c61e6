/**
 * The job config file (`--config job.json`): everything a nightly job repeats, so the crontab line stays
 * short. Validated with zod at the boundary; every error names the file and the key path. Command-line
 * options override the file.
 */
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { z } from 'zod';
import { inexactHint, inexactJsonNumber } from '../exact-number.js';
import { MetaError } from '../errors.js';
import { DATE_FORMATS, GEO_ORDERS, THOUSANDS_SEPARATORS } from '../coercion/coercion-options.js';
import { DATASET_KEY_KINDS, UNKNOWN_COLUMN_POLICIES, isEncordHash } from '../mapping/mapping-options.js';
import { BATCH_SIZE, CONCURRENCY, EMPTY_POLICIES, WRITE_MODES } from '../pipeline/option-sets.js';
import { CSV_ENCODING_NAMES } from '../sources/csv/decode.js';
import { SOURCE_FORMATS } from '../sources/sniff.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const JobConfigSchema = z
  .object({
    domain: z.string().min(1).optional(),
    proxy: z.string().min(1).optional(),
    unreachableAfterSeconds: z.number().min(0).max(604_800).optional(),
    maxRetryWaitSeconds: z.number().min(0).max(604_800).optional(),
    sshKey: z.string().min(1).optional(),
    sshKeyPassphraseEnv: z.string().min(1).optional(),
    bearerTokenEnv: z.string().min(1).optional(),
    dataset: z.string().min(1).refine(isEncordHash, 'expected a dataset hash (a uuid such as 3fa85f64-5717-4562-b3fc-2c963f66afa6)').optional(),
    file: z.string().min(1).optional(),
    format: z.enum(SOURCE_FORMATS).optional(),
    sheet: z.string().min(1).optional(),
    delimiter: z.string().min(1).max(1).optional(),
    encoding: z.enum(CSV_ENCODING_NAMES as [string, ...string[]]).optional(),
    key: z.enum(DATASET_KEY_KINDS).optional(),
    keyColumn: z.string().min(1).optional(),
    schema: z.string().min(1).optional(),
    mode: z.enum(WRITE_MODES).optional(),
    empty: z.enum(EMPTY_POLICIES).optional(),
    unknownColumns: z.enum(UNKNOWN_COLUMN_POLICIES).optional(),
    report: z.string().min(1).optional(),
    summary: z.string().min(1).optional(),
    journal: z.string().min(1).optional(),
    stateDir: z.string().min(1).optional(),
    concurrency: z.number().int().min(CONCURRENCY.min).max(CONCURRENCY.max).optional(),
    batchSize: z.number().int().min(BATCH_SIZE.min).max(BATCH_SIZE.max).optional(),
    rateLimit: z.number().positive().max(10_000).optional(),
    maxErrors: z.number().int().min(0).optional(),
    timeoutMs: z.number().int().min(100).optional(),
    coercion: z
      .object({
        decimalComma: z.boolean().optional(),
        thousandsSeparator: z.enum(THOUSANDS_SEPARATORS).optional(),
        timezone: z.string().min(1).optional(),
        dateFormat: z.enum(DATE_FORMATS).optional(),
        trueValues: z.array(z.string()).optional(),
        falseValues: z.array(z.string()).optional(),
        nullValues: z.array(z.string()).optional(),
        geoOrder: z.enum(GEO_ORDERS).optional(),
      })
      .strict()
      .optional(),
    columns: z
      .object({
        rename: z.record(z.string(), z.string().min(1).nullable()).optional(),
        ignore: z.array(z.string()).optional(),
        constants: z.record(z.string(), scalar).optional(),
        geo: z.array(z.object({ key: z.string().min(1), latitude: z.string().min(1), longitude: z.string().min(1) }).strict()).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type JobConfig = z.infer<typeof JobConfigSchema>;

/** Read and validate a job config; relative paths inside it are relative to the file. */
export function loadJobConfig(path: string, cwd: string): JobConfig {
  const full = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (cause) {
    throw new MetaError('CONFIG_UNREADABLE', `cannot read config ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new MetaError('CONFIG_INVALID', `${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  // JSON.parse rounds a number a double cannot hold: a constant 9007199254740993 would be written …992.
  const inexact = inexactJsonNumber(text);
  if (inexact !== undefined) {
    throw new MetaError('CONFIG_INVALID', `${path}: the number ${inexact.literal} cannot be kept: ${inexactHint(inexact.result)} (write it as a JSON string)`);
  }
  const parsed = JobConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      return `  ${where}: ${issue.message}`;
    });
    throw new MetaError('CONFIG_INVALID', `${path} has ${lines.length === 1 ? 'an error' : `${lines.length} errors`}:\n${lines.join('\n')}`);
  }
  const base = dirname(full);
  const rel = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(base, p));
  const c = parsed.data;
  return {
    ...c,
    ...(c.sshKey !== undefined && { sshKey: rel(c.sshKey)! }),
    ...(c.file !== undefined && { file: rel(c.file)! }),
    ...(c.schema !== undefined && { schema: rel(c.schema)! }),
    ...(c.report !== undefined && { report: rel(c.report)! }),
    ...(c.summary !== undefined && { summary: rel(c.summary)! }),
    ...(c.journal !== undefined && { journal: rel(c.journal)! }),
    ...(c.stateDir !== undefined && { stateDir: rel(c.stateDir)! }),
  };
}
