/**
 * `summary merge`: the run summaries of N shard workers (`import … --shard I/N --summary F`) as one.
 *
 * Counts are summed (failures per code too), the start is the earliest, the finish the latest, and the
 * exit code is the worst of the parts: 1 (a worker stopped: Encord unreachable) over 130 (a worker was
 * interrupted) over 3 (rows failed) over 0. Summaries of different files, datasets, keys, modes or shard
 * counts are refused, and so is a set with a shard missing or given twice: a merged summary always covers
 * every row of one file exactly once.
 */
import { basename } from 'node:path';
import { MetaError } from '../errors.js';
import type { RunSummary } from './import-result.js';

/** The exit code an import's summary stands for (the README's "Exit codes"). */
export function summaryExitCode(summary: Pick<RunSummary, 'unreachable' | 'interrupted' | 'failed'>): 0 | 1 | 3 | 130 {
  if (summary.unreachable !== null) return 1;
  if (summary.interrupted) return 130;
  return summary.failed > 0 ? 3 : 0;
}

/** Worst first: which exit code of the parts the merged summary carries. */
export const EXIT_PRECEDENCE = [1, 130, 3, 0] as const;

function worst(codes: readonly number[]): 0 | 1 | 3 | 130 {
  for (const code of EXIT_PRECEDENCE) if (codes.includes(code)) return code;
  return 0;
}

/** One input: where it came from (for messages) and its parsed JSON. */
export interface SummaryPart {
  readonly path: string;
  readonly value: unknown;
}

export interface MergedPart {
  readonly path: string;
  readonly shard: number;
  readonly exitCode: number;
  readonly rowsRead: number;
  readonly written: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly notAttempted: number;
  readonly reportPath: string | null;
  readonly journalPath: string | null;
}

export interface MergedSummary {
  readonly command: 'summary merge';
  /** The file's name (workers may read it at different paths). */
  readonly file: string;
  readonly fileBytes: number | null;
  readonly datasetHash: string;
  readonly dryRun: boolean;
  readonly mode: string;
  readonly keyKind: string;
  readonly keyColumn: string;
  readonly shardCount: number;
  readonly rowsRead: number;
  readonly written: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly failedByCode: Record<string, number>;
  readonly notAttempted: number;
  /** Why workers stopped early because Encord became unreachable, one line per such worker. */
  readonly unreachable: string[];
  readonly requests: number;
  readonly retries: number;
  readonly rateLimited: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** From the earliest start to the latest finish. */
  readonly durationMs: number;
  readonly rowsPerSecond: number;
  readonly interrupted: boolean;
  readonly stoppedEarly: boolean;
  readonly reportPaths: string[];
  readonly journalPaths: string[];
  /** The worst exit code of the parts (1 over 130 over 3 over 0): what a scheduler should act on. */
  readonly exitCode: 0 | 1 | 3 | 130;
  /** Per shard, in shard order. */
  readonly parts: MergedPart[];
}

function refuse(message: string): MetaError {
  return new MetaError('USAGE_SUMMARY_MERGE', message);
}

type Checked = RunSummary & { readonly shard: { index: number; count: number } | null; readonly otherShards: number; readonly fileBytes: number | null };

const NUMBER_FIELDS = ['rowsRead', 'written', 'unchanged', 'failed', 'requests', 'retries', 'rateLimited'] as const;
const STRING_FIELDS = ['file', 'datasetHash', 'mode', 'keyKind', 'keyColumn', 'startedAt', 'finishedAt'] as const;

/** A run summary (a `--summary` file, or the `summary` of `import --json`), checked field by field. */
function readSummary(part: SummaryPart): Checked {
  let v = part.value;
  if (isObject(v) && isObject(v['summary']) && !('rowsRead' in v)) v = v['summary'];
  const bad = (what: string): MetaError =>
    refuse(`${part.path} is not an import run summary (${what}); give the files written by import --summary, or the output of import --json`);
  if (!isObject(v)) throw bad('not a JSON object');
  for (const f of STRING_FIELDS) if (typeof v[f] !== 'string') throw bad(`"${f}" is not a string`);
  for (const f of NUMBER_FIELDS) if (!isCount(v[f])) throw bad(`"${f}" is not a whole number from 0`);
  if (typeof v['dryRun'] !== 'boolean' || typeof v['interrupted'] !== 'boolean' || typeof v['stoppedEarly'] !== 'boolean') throw bad('"dryRun", "interrupted" or "stoppedEarly" is not true/false');
  if (!isObject(v['failedByCode']) || !Object.values(v['failedByCode']).every(isCount)) throw bad('"failedByCode" is not an object of counts');
  for (const t of ['startedAt', 'finishedAt'] as const) if (Number.isNaN(Date.parse(v[t] as string))) throw bad(`"${t}" is not a date-time`);
  // Fields added later: absent in summaries of older versions (an unsharded run, no outage).
  const notAttempted = v['notAttempted'] ?? 0;
  const otherShards = v['otherShards'] ?? 0;
  const fileBytes = v['fileBytes'] ?? null;
  const unreachable = v['unreachable'] ?? null;
  if (!isCount(notAttempted) || !isCount(otherShards)) throw bad('"notAttempted" or "otherShards" is not a whole number from 0');
  if (fileBytes !== null && !isCount(fileBytes)) throw bad('"fileBytes" is not a whole number from 0');
  if (unreachable !== null && typeof unreachable !== 'string') throw bad('"unreachable" is not a string or null');
  let shard: Checked['shard'] = null;
  const s = v['shard'] ?? null;
  if (s !== null) {
    if (!isObject(s) || !isCount(s['index']) || !isCount(s['count']) || s['count'] < 1 || s['index'] >= s['count']) throw bad('"shard" is not {index, count} with 0 ≤ index < count');
    shard = { index: s['index'], count: s['count'] };
  }
  for (const p of ['reportPath', 'journalPath'] as const) if (v[p] !== undefined && v[p] !== null && typeof v[p] !== 'string') throw bad(`"${p}" is not a path or null`);
  return { ...(v as unknown as RunSummary), notAttempted, unreachable, otherShards, fileBytes, shard, reportPath: (v['reportPath'] as string | null | undefined) ?? null, journalPath: (v['journalPath'] as string | null | undefined) ?? null };
}

/** Merge the summaries of every shard of one job (see the module doc for what is refused). */
export function mergeSummaries(parts: readonly SummaryPart[]): MergedSummary {
  if (parts.length === 0) throw refuse('give the summary files to merge: encord-meta summary merge run.shard-0-of-4.json run.shard-1-of-4.json …');
  const summaries = parts.map(readSummary);
  checkOneJob(parts, summaries);
  const count = summaries[0]!.shard?.count ?? 1;
  return combine(summaries, orderByShard(parts, summaries, count), count);
}

/** Refuse summaries that are not shards of one job: shard count, file, dataset, key, mode, dry run must agree. */
function checkOneJob(parts: readonly SummaryPart[], summaries: readonly Checked[]): void {
  const same = (what: string, get: (s: Checked) => unknown, show: (x: unknown) => string = (x) => JSON.stringify(x), among = summaries): void => {
    const ref = among[0];
    if (!ref) return;
    const refPath = parts[summaries.indexOf(ref)]!.path;
    summaries.forEach((s, i) => {
      if (among.includes(s) && get(s) !== get(ref)) {
        throw refuse(`${parts[i]!.path} and ${refPath} are not shards of one job: ${what} ${show(get(s))} and ${show(get(ref))}`);
      }
    });
  };
  same('shard counts', (s) => s.shard?.count ?? 1, (x) => (x === 1 ? '1 (not sharded)' : String(x)));
  same('files', (s) => basename(s.file));
  // Workers may read copies of the file at different paths: its name, size and row count must agree.
  const bytes = summaries.find((s) => s.fileBytes !== null)?.fileBytes ?? null;
  same('files of', (s) => s.fileBytes ?? bytes, (x) => `${String(x)} bytes`);
  // A worker interrupted while planning has counted only part of the file.
  same('files of', (s) => s.rowsRead + s.otherShards, (x) => `${String(x)} rows`, summaries.filter((s) => !s.interrupted));
  same('datasets', (s) => s.datasetHash);
  same('keys', (s) => `${s.keyKind} from column "${s.keyColumn}"`, String);
  same('modes', (s) => s.mode);
  same('dry runs', (s) => s.dryRun, (x) => (x ? 'a dry run' : 'a real run'));
}

/** Each shard's summary in shard order; a shard given twice or missing is refused. */
function orderByShard(parts: readonly SummaryPart[], summaries: readonly Checked[], count: number): { s: Checked; path: string }[] {
  const byShard: (number | undefined)[] = new Array<number | undefined>(count).fill(undefined);
  summaries.forEach((s, i) => {
    const index = s.shard?.index ?? 0;
    const seen = byShard[index];
    if (seen !== undefined) throw refuse(`shard ${index} of ${count} is given twice: ${parts[seen]!.path} and ${parts[i]!.path}; give each shard's summary once`);
    byShard[index] = i;
  });
  const missing = byShard.flatMap((i, index) => (i === undefined ? [index] : []));
  if (missing.length > 0) {
    const list = missing.length > 20 ? `${missing.slice(0, 20).join(', ')} … (${missing.length} in all)` : missing.join(', ');
    throw refuse(
      `shard${missing.length > 1 ? 's' : ''} ${list} of ${count} ${missing.length > 1 ? 'are' : 'is'} missing: a worker that stopped on a fatal or usage error writes no summary; ` +
        'rerun that shard (rerunning resumes) and merge again',
    );
  }
  return byShard.map((i) => ({ s: summaries[i!]!, path: parts[i!]!.path }));
}

/** The job's summary: counts summed, the span from the first start to the last finish, the worst exit code. */
function combine(summaries: readonly Checked[], ordered: readonly { s: Checked; path: string }[], count: number): MergedSummary {
  const first = summaries[0]!;
  const sum = (f: (s: Checked) => number): number => summaries.reduce((n, s) => n + f(s), 0);
  const failedByCode: Record<string, number> = {};
  for (const s of summaries) for (const [code, n] of Object.entries(s.failedByCode)) failedByCode[code] = (failedByCode[code] ?? 0) + n;
  const start = Math.min(...summaries.map((s) => Date.parse(s.startedAt)));
  const finish = Math.max(...summaries.map((s) => Date.parse(s.finishedAt)));
  const durationMs = Math.max(0, finish - start);
  const rowsRead = sum((s) => s.rowsRead);
  const paths = (f: (s: Checked) => string | null): string[] => ordered.flatMap(({ s }) => (f(s) === null ? [] : [f(s)!]));
  return {
    command: 'summary merge',
    file: basename(first.file),
    fileBytes: first.fileBytes,
    datasetHash: first.datasetHash,
    dryRun: first.dryRun,
    mode: first.mode,
    keyKind: first.keyKind,
    keyColumn: first.keyColumn,
    shardCount: count,
    rowsRead,
    written: sum((s) => s.written),
    unchanged: sum((s) => s.unchanged),
    failed: sum((s) => s.failed),
    failedByCode: Object.fromEntries(Object.entries(failedByCode).sort(([a], [b]) => a.localeCompare(b))),
    notAttempted: sum((s) => s.notAttempted),
    unreachable: ordered.flatMap(({ s }) => (s.unreachable === null ? [] : [`shard ${s.shard?.index ?? 0}: ${s.unreachable}`])),
    requests: sum((s) => s.requests),
    retries: sum((s) => s.retries),
    rateLimited: sum((s) => s.rateLimited),
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(finish).toISOString(),
    durationMs,
    rowsPerSecond: durationMs > 0 ? Math.round((rowsRead / durationMs) * 1000) : 0,
    interrupted: summaries.some((s) => s.interrupted),
    stoppedEarly: summaries.some((s) => s.stoppedEarly),
    reportPaths: paths((s) => s.reportPath),
    journalPaths: paths((s) => s.journalPath),
    exitCode: worst(summaries.map(summaryExitCode)),
    parts: ordered.map(({ s, path }) => ({
      path,
      shard: s.shard?.index ?? 0,
      exitCode: summaryExitCode(s),
      rowsRead: s.rowsRead,
      written: s.written,
      unchanged: s.unchanged,
      failed: s.failed,
      notAttempted: s.notAttempted,
      reportPath: s.reportPath,
      journalPath: s.journalPath,
    })),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
