/**
 * One directory per test run for the tests' temporary directories (test/temp-dirs.ts), removed when the
 * run ends. `TMPDIR` is left alone: pointing all of `os.tmpdir()` here made runs slower, for a reason not found.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'encord-meta-suite-'));
  process.env['ENCORD_META_TEST_TMP'] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
