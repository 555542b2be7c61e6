/**
 * `encord-meta emulator`: run the local Encord-compatible server until SIGINT/SIGTERM, for rehearsing
 * imports, demos and benchmarks. Prints the base URL and the datasets once it is ready.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parsePublicKeys } from '../../encord/protocol/public-key.js';
import { MetaError } from '../../errors.js';
import { loadFaultsFile, startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import {
  TYPE_VALIDATION_MODES,
  UNKNOWN_DATASET_MODES,
  UNKNOWN_KEY_MODES,
  UNKNOWN_STORAGE_STATUSES,
  V1_ERROR_STATUS_MODES,
  WRITE_MODES,
  type MetadataWriteMode,
  type TypeValidation,
  type UnknownDatasetMode,
  type UnknownSchemaKeys,
  type V1ErrorStatusMode,
} from '../../emulator/options.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

interface EmulatorFlags {
  port?: number;
  host: string;
  state?: string;
  authorize?: string[];
  defaultKey: boolean;
  seedRows?: number;
  seedLegacy?: number;
  seedFolders?: number;
  seedFolderItems?: number;
  seed?: number;
  rateLimit?: number;
  burst?: number;
  retryAfter: boolean;
  latency?: number;
  jitter?: number;
  faults?: string;
  writeMode?: MetadataWriteMode;
  unknownKeys?: UnknownSchemaKeys;
  typeValidation?: TypeValidation;
  unknownDataset?: UnknownDatasetMode;
  v1ErrorStatus?: V1ErrorStatusMode;
  /** The status as typed; a number of `UNKNOWN_STORAGE_STATUSES`. */
  unknownStorageStatus?: string;
  signatureMaxAge?: number;
}

function integer(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

function positiveNumber(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${name} must be a number > 0, got "${value}"`);
    }
    return n;
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function readAuthorizedKeys(cwd: string, files: readonly string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new MetaError('USAGE_OPTION', `Cannot read --authorize file ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      keys.push(...parsePublicKeys(text, path).map((k) => k.publicKeyHex));
    } catch (error) {
      throw new MetaError('USAGE_OPTION', (error as Error).message, { cause: error });
    }
  }
  return keys;
}

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((done) => signal.addEventListener('abort', () => done(), { once: true }));
}

export function registerEmulator(program: Command, ctx: CommandContext): void {
  program
    .command('emulator')
    .summary('run a local Encord-compatible server to rehearse imports against')
    .description(
      'Runs an emulator of the Encord API (v1 querier and v2 REST, signatures verified) on loopback until ' +
        'Ctrl+C / SIGTERM. The published TEST-ONLY key (protocol §3.1) is registered unless --no-default-key. With --state DIR the ' +
        'data survives restarts (seeding happens only when DIR holds no state yet).',
    )
    .addOption(new Option('--port <n>', 'TCP port (0: any free port)').argParser(integer('--port', 0, 65535)).default(0))
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--state <dir>', 'keep the state in this directory across restarts')
    .option('--authorize <pubkey-file>', 'also accept this OpenSSH public key (file; repeatable)', collect)
    .option('--no-default-key', 'do not register the published TEST-ONLY key (protocol §3.1)')
    .addOption(new Option('--seed-rows <n>', 'seed one dataset of N data units').argParser(integer('--seed-rows', 0, 50_000_000)))
    .addOption(
      new Option('--seed-legacy <n>', 'add N legacy data units (no storage item, v1 save only) to the seeded dataset').argParser(
        integer('--seed-legacy', 0, 50_000_000),
      ),
    )
    .addOption(
      new Option(
        '--seed-folders <n>',
        'seed a storage folder tree to rehearse --folder runs: "Rehearsal uploads" with N subfolders cam-01… (each with an archive/ subfolder)',
      ).argParser(integer('--seed-folders', 0, 1000)),
    )
    .addOption(
      new Option('--seed-folder-items <m>', 'files per seeded folder (default 100; archive/ folders get a tenth)').argParser(
        integer('--seed-folder-items', 0, 1_000_000),
      ),
    )
    .addOption(new Option('--seed <n>', 'seed of all generated data and random choices').argParser(integer('--seed', 0, 2 ** 32 - 1)))
    .addOption(new Option('--rate-limit <req-per-s>', 'token-bucket limit per key and route class').argParser(positiveNumber('--rate-limit')))
    .addOption(new Option('--burst <n>', 'bucket size for --rate-limit').argParser(integer('--burst', 1, 1_000_000)))
    .option('--no-retry-after', 'answer 429 without Retry-After')
    .addOption(new Option('--latency <ms>', 'delay every response').argParser(integer('--latency', 0, 3_600_000)))
    .addOption(new Option('--jitter <ms>', 'extra random delay up to this').argParser(integer('--jitter', 0, 3_600_000)))
    .option('--faults <file>', 'fault injection rules (JSON)')
    .addOption(new Option('--write-mode <mode>', 'how metadata writes combine with stored values').choices(WRITE_MODES))
    .addOption(new Option('--unknown-keys <mode>', 'keys not in the org schema').choices(UNKNOWN_KEY_MODES))
    .addOption(new Option('--type-validation <mode>', 'check values against schema types').choices(TYPE_VALIDATION_MODES))
    .addOption(new Option('--unknown-dataset <mode>', 'v1 answer for an unknown dataset').choices(UNKNOWN_DATASET_MODES))
    .addOption(new Option('--v1-error-status <mode>', 'HTTP status of v1 error envelopes').choices(V1_ERROR_STATUS_MODES))
    .addOption(new Option('--unknown-storage-status <status>', 'HTTP status for unknown items/folders').choices(UNKNOWN_STORAGE_STATUSES.map(String)))
    .addOption(
      new Option('--signature-max-age <s>', 'oldest accepted v2 signature `created`, in seconds').argParser(
        integer('--signature-max-age', 0, 10_000_000),
      ),
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  encord-meta emulator --seed-rows 1000\n' +
        '  encord-meta emulator --seed-folders 3 --seed-folder-items 50   # folder tree for list/set/import --folder\n' +
        '  encord-meta emulator --port 8080 --state ./emu-state --seed-rows 100000 --rate-limit 20 --faults faults.json\n' +
        '  encord-meta --domain http://127.0.0.1:8080 --ssh-key test-key import ...   # in another shell\n',
    )
    .action(async (flags: EmulatorFlags, command: Command) => ctx.run(() => runEmulator(ctx, command, flags)));
}

/** Start the emulator as the flags say, print where it listens and what it holds, and serve until aborted. */
async function runEmulator(ctx: CommandContext, command: Command, flags: EmulatorFlags): Promise<ExitCode> {
  const options = await emulatorOptions(ctx.io.cwd, flags);
  if (flags.burst !== undefined && flags.rateLimit === undefined) {
    throw new MetaError('USAGE_OPTION', '--burst needs --rate-limit');
  }
  const emulator = await startEmulator(options);
  try {
    if (ctx.globals(command).json) printReadyJson(ctx, emulator);
    else printReady(ctx, emulator);
    await waitForAbort(ctx.io.signal);
  } finally {
    await emulator.close();
  }
  ctx.info(command, flags.state === undefined ? 'emulator stopped' : `emulator stopped; state flushed to ${flags.state}`);
  return EXIT.OK;
}

/** The flags as `startEmulator` options; reads the `--authorize` key files and the `--faults` file. */
async function emulatorOptions(cwd: string, flags: EmulatorFlags): Promise<EmulatorOptions> {
  return {
    host: flags.host,
    port: flags.port ?? 0,
    defaultTestKey: flags.defaultKey,
    authorizedKeys: await readAuthorizedKeys(cwd, flags.authorize ?? []),
    ...(flags.state !== undefined ? { stateDir: resolve(cwd, flags.state) } : {}),
    ...(flags.seedRows !== undefined ? { seedRows: flags.seedRows } : {}),
    ...(flags.seedLegacy !== undefined ? { seedLegacy: flags.seedLegacy } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.seedFolders !== undefined || flags.seedFolderItems !== undefined
      ? { seedFolders: { subfolders: flags.seedFolders ?? 0, ...(flags.seedFolderItems !== undefined && { items: flags.seedFolderItems }) } }
      : {}),
    ...(flags.rateLimit !== undefined
      ? {
          rateLimit: {
            requestsPerSecond: flags.rateLimit,
            retryAfter: flags.retryAfter,
            ...(flags.burst !== undefined ? { burst: flags.burst } : {}),
          },
        }
      : {}),
    ...(flags.latency !== undefined || flags.jitter !== undefined ? { latency: { ms: flags.latency ?? 0, jitterMs: flags.jitter ?? 0 } } : {}),
    ...(flags.faults !== undefined ? { faults: await loadFaultsFile(resolve(cwd, flags.faults)) } : {}),
    ...(flags.writeMode !== undefined ? { metadataWriteMode: flags.writeMode } : {}),
    ...(flags.unknownKeys !== undefined ? { unknownSchemaKeys: flags.unknownKeys } : {}),
    ...(flags.typeValidation !== undefined ? { typeValidation: flags.typeValidation } : {}),
    ...(flags.unknownDataset !== undefined ? { unknownDataset: flags.unknownDataset } : {}),
    ...(flags.v1ErrorStatus !== undefined ? { v1ErrorStatus: flags.v1ErrorStatus } : {}),
    ...(flags.unknownStorageStatus !== undefined ? { unknownStorageStatus: UNKNOWN_STORAGE_STATUSES.find((s) => String(s) === flags.unknownStorageStatus)! } : {}),
    ...(flags.signatureMaxAge !== undefined ? { signatureMaxAgeSeconds: flags.signatureMaxAge } : {}),
  };
}

function printReadyJson(ctx: CommandContext, emulator: Emulator): void {
  ctx.printJson({
    url: emulator.url,
    datasets: emulator.datasets().map((d) => ({ hash: d.hash, title: d.title, rows: d.rows })),
    folders: emulator.folders().map((f) => ({ uuid: f.uuid, name: f.name, items: f.items, parent: f.parent, dataset: f.syncedDatasetHash })),
  });
}

/** For people: the URL, the datasets, the first top-level folders, the keys, and how to point the client at it. */
function printReady(ctx: CommandContext, emulator: Emulator): void {
  const datasets = emulator.datasets();
  const folders = emulator.folders();
  const out = ctx.io.stdout;
  out.write(`Encord emulator listening on ${emulator.url}\n`);
  for (const d of datasets) {
    out.write(`  dataset ${d.hash}  ${JSON.stringify(d.title)}  ${d.rows} rows${d.folderUuid !== null ? `  (backing folder ${d.folderUuid})` : ''}\n`);
  }
  if (datasets.length === 0) out.write('  (no datasets: use --seed-rows N to create one)\n');
  // Top-level folders other than datasets' backing folders (those are shown above); `folders` lists all.
  const shown = folders.filter((f) => f.parent === null && f.syncedDatasetHash === null);
  for (const f of shown.slice(0, 20)) {
    const subs = folders.filter((x) => x.parent === f.uuid).length;
    out.write(`  folder  ${f.uuid}  ${JSON.stringify(f.name)}  ${f.items} items${subs > 0 ? `, ${subs} subfolders` : ''}\n`);
  }
  if (shown.length > 20) out.write(`  … ${shown.length - 20} more folders (encord-meta folders lists them)\n`);
  out.write(`  authorised keys: ${emulator.auth.keys().join(', ') || '(none)'}\n`);
  out.write(`Point the client at it with --domain ${emulator.url}. Ctrl+C stops it.\n`);
}
