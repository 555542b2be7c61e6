/** `encord-meta rollback JOURNAL`: restore the metadata an import's (or a set's) undo journal recorded. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runRollback, type RollbackResult } from '../../pipeline/run-rollback.js';
import { connect, explain, jobConfigOf, type Connection } from '../connect.js';
import type { CommandContext } from '../context.js';
import { datasetHashOption } from '../options.js';
import { EXIT } from '../exit-codes.js';
import { defaultStateDir } from '../options.js';

interface RollbackFlags {
  dataset?: string;
  dryRun?: boolean;
  force?: boolean;
  report?: string;
  stateDir?: string;
}

/** Conflicts and failures printed on the terminal; the report has them all. */
const SHOWN = 20;

export function registerRollback(program: Command, ctx: CommandContext): void {
  program
    .command('rollback')
    .summary('undo an import or set: restore the metadata its journal recorded')
    .description(
      'Every import and set journals, before each write, the metadata the unit had and the value written. ' +
        'rollback writes the value from before the run back to every unit that still holds what the run wrote. ' +
        'A unit changed since the run is left alone and listed (ROLLBACK_CONFLICT, exit 3); --force restores ' +
        'it anyway. Takes the dataset lock, like import (the folder lock for a set --folder journal). Safe to rerun.',
    )
    .argument('<journal>', 'undo journal (JSONL) printed at the end of an import or set')
    .option('-d, --dataset <hash>', "dataset (default: the journal's)", datasetHashOption())
    .option('--dry-run', 'count what would be restored and what conflicts; write nothing but the report')
    .option('--force', 'also restore units changed since the run (their later edits are lost)')
    .option('--report <file>', 'conflicts and failures CSV (default: next to the journal)')
    .option('--state-dir <dir>', "locks and the rollback's own journal (default: ~/.encord-meta)")
    .addHelpText(
      'after',
      '\nExample:\n  encord-meta rollback ~/.encord-meta/journals/4f1c…e2-2026-11-28T02-00-00-000Z.jsonl\n' +
        '\nExit codes: 0 every unit restored or already as before, 3 some units were changed since the run (left alone)\n' +
        'or failed (see the report), 2 usage, 1 fatal (lock held by another run, I/O), 130 interrupted.',
    )
    .action(async (journal: string, flags: RollbackFlags, command: Command) =>
      ctx.run(async () => {
        const config = jobConfigOf(ctx, command);
        const cwd = ctx.io.cwd;
        const stateDir = resolve(cwd, flags.stateDir ?? config.stateDir ?? defaultStateDir(ctx.io.env));
        let connection: Connection | undefined;
        let result: RollbackResult;
        try {
          connection = await connect(ctx, command);
          result = await runRollback({
            journalPath: resolve(cwd, journal),
            store: connection.client,
            domain: connection.client.domain,
            datasetHash: flags.dataset,
            dryRun: flags.dryRun,
            force: flags.force,
            stateDir,
            reportPath: flags.report ? resolve(cwd, flags.report) : undefined,
            signal: ctx.io.signal,
          });
        } catch (error) {
          throw explain(error, connection);
        } finally {
          await connection?.client.close();
        }
        if (ctx.globals(command).json) ctx.printJson(result);
        else ctx.io.stdout.write(formatRollback(result));
        return result.conflicts.length + result.failed.length > 0 ? EXIT.ROWS_FAILED : EXIT.OK;
      }),
    );
}

function formatRollback(r: RollbackResult): string {
  const lines = [
    `${r.dryRun ? 'Would restore' : 'Restored'} ${r.restored} of ${r.targets} targets in ${r.folderUuid !== null ? `storage folder ${r.folderUuid}` : `dataset ${r.datasetHash}`}` +
      `${r.forced > 0 ? ` (${r.forced} changed since the run, forced)` : ''}; ${r.unchanged} already as before; ` +
      `${r.conflicts.length} changed since the run (left alone); ${r.failed.length} failed`,
  ];
  for (const p of [...r.conflicts, ...r.failed].slice(0, SHOWN)) lines.push(`  ${p.dataHash ? `${p.dataHash} (${p.id})` : p.id}: ${p.code} ${p.message}`);
  const more = r.conflicts.length + r.failed.length - SHOWN;
  if (more > 0) lines.push(`  … and ${more} more`);
  if (r.reportPath) lines.push(`report: ${r.reportPath}`);
  if (r.conflicts.length > 0) {
    lines.push(`${r.conflicts.length} targets were changed after the run and keep their current value; rerun with --force to restore them anyway (their later edits are lost)`);
  }
  if (r.journalPath) lines.push(`undo journal: ${r.journalPath} (encord-meta rollback ${r.journalPath} undoes this rollback)`);
  return `${lines.join('\n')}\n`;
}
