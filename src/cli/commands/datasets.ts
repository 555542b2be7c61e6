/**
 * `encord-meta datasets [--title-like TEXT]`: the datasets these credentials can see, with their hash (what
 * every other command's `--dataset` takes) and the storage folder that backs each one.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface DatasetsFlags {
  titleLike?: string;
  title?: string;
}

export function registerDatasets(program: Command, ctx: CommandContext): void {
  program
    .command('datasets')
    .summary('list the datasets you can see, with the hash the other commands take')
    .description('List the datasets these credentials can see: hash, title, backing storage folder and your role. Use it to find the --dataset HASH for import, list, set and rollback.')
    .option('--title-like <text>', 'only datasets whose title contains this text (Encord matches it with SQL LIKE: % and _ are wildcards)')
    .option('--title <title>', 'only the dataset with exactly this title')
    .addHelpText('after', '\nExamples:\n  encord-meta datasets\n  encord-meta datasets --title-like dashcam\n  encord-meta --json datasets --title "Dashcam demo (600 data units)"\n')
    .action(async (flags: DatasetsFlags, command: Command) =>
      ctx.run(async () => {
        const g = ctx.globals(command);
        const { withConnection } = await import('../with-connection.js');
        const titleLike = flags.titleLike === undefined ? undefined : flags.titleLike.includes('%') ? flags.titleLike : `%${flags.titleLike}%`;
        const datasets = await withConnection(ctx, command, (c) =>
          c.client.listDatasets({ ...(titleLike !== undefined && { titleLike }), ...(flags.title !== undefined && { titleEq: flags.title }) }, { signal: ctx.io.signal }),
        );
        if (g.json) {
          ctx.printJson({ command: 'datasets', datasets });
          return EXIT.OK;
        }
        if (datasets.length === 0) {
          ctx.io.stdout.write('No dataset found for these credentials and filters.\n');
          return EXIT.OK;
        }
        const rows = datasets.map((d) => [d.datasetHash, d.title, d.backingFolderUuid ?? '-', d.userRole ?? '-']);
        const head = ['dataset hash', 'title', 'backing folder', 'role'];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
        ctx.io.stdout.write(`${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`);
        if (datasets.some((d) => d.backingFolderUuid !== null)) {
          ctx.info(command, 'a backing folder holds the dataset\'s files: encord-meta list --folder UUID lists them (encord-meta folders shows every folder)');
        }
        return EXIT.OK;
      }),
    );
}
