/** `encord-meta import FILE... --dataset HASH`: the main job. */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { CSV_ENCODING_NAMES } from '../../sources/csv/decode.js';
import { SOURCE_FORMATS } from '../../sources/sniff.js';
import { KEY_KINDS, UNKNOWN_COLUMN_POLICIES } from '../../mapping/mapping-options.js';
import { BATCH_SIZE, CONCURRENCY, DIFF_LIMIT, EMPTY_POLICIES, WRITE_MODES } from '../../pipeline/option-sets.js';
import type { ImportOptions } from '../../pipeline/import-options.js';
import type { ImportResult } from '../../pipeline/import-result.js';
import type { Shard } from '../../pipeline/shard.js';
import { MetaError } from '../../errors.js';
import type { Connection } from '../connect.js';
import type { CommandContext, GlobalOptions } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { JobConfig } from '../job-config.js';
import { intOption, positiveNumber, defaultStateDir, datasetHashOption, rangeOption } from '../options.js';
import { addCoercionOptions, coercionFrom, type CoercionFlags } from '../coercion-flags.js';
import { addShardOptions, shardFrom, type ShardFlags } from '../shard-flags.js';

/** The flags as commander gives them: `runImport`'s own options where a flag is one, plus what only the CLI has. */
interface ImportFlags
  extends CoercionFlags,
    ShardFlags,
    Pick<
      ImportOptions,
      'key' | 'keyColumn' | 'recursive' | 'format' | 'sheet' | 'delimiter' | 'encoding' | 'mode' | 'empty' | 'unknownColumns' | 'dryRun' | 'concurrency' | 'batchSize' | 'maxErrors' | 'bulk'
    > {
  /** `datasetHash` */
  dataset?: string;
  /** `folderUuid` */
  folder?: string;
  /** `unnamedColumns: 'skip'` */
  skipUnnamedColumns?: boolean;
  /** A schema file (`schema` is the schema read from it). */
  schema?: string;
  /** `diffLimit` */
  diffs?: number;
  /** `reportPath` (shard-suffixed) */
  report?: string;
  summary?: string;
  /** `journalPath` (shard-suffixed) */
  journal?: string;
  stateDir?: string;
  /** The client's `maxRequestsPerSecond`. */
  rateLimit?: number;
  progress?: boolean;
}

/** What a run loads when it starts, not at start-up: `import --help` builds its flags from the small option tables alone (test/cli/startup-modules.test.ts keeps it that way). */
async function loadRunModules() {
  const [{ runImport }, { loadSchemaFile }, connect, { folderLockKey }, { shardPath }, { ProgressLine }, { formatImportResult }, privateFiles] = await Promise.all([
    import('../../pipeline/run-import.js'),
    import('../../schema/index.js'),
    import('../connect.js'),
    import('../../checkpoint/dataset-lock.js'),
    import('../../checkpoint/shard-names.js'),
    import('../progress.js'),
    import('../format-import.js'),
    import('../../private-files.js'),
  ]);
  return { runImport, loadSchemaFile, ...connect, folderLockKey, shardPath, ProgressLine, formatImportResult, ...privateFiles };
}
type RunModules = Awaited<ReturnType<typeof loadRunModules>>;

export function registerImport(program: Command, ctx: CommandContext): void {
  const command = program
    .command('import')
    .summary('import a CSV, Parquet or .xlsx file into the custom metadata of a dataset')
    .description(
      'Stream FILE, map each row to a data unit, coerce each cell to the org schema, merge with the ' +
        'metadata the unit already has, and write only what changes. Rerunning the same command resumes: ' +
        'applied rows are unchanged and skipped. Failed rows go to a report that is itself a valid input. ' +
        'Several files (several arguments, a quoted glob, or a directory) are read as one input: see "Several files" below.',
    )
    .argument('[files...]', 'CSV (.csv, .tsv, .txt), Parquet (.parquet) or Excel (.xlsx) file, - for CSV on standard input; or "file" in --config; several files, a quoted glob or a directory read as one input')
    .option('-d, --dataset <hash>', 'dataset hash', datasetHashOption())
    .option('--folder <uuid>', 'storage folder whose items the rows name (--key name, path or item_uuid) instead of a dataset')
    .option('--recursive', 'with --folder: also the items of every folder below it (--key path: paths relative to the folder)')
    .addOption(new Option('--key <kind>', 'how rows name data units or items (default: from the column names; item_uuid alone needs no --dataset)').choices(KEY_KINDS))
    .option('--key-column <name>', 'column holding the key (default: a column named index, data_hash, title or item_uuid)')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(SOURCE_FORMATS))
    .option('--sheet <name>', '.xlsx: the worksheet to read (default: the first)')
    .option('--delimiter <char>', 'CSV delimiter (default: detected among , ; and tab)')
    .option('--skip-unnamed-columns', 'leave out CSV columns whose header cell is empty (a first one, pandas\' row index, always is)')
    .addOption(new Option('--encoding <name>', 'CSV text encoding (default: UTF-8; UTF-16 when the file starts with its byte-order mark)').choices(CSV_ENCODING_NAMES))
    .option('--schema <file>', 'coerce against this schema file instead of the org schema')
    .addOption(new Option('--mode <mode>', 'merge: keep keys the file does not mention; replace: the file is the whole metadata').choices(WRITE_MODES))
    .addOption(new Option('--empty <policy>', 'an empty cell keeps the key, deletes it, or sets null').choices(EMPTY_POLICIES))
    .addOption(
      new Option(
        '--unknown-columns <policy>',
        'a column missing from the schema is an error, skipped, read as `list` writes cells (json: JSON arrays, objects, numbers, booleans as values, other text as strings), or read as text (string) (default: json for a `list` export, else error)',
      ).choices(UNKNOWN_COLUMN_POLICIES),
    );
  addCoercionOptions(command)
    .option('--dry-run', 'plan, coerce and show diffs; write nothing but the failure report')
    .option('--diffs <n>', 'diffs a dry run shows', rangeOption('--diffs', DIFF_LIMIT))
    .option('--report <file>', 'failure report CSV (default: <state-dir>/reports/<dataset>-<time>.csv)')
    .option('--summary <file>', 'write the run summary as JSON')
    .option('--journal <file>', 'undo journal (default: <state-dir>/journals/<dataset>-<time>.jsonl)')
    .option('--state-dir <dir>', 'locks, journals and reports (default: ~/.encord-meta)')
    .option('--concurrency <n>', `writes in flight (default ${CONCURRENCY.default})`, rangeOption('--concurrency', CONCURRENCY))
    .option('--batch-size <n>', `items per bulk request (default and max ${BATCH_SIZE.max})`, rangeOption('--batch-size', BATCH_SIZE))
    .option('--rate-limit <n>', 'most requests per second (default 250; starts at 2 and grows until a 429, then holds just under it)', positiveNumber('--rate-limit'))
    .option('--max-errors <n>', 'stop reading once more rows than this have failed', intOption('--max-errors', 0, Number.MAX_SAFE_INTEGER))
    .option('--no-bulk', 'write every row with the per-row save (slower; for debugging)')
    .option('--no-progress', 'no progress output');
  addShardOptions(command)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  encord-meta import metadata.csv --dataset 4f1c…e2 --dry-run\n' +
        '  encord-meta import metadata.parquet --dataset 4f1c…e2 --report failures.csv --summary run.json\n' +
        '  encord-meta import export.xlsx --sheet Frames --dataset 4f1c…e2 --timezone Europe/Paris\n' +
        '  encord-meta import failures.csv --dataset 4f1c…e2      # retry exactly the rows that failed\n' +
        '  encord-meta --config nightly.json import                # everything from the job config\n' +
        '  encord-meta import metadata.parquet --dataset 4f1c…e2 --shard 2/4 --summary run.json   # worker 2 of 4\n' +
        "  encord-meta import 'exports/part-*.csv' --dataset 4f1c…e2   # several parts as one input\n" +
        '  encord-meta import exports/ --dataset 4f1c…e2          # a directory of parts (hive key=value/ folders too)\n' +
        '\nSeveral files: the parts are read one after the other as one input, in natural path order (part-2 before\n' +
        'part-10), whatever the order given. A quoted glob is expanded by encord-meta (* ? [..] **); a directory gives\n' +
        'every CSV or Parquet file below it (not names starting with . or _); a key=value/ folder adds a column key\n' +
        'holding value (text) to the rows below it. Each part is read with its own encoding, byte-order mark, sep= line\n' +
        'and delimiter. Every part must have the same columns (order may differ), and be all CSV or all Parquet: else\n' +
        'nothing is imported (exit 2). Duplicates are found across parts; the report has a _file column beside _line.\n' +
        '\nExit codes: 0 all applied or unchanged, 3 some rows failed (see the report), 2 usage, 1 fatal, 130 interrupted.',
    )
    .action(async (files: string[], flags: ImportFlags, command: Command) => ctx.run(() => runImportCommand(ctx, command, files, flags)));
}

/** What this run reads and where it writes, from the flags over the job config; checked before any I/O. */
interface ImportTarget {
  /** The files given (`-` for standard input), before the job config's `file` is considered: never empty. */
  readonly given: readonly string[];
  readonly dataset: string | undefined;
  readonly folder: string | undefined;
  readonly keyKind: ImportFlags['key'];
  readonly shard: Shard | undefined;
  readonly stateDir: string;
  readonly dryRun: boolean;
  readonly reportPath: string;
}

function importTarget(m: RunModules, ctx: CommandContext, config: JobConfig, files: readonly string[], flags: ImportFlags): ImportTarget {
  const cwd = ctx.io.cwd;
  const given = files.length > 0 ? files : config.file !== undefined ? [config.file] : [];
  const folder = flags.folder;
  const dataset = folder ? flags.dataset : (flags.dataset ?? config.dataset);
  const keyKind = flags.key ?? config.key;
  if (!given[0]) throw usage('give the FILE to import (or "file" in --config)');
  if (given.length > 1 && given.includes('-')) throw usage('"-" (standard input) cannot be combined with other files');
  if (!dataset && !folder && keyKind !== 'item_uuid') throw usage('give --dataset HASH (or "dataset" in --config), --folder UUID, or --key item_uuid');
  const targetName = dataset ?? (folder ? m.folderLockKey(folder) : 'items');
  // Sharded: every path this run writes says its shard, so N workers given one command line never share a file.
  const shard = shardFrom(flags, ctx.io.env);
  const stateDir = resolve(cwd, flags.stateDir ?? config.stateDir ?? defaultStateDir(ctx.io.env));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dryRun = flags.dryRun === true;
  const reportPath = m.shardPath(resolve(cwd, flags.report ?? config.report ?? join(stateDir, 'reports', `${targetName}-${stamp}${dryRun ? '-dry-run' : ''}.csv`)), shard);
  return { given, dataset, folder, keyKind, shard, stateDir, dryRun, reportPath };
}

/** Load what the command needs lazily, connect, run the import with a progress line, and say how it went. */
async function runImportCommand(ctx: CommandContext, command: Command, files: readonly string[], flags: ImportFlags): Promise<ExitCode> {
  const g = ctx.globals(command);
  const m = await loadRunModules();
  const { runImport, loadSchemaFile, connect, explain, jobConfigOf } = m;
  const config = jobConfigOf(ctx, command);
  const cwd = ctx.io.cwd;
  const target = importTarget(m, ctx, config, files, flags);
  const schemaFile = flags.schema ?? config.schema;
  const schema = schemaFile ? await loadSchemaFile(resolve(cwd, schemaFile)) : undefined;
  // Standard input is copied to a private file for the two passes and removed when the run ends:
  // the failure report keeps the rows that need another try.
  const spooled = target.given[0] === '-' ? await spoolStdin(ctx, target.stateDir, m) : undefined;
  const path = spooled ?? target.given[0]!;

  let connection: Connection | undefined;
  const progressLine = new m.ProgressLine(ctx.io.stderr, { enabled: flags.progress !== false && !g.quiet && !g.json });
  let result: ImportResult;
  try {
    connection = await connect(ctx, command, { rateLimit: flags.rateLimit, concurrency: Math.max(8, 2 * (flags.concurrency ?? config.concurrency ?? CONCURRENCY.default)) });
    result = await runImport({
      ...importOptions(m, cwd, flags, config, target, path, schema),
      store: connection.client,
      onKeyPlan: (p) => {
        if (g.quiet || g.json) return;
        progressLine.done();
        const failing = p.rows - p.resolved;
        ctx.io.stdout.write(
          `key: ${p.keyKind} from column "${p.keyColumn}"; ${p.rows} rows: ${p.toWrite} to write, ${p.unchanged} already up to date` +
            `${failing > 0 ? `, ${failing} failing before any write (key, duplicates or cells)` : ''}\n`,
        );
      },
      signal: ctx.io.signal,
      onProgress: (p) =>
        progressLine.update(
          { phase: p.phase, done: p.rowsRead, total: p.rowsTotal, ...(p.phase === 'writing' && { written: p.written, unchanged: p.unchanged, failed: p.failed }) },
          p.phase === 'done',
        ),
    });
  } catch (error) {
    throw explain(error, connection);
  } finally {
    progressLine.done();
    await connection?.client.close();
    if (spooled) rmSync(spooled, { force: true });
  }
  return finishImport(m, ctx, g, result, flags.summary ?? config.summary, target.shard);
}

/** `runImport`'s options from the flags over the job config, but the client and the callbacks. */
function importOptions(
  m: RunModules,
  cwd: string,
  flags: ImportFlags,
  config: JobConfig,
  target: ImportTarget,
  path: string,
  schema: ImportOptions['schema'],
): Omit<ImportOptions, 'store'> {
  const { given, shard } = target;
  return {
    file: given.length === 1 ? resolve(cwd, path) : given.map((f) => resolve(cwd, f)),
    format: flags.format ?? config.format,
    sheet: flags.sheet ?? config.sheet,
    delimiter: flags.delimiter ?? config.delimiter,
    encoding: flags.encoding ?? config.encoding,
    ...(flags.skipUnnamedColumns === true && { unnamedColumns: 'skip' as const }),
    datasetHash: target.dataset,
    folderUuid: target.folder,
    recursive: flags.recursive,
    key: target.keyKind,
    keyColumn: flags.keyColumn ?? config.keyColumn,
    schema,
    mapping: config.columns,
    unknownColumns: flags.unknownColumns ?? config.unknownColumns,
    coercion: coercionFrom(flags, config),
    mode: flags.mode ?? config.mode,
    empty: flags.empty ?? config.empty,
    dryRun: target.dryRun,
    diffLimit: flags.diffs,
    reportPath: target.reportPath,
    journalPath: flags.journal ?? config.journal ? m.shardPath(resolve(cwd, (flags.journal ?? config.journal)!), shard) : undefined,
    shard,
    stateDir: target.stateDir,
    concurrency: flags.concurrency ?? config.concurrency,
    batchSize: flags.batchSize ?? config.batchSize,
    maxErrors: flags.maxErrors ?? config.maxErrors,
    bulk: flags.bulk,
  };
}

/** Write the summary file, print the result, and map it to an exit code. */
function finishImport(m: RunModules, ctx: CommandContext, g: GlobalOptions, result: ImportResult, summaryPath: string | undefined, shard: Shard | undefined): ExitCode {
  if (summaryPath) {
    const full = m.shardPath(resolve(ctx.io.cwd, summaryPath), shard);
    m.writeFilePrivate(full, `${JSON.stringify(result.summary, null, 2)}\n`);
  }
  if (g.json) ctx.printJson(result);
  else if (!g.quiet) ctx.io.stdout.write(m.formatImportResult(result));
  else if (result.summary.failed > 0) ctx.io.stderr.write(`${result.summary.failed} rows failed; report: ${result.summary.reportPath ?? '(none)'}\n`);
  if (result.summary.unreachable !== null) {
    // Outage (issue 11): not a data problem. Exit 1; the report lists the rows not attempted.
    ctx.io.stderr.write(`encord-meta: error [SERVICE_UNREACHABLE]: ${result.summary.unreachable}\n`);
    return EXIT.FATAL;
  }
  if (result.summary.interrupted) return EXIT.INTERRUPTED;
  return result.summary.failed > 0 ? EXIT.ROWS_FAILED : EXIT.OK;
}

/**
 * The import reads its file twice (plan, then write), so piped input is first copied to a private file
 * (0600) in the state directory, byte for byte; the caller removes it when the run ends.
 */
async function spoolStdin(ctx: CommandContext, stateDir: string, m: RunModules): Promise<string> {
  if (!ctx.io.stdin) throw usage('"-" reads standard input, which this caller does not provide');
  const path = join(stateDir, 'stdin', `stdin-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.csv`);
  const { pipeline } = await import('node:stream/promises');
  await pipeline(ctx.io.stdin, m.createPrivateWriteStream(path));
  return path;
}

function usage(message: string): MetaError {
  return new MetaError('USAGE', message);
}
