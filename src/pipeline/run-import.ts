/** `runImport` lives in `./import/` (run.ts, plan-pass.ts, write-pass.ts, summary.ts); this path stays for importers. */
export { runImport } from './import/run.js';
