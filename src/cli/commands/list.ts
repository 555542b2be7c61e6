/**
 * `encord-meta list --dataset HASH`: every data unit with its index, data hash, title, storage item and
 * every metadata key as a column; as a table for people, or CSV (a valid `import` input), JSONL, Parquet.
 * `list --folder UUID [--recursive]`: every storage item of a folder instead, keyed by item_uuid, name and
 * path (relative to the folder), in the same formats.
 */
import { resolve, extname } from 'node:path';
import { Option, type Command } from 'commander';
import { MetaError } from '../../errors.js';
import { runFolderList, runList, type FolderListResult, type ListResult } from '../../pipeline/run-list.js';
import {
  formatListTable,
  listColumns,
  listRecord,
  openTextFile,
  writeListCsv,
  writeListJsonl,
  writeListParquet,
  LIST_FORMATS,
  type ListFormat,
} from '../../report/list-writers.js';
import { jobConfigOf } from '../connect.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { FolderListOutput, ListOutput } from '../json-outputs.js';
import { folderUuidOption } from './folders.js';
import { intOption, datasetHashOption } from '../options.js';
import { ProgressLine } from '../progress.js';
import { withConnection } from '../with-connection.js';

interface ListFlags {
  dataset?: string;
  folder?: string;
  recursive?: boolean;
  format?: ListFormat;
  out?: string;
  limit?: number;
  schemaKeysOnly?: boolean;
  progress?: boolean;
}

const BY_EXTENSION: Readonly<Record<string, ListFormat>> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.parquet': 'parquet', '.txt': 'table' };

export function registerList(program: Command, ctx: CommandContext): void {
  program
    .command('list')
    .summary('list every data unit of a dataset (or every item of a storage folder) with its metadata')
    .description(
      'List every data unit in server order: index (Encord\'s data unit number), data_hash, title, item_uuid, ' +
        'then one column per metadata key (schema keys first, then any other key found). The CSV (and Parquet) ' +
        'is a valid `import` input with no flag: importing it unchanged writes nothing, importing it after ' +
        'editing cells writes exactly those edits (keys outside the schema are read as JSON, `keyframes` is ' +
        'written as `_keyframes` and never imported). CSV cells that a spreadsheet would run as formulas are ' +
        "written with a leading ' that the import removes again. Format: --format, else from the --out " +
        'extension, else a table on a terminal and CSV in a pipe. With --folder UUID: every storage item of the ' +
        'folder (--recursive: and of its subfolders), columns item_uuid, name, path (relative to the folder), then ' +
        'the metadata keys.',
    )
    .option('-d, --dataset <hash>', 'dataset hash (or "dataset" in --config)', datasetHashOption())
    .option('--folder <uuid>', 'list a storage folder\'s items instead of a dataset (encord-meta folders shows the uuids)', folderUuidOption())
    .option('--recursive', 'with --folder: the items of every subfolder too, with their path')
    .addOption(new Option('-f, --format <format>', 'output format').choices(LIST_FORMATS))
    .option('-o, --out <file>', 'write to FILE instead of stdout (required for parquet)')
    .option('--limit <n>', 'only the first N data units', intOption('--limit', 0, Number.MAX_SAFE_INTEGER))
    .option('--schema-keys-only', 'only keys of the org schema as columns (leave out keys outside the schema)')
    .option('--no-progress', 'no progress output')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  encord-meta list --dataset 4f1c…e2 --limit 20\n' +
        '  encord-meta list --dataset 4f1c…e2 --format csv --out metadata.csv   # edit, then import it back\n' +
        '  encord-meta list --dataset 4f1c…e2 --out snapshot.parquet\n' +
        '  encord-meta list --dataset 4f1c…e2 --format jsonl | jq .metadata\n' +
        '  encord-meta list --folder 9b2e…07 --recursive --format csv --out folder.csv',
    )
    .action(async (flags: ListFlags, command: Command) => ctx.run(() => runListCommand(ctx, command, flags)));
}

/** Check the flags, fetch the listing, write it in its format, and say what was written. */
async function runListCommand(ctx: CommandContext, command: Command, flags: ListFlags): Promise<ExitCode> {
  const g = ctx.globals(command);
  const config = jobConfigOf(ctx, command);
  if (flags.dataset !== undefined && flags.folder !== undefined) throw new MetaError('USAGE', 'give --dataset HASH or --folder UUID, not both');
  if (flags.recursive && flags.folder === undefined) throw new MetaError('USAGE', '--recursive needs --folder UUID');
  const folder = flags.folder;
  const dataset = folder === undefined ? (flags.dataset ?? config.dataset) : undefined;
  if (!dataset && !folder) throw new MetaError('USAGE', 'give --dataset HASH (or "dataset" in --config), or --folder UUID');
  const outPath = flags.out ? resolve(ctx.io.cwd, flags.out) : undefined;
  const format: ListFormat | null =
    flags.format ?? (outPath ? BY_EXTENSION[extname(outPath).toLowerCase()] ?? 'csv' : g.json ? null : ctx.io.stdout.isTTY ? 'table' : 'csv');
  if (format === 'parquet' && !outPath) throw new MetaError('USAGE', 'Parquet is binary: give --out FILE.parquet');
  const progress = new ProgressLine(ctx.io.stderr, { enabled: flags.progress !== false && !g.quiet && (outPath !== undefined || g.json !== true) });
  progress.update({ phase: 'listing', done: 0, total: undefined }, true);
  try {
    const result = await withConnection<ListResult | FolderListResult>(ctx, command, (c) =>
      folder !== undefined
        ? runFolderList({
            store: c.client,
            folderUuid: folder,
            recursive: flags.recursive,
            schemaKeysOnly: flags.schemaKeysOnly,
            signal: ctx.io.signal,
            onItems: (n) => progress.update({ phase: 'listing', done: n, total: undefined }),
          })
        : runList({ store: c.client, datasetHash: dataset!, schemaKeysOnly: flags.schemaKeysOnly, signal: ctx.io.signal }),
    );
    // Under --json with no --out the records go in the JSON only.
    const rows = outPath || !g.json ? await writeListing(ctx, result, format, outPath, flags.limit, progress) : 0;
    progress.done();
    if (g.json) printListJson(ctx, result, flags.limit, rows, format, outPath);
    else {
      const label = 'folderUuid' in result ? `items of folder "${result.folderName}"` : `data units of "${result.datasetTitle}"`;
      if (outPath) ctx.info(command, `wrote ${rows} of ${result.units.length} ${label} to ${flags.out} (${format})`);
      if (result.unknownMetadata > 0) {
        ctx.info(command, `warning: Encord returned no metadata for ${result.unknownMetadata} data units; their cells are empty (unknown, not "none")`);
      }
      if (result.omittedKeys.length > 0) ctx.info(command, `not in the schema, left out: ${result.omittedKeys.join(', ')}`);
    }
    return EXIT.OK;
  } finally {
    progress.done();
  }
}

/** Write the listing to `outPath` (else stdout) in `format`; returns the rows written. */
async function writeListing(
  ctx: CommandContext,
  result: ListResult | FolderListResult,
  format: ListFormat | null,
  outPath: string | undefined,
  limit: number | undefined,
  progress: ProgressLine,
): Promise<number> {
  const onProgress = (done: number, total: number): void => progress.update({ phase: 'writing', done, total }, done === total);
  const writeOptions = { limit, onProgress, signal: ctx.io.signal };
  if (format === 'parquet') return writeListParquet(result, outPath!, writeOptions);
  if (format === 'table') {
    // On a terminal, a table wider than the screen is shown vertically.
    const width = !outPath && ctx.io.stdout.isTTY === true ? ctx.io.stdout.columns : undefined;
    const text = formatListTable(result, { ...writeOptions, width });
    const rows = Math.min(result.units.length, limit ?? Number.MAX_SAFE_INTEGER);
    progress.done();
    if (outPath) {
      const file = openTextFile(outPath);
      await file.write(text);
      await file.close();
    } else ctx.io.stdout.write(text);
    return rows;
  }
  const write = format === 'jsonl' ? writeListJsonl : writeListCsv;
  if (!outPath) {
    progress.done();
    return write(result, ctx.io.stdout, { ...writeOptions, onProgress: undefined });
  }
  const file = openTextFile(outPath);
  try {
    return await write(result, file, writeOptions);
  } finally {
    await file.close();
  }
}

/** The `--json` result: counts and columns, and the records themselves when they went to no file. */
function printListJson(
  ctx: CommandContext,
  result: ListResult | FolderListResult,
  limit: number | undefined,
  rows: number,
  format: ListFormat | null,
  outPath: string | undefined,
): void {
  const units = limit === undefined ? result.units : result.units.slice(0, limit);
  if ('folderUuid' in result) {
    ctx.printJson(
      FolderListOutput.parse({
        command: 'list',
        folderUuid: result.folderUuid,
        name: result.folderName,
        recursive: result.recursive,
        items: result.units.length,
        rows: outPath ? rows : units.length,
        columns: listColumns(result),
        omittedKeys: [...result.omittedKeys],
        format: outPath ? format : null,
        out: outPath ?? null,
        ...(!outPath && { records: units.map((u) => result.idColumns.record(u)) }),
      }),
    );
    return;
  }
  ctx.printJson(
    ListOutput.parse({
      command: 'list',
      datasetHash: result.datasetHash,
      title: result.datasetTitle,
      units: result.units.length,
      rows: outPath ? rows : units.length,
      columns: listColumns(result),
      unknownMetadata: result.unknownMetadata,
      omittedKeys: [...result.omittedKeys],
      format: outPath ? format : null,
      out: outPath ?? null,
      ...(!outPath && { records: units.map(listRecord) }),
    }),
  );
}
