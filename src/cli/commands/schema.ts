/**
 * `encord-meta schema push|pull|verify|check|infer`: the organisation metadata schema. The org has ONE
 * schema and a push replaces it, so push always shows the diff first, asks (or needs --yes), and refuses
 * to drop a key that exists today unless told to.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MetaError } from '../../errors.js';
import {
  parseSetArguments,
  pullSchema,
  runSchemaPush,
  runSchemaVerify,
  type SchemaPushPlan,
  type SchemaPushResult,
} from '../../pipeline/run-schema.js';
import { formatSchemaDiff, isEmptyDiff, loadSchemaFile } from '../../schema/index.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { SchemaPullOutput, SchemaPushOutput, SchemaVerifyOutput, schemaDiffJson, schemaDocumentJson } from '../json-outputs.js';
import { withConnection } from '../with-connection.js';
import { registerSchemaCheck, registerSchemaInfer } from './schema-data.js';
import { writeSchemaDocument } from '../schema-output.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const FORM_NOTE = {
  typed: '',
  simple: ' (the old simple form: enum values and embedding sizes are not known)',
  none: ' (the organisation has no metadata schema yet)',
} as const;

export function registerSchema(program: Command, ctx: CommandContext): void {
  const schema = program
    .command('schema')
    .summary('push, pull, verify the org metadata schema; check a data file against it; infer one')
    .description(
      'The organisation has ONE custom-metadata schema, shared by every dataset: Index and Active use it to ' +
        'filter and display metadata, and the import coerces every cell to it. A push replaces it whole.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  encord-meta schema push samples/schema.json            # shows the diff, then asks\n' +
        '  encord-meta schema push --set city=string --yes        # change one key, keep the others\n' +
        '  encord-meta schema pull --out schema.yaml\n' +
        '  encord-meta schema verify samples/schema.json          # exit 0 when equal, 3 with the diff\n' +
        '  encord-meta schema check samples/metadata.csv          # every column against the org schema\n' +
        '  encord-meta schema infer samples/metadata.csv > schema.json',
    );

  registerSchemaPush(schema, ctx);
  registerSchemaPull(schema, ctx);
  registerSchemaVerify(schema, ctx);
  registerSchemaCheck(schema, ctx);
  registerSchemaInfer(schema, ctx);
}

function registerSchemaPush(schema: Command, ctx: CommandContext): void {
  schema
    .command('push')
    .summary('replace the org schema with FILE (diff shown, confirmation asked)')
    .description(
      'Replace the organisation metadata schema with FILE (JSON or YAML; simple form {"city": "string"}, ' +
        'friendly form {"weather": {"type": "enum", "values": [...]}}, or the typed wire form), and/or with ' +
        '--set KEY=TYPE on top of the current schema. Shows the diff and asks first; --yes for scripts. ' +
        'A key that exists today is never dropped silently: removing one needs --allow-removals (or --remove KEY). ' +
        'Deleted keys (tombstones) stay deleted.',
    )
    .argument('[file]', 'schema file (JSON or YAML); omit to edit the current schema with --set/--remove')
    .option('--set <key=type>', 'add or retype a key: city=string, weather=enum(sunny,rain), embedding=embedding(8) (repeatable)', collect)
    .option('--remove <key>', 'remove a key from the schema (repeatable)', collect)
    .option('--allow-removals', 'allow the push to drop keys the org schema has today')
    .option('-y, --yes', 'push without asking (needed when stdin is not a terminal)')
    .option('--dry-run', 'show the diff; push nothing')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  encord-meta schema push samples/schema.json\n' +
        '  encord-meta schema push samples/schema.json --yes                # cron, CI\n' +
        "  encord-meta schema push --set 'weather=enum(sunny,cloudy,rain)' --set dark=boolean --yes\n" +
        '  encord-meta schema push new.json --allow-removals --yes          # new.json drops keys on purpose',
    )
    .action(async (file: string | undefined, flags: PushFlags, command: Command) => ctx.run(() => runSchemaPushCommand(ctx, command, file, flags)));
}

interface PushFlags {
  readonly set?: string[];
  readonly remove?: string[];
  readonly allowRemovals?: boolean;
  readonly yes?: boolean;
  readonly dryRun?: boolean;
}

/** Plan the push, show the diff (once) and its warnings, ask unless --yes, push, and say what happened. */
async function runSchemaPushCommand(ctx: CommandContext, command: Command, file: string | undefined, flags: PushFlags): Promise<ExitCode> {
  const g = ctx.globals(command);
  if (!file && !flags.set?.length && !flags.remove?.length) {
    throw new MetaError('USAGE', 'give a schema FILE, or --set KEY=TYPE / --remove KEY to edit the current schema');
  }
  const set = parseSetArguments(flags.set ?? []);
  const fromFile = file ? await loadSchemaFile(resolve(ctx.io.cwd, file)) : undefined;
  const out = ctx.io.stdout;
  let shown = false;
  const show = (plan: SchemaPushPlan): void => {
    if (shown || g.json) return;
    shown = true;
    const n = plan.current.schema.fields.size;
    out.write(`Org schema: ${plan.current.form} form, ${n} ${n === 1 ? 'key' : 'keys'}${FORM_NOTE[plan.current.form]}\n`);
    out.write(`Changes${file ? ` from ${file}` : ''}:\n${formatSchemaDiff(plan.diff)}\n`);
    if (plan.keptTombstones.length > 0) out.write(`  kept deleted: ${plan.keptTombstones.join(', ')}\n`);
  };
  let warned = false;
  const warn = (plan: SchemaPushPlan): void => {
    // Before the diff and the question: the user decides knowing what will not be sent.
    if (warned) return;
    warned = true;
    for (const w of plan.warnings) ctx.info(command, `encord-meta: warning: ${w}`);
  };
  const result = await withConnection(ctx, command, (connection) =>
    runSchemaPush({
      store: connection.client,
      schema: fromFile,
      set,
      remove: flags.remove,
      allowRemovals: flags.allowRemovals,
      dryRun: flags.dryRun,
      signal: ctx.io.signal,
      onPlan: (plan) => {
        warn(plan);
        if (!g.quiet) show(plan);
      },
      confirm: async (plan) => {
        if (flags.yes) return true;
        show(plan);
        return askToPush(ctx);
      },
    }),
  );
  if (g.json) printPushJson(ctx, result);
  else if (!g.quiet || result.outcome === 'declined') {
    show(result.plan);
    out.write(`${pushOutcomeLine(result)}\n`);
  }
  return result.outcome === 'declined' ? EXIT.USAGE : EXIT.OK;
}

async function askToPush(ctx: CommandContext): Promise<boolean> {
  if (!ctx.io.prompt) {
    throw new MetaError(
      'USAGE_CONFIRM',
      'schema push replaces the whole organisation schema and stdin is not a terminal to ask; review the diff (--dry-run) and pass --yes to push. Nothing was pushed.',
    );
  }
  const answer = await ctx.io.prompt('Replace the organisation metadata schema with this? [y/N] ');
  return /^\s*y(es)?\s*$/i.test(answer);
}

function printPushJson(ctx: CommandContext, result: SchemaPushResult): void {
  const { plan } = result;
  ctx.printJson(
    SchemaPushOutput.parse({
      command: 'schema push',
      outcome: result.outcome,
      pushed: result.pushed,
      previousForm: plan.current.form,
      diff: schemaDiffJson(plan.diff),
      keptTombstones: [...plan.keptTombstones],
      schema: schemaDocumentJson(plan.next),
    }),
  );
}

function pushOutcomeLine(result: SchemaPushResult): string {
  const { plan } = result;
  const n = plan.next.fields.size;
  return {
    pushed: `Pushed: the organisation schema now has ${n} ${n === 1 ? 'key' : 'keys'}. Check a file against it: encord-meta schema check FILE`,
    unchanged: 'Nothing to push: the organisation schema already says exactly this.',
    'dry-run': isEmptyDiff(plan.diff) ? 'Dry run: nothing would change.' : 'Dry run: nothing was pushed (drop --dry-run to push).',
    declined: 'Not pushed.',
  }[result.outcome];
}

function registerSchemaPull(schema: Command, ctx: CommandContext): void {
  schema
    .command('pull')
    .summary('print (or save) the org schema as a schema file')
    .description('Read the organisation schema and write it as JSON or YAML that `schema push` reads back unchanged.')
    .option('-o, --out <file>', 'write to FILE (format from the extension: .yaml/.yml or .json) instead of stdout')
    .option('--yaml', 'YAML instead of JSON')
    .addHelpText('after', '\nExamples:\n  encord-meta schema pull\n  encord-meta schema pull --out schema.yaml      # edit, then: encord-meta schema push schema.yaml')
    .action(async (flags: { out?: string; yaml?: boolean }, command: Command) =>
      ctx.run(async () => {
        const g = ctx.globals(command);
        const org = await withConnection(ctx, command, (c) => pullSchema(c.client, { signal: ctx.io.signal }));
        const { text, outPath } = writeSchemaDocument(org.schema, flags, ctx.io.cwd);
        if (g.json) {
          ctx.printJson(
            SchemaPullOutput.parse({ command: 'schema pull', form: org.form, keys: org.schema.fields.size, schema: schemaDocumentJson(org.schema), out: outPath ?? null }),
          );
        } else {
          if (!outPath) ctx.io.stdout.write(text);
          const n = org.schema.fields.size;
          ctx.info(command, `${outPath ? `wrote ${flags.out}: ` : ''}${n} ${n === 1 ? 'key' : 'keys'}, ${org.form} form${FORM_NOTE[org.form]}`);
        }
        return EXIT.OK;
      }),
    );

}

function registerSchemaVerify(schema: Command, ctx: CommandContext): void {
  schema
    .command('verify')
    .summary('compare FILE with the org schema: exit 0 when equal, 3 with the diff')
    .description(
      'Compare a schema file with the organisation schema by meaning (key order and enum value order do not ' +
        'matter). Exit 0 when they are equal; exit 3 and print what `schema push FILE` would change otherwise.',
    )
    .argument('<file>', 'schema file (JSON or YAML)')
    .addHelpText('after', '\nExample:\n  encord-meta schema verify samples/schema.json && echo "schema is as expected"')
    .action(async (file: string, _flags: unknown, command: Command) =>
      ctx.run(async () => {
        const g = ctx.globals(command);
        const wanted = await loadSchemaFile(resolve(ctx.io.cwd, file));
        const result = await withConnection(ctx, command, (c) => runSchemaVerify({ store: c.client, schema: wanted, signal: ctx.io.signal }));
        if (g.json) {
          ctx.printJson(SchemaVerifyOutput.parse({ command: 'schema verify', file, equal: result.equal, form: result.form, diff: schemaDiffJson(result.diff) }));
        } else if (result.equal) {
          if (!g.quiet) ctx.io.stdout.write(`${file} matches the organisation schema (${wanted.fields.size} keys).\n`);
        } else {
          ctx.io.stdout.write(
            `${file} differs from the organisation schema${FORM_NOTE[result.form]}. Pushing it would change:\n${formatSchemaDiff(result.diff)}\n` +
              `To make the org schema match: encord-meta schema push ${file}${result.diff.removed.length > 0 ? ` --allow-removals   # removes ${result.diff.removed.map((r) => r.key).join(', ')}` : ''}\n`,
          );
        }
        return result.equal ? EXIT.OK : EXIT.ROWS_FAILED;
      }),
    );
}
