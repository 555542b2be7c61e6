/**
 * What a writing run keeps on disk besides its writes: the dataset lock and the undo journal, with one
 * lifecycle shared by `import` and `set`.
 *
 *   const cp = new RunCheckpoint({ stateDir, domain, datasetHash, startedAt, journalPath, kind });
 *   cp.lock();                      // before the first read that decides a write
 *   const journal = cp.openJournal({ source }); // before the first write: header written and fsync'd
 *   …
 *   cp.close();                     // in `finally`: journal synced and closed, then the lock released
 *
 * The journal goes to `journalPath`, else `<stateDir>/journals/<lock key>-<start>[-<kind>].jsonl`
 * (journal-path.ts), else nowhere. Entries are keyed by target (`item` uuid or `row` data hash), which is
 * all `rollback` needs to restore them. The header (`JournalHeader` in report/undo-journal.ts) says what
 * the run was on, one of:
 *   - a dataset:            `{ datasetHash: H }`                                (lock key H)
 *   - a storage folder:     `{ datasetHash: '', folderUuid: F, target: 'folder' }` (lock key `folder-F`)
 *   - storage items by uuid: `{ datasetHash: '', target: 'items' }`            (lock key `items`)
 * A folder or items journal holds `item` entries only; its empty `datasetHash` makes versions that do not
 * know these runs refuse to roll it back instead of guessing a dataset.
 */
import { UndoJournal } from '../report/undo-journal.js';
import { acquireDatasetLock, folderLockKey, type DatasetLock } from './dataset-lock.js';
import { defaultJournalPath } from './journal-path.js';
import { shardPath, type Shard } from './shard-names.js';

export interface RunCheckpointOptions {
  /** Directory for journals and the second run lock; none when unset. */
  readonly stateDir?: string | undefined;
  /** The Encord domain written to (`lockDomainOf(store)`). */
  readonly domain: string;
  /** What the lock and the default journal name are keyed by: the dataset hash, `folder-<uuid>` or `items`. */
  readonly datasetHash: string;
  /** What the lock guards, in the LOCKED message. @default `dataset <datasetHash>` */
  readonly label?: string | undefined;
  /** What the journal header records as the run's target. @default `{ datasetHash }` */
  readonly header?: RunJournalTarget | undefined;
  /** Start of the run (ms): names the default journal and goes into its header. */
  readonly startedAt: number;
  /** Explicit journal path; @default under `stateDir` (none without one) */
  readonly journalPath?: string | undefined;
  /** Suffix of the default journal name (`set`); none for an import. */
  readonly kind?: 'set' | undefined;
  /** `import --shard I/N`: the lock is this shard's, the default journal name says the shard. */
  readonly shard?: Shard | undefined;
}

/** The target fields of a journal header (see the module comment). */
export interface RunJournalTarget {
  readonly datasetHash: string;
  readonly folderUuid?: string | undefined;
  readonly target?: 'dataset' | 'folder' | 'items' | undefined;
}

/** Lock key, label and journal header of a run on a dataset, a storage folder, or storage items by uuid. */
export function checkpointTarget(target: { datasetHash?: string | undefined; folderUuid?: string | undefined }): Pick<RunCheckpointOptions, 'datasetHash' | 'label' | 'header'> {
  if (target.datasetHash) return { datasetHash: target.datasetHash, header: { datasetHash: target.datasetHash } };
  if (target.folderUuid) {
    return { datasetHash: folderLockKey(target.folderUuid), label: `storage folder ${target.folderUuid}`, header: { datasetHash: '', folderUuid: target.folderUuid, target: 'folder' } };
  }
  return { datasetHash: 'items', label: 'storage items (import --key item_uuid)', header: { datasetHash: '', target: 'items' } };
}

export class RunCheckpoint {
  private held: DatasetLock | undefined;
  private opened: UndoJournal | undefined;

  constructor(private readonly options: RunCheckpointOptions) {}

  /** Take the dataset lock (throws `LOCKED` when another run holds it). */
  lock(): void {
    const { stateDir, domain, datasetHash, shard, label } = this.options;
    this.held ??= acquireDatasetLock({ stateDir, domain, datasetHash, shard, ...(label !== undefined && { label }) });
  }

  /** Open the journal and write its header, when the run has a journal path; else `undefined`. */
  openJournal(header: { readonly source: string }): UndoJournal | undefined {
    const { journalPath, stateDir, datasetHash, startedAt, kind, shard } = this.options;
    const path = journalPath ?? (stateDir ? shardPath(defaultJournalPath(stateDir, datasetHash, startedAt, kind), shard) : undefined);
    if (!path) return undefined;
    const journal = new UndoJournal(path);
    const fields = { ...(this.options.header ?? { datasetHash }), source: header.source, startedAt: new Date(startedAt).toISOString() };
    journal.open(fields);
    this.opened = journal;
    return journal;
  }

  /** The journal's path once opened, else null (what summaries report). */
  get journalPath(): string | null {
    return this.opened?.path ?? null;
  }

  /** Close the journal (synced) and release the lock; safe to call more than once. */
  close(): void {
    this.opened?.close();
    this.held?.release();
    this.held = undefined;
  }
}
