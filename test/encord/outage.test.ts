/**
 * Issue 11 point 3: an outage is not bad data. With no answer from Encord for longer than
 * `unreachableAfterMs`, calls stop with the fatal SERVICE_UNREACHABLE; an import then exits 1 and lists the
 * rows it did not attempt (NOT_ATTEMPTED) apart from failed rows. A mistyped domain fails at once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEncordClient, type EncordClient } from '../../src/encord/client.js';
import { resolveClientOptions, type EncordClientOptions } from '../../src/encord/client-options.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { runImport } from '../../src/pipeline/run-import.js';
import { cli, envFor } from '../cli/helpers.js';
import { fakeTime, KEY_PATH } from './helpers.js';
import { makeTempDir } from '../temp-dirs.js';

const DS = '22222222-3333-4444-8555-666666666666';
const ITEM = (n: number): string => `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ROW = (n: number): string => `cccccccc-0000-4000-8000-${String(n).padStart(12, '0')}`;

let emulator: Emulator | undefined;
let client: EncordClient | undefined;
afterEach(async () => {
  await client?.close();
  await emulator?.close();
  client = undefined;
  emulator = undefined;
});

async function makeClient(domain: string, options: Partial<EncordClientOptions> = {}): Promise<EncordClient> {
  const { auth } = await loadCredentials({ sshKeyPath: KEY_PATH, env: {} });
  client = createEncordClient({ auth, domain, maxRequestsPerSecond: 10_000, startRequestsPerSecond: 10_000, env: {}, ...options });
  return client;
}

async function rowsEmulator(n: number, clock?: () => number): Promise<Emulator> {
  emulator = await startEmulator({
    ...(clock !== undefined && { clock }),
    datasets: [{ hash: DS, rows: Array.from({ length: n }, (_, i) => ({ dataHash: ROW(i + 1), backingItemUuid: ITEM(i + 1), title: `f${i + 1}.jpg` })) }],
  });
  return emulator;
}

describe('outage ≠ bad data (issue 11 point 3)', () => {
  it('a server gone for good: retried past maxRetries for unreachableAfterMs, then SERVICE_UNREACHABLE (fatal)', async () => {
    const e = await startEmulator();
    const url = e.url;
    await e.close();
    const time = fakeTime();
    const c = await makeClient(url, { now: time.now, sleep: time.sleep, maxRetries: 2 });
    const error = await c.getDataset(DS).then(() => ({ code: "", attempts: 0, message: "" }), (x: unknown) => x as { code: string; attempts: number; message: string });
    expect(error).toMatchObject({ code: 'SERVICE_UNREACHABLE' });
    expect(error.attempts).toBeGreaterThan(3);
    expect(error.message).toMatch(/unreachable/);
    expect(time.now() - 1_700_000_030_000).toBeGreaterThanOrEqual(60_000);
  });

  it('a mistyped domain (DNS failure) fails at once with SERVICE_UNREACHABLE', async () => {
    const c = await makeClient('https://api.encord-typo.invalid');
    const error = await c.getDataset(DS).then(() => ({ code: "", attempts: 0, message: "" }), (x: unknown) => x as { code: string; attempts: number; message: string });
    expect(error).toMatchObject({ code: 'SERVICE_UNREACHABLE', attempts: 1 });
    expect(error.message).toMatch(/does not resolve/);
  });

  it('--domain eu is refused as not a URL; only us is a shorthand', async () => {
    const { auth } = await loadCredentials({ sshKeyPath: KEY_PATH, env: {} });
    expect(() => resolveClientOptions({ auth, domain: 'eu' })).toThrow(/only "us" is a shorthand/);
    expect(resolveClientOptions({ auth, domain: 'us' }).domain).toBe('https://api.us.encord.com');
    expect(resolveClientOptions({ auth, domain: 'api.encord.com' }).domain).toBe('https://api.encord.com');
    expect(resolveClientOptions({ auth, domain: 'localhost:8080' }).domain).toBe('https://localhost:8080');
  });

  it('import during an outage: stops, rows are NOT_ATTEMPTED (not failed), the summary says unreachable', async () => {
    const e = await rowsEmulator(40);
    const time = fakeTime(Date.now());
    const c = await makeClient(e.url, { now: time.now, sleep: time.sleep });
    // The listing works, then every storage call dies without an answer.
    e.faults.set([{ route: 'v2:get-bulk', action: { type: 'reset' } }]);
    const dir = makeTempDir('outage-');
    const file = join(dir, 'in.csv');
    writeFileSync(file, `data_hash,label\n${Array.from({ length: 40 }, (_, i) => `${ROW(i + 1)},x${i + 1}`).join('\n')}\n`);
    const reportPath = join(dir, 'report.csv');
    const r = await runImport({ file, datasetHash: DS, store: c, unknownColumns: 'string', batchSize: 10, concurrency: 2, reportPath });
    expect(r.summary.unreachable).toMatch(/unreachable/);
    expect(r.summary).toMatchObject({ written: 0, failed: 0, notAttempted: 40 });
    const report = readFileSync(reportPath, 'utf8');
    expect(report.match(/NOT_ATTEMPTED/g)).toHaveLength(40);
    expect(report).not.toMatch(/TRANSPORT/);
  });

  it('CLI: an import against a dead service exits 1, says unreachable, and does not blame the cells', async () => {
    const e = await rowsEmulator(5);
    e.faults.set([{ route: 'v2:get-bulk', action: { type: 'reset' } }]);
    const dir = makeTempDir('outage-cli-');
    const file = join(dir, 'in.csv');
    writeFileSync(file, `data_hash,label\n${Array.from({ length: 5 }, (_, i) => `${ROW(i + 1)},x${i + 1}`).join('\n')}\n`);
    const run = await cli(['--unreachable-after', '1', 'import', file, '--dataset', DS, '--unknown-columns', 'string', '--state-dir', join(dir, 'state')], {
      url: e.url,
      env: envFor(e.url, { ENCORD_SSH_KEY: readFileSync(KEY_PATH, 'utf8') }),
    });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/SERVICE_UNREACHABLE/);
    expect(run.out).toMatch(/not attempted 5/);
    expect(run.out + run.err).not.toMatch(/fix the cells/);
  });
});

describe('429s: a time budget, not a count (issue 11 point 4)', () => {
  it('a 429 storm without Retry-After longer than maxRetries: no item fails, the write lands', async () => {
    const time = fakeTime(Date.now());
    const e = await rowsEmulator(3, time.now);
    // 12 answers of 429 in a row without Retry-After: more than maxRetries (5) + 1 attempts.
    e.faults.set([{ route: 'v2:patch-bulk', times: 12, action: { type: 'rateLimit', retryAfter: null } }]);
    const c = await makeClient(e.url, { now: time.now, sleep: time.sleep });
    const out = await c.patchItems(new Map([[ITEM(1), { a: 1 }], [ITEM(2), { a: 2 }]]));
    expect(out.every((o) => o.ok)).toBe(true);
    expect(e.state.itemMetadata(ITEM(2))).toEqual({ a: 2 });
    expect(c.stats.rateLimited).toBe(12);
  });

  it('Retry-After beyond 60 s is honoured up to --max-retry-wait, in seconds and HTTP-date form', async () => {
    const time = fakeTime(Date.now());
    const e = await rowsEmulator(1, time.now);
    e.faults.set([
      { route: 'v2:get-bulk', nth: 1, action: { type: 'rateLimit', retryAfter: 300 } },
      { route: 'v2:get-bulk', nth: 2, action: { type: 'rateLimit', retryAfter: 240, retryAfterForm: 'http-date' } },
      { route: 'v2:get-bulk', nth: 3, action: { type: 'rateLimit', retryAfter: 5000 } },
    ]);
    const c = await makeClient(e.url, { now: time.now, sleep: time.sleep });
    expect(await c.getItems([ITEM(1)])).toHaveLength(1);
    const long = time.sleeps.filter((ms) => ms >= 60_000);
    expect(long[0]).toBe(300_000);
    // The HTTP date has a one-second resolution.
    expect(long[1]).toBeGreaterThan(239_000);
    expect(long[1]).toBeLessThanOrEqual(240_000);
    expect(long[2]).toBe(600_000); // capped at the default --max-retry-wait (10 min)
  });

  it('CLI: --max-retry-wait N, and maxRetryWaitSeconds in the job config, cap a longer Retry-After at N s (-v says the wait)', async () => {
    const e = await rowsEmulator(3);
    const dir = makeTempDir('retry-wait-cli-');
    const config = join(dir, 'job.json');
    writeFileSync(config, JSON.stringify({ maxRetryWaitSeconds: 1 }));
    const where = { url: e.url, env: envFor(e.url, { ENCORD_SSH_KEY: readFileSync(KEY_PATH, 'utf8') }) };
    for (const [i, how] of [['--max-retry-wait', '1'], ['--config', config]].entries()) {
      const file = join(dir, `in-${i}.csv`);
      writeFileSync(file, `data_hash,label\n${Array.from({ length: 3 }, (_, r) => `${ROW(r + 1)},run${i}`).join('\n')}\n`);
      // The server asks for 30 s; the user allows at most 1 s.
      e.faults.set([{ route: 'v2:get-bulk', nth: 1, action: { type: 'rateLimit', retryAfter: 30 } }]);
      const run = await cli(['-v', ...how, 'import', file, '--dataset', DS, '--unknown-columns', 'string', '--state-dir', join(dir, `state-${i}`)], where);
      expect(run.code, run.err).toBe(0);
      expect(run.out + run.err).toMatch(/retry 1 of storage\/items\/get-bulk after RATE_LIMITED \(HTTP 429\) in 1000 ms/);
    }
    expect(e.state.itemMetadata(ITEM(3))).toMatchObject({ label: 'run1' });
  });
});
