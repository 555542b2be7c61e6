/**
 * `encord-meta folders [--search TEXT] [--parent UUID] [--recursive]`: the storage folders these credentials
 * can see, with the uuid `list --folder`, `set --folder` and `import --folder` take, and each folder's item
 * count (read from the folder summary).
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { EncordClient } from '../../encord/client.js';
import { isFatalError } from '../../encord/errors.js';
import type { StorageFolderInfo } from '../../encord/metadata-store.js';
import { isEncordHash } from '../../mapping/mapping-options.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface FoldersFlags {
  search?: string;
  parent?: string;
  recursive?: boolean;
}

/** `value` when it is shaped like a folder uuid, else a usage error naming `name`. */
export function folderUuidOption(name = '--folder'): (value: string) => string {
  return (value) => {
    const text = value.trim();
    if (!isEncordHash(text)) {
      throw new InvalidArgumentError(
        `Expected ${name} to be a storage folder uuid (such as 3fa85f64-5717-4562-b3fc-2c963f66afa6; encord-meta folders lists them), got "${value.length > 80 ? `${value.slice(0, 77)}...` : value}".`,
      );
    }
    return text;
  };
}

export interface FolderRow extends StorageFolderInfo {
  /** Files directly in the folder (folder summary); `null` when Encord did not say. */
  readonly items: number | null;
  readonly subfolders: number | null;
}

/** Each folder with its counts from the folder summary, four requests at a time; a failed summary shows `null`. */
export async function summarizeFolders(client: EncordClient, folders: readonly StorageFolderInfo[], signal?: AbortSignal): Promise<FolderRow[]> {
  const rows: FolderRow[] = folders.map((f) => ({ ...f, items: null, subfolders: null }));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const i = next;
      next += 1;
      try {
        const s = await client.getFolderSummary(rows[i]!.uuid, { signal });
        rows[i] = { ...rows[i]!, items: s.files, subfolders: s.folders };
      } catch (error) {
        if (isFatalError(error) && !(error instanceof Error && 'code' in error && error.code === 'FOLDER_NOT_FOUND')) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, rows.length) }, worker));
  return rows;
}

export function registerFolders(program: Command, ctx: CommandContext): void {
  program
    .command('folders')
    .summary('list the storage folders you can see, with the uuid --folder takes')
    .description(
      'List storage folders (Encord Files): uuid, name, items directly in the folder, subfolders, and the dataset ' +
        'that mirrors it. Without options: the top-level folders. --parent lists a folder\'s subfolders, --search ' +
        'finds folders anywhere by name (Encord decides how names match). Use it to find the --folder UUID for ' +
        'list, set and import.',
    )
    .option('--search <text>', 'folders anywhere whose name matches this text')
    .option('--parent <uuid>', 'the subfolders of this folder', folderUuidOption('--parent'))
    .option('--recursive', 'with --parent (or alone): every folder below, not only the first level')
    .addHelpText(
      'after',
      '\nExamples:\n  encord-meta folders\n  encord-meta folders --search cam\n  encord-meta folders --parent 3fa85f64-5717-4562-b3fc-2c963f66afa6\n  encord-meta --json folders --recursive\n',
    )
    .action(async (flags: FoldersFlags, command: Command) =>
      ctx.run(async () => {
        const g = ctx.globals(command);
        const { withConnection } = await import('../with-connection.js');
        const folders = await withConnection(ctx, command, async (c) => {
          const list = await c.client.listFolders({
            ...(flags.search !== undefined && { search: flags.search }),
            ...(flags.parent !== undefined && { parent: flags.parent }),
            recursive: flags.recursive === true,
            signal: ctx.io.signal,
          });
          return summarizeFolders(c.client, list, ctx.io.signal);
        });
        if (g.json) {
          ctx.printJson({ command: 'folders', folders });
          return EXIT.OK;
        }
        if (folders.length === 0) {
          ctx.io.stdout.write('No folder found for these credentials and filters.\n');
          return EXIT.OK;
        }
        const rows = folders.map((f) => [f.uuid, f.name, f.items === null ? '?' : String(f.items), f.subfolders === null ? '?' : String(f.subfolders), f.syncedDatasetHash ?? '-']);
        const head = ['folder uuid', 'name', 'items', 'subfolders', 'dataset'];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
        ctx.io.stdout.write(`${[line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`);
        return EXIT.OK;
      }),
    );
}
