/**
 * The CI-sized soak (scripts/soak/soak-core.ts): 20k rows into an emulator with 5 % 5xx, 2 % connection
 * resets, 1 % commit-then-fail and periodic 429 storms with and without Retry-After; the real bin killed
 * with SIGKILL three times at random points and rerun with the same command; then the final state must be
 * exactly the expected one, a rerun must write nothing, and no secret may appear anywhere. The full-size
 * run is `npx tsx scripts/soak/soak.ts` (1M rows; see BENCHMARKS.md).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, findSecrets, runSoak, soakLine } from '../../scripts/soak/soak-core.js';
import { makeTempDir } from '../temp-dirs.js';

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`build first: ${BIN} is missing (npm run build)`);
});

describe('the soak\'s secret scan', () => {
  it('finds planted secrets and passes redacted ones', () => {
    const hex64 = '1e982bba926e94e4fb141458328f6b2c432bd9ff017976a4218d4fc3b9b88d00';
    const planted = [
      `authorization: ${hex64}:${'7a'.repeat(64)}`,
      'signature: encord-sig=:v2OmiXfQLlDh8twSkSNZgV0/zmbHWOC0pZ3ZNFJ8zS7b+tygZBDXFReZPzVIaUPTSritEcWMDyHa9F6akGqmCA==:',
      'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345',
      'the passphrase is correct horse battery staple',
    ];
    for (const text of planted) expect(findSecrets(text, ['correct horse battery staple']), text).not.toEqual([]);
    const redacted = [`authorization: ${hex64}:[REDACTED]`, 'signature: encord-sig=:[REDACTED]:', 'Authorization: Bearer [REDACTED]', `public key ${hex64}`];
    for (const text of redacted) expect(findSecrets(text, ['correct horse battery staple']), text).toEqual([]);
  });
});

describe('soak (CI size)', () => {
  it(
    '20k rows through faults and three SIGKILLs end in exactly the expected state, with no secret anywhere',
    async () => {
      const workDir = makeTempDir('encord-meta-soak-ci-');
      const lines: string[] = [];
      const result = await runSoak({
        rows: 20_000,
        legacyRows: 200,
        batchSize: 20,
        concurrency: 4,
        seed: 7,
        stormPeriodMs: 8_000,
        stormMs: 1_000,
        workDir,
        log: (line) => lines.push(line),
      });
      const summary = soakLine(result);
      // The counts, for whoever reads the CI log.
      process.stdout.write(`${summary}\n`);
      expect(result.problems, `${summary}\n${lines.join('\n')}`).toEqual([]);
      expect(result.kills).toBe(3);
      expect(result.rowsChecked).toBe(20_000);
      expect(result.rowsMissing).toBe(0);
      expect(result.rowsMismatched).toBe(0);
      expect(result.targetedKeysWrong).toBe(0);
      expect(result.preexistingKeysChanged).toBe(0);
      expect(result.unexpectedKeys).toBe(0);
      expect(result.targetedKeysOk).toBeGreaterThan(100_000);
      expect(result.preexistingKeysUntouched).toBeGreaterThan(1_000);
      expect(result.emptyCellsKept).toBeGreaterThan(0);
      expect(result.rerunWrites).toBe(0);
      // The fault mix really happened.
      for (const id of ['storm-retry-after', 'storm-no-retry-after', 'commit-then-fail', 'reset', 'reset-after-commit', '5xx-500', '5xx-502-html', '5xx-503']) {
        expect(result.faultsFired[id], id).toBeGreaterThan(0);
      }
      // Security: the real client never failed authentication; every crafted request was refused.
      expect(result.legitAuthFailures).toBe(0);
      expect(result.craftedRejected).toBe(result.craftedTotal);
      expect(result.craftedTotal).toBe(7);
      expect(result.secretHits).toEqual([]);
      expect(result.scannedFiles).toBeGreaterThan(10);
      expect(result.ok).toBe(true);
      rmSync(workDir, { recursive: true, force: true });
    },
    170_000,
  );
});
