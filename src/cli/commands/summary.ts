/**
 * `encord-meta summary merge S1.json S2.json …`: the run summaries of the N workers of a sharded import
 * (`import … --shard I/N --summary run.json` writes `run.shard-I-of-N.json`) merged into one, with the
 * exit code a scheduler should act on. Needs no credentials and talks to nobody.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MetaError } from '../../errors.js';
import { mergeSummaries, type MergedSummary, type SummaryPart } from '../../pipeline/summary-merge.js';
import { writeFilePrivate } from '../../private-files.js';
import type { CommandContext } from '../context.js';

interface MergeFlags {
  out?: string;
}

export function registerSummary(program: Command, ctx: CommandContext): void {
  const summary = program
    .command('summary')
    .summary('merge the run summaries of sharded import workers into one')
    .description('Work with run summaries (the JSON that import --summary writes).')
    .addHelpText('after', '\nExamples:\n  encord-meta summary merge state/run.shard-*-of-4.json\n');

  summary
    .command('merge')
    .summary('merge the summaries of every shard of one import (sums, failures by code, worst exit code)')
    .description(
      'Merge the run summaries of the N workers of one sharded import (import --shard I/N --summary F) into one: ' +
        'counts and failures by code are summed, the start is the earliest and the finish the latest. Refuses ' +
        'summaries of different files, datasets, keys, modes or shard counts, and a set with a shard missing ' +
        'or given twice (exit 2). Exits with the worst exit code of the workers: 1 over 130 over 3 over 0.',
    )
    .argument('<summaries...>', 'summary files, one per shard (the output of import --json is taken too)')
    .option('--out <file>', 'also write the merged summary as JSON to this file')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  encord-meta summary merge state/run.shard-*-of-4.json\n' +
        '  encord-meta --json summary merge run.shard-0-of-2.json run.shard-1-of-2.json > merged.json\n' +
        '\nExit codes: the worst of the workers (1 over 130 over 3 over 0); 2 when the summaries cannot be merged.',
    )
    .action(async (files: string[], flags: MergeFlags, command: Command) =>
      ctx.run(async () => {
        const g = ctx.globals(command);
        const parts: SummaryPart[] = files.map((f) => readPart(resolve(ctx.io.cwd, f), f));
        const merged = mergeSummaries(parts);
        if (flags.out) writeFilePrivate(resolve(ctx.io.cwd, flags.out), `${JSON.stringify(merged, null, 2)}\n`);
        if (g.json) ctx.printJson(merged);
        else if (!g.quiet) ctx.io.stdout.write(formatMerged(merged));
        return merged.exitCode;
      }),
    );
}

function readPart(path: string, shown: string): SummaryPart {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MetaError('USAGE_SUMMARY_MERGE', `cannot read the summary ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  try {
    return { path: shown, value: JSON.parse(text) as unknown };
  } catch (error) {
    throw new MetaError('USAGE_SUMMARY_MERGE', `${shown} is not JSON (${(error as Error).message}); give the files written by import --summary`, { cause: error });
  }
}

const EXIT_MEANING: Record<MergedSummary['exitCode'], string> = {
  0: 'every row written or already up to date',
  3: 'some rows failed: see the reports',
  130: 'a worker was interrupted: rerun its shard to finish',
  1: 'a worker stopped early (Encord unreachable): rerun its shard when the service is back',
};

export function formatMerged(m: MergedSummary): string {
  const lines = [
    `Merged ${m.shardCount} shard${m.shardCount === 1 ? '' : 's'} of ${m.file} → dataset ${m.datasetHash}${m.dryRun ? ' (dry run)' : ''}`,
    `rows ${m.rowsRead} | written ${m.written} | unchanged ${m.unchanged} | failed ${m.failed} | not attempted ${m.notAttempted} | ` +
      `${m.requests} requests, ${m.retries} retries, ${m.rateLimited} rate-limited | ${(m.durationMs / 1000).toFixed(1)} s, ${m.rowsPerSecond} rows/s`,
  ];
  const codes = Object.entries(m.failedByCode)
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  if (codes) lines.push(`failed by code: ${codes}`);
  for (const p of m.parts) {
    lines.push(`  shard ${p.shard}: rows ${p.rowsRead}, written ${p.written}, unchanged ${p.unchanged}, failed ${p.failed}, exit ${p.exitCode}${p.reportPath && p.failed + p.notAttempted > 0 ? `, report ${p.reportPath}` : ''}`);
  }
  for (const u of m.unreachable) lines.push(`unreachable: ${u}`);
  lines.push(`exit code ${m.exitCode}: ${EXIT_MEANING[m.exitCode]}`);
  return `${lines.join('\n')}\n`;
}
