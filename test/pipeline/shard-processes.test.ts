/**
 * The shard contract of `import --shard I/N`, with N real processes (the built bin) against one emulator:
 * every row is written exactly once, the reports of the N workers together are the single run's report,
 * and their summaries merge to the single run's totals. The file has a bad record, keys that resolve to
 * nothing, a duplicate pair, a shared item named twice with one value (one write) and one named twice with
 * two values (a conflict), a legacy unit without a storage item, and an invalid cell.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { shardOfTarget } from '../../src/pipeline/shard.js';
import { cli } from '../cli/helpers.js';
import { DATASET, KEY_PATH, startHarness, type Harness, type HarnessRow } from './harness.js';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const N = 3;

const hash = (i: number): string => `e1000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const item = (i: number): string => `a1000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const LEGACY = 'e1000000-0000-4000-8000-00000000ffff';
const SHARED_SAME = 'a1000000-0000-4000-8000-0000000055aa';
const SHARED_CONFLICT = 'a1000000-0000-4000-8000-0000000055bb';
const UNITS = 30;

function rows(): HarnessRow[] {
  const out: HarnessRow[] = [];
  for (let i = 0; i < UNITS; i += 1) out.push({ dataHash: hash(i), title: `f_${i}.jpg`, metadata: i % 4 === 0 ? { city: `City ${i}` } : {}, backingItemUuid: item(i) });
  out.push({ dataHash: LEGACY, title: 'legacy.jpg', metadata: {}, backingItemUuid: null });
  out.push({ dataHash: hash(100), title: 'same-a.jpg', metadata: {}, backingItemUuid: SHARED_SAME });
  out.push({ dataHash: hash(101), title: 'same-b.jpg', metadata: {}, backingItemUuid: SHARED_SAME });
  out.push({ dataHash: hash(200), title: 'conflict-a.jpg', metadata: {}, backingItemUuid: SHARED_CONFLICT });
  out.push({ dataHash: hash(201), title: 'conflict-b.jpg', metadata: {}, backingItemUuid: SHARED_CONFLICT });
  return out;
}

/** The file: one row per unit (every 4th already up to date), then every kind of trouble. */
function csv(): string {
  const lines = ['data_hash,city,speed'];
  for (let i = 0; i < UNITS; i += 1) lines.push(`${hash(i)},City ${i},${i % 4 === 0 ? '' : String(i / 2)}`);
  lines.push(`${LEGACY},Legacy,1`);
  lines.push(`${hash(100)},Same,2`, `${hash(101)},Same,2`); // one item, one value: one write serves both rows
  lines.push(`${hash(200)},Left,3`, `${hash(201)},Right,3`); // one item, two values: SHARED_ITEM_CONFLICT
  lines.push(`${hash(5)},Again,4`); // with the row for unit 5 above: DUPLICATE_TARGET
  lines.push(`${hash(7)},City 7,fast`); // INVALID_NUMBER, after its key resolved: the target's shard reports it
  lines.push(`${hash(999)},Nowhere,1`); // KEY_NOT_FOUND
  lines.push('not-a-uuid,Bad key,1'); // KEY_INVALID
  lines.push(`${hash(9)},Too,many,fields`); // CSV_RECORD_INCONSISTENT_COLUMNS (a bad record)
  return `${lines.join('\n')}\n`;
}
const FILE_ROWS = csv().trim().split('\n').length - 1;

interface Outcome {
  readonly code: number;
  readonly stderr: string;
}

function runBin(args: string[], env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** Report rows as `line code` strings. */
/** `<_line> <_error_code>` of every report row, read as plain CSV (an unreadable record's row too). */
async function reportRows(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Array<Record<string, string>>;
  return rows.map((r) => `${r['_line']} ${r['_error_code']}`);
}

/** Targets a journal says were written (one `before` entry per write). */
function journalTargets(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; id?: string })
    .filter((e) => e.type === 'before')
    .map((e) => e.id!);
}

/** Targets the emulator was asked to write (patch-bulk items, v1 saves), with repeats. */
function wireWrites(h: Harness): string[] {
  const out: string[] = [];
  for (const e of h.emulator.requestLog.find({ route: ['v2:patch-bulk'], status: 200 })) {
    out.push(...Object.keys((JSON.parse(e.body) as { itemPatches: Record<string, unknown> }).itemPatches));
  }
  for (const e of h.emulator.requestLog.find({ route: ['v1:datarow:POST'], status: 200 })) out.push(`v1 ${e.body}`);
  return out;
}

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`build first: ${BIN} is missing (npm run build)`);
});

function importArgs(h: Harness, file: string, dir: string, extra: string[] = []): string[] {
  return [
    '--domain', h.emulator.url, '--ssh-key', KEY_PATH, '--quiet', 'import', file, '--dataset', DATASET,
    '--state-dir', join(dir, 'state'), '--report', join(dir, 'report.csv'), '--summary', join(dir, 'summary.json'),
    '--journal', join(dir, 'journal.jsonl'), '--rate-limit', '1000', ...extra,
  ];
}

describe('import --shard I/N with N processes', () => {
  it(`${N} workers on one dataset: every row written exactly once, reports and summaries add up to the single run`, async () => {
    // The single run, on its own emulator.
    const single = await startHarness({}, rows());
    harnesses.push(single);
    const singleFile = single.write('metadata.csv', csv());
    // In-process: the same code path, one process start less (the N workers are what needs processes).
    const one = await cli(importArgs(single, singleFile, single.dir), { url: single.emulator.url, env: { HOME: single.dir } });
    expect(one.err).not.toMatch(/error/);
    expect(one.code).toBe(3);

    // N workers at once, on a fresh emulator, sharing one state directory (their locks are per shard).
    const many = await startHarness({}, rows());
    harnesses.push(many);
    const file = many.write('metadata.csv', csv());
    const outcomes = await Promise.all(Array.from({ length: N }, (_, i) => runBin(importArgs(many, file, many.dir, ['--shard', `${i}/${N}`]), { HOME: many.dir })));
    for (const o of outcomes) expect(o.stderr).not.toMatch(/error/);

    const summaries = Array.from({ length: N }, (_, i) => JSON.parse(readFileSync(join(many.dir, `summary.shard-${i}-of-${N}.json`), 'utf8')) as Record<string, unknown> & { rowsRead: number; otherShards: number; written: number; failed: number });
    const singleSummary = JSON.parse(readFileSync(join(single.dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
    // Each shard had work, and saw every row of the file once: its own or another's.
    for (const [i, s] of summaries.entries()) {
      expect(s['shard']).toEqual({ index: i, count: N });
      expect(s.rowsRead + s.otherShards).toBe(FILE_ROWS);
      expect(s.written).toBeGreaterThan(0);
    }
    expect(outcomes.map((o) => o.code)).toEqual(summaries.map((s) => (s.failed > 0 ? 3 : 0)));

    // Every row written exactly once: the same targets as the single run, each by one worker only.
    const journals = Array.from({ length: N }, (_, i) => journalTargets(join(many.dir, `journal.shard-${i}-of-${N}.jsonl`)));
    const all = journals.flat();
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual(journalTargets(join(single.dir, 'journal.jsonl')).sort());
    expect(wireWrites(many).length).toBe(wireWrites(single).length);
    expect(new Set(wireWrites(many)).size).toBe(wireWrites(many).length);
    // And the dataset ends exactly as after the single run.
    for (const r of rows()) expect(many.metadataOf(r.dataHash), r.dataHash).toEqual(single.metadataOf(r.dataHash));

    // The union of the reports is the single run's report, each row in exactly one of them.
    const reports = await Promise.all(Array.from({ length: N }, (_, i) => reportRows(join(many.dir, `report.shard-${i}-of-${N}.csv`))));
    const union = reports.flat();
    expect(union.sort()).toEqual((await reportRows(join(single.dir, 'report.csv'))).sort());
    // Rows with no target (bad record, unknown and invalid keys) are reported by shard 0 only.
    expect(reports[0]).toEqual(expect.arrayContaining([expect.stringMatching(/ KEY_NOT_FOUND$/), expect.stringMatching(/ KEY_INVALID$/), expect.stringMatching(/ CSV_RECORD_INCONSISTENT_COLUMNS$/)]));
    // The conflict, the duplicate pair and the invalid cell are reported by their target's shard.
    const shardOf = (target: string): number => shardOfTarget(target, N);
    expect(reports[shardOf(SHARED_CONFLICT)]!.filter((r) => r.endsWith(' SHARED_ITEM_CONFLICT'))).toHaveLength(2);
    expect(reports[shardOf(item(5))]!.filter((r) => r.endsWith(' DUPLICATE_TARGET'))).toHaveLength(2);
    expect(reports[shardOf(item(7))]!.filter((r) => r.endsWith(' INVALID_NUMBER'))).toHaveLength(1);

    // The summaries merge to the single run's totals, and to its exit code.
    const merged = await cli(['--json', 'summary', 'merge', ...summaries.map((_, i) => join(many.dir, `summary.shard-${i}-of-${N}.json`)), '--out', join(many.dir, 'merged.json')], { url: many.emulator.url, env: { HOME: many.dir } });
    expect(merged.err).toBe('');
    expect(merged.code).toBe(one.code);
    const m = JSON.parse(readFileSync(join(many.dir, 'merged.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['rowsRead', 'written', 'unchanged', 'failed', 'failedByCode', 'notAttempted']) expect(m[k], k).toEqual(singleSummary[k]);
    expect(m['rowsRead']).toBe(FILE_ROWS);
  });
});
