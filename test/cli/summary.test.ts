/** `encord-meta summary merge`: N shard summaries become one, with the exit code a scheduler should act on. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SummaryMergeOutput } from '../../src/cli/json-outputs.js';
import { cli, lastJson, tempDir } from './helpers.js';

const DATASET = '11111111-2222-4333-8444-555555555555';

interface Part {
  index: number;
  count: number;
  rowsRead: number;
  written?: number;
  unchanged?: number;
  failed?: number;
  failedByCode?: Record<string, number>;
  startedAt?: string;
  finishedAt?: string;
  interrupted?: boolean;
  unreachable?: string | null;
  notAttempted?: number;
  file?: string;
  fileBytes?: number;
  datasetHash?: string;
  dryRun?: boolean;
}

const TOTAL = 100;

function summary(p: Part): Record<string, unknown> {
  return {
    file: p.file ?? `/data/w${p.index}/metadata.csv`,
    fileBytes: p.fileBytes ?? 4242,
    datasetHash: p.datasetHash ?? DATASET,
    dryRun: p.dryRun ?? false,
    mode: 'merge',
    keyKind: 'data_hash',
    keyColumn: 'data_hash',
    shard: { index: p.index, count: p.count },
    otherShards: TOTAL - p.rowsRead,
    rowsRead: p.rowsRead,
    written: p.written ?? p.rowsRead,
    unchanged: p.unchanged ?? 0,
    failed: p.failed ?? 0,
    failedByCode: p.failedByCode ?? {},
    notAttempted: p.notAttempted ?? 0,
    unreachable: p.unreachable ?? null,
    requests: 10,
    retries: 1,
    rateLimited: 2,
    startedAt: p.startedAt ?? '2026-12-02T06:00:00.000Z',
    finishedAt: p.finishedAt ?? '2026-12-02T06:01:00.000Z',
    durationMs: 60_000,
    rowsPerSecond: 1,
    interrupted: p.interrupted ?? false,
    stoppedEarly: false,
    reportPath: `/state/reports/r.shard-${p.index}-of-${p.count}.csv`,
    journalPath: `/state/journals/j.shard-${p.index}-of-${p.count}.jsonl`,
  };
}

function files(parts: readonly (Record<string, unknown> | string)[]): string[] {
  const dir = tempDir('encord-meta-summary-');
  return parts.map((p, i) => {
    const path = join(dir, `s${i}.json`);
    writeFileSync(path, typeof p === 'string' ? p : JSON.stringify(p));
    return path;
  });
}

const where = { url: 'http://127.0.0.1:1' };

describe('summary merge', () => {
  it('sums the counts and failures per code, spans earliest start to latest finish, and keeps every report', async () => {
    const paths = files([
      summary({ index: 1, count: 3, rowsRead: 30, written: 25, unchanged: 3, failed: 2, failedByCode: { DUPLICATE_TARGET: 2 }, startedAt: '2026-12-02T06:00:05.000Z', finishedAt: '2026-12-02T06:02:00.000Z' }),
      summary({ index: 0, count: 3, rowsRead: 40, written: 35, failed: 5, failedByCode: { KEY_NOT_FOUND: 1, BAD_RECORD: 1, DUPLICATE_TARGET: 3 } }),
      summary({ index: 2, count: 3, rowsRead: 30, startedAt: '2026-12-02T05:59:59.000Z' }),
    ]);
    const r = await cli(['--json', 'summary', 'merge', ...paths], where);
    expect(r.err).toBe('');
    expect(r.code).toBe(3);
    const m = SummaryMergeOutput.parse(lastJson(r.out));
    expect(m).toMatchObject({
      file: 'metadata.csv',
      shardCount: 3,
      rowsRead: 100,
      written: 90,
      unchanged: 3,
      failed: 7,
      failedByCode: { BAD_RECORD: 1, DUPLICATE_TARGET: 5, KEY_NOT_FOUND: 1 },
      requests: 30,
      retries: 3,
      rateLimited: 6,
      startedAt: '2026-12-02T05:59:59.000Z',
      finishedAt: '2026-12-02T06:02:00.000Z',
      durationMs: 121_000,
      exitCode: 3,
    });
    expect(m.parts.map((p) => [p.shard, p.exitCode])).toEqual([[0, 3], [1, 3], [2, 0]]);
    expect(m.reportPaths).toEqual([0, 1, 2].map((i) => `/state/reports/r.shard-${i}-of-3.csv`));
  });

  it('exits with the worst exit code of the workers: 1 over 130 over 3 over 0', async () => {
    const run = async (...parts: Part[]): Promise<number> => (await cli(['--quiet', 'summary', 'merge', ...files(parts.map(summary))], where)).code;
    const ok = (index: number): Part => ({ index, count: 2, rowsRead: 50 });
    expect(await run(ok(0), ok(1))).toBe(0);
    expect(await run(ok(0), { ...ok(1), failed: 1, failedByCode: { INVALID_NUMBER: 1 } })).toBe(3);
    expect(await run({ ...ok(0), interrupted: true }, { ...ok(1), failed: 1 })).toBe(130);
    expect(await run({ ...ok(0), interrupted: true }, { ...ok(1), unreachable: 'no answer for 60 s', notAttempted: 20 })).toBe(1);
  });

  it('merges a worker interrupted while planning (it counted part of the file): exit 130, rerun that shard', async () => {
    const partial = { ...summary({ index: 1, count: 2, rowsRead: 10, interrupted: true }), otherShards: 7 };
    const r = await cli(['--quiet', 'summary', 'merge', ...files([summary({ index: 0, count: 2, rowsRead: 50 }), partial])], where);
    expect(r.err).toBe('');
    expect(r.code).toBe(130);
  });

  it('prints a readable merge with the reason for its exit code', async () => {
    const r = await cli(['summary', 'merge', ...files([summary({ index: 0, count: 2, rowsRead: 50 }), summary({ index: 1, count: 2, rowsRead: 50, interrupted: true })])], where);
    expect(r.code).toBe(130);
    expect(r.out).toContain('Merged 2 shards of metadata.csv');
    expect(r.out).toMatch(/exit code 130: a worker was interrupted: rerun its shard/);
  });

  it('writes the merged summary to --out (private file) as well', async () => {
    const out = join(tempDir('encord-meta-summary-out-'), 'merged.json');
    const r = await cli(['--quiet', 'summary', 'merge', '--out', out, ...files([summary({ index: 0, count: 1, rowsRead: 100 })])], where);
    expect(r.code).toBe(0);
    const { readFileSync, statSync } = await import('node:fs');
    expect(SummaryMergeOutput.parse(JSON.parse(readFileSync(out, 'utf8'))).rowsRead).toBe(100);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('takes the output of import --json as well as a --summary file', async () => {
    const r = await cli(['--quiet', 'summary', 'merge', ...files([{ summary: summary({ index: 0, count: 2, rowsRead: 50 }), plan: {} }, summary({ index: 1, count: 2, rowsRead: 50 })])], where);
    expect(r.code).toBe(0);
  });

  it.each([
    ['a shard missing', [summary({ index: 0, count: 3, rowsRead: 50 }), summary({ index: 2, count: 3, rowsRead: 50 })], /shard 1 of 3 is missing/],
    ['a shard given twice', [summary({ index: 0, count: 2, rowsRead: 50 }), summary({ index: 0, count: 2, rowsRead: 50 }), summary({ index: 1, count: 2, rowsRead: 50 })], /shard 0 of 2 is given twice/],
    ['different shard counts', [summary({ index: 0, count: 2, rowsRead: 50 }), summary({ index: 1, count: 3, rowsRead: 50 })], /shard counts 3 and 2/],
    ['different files', [summary({ index: 0, count: 2, rowsRead: 50 }), summary({ index: 1, count: 2, rowsRead: 50, file: '/data/other.csv' })], /files "other.csv" and "metadata.csv"/],
    ['a different file of the same name', [summary({ index: 0, count: 2, rowsRead: 50 }), summary({ index: 1, count: 2, rowsRead: 50, fileBytes: 99 })], /files of 99 bytes and 4242 bytes/],
    ['different datasets', [summary({ index: 0, count: 2, rowsRead: 50 }), summary({ index: 1, count: 2, rowsRead: 50, datasetHash: '99999999-2222-4333-8444-555555555555' })], /datasets/],
    ['a dry run with a real run', [summary({ index: 0, count: 2, rowsRead: 50 }), summary({ index: 1, count: 2, rowsRead: 50, dryRun: true })], /a dry run and a real run/],
    ['a sharded with an unsharded summary', [summary({ index: 0, count: 2, rowsRead: 50 }), { ...summary({ index: 0, count: 1, rowsRead: 100 }), shard: null }], /shard counts 1 \(not sharded\) and 2/],
    ['something that is not a summary', [summary({ index: 0, count: 1, rowsRead: 100 }), '{"rows": 3}'], /is not an import run summary/],
    ['a file that is not JSON', ['not json'], /is not JSON/],
  ])('refuses %s (exit 2, a clear message)', async (_what, parts, message) => {
    const r = await cli(['summary', 'merge', ...files(parts)], where);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\[USAGE_SUMMARY_MERGE\]/);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('refuses a summary file that does not exist (exit 2)', async () => {
    const r = await cli(['summary', 'merge', join(tempDir(), 'nope.json')], where);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot read the summary .*nope\.json: ENOENT/);
  });
});
