/**
 * The bad-input corpus (test/fixtures/bad/, made by scripts/fixtures/make-bad-corpus.ts): every file is
 * imported against a fresh emulator and must end one of three ways, as its manifest entry says —
 *
 *   refuse  one of the expected error codes and a message (exit 2), before any write request, and the
 *           emulator's state untouched (no partial write);
 *   rows    the run completes; exactly the expected report lines fail, each with an expected code, and
 *           the good rows of the same file are applied (every other unit untouched);
 *   noop    the run completes with nothing to read or write.
 *
 * Nothing may crash: any other exception fails the test. Files with failing rows run through `runImport`
 * (for the report and the summary); refusals and no-ops through the CLI (`runCli`, in-process: runImport
 * plus the exit code and the one-line `encord-meta: error [CODE]: …` message).
 */
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { bufferIo } from '../../src/cli/io.js';
import { createEncordClient } from '../../src/encord/client.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import type { Metadata } from '../../src/encord/protocol/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { CsvRecordSplitter } from '../../src/sources/csv/csv-records.js';
import { runImport } from '../../src/pipeline/run-import.js';
import type { ImportResult } from '../../src/pipeline/import-result.js';
import {
  CORPUS_DATASET,
  CORPUS_DIR,
  CORPUS_SCHEMA,
  CORPUS_UNITS,
  readManifest,
  readOtherManifest,
  sameJson,
  type CorpusCase,
  unpackLargeCases,
} from '../../scripts/fixtures/make-bad-corpus.js';
import { makeTempDir } from '../temp-dirs.js';

/** A 0600 copy of the TEST-ONLY key (a key file readable by others is refused; the committed one is 0644). */
const KEY = join(makeTempDir('encord-meta-corpus-key-'), 'test-key');
writeFileSync(KEY, readFileSync(fileURLToPath(new URL('../fixtures/keys/test-key', import.meta.url)), 'utf8'), { mode: 0o600 });
const WRITE_ROUTES = ['v1:datarow:POST', 'v2:patch-bulk', 'v2:item:PATCH'] as const;
/** Loaded once: the corpus is about data files (key files are the CLI cases below, loaded per run). */
const { auth: AUTH } = await loadCredentials({ sshKeyPath: KEY, env: {} });

const committed = readManifest();
const largeDir = makeTempDir('encord-meta-bad-large-');
const large = unpackLargeCases(largeDir);
const work = makeTempDir('encord-meta-bad-');
afterAll(() => {
  rmSync(largeDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function pathOf(c: CorpusCase, dir: string): string {
  return join(dir, c.file);
}

async function emulator(): Promise<Emulator> {
  return startEmulator({
    typedSchema: CORPUS_SCHEMA,
    requestLog: false,
    datasets: [
      {
        hash: CORPUS_DATASET,
        title: 'bad-input corpus',
        rows: CORPUS_UNITS.map((u) => ({ dataHash: u.dataHash, title: u.title, metadata: u.metadata, ...(u.backingItemUuid === null && { backingItemUuid: null }) })),
      },
    ],
  });
}

function writeRequests(emu: Emulator): number {
  const c = emu.counters();
  return WRITE_ROUTES.reduce((n, r) => n + (c[r]?.requests ?? 0), 0);
}

function states(emu: Emulator): Map<string, Metadata> {
  return new Map(emu.state.rows(CORPUS_DATASET).map((r) => [r.dataHash, r.metadata]));
}

interface Outcome {
  readonly result?: ImportResult;
  readonly error?: unknown;
  readonly writes: number;
  readonly before: Map<string, Metadata>;
  readonly after: Map<string, Metadata>;
  readonly reportPath: string;
}

async function importCase(c: CorpusCase, dir: string): Promise<Outcome> {
  const emu = await emulator();
  const client = createEncordClient({ auth: AUTH, domain: emu.url, maxRequestsPerSecond: 10_000, startRequestsPerSecond: 10_000, retryBaseDelayMs: 1, retryMaxDelayMs: 5 });
  const reportPath = join(work, `${c.file.replaceAll('/', '__')}.report.csv`);
  const before = states(emu);
  try {
    const o = c.options ?? {};
    const result = await runImport({
      file: pathOf(c, dir),
      datasetHash: CORPUS_DATASET,
      store: client,
      reportPath,
      batchSize: 4,
      ...(o.key !== undefined && { key: o.key }),
      ...(o.delimiter !== undefined && { delimiter: o.delimiter }),
      ...(o.encoding !== undefined && { encoding: o.encoding }),
      ...(o.unknownColumns !== undefined && { unknownColumns: o.unknownColumns }),
      coercion: { ...(o.dateFormat !== undefined && { dateFormat: o.dateFormat }), ...(o.decimalComma !== undefined && { decimalComma: o.decimalComma }) },
    });
    return { result, writes: writeRequests(emu), before, after: states(emu), reportPath };
  } catch (error) {
    return { error, writes: writeRequests(emu), before, after: states(emu), reportPath };
  } finally {
    await client.close();
    await emu.close();
  }
}

/**
 * The failure report's rows, read by csv-parse (a reader independent of ours). A report of a 10 MB cell
 * (the large cases) is read by our own splitter instead: csv-parse takes 0.5-1.6 s of CPU on each, and the
 * splitter is held to csv-parse's results on random files by csv-differential.test.ts.
 */
function reportRows(path: string): Record<string, string>[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return [];
  }
  if (bytes.length <= 1024 * 1024) return parse(bytes.toString('utf8'), { columns: true, bom: true, relax_column_count: true }) as Record<string, string>[];
  const splitter = new CsvRecordSplitter({ name: path, delimiter: ',', maxRecordSize: 64 * 1024 * 1024 });
  const events = [...splitter.write(bytes), ...splitter.end()];
  splitter.throwIfFailed();
  const [header, ...records] = events.map((e) => {
    expect(e.kind, `${path} line ${e.line}: ${e.kind === 'bad' ? e.message : ''}`).toBe('record');
    return e.fields ?? [];
  });
  return records.map((fields) => Object.fromEntries(header!.map((name, i) => [name, fields[i] ?? ''])));
}

/** A file with failing rows: the run completes, exactly the expected lines fail, the good rows are applied. */
function check(c: CorpusCase, o: Outcome): void {
  const where = `${c.file} (${c.what})`;
  if (!('failed' in c.expect)) throw new Error(`${where}: refusals and no-ops are checked through the CLI`);
  // Nothing may crash, and a file with bad rows is not refused as a whole.
  expect(o.error, `${where} was refused: ${String(o.error)}\n${(o.error as Error | undefined)?.stack ?? ''}`).toBeUndefined();
  const r = o.result!;
  const rows = reportRows(o.reportPath);
  const got = new Map(rows.map((row) => [row['_line']!, row]));
  const wantLines = Object.keys(c.expect.failed).sort();
  expect([...got.keys()].sort(), `${where}: failed lines; report:\n${rows.map((x) => `${x['_line']} ${x['_error_code']} ${x['_error']?.slice(0, 200)}`).join('\n')}`).toEqual(wantLines);
  for (const [line, codes] of Object.entries(c.expect.failed)) {
    const row = got.get(line)!;
    expect(codes, `${where} line ${line}: ${row['_error']?.slice(0, 300)}`).toContain(row['_error_code']);
    expect((row['_error'] ?? '').length, `${where} line ${line}: a message`).toBeGreaterThan(10);
  }
  expect(r.summary.failed, where).toBe(wantLines.length);
  // Good rows applied, everything else untouched.
  for (const unit of CORPUS_UNITS) {
    const add = c.expect.applied[unit.dataHash];
    const want = add === undefined ? unit.metadata : { ...unit.metadata, ...add };
    expect(o.after.get(unit.dataHash), `${where}: unit ${unit.title}`).toEqual(want);
  }
  expect(r.summary.written, `${where}: rows written`).toBe(Object.keys(c.expect.applied).length);
}

describe('bad-input corpus', () => {
  it('holds at least 60 files, each with an expectation', () => {
    expect(committed.length + large.length).toBeGreaterThanOrEqual(60);
    for (const c of committed) expect(existsSync(pathOf(c, CORPUS_DIR)), `${c.file} is missing`).toBe(true);
    const kinds = new Set(committed.map((c) => Object.keys(c.expect)[0]));
    expect([...kinds].sort()).toEqual(['failed', 'noop', 'refuse']);
  });

  // Files with failing rows run through runImport, for the report and the summary; refusals and no-ops
  // run once, through the CLI (below), which is runImport plus the exit code and the message.
  it.each(committed.filter((c) => 'failed' in c.expect).map((c) => [c.file, c] as const))('%s', async (_name, c) => {
    check(c, await importCase(c, CORPUS_DIR));
  });

  it.each(large.filter((c) => 'failed' in c.expect).map((c) => [c.file, c] as const))('%s (committed gzipped)', async (_name, c) => {
    check(c, await importCase(c, largeDir));
  }, 60_000);
});

describe('bad-input corpus through the CLI: refusals and no-ops', () => {
  const refusals = [...committed.map((c) => [c, CORPUS_DIR] as const), ...large.map((c) => [c, largeDir] as const)].filter(([c]) => !('failed' in c.expect));
  it.each(refusals.map(([c, dir]) => [c.file, c, dir] as const))('%s', async (_name, c, dir) => {
    const emu = await emulator();
    const before = states(emu);
    try {
      const io = bufferIo({ env: {}, cwd: work });
      const o = c.options ?? {};
      const args = ['--domain', emu.url, '--ssh-key', KEY, '--quiet', 'import', pathOf(c, dir), '--dataset', CORPUS_DATASET, '--state-dir', join(work, 'cli-state'), '--no-progress'];
      if (o.delimiter !== undefined) args.push('--delimiter', o.delimiter);
      if (o.encoding !== undefined) args.push('--encoding', o.encoding);
      if (o.unknownColumns !== undefined) args.push('--unknown-columns', o.unknownColumns);
      const code = await runCli(args, io);
      if ('refuse' in c.expect) {
        // Every refusal in the corpus is a file that cannot be read as asked: exit 2 (a coded error of
        // ours, never a crash), nothing written.
        expect(code, `${c.file}: ${io.err()}`).toBe(2);
        const m = /^encord-meta: error \[([A-Z0-9_]+)\]: (.+)$/m.exec(io.err());
        expect(m, `${c.file}: stderr was ${io.err()}`).not.toBeNull();
        expect(c.expect.refuse, io.err()).toContain(m![1]);
        expect(m![2]!.length, c.file).toBeGreaterThan(10);
      } else {
        // A no-op: exit 0 (no row failed), nothing read or written.
        expect(code, `${c.file}: ${io.err()}`).toBe(0);
      }
      expect(writeRequests(emu), c.file).toBe(0);
      for (const [h, m] of before) expect(sameJson(states(emu).get(h), m), `${c.file}: unit ${h} changed`).toBe(true);
    } finally {
      await emu.close();
    }
  });
});

describe('bad-input corpus: files that are not data (journals for rollback, key files)', () => {
  it.each(readOtherManifest().map((c) => [c.file, c] as const))('%s', async (_name, c) => {
    const emu = await emulator();
    try {
      const before = states(emu);
      const io = bufferIo({ env: {}, cwd: work });
      const state = join(work, `other-state-${c.file.replaceAll('/', '__')}`);
      let code: number;
      if (c.command === 'rollback') {
        const report = join(work, `${c.file.replaceAll('/', '__')}.rollback.csv`);
        code = await runCli(['--domain', emu.url, '--ssh-key', KEY, '--json', 'rollback', join(CORPUS_DIR, c.file), '--state-dir', state, '--report', report], io);
        const out = JSON.parse(io.out().trim().split('\n').pop()!) as { conflicts: { dataHash?: string; id: string; code: string }[] };
        expect(out.conflicts.map((x) => x.dataHash ?? x.id).sort(), io.err()).toEqual([...(c.expect.conflicts ?? [])].sort());
        for (const x of out.conflicts) expect(x.code).toBe('ROLLBACK_CONFLICT');
        expect(readFileSync(report, 'utf8')).toContain('ROLLBACK_CONFLICT');
      } else {
        const key = join(makeTempDir('encord-meta-corpus-badkey-'), 'key');
        copyFileSync(join(CORPUS_DIR, c.file), key);
        chmodSync(key, c.mode ?? 0o644);
        code = await runCli(['--domain', emu.url, '--ssh-key', key, 'list', '--dataset', CORPUS_DATASET, '--format', 'csv'], io);
        const m = /^encord-meta: error \[([A-Z0-9_]+)\]: (.+)$/m.exec(io.err());
        expect(m, io.err()).not.toBeNull();
        expect(c.expect.refuse, io.err()).toContain(m![1]);
        expect(io.err()).toContain('chmod 600');
        expect(io.err()).not.toContain('PRIVATE KEY');
      }
      expect(code, io.err()).toBe(c.expect.exit);
      expect(writeRequests(emu)).toBe(0);
      for (const [h, m] of before) expect(sameJson(states(emu).get(h), m), `${c.file}: unit ${h} changed`).toBe(true);
    } finally {
      await emu.close();
    }
  });
});
