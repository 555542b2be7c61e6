/**
 * `encord-meta demo`: the whole job on this machine, with no key and no network. Starts the embedded
 * emulator, seeds a 600-unit dataset (some units already carry metadata), pushes samples/schema.json,
 * imports samples/metadata.csv, samples/metadata.parquet and samples/metadata.xlsx, lists the result, and
 * says what it did.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import type { Command } from 'commander';
import { createEncordClient, type EncordClient } from '../../encord/client.js';
import { loadCredentials } from '../../encord/key-source.js';
import type { DataUnit } from '../../encord/metadata-store.js';
import { startEmulator, type DatasetSummary } from '../../emulator/index.js';
import { runImport } from '../../pipeline/run-import.js';
import type { RunSummary } from '../../pipeline/import-result.js';
import { runList } from '../../pipeline/run-list.js';
import { runSchemaPush, type SchemaPushResult } from '../../pipeline/run-schema.js';
import { formatListTable, listRecord } from '../../report/list-writers.js';
import { formatSchemaDiff, loadSchemaFile } from '../../schema/index.js';
import { packageDir } from '../../package-root.js';
import type { CommandContext } from '../context.js';
import { DEMO_CSV_ROWS, DEMO_UNITS, DEMO_XLSX_ROWS, demoDatasetSeed } from '../demo-data.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { DemoOutput } from '../json-outputs.js';
import { intOption } from '../options.js';
import { ProgressLine } from '../progress.js';

/** The shipped samples: `samples/` beside `src/` and `dist/`. */
export const SAMPLES_DIR = join(packageDir(), 'samples');

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return; // embedded without a signal: nothing could ever stop it
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function registerDemo(program: Command, ctx: CommandContext): void {
  program
    .command('demo')
    .summary('run the whole job against the built-in emulator with the shipped samples (no key, no network)')
    .description(
      'Start the embedded Encord emulator, seed a dataset of 600 data units (some already carry metadata), ' +
        'push samples/schema.json, import samples/metadata.csv (units 0-299 by index) and ' +
        'samples/metadata.parquet (units 300-599 by title), then samples/metadata.xlsx (units 0-99 again, as ' +
        'typed Excel cells: found unchanged), list the result and say what happened. ' +
        'Uses the published TEST-ONLY key in samples/keys/ that only the emulator trusts.',
    )
    .option('--keep-running', 'leave the emulator running afterwards and print how to point other commands at it')
    .option('--port <n>', 'emulator port (default: any free port)', intOption('--port', 0, 65535))
    .option('--rows <n>', 'data units shown in the final listing (default 8)', intOption('--rows', 0, DEMO_UNITS))
    .addHelpText('after', '\nExamples:\n  npx encord-meta demo\n  npx encord-meta demo --keep-running     # then try list/set/import against it')
    .action(async (flags: DemoFlags, command: Command) => ctx.run(() => runDemo(ctx, command, flags)));
}

interface DemoFlags {
  readonly keepRunning?: boolean;
  readonly port?: number;
  readonly rows?: number;
}

/** What the demo's steps share: where they print, the client on the emulator, its one dataset. */
interface DemoRun {
  readonly ctx: CommandContext;
  /** Prints for people (nothing under --json or --quiet). */
  readonly out: (text: string) => void;
  readonly human: boolean;
  /** A path as shown to the user (relative below the working directory). */
  readonly show: (p: string) => string;
  readonly client: EncordClient;
  readonly dataset: DatasetSummary;
  readonly stateDir: string;
  /** When the command started (Date.now()): the summary's time counts the emulator's start too. */
  readonly startedAt: number;
}

const DEMO_KEY_PATH = join(SAMPLES_DIR, 'keys', 'demo-test-key');

/** Start the emulator and a client on it, run the demo, and stop both (and drop the state) whatever happens. */
async function runDemo(ctx: CommandContext, command: Command, flags: DemoFlags): Promise<ExitCode> {
  const g = ctx.globals(command);
  const human = !g.json && !g.quiet;
  const out = (text: string): void => {
    if (human) ctx.io.stdout.write(text);
  };
  const startedAt = Date.now();
  const stateDir = mkdtempSync(join(tmpdir(), 'encord-meta-demo-'));
  const seed = demoDatasetSeed();
  const emulator = await startEmulator({ port: flags.port ?? 0, datasets: [seed] });
  const kept = { running: false };
  try {
    const credentials = await loadCredentials({ sshKeyText: readFileSync(DEMO_KEY_PATH, 'utf8') });
    // Its own loopback emulator: never through a corporate HTTP(S)_PROXY.
    const client = createEncordClient({ auth: credentials.auth, domain: emulator.url, proxy: false });
    const dataset = emulator.datasets()[0]!;
    const show = (p: string): string => displayPath(ctx.io.cwd, p);
    try {
      return await demoSteps({ ctx, out, human, show, client, dataset, stateDir, startedAt }, emulator.url, flags, g.json === true, kept);
    } finally {
      await client.close();
    }
  } finally {
    await emulator.close();
    rmSync(stateDir, { recursive: true, force: true });
    if (kept.running) ctx.info(command, 'emulator stopped');
  }
}

/** The narrative: schema push, the three imports, a listing, a summary; then wait if `--keep-running`. */
async function demoSteps(run: DemoRun, url: string, flags: DemoFlags, json: boolean, kept: { running: boolean }): Promise<ExitCode> {
  const { ctx, out, show, dataset } = run;
  out(`encord-meta demo: a local Encord emulator, the shipped samples, no key, no network.\n\n`);
  out(`1. Emulator on ${url}, signing with the TEST-ONLY key ${show(DEMO_KEY_PATH)}\n`);
  out(`   dataset ${dataset.hash} "${dataset.title}": ${dataset.rows} data units; some already have metadata (qa_status, keyframes)\n\n`);
  const push = await demoSchemaPush(run);
  const imports: RunSummary[] = [];
  for (const [i, file] of DEMO_FILES.entries()) imports.push(await demoImport(run, file, i));
  const rows = flags.rows ?? 8;
  const shown = await demoList(run, rows, 3 + DEMO_FILES.length);
  const failed = imports.reduce((n, s) => n + s.failed, 0);
  const written = imports.reduce((n, s) => n + s.written, 0);
  out(
    `\nDone in ${((Date.now() - run.startedAt) / 1000).toFixed(1)} s: ${written} data units written, ${failed} failed. ` +
      `Keys the units had before (qa_status, keyframes) were kept: imports merge.\n`,
  );
  out(
    '\nNext:\n' +
      '  encord-meta demo --keep-running      leave the emulator up and try list, set, import, rollback against it\n' +
      '  encord-meta --help                   every command, with examples\n' +
      '  README.md                            the nightly cron job, exit codes, FAQ\n',
  );
  if (json) {
    ctx.printJson(
      DemoOutput.parse({
        command: 'demo',
        emulatorUrl: url,
        datasetHash: dataset.hash,
        units: dataset.rows,
        schema: { outcome: push.outcome, keys: [...push.plan.next.fields.keys()] },
        imports,
        listed: shown.map(listRecord),
        keptRunning: flags.keepRunning === true,
      }),
    );
  }
  if (flags.keepRunning) {
    kept.running = true;
    keepRunningHint(run, url);
    await waitForAbort(ctx.io.signal);
  }
  return failed > 0 ? EXIT.ROWS_FAILED : EXIT.OK;
}

/** Step 2: push samples/schema.json and show its diff. */
async function demoSchemaPush(run: DemoRun): Promise<SchemaPushResult> {
  const schemaPath = join(SAMPLES_DIR, 'schema.json');
  const push = await runSchemaPush({ store: run.client, schema: await loadSchemaFile(schemaPath), signal: run.ctx.io.signal });
  const keys = push.plan.next.fields.size;
  run.out(`2. encord-meta schema push ${run.show(schemaPath)} --yes\n${indent(formatSchemaDiff(push.plan.diff))}   ${push.pushed ? `pushed: the organisation schema now has ${keys} keys` : push.outcome}\n\n`);
  return push;
}

const DEMO_FILES: readonly { readonly path: string; readonly what: string }[] = [
  { path: join(SAMPLES_DIR, 'metadata.csv'), what: `units 0-${DEMO_CSV_ROWS - 1} by index` },
  { path: join(SAMPLES_DIR, 'metadata.parquet'), what: `units ${DEMO_CSV_ROWS}-${DEMO_UNITS - 1} by title` },
  { path: join(SAMPLES_DIR, 'metadata.xlsx'), what: `units 0-${DEMO_XLSX_ROWS - 1} by index, typed Excel cells: the CSV's values, so unchanged` },
];

/** Steps 3 to 5: import one sample file, with a progress line, and print its counts. */
async function demoImport(run: DemoRun, file: (typeof DEMO_FILES)[number], i: number): Promise<RunSummary> {
  const { ctx, dataset } = run;
  run.out(`${3 + i}. encord-meta import ${run.show(file.path)} --dataset ${dataset.hash}   (${file.what})\n`);
  const progress = new ProgressLine(ctx.io.stderr, { enabled: run.human });
  let result;
  try {
    result = await runImport({
      file: file.path,
      datasetHash: dataset.hash,
      store: run.client,
      stateDir: run.stateDir,
      reportPath: join(run.stateDir, 'reports', `${i + 1}.csv`),
      signal: ctx.io.signal,
      onProgress: (p) =>
        progress.update(
          { phase: p.phase, done: p.rowsRead, total: p.rowsTotal, ...(p.phase === 'writing' && { written: p.written, unchanged: p.unchanged, failed: p.failed }) },
          p.phase === 'done',
        ),
    });
  } finally {
    progress.done();
  }
  const s = result.summary;
  run.out(
    `   rows ${s.rowsRead} (key: ${s.keyKind}) | written ${s.written} | unchanged ${s.unchanged} | failed ${s.failed} | ` +
      `${s.requests} requests | ${(s.durationMs / 1000).toFixed(1)} s\n\n`,
  );
  return s;
}

/** The last step: list the dataset's first `rows` units as a table; returns the units shown. */
async function demoList(run: DemoRun, rows: number, step: number): Promise<readonly DataUnit[]> {
  const listing = await runList({ store: run.client, datasetHash: run.dataset.hash, signal: run.ctx.io.signal });
  run.out(`${step}. encord-meta list --dataset ${run.dataset.hash} --limit ${rows}\n`);
  run.out(
    indent(
      formatListTable(listing, {
        limit: rows,
        columns: ['index', 'title', ...listing.keys.filter((k) => k !== 'embedding'), 'embedding'],
        maxCellWidth: 26,
      }),
    ),
  );
  return listing.units.slice(0, rows);
}

function keepRunningHint(run: DemoRun, url: string): void {
  const key = run.show(DEMO_KEY_PATH);
  run.ctx.io.stderr.write(
    `\nThe emulator keeps running on ${url} (Ctrl+C stops it). In another terminal:\n` +
      // The key text, not the file: the shipped file is readable by others, and key files that are get refused.
      `  export ENCORD_DOMAIN=${url} ENCORD_SSH_KEY="$(cat ${key})"\n` +
      `  encord-meta list --dataset ${run.dataset.hash} --limit 5\n` +
      `  encord-meta set --dataset ${run.dataset.hash} --index 0 weather=snow\n` +
      `  encord-meta schema check ${run.show(join(SAMPLES_DIR, 'metadata.csv'))}\n`,
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `   ${l}`))
    .join('\n')
    .replace(/\n?$/, '\n');
}

/** `path` relative to `cwd` when it lies below it and that is shorter (`samples/…`), else absolute (never `../../…`). */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && rel.length < path.length ? rel : path;
}
