/** `encord-meta rollback JOURNAL`: restore the metadata an import's undo journal recorded. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runRollback } from '../../pipeline/run-rollback.js';
import { connect, explain, type Connection } from '../connect.js';
import type { CommandContext } from '../context.js';
import { datasetHashOption } from '../options.js';
import { EXIT } from '../exit-codes.js';

export function registerRollback(program: Command, ctx: CommandContext): void {
  program
    .command('rollback')
    .summary("undo an import: restore the metadata its journal recorded")
    .description(
      'Every import journals, before each write, the metadata the unit had. rollback writes those values\n' +
        'back (the first recorded value per unit: the state before the run). Safe to rerun.',
    )
    .argument('<journal>', 'undo journal (JSONL) printed at the end of an import')
    .option('-d, --dataset <hash>', "dataset (default: the journal's)", datasetHashOption())
    .option('--dry-run', 'count what would be restored; write nothing')
    .addHelpText('after', '\nExample:\n  encord-meta rollback ~/.encord-meta/journals/4f1c…e2-2026-11-28T02-00-00-000Z.jsonl\n')
    .action(async (journal: string, flags: { dataset?: string; dryRun?: boolean }, command: Command) =>
      ctx.run(async () => {
        let connection: Connection | undefined;
        try {
          connection = await connect(ctx, command);
          const result = await runRollback({
            journalPath: resolve(ctx.io.cwd, journal),
            store: connection.client,
            datasetHash: flags.dataset,
            dryRun: flags.dryRun,
            signal: ctx.io.signal,
          });
          if (ctx.globals(command).json) ctx.printJson(result);
          else {
            ctx.io.stdout.write(
              `${flags.dryRun ? 'Would restore' : 'Restored'} ${result.restored} of ${result.targets} targets in dataset ${result.datasetHash}; ` +
                `${result.unchanged} already as before; ${result.failed.length} failed\n`,
            );
            for (const f of result.failed) ctx.io.stdout.write(`  ${f.id}: ${f.code} ${f.message}\n`);
          }
          return result.failed.length > 0 ? EXIT.ROWS_FAILED : EXIT.OK;
        } catch (error) {
          throw explain(error, connection);
        } finally {
          await connection?.client.close();
        }
      }),
    );
}
