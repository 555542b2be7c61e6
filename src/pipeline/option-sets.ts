/**
 * The closed sets and numeric ranges of the pipeline's options, written once: `resolveImportOptions`,
 * `runSet`, the CLI's flags (`.choices()`, integer parsers) and the job config's zod schema all read these.
 * Kept free of heavy imports so `import --help` can build its flags from them at start-up.
 */
import { MAX_BULK_CHUNK } from '../encord/protocol/limits.js';
import type { OptionRange } from '../option-check.js';

/** How an update combines with the metadata a unit has: keep the keys it does not mention, or drop them (`keyframes` kept). */
export const WRITE_MODES = ['merge', 'replace'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

/** What an empty cell does: leave the key (`keep`), remove it (`delete`) or set it to null. */
export const EMPTY_POLICIES = ['keep', 'delete', 'null'] as const;
export type EmptyPolicy = (typeof EMPTY_POLICIES)[number];

/** Writes in flight at once. */
export const CONCURRENCY: OptionRange = { min: 1, max: 256, default: 4 };

/** Items per patch-bulk batch: Encord's own bundle size at most. */
export const BATCH_SIZE: OptionRange = { min: 1, max: MAX_BULK_CHUNK, default: MAX_BULK_CHUNK };

/** How many diffs a dry run keeps. */
export const DIFF_LIMIT: OptionRange = { min: 0, max: 100_000, default: 20 };
