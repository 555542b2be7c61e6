import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test time is spent waiting (the emulator's latency, the limiter's slow start, child processes),
    // not computing: three files at once on 2 cores keeps the suite well inside CI's 10 minutes.
    maxWorkers: 3,
    reporters: ['default'],
  },
});
