/**
 * The shapes of storage-folder listings (protocol §A.2–§A.4), apart from the code that fetches them
 * (storage-folders.ts) so the `MetadataStore` interface can name them without importing the client.
 */
import type { Metadata } from './protocol/types.js';

/** One item of a folder listing. */
export interface FolderItem {
  readonly uuid: string;
  /** The file's name in its folder (Encord's `name`). */
  readonly name: string;
  /**
   * Where the item sits relative to the listed folder: `name` for the folder's own items, `sub/dir/name` for
   * items of subfolders (recursive listings; folder names joined with `/`).
   */
  readonly path: string;
  /** The folder holding the item. */
  readonly parent: string;
  readonly itemType: string | null;
  /** Current custom metadata (`{}` when the item has none). */
  readonly metadata: Metadata;
  /** Data units (in any dataset) this item backs; `null` when the answer did not say. */
  readonly backedDataUnitsCount: number | null;
}

/** One page of a folder listing, as it arrived. */
export interface FolderItemPage {
  /** The folder the page lists (the listed folder itself, or one of its subfolders). */
  readonly folderUuid: string;
  /** That folder's path relative to the listed folder: `''` for the listed folder itself. */
  readonly folderPath: string;
  readonly items: readonly FolderItem[];
}

export interface ListFolderItemsOptions {
  /** Also every folder below (walked through `storage/folders/{uuid}/folders`). @default false */
  readonly recursive?: boolean | undefined;
  /** Items per request, 1..1000. @default 1000 */
  readonly pageSize?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface ListFoldersOptions {
  /** Only folders whose name matches this text (Encord's matching rule is not documented). */
  readonly search?: string | undefined;
  /** List the subfolders of this folder instead of the top level. */
  readonly parent?: string | undefined;
  /** Every folder below (with `parent`), or every folder (without). @default false */
  readonly recursive?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** V: what a folder holds (its own files; whether the counts include subfolders is [UNKNOWN]). */
export interface FolderSummaryInfo {
  /** Files in the folder. */
  readonly files: number;
  /** Subfolders. */
  readonly folders: number;
}
