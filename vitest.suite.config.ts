import { defineConfig } from 'vitest/config';
import { ALL, COMMON, ISOLATED, SOAK } from './vitest.config.ts';

/**
 * `npm test`: the unit and integration files of vitest.config.ts in one pool of workers. As two projects
 * they ran one after the other, each in workers of its own: three more worker start-ups (each loads src/
 * afresh), and none of the unit files' CPU work filled the moments when every integration worker waited on
 * an emulator or a child process. One pool: ~8 s less CPU and ~3 s less wall time on 2 cores (interleaved
 * runs). `npm run test:unit` / `test:integration` still run one side, with vitest.config.ts.
 */
export default defineConfig({
  test: {
    ...COMMON,
    projects: [
      { extends: true, test: { name: 'unit+integration', include: ALL, exclude: [...ISOLATED, ...SOAK], isolate: false } },
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
    ],
  },
});
