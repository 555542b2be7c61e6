/**
 * `schema check DATAFILE` and `schema infer DATAFILE`: a data file against the org schema (every row,
 * with samples and the command that fixes each problem), and a schema proposed from a sample of a file.
 * Several files (several arguments, a quoted glob, a directory) are read as one input, as `import` reads them.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { runSchemaCheck, runSchemaInfer, type SchemaCheckResult } from '../../pipeline/run-schema-check.js';
import { CSV_ENCODING_NAMES } from '../../sources/csv/decode.js';
import { SOURCE_FORMATS, type SourceFormat } from '../../sources/sniff.js';
import { describeSpec, loadSchemaFile } from '../../schema/index.js';
import { formatFileCheck } from '../../schema-check/index.js';
import { jobConfigOf } from '../connect.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { SchemaCheckOutput, SchemaInferOutput, schemaDocumentJson } from '../json-outputs.js';
import { intOption } from '../options.js';
import { addCoercionOptions, coercionFrom, shellQuote, type CoercionFlags } from '../coercion-flags.js';
import { withConnection } from '../with-connection.js';
import { writeSchemaDocument } from '../schema-output.js';

interface DataFlags extends CoercionFlags {
  format?: SourceFormat;
  sheet?: string;
  delimiter?: string;
  encoding?: string;
  skipUnnamedColumns?: boolean;
}

function addDataFileOptions(command: Command): Command {
  return addCoercionOptions(
    command
      .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(SOURCE_FORMATS))
      .option('--sheet <name>', '.xlsx: the worksheet to read (default: the first)')
      .option('--delimiter <char>', 'CSV delimiter (default: detected among , ; and tab)')
      .option('--skip-unnamed-columns', 'leave out CSV columns whose header cell is empty (a first one, pandas\' row index, always is)')
      .addOption(new Option('--encoding <name>', 'CSV text encoding (default: UTF-8; UTF-16 when the file starts with its byte-order mark)').choices(CSV_ENCODING_NAMES)),
  );
}

/** Commands that would fix a failed check, most useful first. */
export function checkFixes(result: SchemaCheckResult, fileShown: string | readonly string[]): string[] {
  const fixes: string[] = [];
  const quoted = quoteFiles(fileShown);
  // A reader option first: it fixes how the file is read, not the schema every dataset shares.
  const flags = [...new Set(result.proposals.flatMap((p) => (p.readerOption !== undefined ? [p.readerOption] : [])))];
  if (flags.length > 0) fixes.push(`encord-meta schema check ${quoted} ${flags.join(' ')}   # then import with the same flags`);
  const sets = result.proposals.filter((p) => p.type !== null).map((p) => `--set ${shellQuote(`${p.column}=${p.type}`)}`);
  if (sets.length > 0) fixes.push(`encord-meta schema push ${sets.join(' ')}`);
  if (result.proposals.some((p) => p.type === null && p.readerOption === undefined && result.missingKeys.includes(p.column))) {
    fixes.push(`encord-meta schema infer ${quoted} > schema.json   # edit, then: encord-meta schema push schema.json`);
  }
  return fixes;
}

/** Files as a shell command line would name them. */
function quoteFiles(files: string | readonly string[]): string {
  return (typeof files === 'string' ? [files] : files).map(shellQuote).join(' ');
}

/** One path as given, or several read as one input. */
function inputOf(files: readonly string[], cwd: string): string | string[] {
  return files.length === 1 ? resolve(cwd, files[0]!) : files.map((f) => resolve(cwd, f));
}

/** How `schema check` and `schema infer` read the data file: the reader flags over the job config, as `import` does. */
function readerInput(ctx: CommandContext, files: readonly string[], flags: DataFlags, config: ReturnType<typeof jobConfigOf>) {
  return {
    file: inputOf(files, ctx.io.cwd),
    format: flags.format ?? config.format,
    sheet: flags.sheet ?? config.sheet,
    delimiter: flags.delimiter ?? config.delimiter,
    encoding: flags.encoding ?? config.encoding,
    ...(flags.skipUnnamedColumns === true && { unnamedColumns: 'skip' as const }),
    coercion: coercionFrom(flags, config),
  };
}

const DATAFILE_HELP = 'CSV or Parquet file; several files, a quoted glob or a directory are read as one input (as import reads them)';

export function registerSchemaCheck(schema: Command, ctx: CommandContext): void {
  addDataFileOptions(
    schema
      .command('check')
      .summary('check every column of a data file against the org schema')
      .description(
        'Read the whole file and coerce every cell with the import\'s rules: columns with no key in the schema, ' +
          'values the key\'s type rejects (with line numbers and counts), values outside an enum, embedding sizes. ' +
          'Identifying columns (index, data_hash, title, item_uuid) are not checked. Writes nothing. ' +
          'Exit 0 when the file would import cleanly, 3 when it has problems.',
      )
      .argument('<datafile...>', DATAFILE_HELP)
      .option('--schema <file>', 'check against this schema file instead of the org schema (no connection needed)')
      .option('--samples <n>', 'failing values shown per column (default 5)', intOption('--samples', 0, 1000)),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  encord-meta schema check samples/metadata.csv\n' +
        '  encord-meta schema check samples/metadata.parquet --schema samples/schema.json\n' +
        '  encord-meta schema check export.csv --decimal-comma --date-format dd/mm/yyyy',
    )
    .action(async (files: string[], flags: CheckFlags, command: Command) => ctx.run(() => runSchemaCheckCommand(ctx, command, files, flags)));
}

type CheckFlags = DataFlags & { schema?: string; samples?: number };

/** Check the files against a schema file or the org schema; exit 0 when they would import cleanly, else 3. */
async function runSchemaCheckCommand(ctx: CommandContext, command: Command, files: readonly string[], flags: CheckFlags): Promise<ExitCode> {
  const file = files.join(' ');
  const g = ctx.globals(command);
  const config = jobConfigOf(ctx, command);
  const schemaFile = flags.schema ?? config.schema;
  const given = schemaFile ? await loadSchemaFile(resolve(ctx.io.cwd, schemaFile)) : undefined;
  const input = {
    ...readerInput(ctx, files, flags, config),
    // Read through the job config exactly as `import` reads the file.
    mapping: config.columns,
    keyColumn: config.keyColumn,
    unknownColumns: config.unknownColumns,
    maxSamples: flags.samples,
    signal: ctx.io.signal,
  };
  const result = given
    ? await runSchemaCheck({ ...input, schema: given })
    : await withConnection(ctx, command, (c) => runSchemaCheck({ ...input, store: c.client }));
  const fixes = checkFixes(result, files);
  if (g.json) printCheckJson(ctx, result, file, fixes);
  else printCheck(ctx, g.quiet === true, result, files, schemaFile, fixes);
  return result.ok ? EXIT.OK : EXIT.ROWS_FAILED;
}

function printCheckJson(ctx: CommandContext, result: SchemaCheckResult, file: string, fixes: readonly string[]): void {
  const check = result.check;
  ctx.printJson(
    SchemaCheckOutput.parse({
      command: 'schema check',
      file,
      form: result.form,
      rows: check.rows,
      badRecords: result.badRecords,
      ok: result.ok,
      idColumns: [...result.idColumns],
      missingKeys: [...result.missingKeys],
      mismatched: [...result.mismatched],
      keysNotInFile: [...check.keysNotInFile],
      columns: check.columns.map((c) => ({
        column: c.column,
        type: c.spec ? describeSpec(c.spec) : null,
        ok: c.ok,
        failed: c.failed,
        empty: c.empty,
        samples: c.samples.map((s) => ({ ...s })),
        outOfEnum: c.outOfEnum.map((v) => ({ ...v })),
        embeddingSizes: c.embeddingSizes.map((v) => ({ ...v })),
      })),
      proposals: result.proposals.map((p) => ({ ...p })),
      fixes,
    }),
  );
}

/** For people: the per-column table, then (on problems) what is wrong and the commands that fix it. */
function printCheck(
  ctx: CommandContext,
  quiet: boolean,
  result: SchemaCheckResult,
  files: readonly string[],
  schemaFile: string | undefined,
  fixes: readonly string[],
): void {
  const check = result.check;
  const out = ctx.io.stdout;
  const against = result.form === 'file' ? `schema file ${schemaFile}` : `the organisation schema (${result.form} form)`;
  if (!quiet || !result.ok) {
    out.write(`Checked against ${against}\n${formatFileCheck(check, files.join(' '))}\n`);
    if (result.idColumns.length > 0) out.write(`  identify data units (not checked): ${result.idColumns.join(', ')}\n`);
    if (result.badRecords > 0) out.write(`  ${result.badRecords} unreadable records (the import reports them as failed rows)\n`);
  }
  if (result.ok) {
    if (!quiet) out.write(`OK: every column has a key and every value fits its type. Import it with: encord-meta import ${quoteFiles(files)} --dataset HASH\n`);
    return;
  }
  out.write('\nProblems:\n');
  if (result.missingKeys.length > 0) {
    out.write(`  no key in the schema: ${result.missingKeys.join(', ')} (the import refuses these columns unless --unknown-columns skip or json; a \`list\` export reads them as json)\n`);
  }
  for (const column of result.mismatched) {
    const c = check.columns.find((x) => x.column === column)!;
    out.write(`  ${column}: ${c.failed} of ${c.ok + c.failed} values do not fit ${describeSpec(c.spec!)}\n`);
  }
  out.write('\nTo fix, either correct the file, or change the schema to match the data:\n');
  for (const p of result.proposals) {
    const alternative = p.type?.startsWith('enum(') ? ' (or string, if other values will come)' : '';
    const what = p.readerOption !== undefined ? `read with ${p.readerOption}` : p.type ?? (result.missingKeys.includes(p.column) ? '(no short form)' : 'keep the key');
    out.write(`  ${p.column}: ${what}${alternative} — ${p.evidence}\n`);
  }
  for (const fix of fixes) out.write(`  ${fix}\n`);
}

export function registerSchemaInfer(schema: Command, ctx: CommandContext): void {
  addDataFileOptions(
    schema
      .command('infer')
      .summary('propose a schema from a sample of a data file, with the evidence per column')
      .description(
        'Read the first rows of FILE and propose a type per column (boolean, number, uuid, datetime, ' +
          'embedding(n), geospatial, enum, text, string), saying why. The schema goes to stdout (or --out) and ' +
          'is a valid `schema push` input; the evidence goes to stderr. Identifying columns are left out.',
      )
      .argument('<datafile...>', DATAFILE_HELP)
      .option('-o, --out <file>', 'write the schema to FILE (.yaml/.yml for YAML)')
      .option('--yaml', 'YAML instead of JSON')
      .option('--sample-rows <n>', 'rows read (default 1000)', intOption('--sample-rows', 1, 10_000_000))
      .option('--enum-threshold <n>', 'most distinct values for an enum (default 20)', intOption('--enum-threshold', 1, 256)),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  encord-meta schema infer samples/metadata.csv > schema.json && encord-meta schema push schema.json\n' +
        '  encord-meta schema infer samples/metadata.parquet --out schema.yaml',
    )
    .action(async (files: string[], flags: DataFlags & { out?: string; yaml?: boolean; sampleRows?: number; enumThreshold?: number }, command: Command) =>
      ctx.run(async () => {
        const file = files.join(' ');
        const g = ctx.globals(command);
        const config = jobConfigOf(ctx, command);
        const result = await runSchemaInfer({
          ...readerInput(ctx, files, flags, config),
          maxRows: flags.sampleRows,
          enumThreshold: flags.enumThreshold,
          signal: ctx.io.signal,
        });
        const { text, outPath } = writeSchemaDocument(result.schema, flags, ctx.io.cwd);
        if (g.json) {
          ctx.printJson(
            SchemaInferOutput.parse({
              command: 'schema infer',
              file,
              rowsSampled: result.rowsSampled,
              schema: schemaDocumentJson(result.schema),
              columns: result.columns.map((c) => ({ column: c.column, type: c.spec ? describeSpec(c.spec) : null, evidence: c.evidence, nonEmpty: c.nonEmpty, distinct: c.distinct })),
              idColumns: [...result.idColumns],
              ignoredColumns: [...result.ignoredColumns],
              out: outPath ?? null,
            }),
          );
          return EXIT.OK;
        }
        if (!outPath) ctx.io.stdout.write(text);
        const width = Math.max(6, ...result.columns.map((c) => c.column.length), ...result.idColumns.map((c) => c.length));
        const typeOf = (c: (typeof result.columns)[number]): string => (c.spec ? describeSpec(c.spec) : '(left out)');
        const typeWidth = Math.min(40, Math.max(11, ...result.columns.map((c) => typeOf(c).length)));
        const lines = [`Proposed schema for ${file} (${result.rowsSampled} rows sampled):`];
        for (const c of result.columns) lines.push(`  ${c.column.padEnd(width)}  ${typeOf(c).padEnd(typeWidth)}  ${c.evidence}`);
        for (const c of result.idColumns) lines.push(`  ${c.padEnd(width)}  ${'(not a key)'.padEnd(typeWidth)}  identifies data units`);
        for (const c of result.ignoredColumns) lines.push(`  ${c.padEnd(width)}  ${'(not a key)'.padEnd(typeWidth)}  starts with _ (report column)`);
        lines.push(`Review it, then: encord-meta schema push ${outPath ? shellQuote(flags.out!) : 'schema.json'}`);
        const text2 = `${lines.join('\n')}\n`;
        if (outPath) {
          if (!g.quiet) ctx.io.stdout.write(text2);
        } else if (!g.quiet) ctx.io.stderr.write(text2);
        return EXIT.OK;
      }),
    );
}
