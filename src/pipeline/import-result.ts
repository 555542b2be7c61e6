/** What an import reports: live progress, the key plan, and the final summary (`--summary run.json`). */
import type { Metadata } from '../encord/protocol/types.js';
import type { ColumnStats } from './row-preparer.js';

export interface ImportProgress {
  phase: 'listing' | 'planning' | 'writing' | 'done';
  rowsRead: number;
  /** Rows in the file, once the planning pass has counted them. */
  rowsTotal: number | undefined;
  written: number;
  unchanged: number;
  failed: number;
}

/** Counts from the planning pass, before any write. */
export interface KeyPlan {
  keyKind: string;
  keyColumn: string;
  rows: number;
  resolved: number;
  badRecords: number;
  notFound: number;
  invalidKey: number;
  ambiguousTitle: number;
  duplicateTarget: number;
  sharedItemConflict: number;
  invalidCells: number;
  /** Rows whose merged value differs from the listing (what a run would write, before the fresh re-read). */
  toWrite: number;
  unchanged: number;
  /**
   * Storage items the plan writes that back data units (in any dataset), and how many units they back:
   * a folder's or an item's metadata shows in every dataset using it. Folder runs count from the listing;
   * runs on items by uuid learn it when the writer reads each item (see `RunSummary`).
   */
  itemsBackingDataUnits: number;
  backedDataUnitsCount: number;
}

export interface Diff {
  line: number;
  /** The row's file, when the input is several files. */
  file?: string;
  dataHash: string;
  title: string;
  before: Metadata | null;
  after: Metadata;
  changedKeys: string[];
}

export interface RunSummary {
  /** The input as given: one path, or several joined by a space. */
  file: string;
  /** Every file read, in order, when the input is several files (a list, a glob, a directory). */
  files?: string[];
  /** Size of the file in bytes (null when it could not be read at the end): `summary merge` checks every shard read the same file. */
  fileBytes: number | null;
  /** What the run wrote to: a dataset's data units, a storage folder's items, or storage items by uuid. */
  target: 'dataset' | 'folder' | 'items';
  /** The dataset; `''` for folder and items runs. */
  datasetHash: string;
  /** The storage folder of a folder run, else null. */
  folderUuid: string | null;
  /** Data units backed by the storage items written (folder and items runs; 0 for dataset runs). */
  backedDataUnitsCount: number;
  dryRun: boolean;
  mode: string;
  keyKind: string;
  keyColumn: string;
  /** Rows of the file this run took (its own shard's, when sharded). */
  rowsRead: number;
  /** `--shard I/N`: worker `index` of `count`; null when not sharded. */
  shard: { index: number; count: number } | null;
  /** Rows of the file that belong to other shards: neither written, failed nor reported here. */
  otherShards: number;
  written: number;
  unchanged: number;
  failed: number;
  failedByCode: Record<string, number>;
  /** ---- outage (issue 11): rows never written because Encord became unreachable (report code `NOT_ATTEMPTED`); not failures. */
  notAttempted: number;
  /** Why the run stopped early when Encord became unreachable (exit 1), else null. */
  unreachable: string | null;
  requests: number;
  retries: number;
  rateLimited: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  rowsPerSecond: number;
  interrupted: boolean;
  stoppedEarly: boolean;
  reportPath: string | null;
  journalPath: string | null;
}

export interface ImportResult {
  summary: RunSummary;
  plan: KeyPlan;
  columns: Record<string, ColumnStats>;
  skippedColumns: { column: string; reason: string }[];
  diffs: Diff[];
}
