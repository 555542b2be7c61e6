import { defineConfig } from 'vitest/config';

/**
 * Three projects (issue 12):
 * - `unit`: no emulator, no HTTP server, no child process — logic, readers of small files, fake clocks;
 * - `integration` (and `integration-isolated`): the pipeline and the client against the emulator, the CLI
 *   in-process and spawned;
 * - `soak`: 20k rows through faults and SIGKILLs (minutes), run by CI beside `npm test`, not inside it.
 * `npm test` runs unit + integration in one pool of workers (vitest.suite.config.ts: faster than the two
 * projects one after the other); `npm run test:unit` / `test:integration` / `test:soak` one project each.
 *
 * Files share their worker's module cache (`isolate: false`): a fresh process per file cost about a second
 * of CPU each, the biggest single cost of the suite on 2 cores. A file that mocks a module (`vi.mock`) or
 * otherwise depends on the whole process being its own goes in `ISOLATED` (unit or not), which
 * keep a fresh process per file.
 * A new file is integration unless it is listed as unit: the safe default.
 */
const UNIT = [
  'test/coercion/**/*.test.ts',
  'test/mapping/**/*.test.ts',
  'test/schema/**/*.test.ts',
  'test/schema-check/**/*.test.ts',
  'test/report/csv-field.test.ts',
  'test/report/failure-report.test.ts',
  'test/report/failure-report-file.test.ts',
  'test/report/formula-cells.test.ts',
  'test/report/unknown-cell.test.ts',
  'test/pipeline/merge.test.ts',
  'test/pipeline/schema-check-advice.test.ts',
  'test/pipeline/shard.test.ts',
  'test/pipeline/writer.test.ts',
  'test/cli/progress.test.ts',
  'test/emulator/auth.test.ts',
  'test/encord/classification.test.ts',
  'test/encord/client-options.test.ts',
  'test/encord/json-array-extractor.test.ts',
  'test/encord/exact-json.test.ts',
  'test/encord/json-codec.test.ts',
  'test/encord/keys.test.ts',
  'test/encord/rate-limiter*.test.ts',
  'test/encord/retry.test.ts',
  'test/encord/vectors.test.ts',
  'test/sources/csv-data-safety.test.ts',
  'test/sources/csv-differential.test.ts',
  'test/sources/csv-records.test.ts',
  'test/sources/csv-source.test.ts',
  'test/sources/csv-vs-parquet.test.ts',
  'test/sources/multi-source.test.ts',
  'test/sources/open-source.test.ts',
  'test/sources/parquet-cells.test.ts',
  'test/sources/parquet-source.test.ts',
  'test/sources/sniff.test.ts',
  'test/sources/xlsx-number-cell.test.ts',
  'test/sources/xlsx-source.test.ts',
];
/**
 * Files that need a process of their own: `vi.mock('node:fs')` must be in place before src/ is imported.
 * (The readers' release checks count only the descriptors on their own file, so they share a worker.)
 */
export const ISOLATED = ['test/pipeline/journal-sync.test.ts'];
export const SOAK = ['test/soak/**/*.test.ts'];
/** Every test file (`npm test` takes them all but the soak: vitest.suite.config.ts). */
export const ALL = ['test/**/*.test.ts'];

/** Shared by both configs. */
export const COMMON = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks',
  globalSetup: ['test/global-setup.ts'],
  // Much of an integration file's time is waiting (the emulator's latency, child processes): three files
  // at once on 2 cores keeps both busy.
  maxWorkers: 3,
  reporters: ['default'],
} as const;

export default defineConfig({
  test: {
    ...COMMON,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, isolate: false } },
      { extends: true, test: { name: 'integration', include: ALL, exclude: [...UNIT, ...ISOLATED, ...SOAK], isolate: false } },
      { extends: true, test: { name: 'integration-isolated', include: ISOLATED } },
      { extends: true, test: { name: 'soak', include: SOAK } },
    ],
  },
});
