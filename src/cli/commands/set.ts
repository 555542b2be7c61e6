/**
 * `encord-meta set --dataset HASH (--index N | --data-hash H | --title T | --all) key=value …`: set metadata
 * on one data unit or all of them, with the import's coercion and merge rules, journalled for rollback.
 *
 * `--json '{...}'` gives typed values. The root program owns the boolean `--json` (machine output) and
 * consumes it wherever it appears, so a JSON object right after `--json` arrives here as an operand; the raw
 * argv tells the two uses apart.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { inexactHint, inexactJsonNumber } from '../../exact-number.js';
import type { JsonValue } from '../../encord/protocol/types.js';
import { MetaError } from '../../errors.js';
import { hasOwn } from '../../own.js';
import { runFolderSet, runSet, type FolderSetResult, type FolderSetTarget, type SetResult, type SetTarget } from '../../pipeline/run-set.js';
import { folderUuidOption } from './folders.js';
import { loadSchemaFile } from '../../schema/index.js';
import { jobConfigOf } from '../connect.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { FolderSetOutput, SetOutput } from '../json-outputs.js';
import { defaultStateDir, intOption, datasetHashOption, rangeOption } from '../options.js';
import { BATCH_SIZE, CONCURRENCY, WRITE_MODES, type WriteMode } from '../../pipeline/option-sets.js';
import { ProgressLine } from '../progress.js';
import { addCoercionOptions, coercionFrom, type CoercionFlags } from '../coercion-flags.js';
import { withConnection } from '../with-connection.js';

interface SetFlags extends CoercionFlags {
  dataset?: string;
  folder?: string;
  name?: string;
  itemUuid?: string;
  recursive?: boolean;
  index?: number;
  dataHash?: string;
  title?: string;
  all?: boolean;
  unset?: string[];
  mode?: WriteMode;
  schema?: string;
  allowUnknownKeys?: boolean;
  dryRun?: boolean;
  journal?: string;
  stateDir?: string;
  batchSize?: number;
  concurrency?: number;
  progress?: boolean;
  /** Only set when written `--json={...}` (the root program takes a bare `--json`). */
  json?: string | boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The root program's raw argv, to see whether `--json` was followed by a JSON object. */
function rawArgs(command: Command): readonly string[] {
  let root: Command = command;
  while (root.parent) root = root.parent;
  return (root as Command & { rawArgs?: string[] }).rawArgs ?? [];
}

/** `--json` occurrences used as "machine output" (not followed by a JSON object). */
function wantsJsonOutput(args: readonly string[]): boolean {
  return args.some((a, i) => a === '--json' && !/^\s*[{[]/.test(args[i + 1] ?? ''));
}

function parseJsonValues(text: string): Record<string, JsonValue> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MetaError('USAGE', `--json: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  // JSON.parse rounds a number a double cannot hold (9007199254740993 → …992): check the text as written.
  const inexact = inexactJsonNumber(text);
  if (inexact !== undefined) {
    throw new MetaError('USAGE_INVALID_VALUE', `--json: Invalid number: expected a decimal a JSON number holds exactly, got ${inexact.literal}; ${inexactHint(inexact.result)}`, {
      details: { code: 'INVALID_NUMBER' },
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MetaError('USAGE', `--json: expected a JSON object such as '{"city": "Paris", "dark": true}', got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, JsonValue>;
}

export function registerSet(program: Command, ctx: CommandContext): void {
  addCoercionOptions(
    program
      .command('set')
      .summary('set metadata on one data unit, or on all of them')
      .description(
        'Set metadata keys on the data unit named by --index, --data-hash or --title, or on --all of them. ' +
          'KEY=VALUE values are coerced like import cells against the org schema (dark=yes, captured_at="2026-11-28 ' +
          "10:00\", gps=48.85,2.35); --json '{...}' gives typed values (null removes a key). Merged with the " +
          'metadata each unit has now (other keys kept); units already holding the values are not written. ' +
          'Previous values are journalled: encord-meta rollback JOURNAL undoes a set. With --folder UUID: the ' +
          'storage items of a folder instead, named by --name (or path with --recursive), --item-uuid, or --all; ' +
          'items that back data units in datasets are listed in the plan (those data units change too).',
      )
      .argument('[assignments...]', 'KEY=VALUE pairs')
      .option('-d, --dataset <hash>', 'dataset hash (or "dataset" in --config)', datasetHashOption())
      .option('--folder <uuid>', 'set storage items of this folder instead of data units of a dataset', folderUuidOption())
      .option('--name <name>', 'with --folder: the item with this name (or path, e.g. cam-01/a.jpg, with --recursive)')
      .option('--item-uuid <uuid>', 'with --folder: the item with this uuid')
      .option('--recursive', 'with --folder: items of every subfolder too (--all reaches them, --name takes a path)')
      .option('--index <n>', 'the data unit at this index (server order, as `list` shows)', intOption('--index', 0, Number.MAX_SAFE_INTEGER))
      .option('--data-hash <hash>', 'the data unit with this data hash')
      .option('--title <title>', 'the data unit with this title (must be unique)')
      .option('--all', 'every data unit of the dataset (bulk writes)')
      .option('--json <object>', 'typed values as a JSON object, e.g. \'{"dark": true, "gps": {"latitude": 48.85, "longitude": 2.35}}\'')
      .option('--unset <key>', 'remove a key (repeatable)', collect)
      .addOption(new Option('--mode <mode>', 'merge: keep other keys (default); replace: these keys become the whole metadata').choices(WRITE_MODES))
      .option('--schema <file>', 'coerce against this schema file instead of the org schema')
      .option('--allow-unknown-keys', 'write keys the schema does not have (as text, or the JSON value as given)')
      .option('--dry-run', 'show what would change; write nothing')
      .option('--journal <file>', 'undo journal (default: <state-dir>/journals/<dataset>-<time>-set.jsonl)')
      .option('--state-dir <dir>', 'locks and journals (default: ~/.encord-meta)')
      .option('--batch-size <n>', 'items per bulk request with --all (default 500)', rangeOption('--batch-size', BATCH_SIZE))
      .option('--concurrency <n>', `writes in flight (default ${CONCURRENCY.default})`, rangeOption('--concurrency', CONCURRENCY))
      .option('--no-progress', 'no progress output'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  encord-meta set --dataset 4f1c…e2 --index 3 city=Paris dark=no\n' +
        '  encord-meta set --dataset 4f1c…e2 --title cam-01/frame_000123.jpg weather=fog\n' +
        '  encord-meta set --dataset 4f1c…e2 --data-hash 9a7b…01 --json \'{"gps": [48.85, 2.35], "dark": true}\'\n' +
        '  encord-meta set --dataset 4f1c…e2 --all weather=fog --dry-run\n' +
        '  encord-meta set --dataset 4f1c…e2 --index 3 --unset legacy_id\n' +
        '  encord-meta set --folder 9b2e…07 --name frame_000123.jpg weather=fog\n' +
        '  encord-meta set --folder 9b2e…07 --recursive --all reviewed=yes --dry-run\n' +
        '\nExit codes: 0 written or already set, 3 some units failed, 2 bad value/key/target (nothing written), 1 fatal.',
    )
    .action(async (assignments: string[], flags: SetFlags, command: Command) => ctx.run(() => runSetCommand(ctx, command, assignments, flags)));
}

/** Check what to set and on what, then set it on a dataset's data units or a folder's items. */
async function runSetCommand(ctx: CommandContext, command: Command, assignments: readonly string[], flags: SetFlags): Promise<ExitCode> {
  const g = ctx.globals(command);
  const config = jobConfigOf(ctx, command);
  const folder = flags.folder;
  if (flags.dataset !== undefined && folder !== undefined) throw new MetaError('USAGE', 'give --dataset HASH or --folder UUID, not both');
  const dataset = folder === undefined ? (flags.dataset ?? config.dataset) : undefined;
  if (!dataset && !folder) throw new MetaError('USAGE', 'give --dataset HASH (or "dataset" in --config), or --folder UUID');
  if (folder === undefined && (flags.name !== undefined || flags.itemUuid !== undefined || flags.recursive)) {
    throw new MetaError('USAGE', '--name, --item-uuid and --recursive go with --folder UUID (for a dataset: --index, --data-hash, --title)');
  }
  if (folder !== undefined && (flags.index !== undefined || flags.dataHash !== undefined || flags.title !== undefined)) {
    throw new MetaError('USAGE', 'with --folder, name the items with --name, --item-uuid or --all (--index, --data-hash and --title are for datasets)');
  }
  const { pairs, values, jsonGiven } = splitAssignments(assignments, flags);
  const jsonOutput = g.json === true && (!jsonGiven || wantsJsonOutput(rawArgs(command)));
  const target = setTarget(flags, folder);
  const schemaFile = flags.schema ?? config.schema;
  const schema = schemaFile ? await loadSchemaFile(resolve(ctx.io.cwd, schemaFile)) : undefined;
  const stateDir = resolve(ctx.io.cwd, flags.stateDir ?? config.stateDir ?? defaultStateDir(ctx.io.env));
  const progress = new ProgressLine(ctx.io.stderr, { enabled: flags.all === true && flags.progress !== false && !g.quiet && !jsonOutput });
  const common = {
    assignments: pairs,
    values,
    unset: flags.unset,
    schema,
    coercion: coercionFrom(flags, config),
    mode: flags.mode ?? config.mode,
    unknownKeys: flags.allowUnknownKeys ? ('allow' as const) : ('error' as const),
    dryRun: flags.dryRun,
    journalPath: flags.journal ? resolve(ctx.io.cwd, flags.journal) : undefined,
    stateDir,
    batchSize: flags.batchSize ?? config.batchSize,
    concurrency: flags.concurrency ?? config.concurrency,
    signal: ctx.io.signal,
    onProgress: (p: { phase: 'listing' | 'writing' | 'done'; done: number; total: number; written: number; unchanged: number; failed: number }) =>
      progress.update(
        { phase: p.phase, done: p.done, total: p.phase === 'listing' ? undefined : p.total, written: p.written, unchanged: p.unchanged, failed: p.failed },
        p.phase === 'done',
      ),
  };
  let result: SetResult | FolderSetResult;
  try {
    result = await withConnection<SetResult | FolderSetResult>(
      ctx,
      command,
      (c) =>
        target.folder !== undefined
          ? runFolderSet({ store: c.client, folderUuid: target.folder, target: target.folderTarget, recursive: flags.recursive, ...common })
          : runSet({ store: c.client, datasetHash: dataset!, target: target.target, ...common }),
      { concurrency: Math.max(8, 2 * (flags.concurrency ?? config.concurrency ?? 4)) },
    );
  } finally {
    progress.done();
  }
  if ('folderUuid' in result) {
    if (jsonOutput) ctx.printJson(FolderSetOutput.parse({ command: 'set', ...result }));
    else if (!g.quiet || result.failed.length > 0) ctx.io.stdout.write(formatFolderSetResult(result));
  } else if (jsonOutput) ctx.printJson(SetOutput.parse({ command: 'set', ...result }));
  else if (!g.quiet || result.failed.length > 0) ctx.io.stdout.write(formatSetResult(result));
  return result.failed.length > 0 ? EXIT.ROWS_FAILED : EXIT.OK;
}

/** KEY=VALUE pairs apart from the `--json` object, which arrives as an operand (see the module comment). */
function splitAssignments(assignments: readonly string[], flags: SetFlags): { pairs: string[]; values: Record<string, JsonValue> | undefined; jsonGiven: boolean } {
  const isJson = (a: string): boolean => /^\s*[{[]/.test(a);
  const jsonArgs = [...assignments.filter(isJson), ...(typeof flags.json === 'string' ? [flags.json] : [])];
  const pairs = assignments.filter((a) => !isJson(a));
  if (jsonArgs.length > 1) throw new MetaError('USAGE', 'give --json once, with one JSON object');
  const values = jsonArgs[0] !== undefined ? parseJsonValues(jsonArgs[0]) : undefined;
  return { pairs, values, jsonGiven: jsonArgs.length > 0 };
}

/** The one data unit selector (dataset) or item selector (folder) the flags give: exactly one, else a usage error. */
function setTarget(
  flags: SetFlags,
  folder: string | undefined,
): { readonly folder: undefined; readonly target: SetTarget } | { readonly folder: string; readonly folderTarget: FolderSetTarget } {
  const targets: SetTarget[] = [];
  const folderTargets: FolderSetTarget[] = [];
  if (flags.index !== undefined) targets.push({ index: flags.index });
  if (flags.dataHash !== undefined) targets.push({ dataHash: flags.dataHash });
  if (flags.title !== undefined) targets.push({ title: flags.title });
  if (flags.name !== undefined) folderTargets.push({ name: flags.name });
  if (flags.itemUuid !== undefined) folderTargets.push({ itemUuid: flags.itemUuid });
  if (flags.all) (folder === undefined ? targets : folderTargets).push({ all: true });
  if (folder === undefined) {
    if (targets.length !== 1) throw new MetaError('USAGE', 'say which data units to set with exactly one of --index N, --data-hash H, --title T or --all');
    return { folder: undefined, target: targets[0]! };
  }
  if (folderTargets.length !== 1) throw new MetaError('USAGE', 'say which items of the folder to set with exactly one of --name NAME, --item-uuid UUID or --all');
  return { folder, folderTarget: folderTargets[0]! };
}

/** The human rendering of a set result. */
export function formatSetResult(r: SetResult): string {
  const lines: string[] = [];
  const keys = [...Object.keys(r.update.set), ...r.update.unset.map((k) => `-${k}`)].join(', ');
  lines.push(
    `${r.dryRun ? 'Dry run: would set' : 'Set'} ${keys} on ${r.units} data ${r.units === 1 ? 'unit' : 'units'} of dataset ${r.datasetHash}` +
      `${r.mode === 'replace' ? ' (replace: other keys removed, keyframes kept)' : ''}`,
  );
  for (const c of r.changes.slice(0, r.units === 1 ? 1 : 5)) {
    lines.push(`  ${c.index}  ${c.title}  (${c.dataHash})`);
    for (const k of c.changedKeys) {
      const before = c.before === null ? '(unknown)' : hasOwn(c.before, k) ? JSON.stringify(c.before[k]) : '(absent)';
      const after = hasOwn(c.after, k) ? JSON.stringify(c.after[k]) : '(removed)';
      lines.push(`    ${k}: ${clip(before)} → ${clip(after)}`);
    }
  }
  if (r.changes.length > 5 && r.units > 1) lines.push(`  … and more`);
  lines.push(`${r.dryRun ? 'would write' : 'written'} ${r.written} | unchanged ${r.unchanged} | failed ${r.failed.length} | ${r.requests} requests`);
  if (r.alsoChanged.length > 0) {
    const shown = r.alsoChanged.slice(0, 3).map((u) => `${u.index} ${u.title}`).join('; ');
    lines.push(`note: ${r.alsoChanged.length} other data ${r.alsoChanged.length === 1 ? 'unit shares' : 'units share'} the storage item and changed too: ${shown}${r.alsoChanged.length > 3 ? '; …' : ''}`);
  }
  for (const f of r.failed.slice(0, 20)) lines.push(`  failed ${f.index} ${f.title}: ${f.code} ${f.message}`);
  if (r.failed.length > 20) lines.push(`  … ${r.failed.length - 20} more failures (use --json for all)`);
  if (r.journalPath && r.written > 0) lines.push(`undo journal: ${r.journalPath} (encord-meta rollback ${r.journalPath})`);
  return `${lines.join('\n')}\n`;
}

/** The human rendering of a folder set result. */
export function formatFolderSetResult(r: FolderSetResult): string {
  const lines: string[] = [];
  const keys = [...Object.keys(r.update.set), ...r.update.unset.map((k) => `-${k}`)].join(', ');
  lines.push(
    `${r.dryRun ? 'Dry run: would set' : 'Set'} ${keys} on ${r.items} ${r.items === 1 ? 'item' : 'items'} of folder "${r.folderName}" (${r.folderUuid})` +
      `${r.mode === 'replace' ? ' (replace: other keys removed, keyframes kept)' : ''}`,
  );
  for (const c of r.changes.slice(0, r.items === 1 ? 1 : 5)) {
    lines.push(`  ${c.path}  (${c.itemUuid})`);
    for (const k of c.changedKeys) {
      const before = hasOwn(c.before, k) ? JSON.stringify(c.before[k]) : '(absent)';
      const after = hasOwn(c.after, k) ? JSON.stringify(c.after[k]) : '(removed)';
      lines.push(`    ${k}: ${clip(before)} → ${clip(after)}`);
    }
  }
  if (r.changes.length > 5 && r.items > 1) lines.push(`  … and more`);
  lines.push(`${r.dryRun ? 'would write' : 'written'} ${r.written} | unchanged ${r.unchanged} | failed ${r.failed.length} | ${r.requests} requests`);
  if (r.backing.length > 0) {
    const units = r.backing.reduce((n, b) => n + b.backedDataUnits, 0);
    const shown = r.backing.slice(0, 3).map((b) => `${b.path} (${b.backedDataUnits})`).join('; ');
    lines.push(
      `note: ${r.backing.length} of these ${r.backing.length === 1 ? 'item backs' : 'items back'} ${units} data ${units === 1 ? 'unit' : 'units'} in datasets, which ${r.dryRun ? 'would show' : 'now show'} the new metadata too: ${shown}${r.backing.length > 3 ? '; …' : ''}`,
    );
  }
  if (r.backingUnknown > 0) lines.push(`note: Encord did not say whether ${r.backingUnknown} of these items back data units in datasets`);
  for (const f of r.failed.slice(0, 20)) lines.push(`  failed ${f.path} (${f.itemUuid}): ${f.code} ${f.message}`);
  if (r.failed.length > 20) lines.push(`  … ${r.failed.length - 20} more failures (use --json for all)`);
  if (r.journalPath && r.written > 0) lines.push(`undo journal: ${r.journalPath} (encord-meta rollback ${r.journalPath})`);
  return `${lines.join('\n')}\n`;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
