/**
 * Temporary directories for tests, made in the run's own directory (`ENCORD_META_TEST_TMP`, set by
 * test/global-setup.ts and removed when the run ends), or in the system's when a file runs without it
 * (a script, a single file under another config). Tests make hundreds of them per run; removing each where
 * it was made was missed often enough that a run left ~640 in /tmp.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(process.env['ENCORD_META_TEST_TMP'] ?? tmpdir(), prefix));
}
