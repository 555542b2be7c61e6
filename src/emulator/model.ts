/**
 * In-memory records of the emulator and their wire forms (v1 DataRow/Dataset, v2 StorageItem/Folder).
 * Records are kept small because a benchmark holds a million of them: media facts live in shared
 * `MediaKind` objects, times are numbers, and a row backed by an item takes its title and metadata from
 * the item (one shared value, protocol §7 item 3).
 *
 * Metadata objects are never mutated in place: a write stores a new object. That makes sharing safe
 * (the frozen `EMPTY_METADATA`) and lets a snapshot hold references without copying.
 */
import type { Metadata, WireDataRow, WireStorageItem } from '../encord/protocol/types.js';

/** Media facts shared by many items. */
export interface MediaKind {
  readonly id: string;
  /** v1 `data_type`. */
  readonly dataType: string;
  /** v2 `itemType`. */
  readonly itemType: string;
  readonly ext: string;
  readonly mimeType: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly duration: number | null;
  readonly fps: number | null;
  readonly frameCount: number | null;
  readonly audio: { sampleRate: number; bitDepth: number; codec: string; channels: number } | null;
}

function kind(
  id: string,
  dataType: string,
  itemType: string,
  ext: string,
  mimeType: string | null,
  facts: Partial<Omit<MediaKind, 'id' | 'dataType' | 'itemType' | 'ext' | 'mimeType'>> = {},
): MediaKind {
  return Object.freeze({
    id,
    dataType,
    itemType,
    ext,
    mimeType,
    width: facts.width ?? null,
    height: facts.height ?? null,
    duration: facts.duration ?? null,
    fps: facts.fps ?? null,
    frameCount: facts.frameCount ?? null,
    audio: facts.audio ?? null,
  });
}

/** Every media kind the emulator knows, by id. The first kind of a data type is its default. */
export const MEDIA_KINDS: readonly MediaKind[] = [
  kind('image-jpg-1080', 'IMAGE', 'image', 'jpg', 'image/jpeg', { width: 1920, height: 1080 }),
  kind('image-png-720', 'IMAGE', 'image', 'png', 'image/png', { width: 1280, height: 720 }),
  kind('image-jpg-4k', 'IMAGE', 'image', 'jpg', 'image/jpeg', { width: 3840, height: 2160 }),
  kind('video-mp4-30', 'VIDEO', 'video', 'mp4', 'video/mp4', {
    width: 1920,
    height: 1080,
    duration: 60,
    fps: 30,
    frameCount: 1800,
  }),
  kind('video-mp4-25', 'VIDEO', 'video', 'mp4', 'video/mp4', {
    width: 1280,
    height: 720,
    duration: 12.4,
    fps: 25,
    frameCount: 310,
  }),
  kind('img-group', 'IMG_GROUP', 'imageGroup', '', null, { width: 1920, height: 1080, frameCount: 8 }),
  kind('dicom-series', 'DICOM', 'dicomSeries', 'dcm', 'application/dicom', { width: 512, height: 512, frameCount: 120 }),
  kind('audio-wav', 'AUDIO', 'audio', 'wav', 'audio/wav', {
    duration: 31.5,
    audio: { sampleRate: 48000, bitDepth: 16, codec: 'pcm_s16le', channels: 2 },
  }),
  kind('pdf', 'PDF', 'pdf', 'pdf', 'application/pdf'),
  kind('plain-text', 'PLAIN_TEXT', 'plainText', 'txt', 'text/plain'),
  kind('nifti', 'NIFTI', 'nifti', 'nii.gz', 'application/gzip', { width: 256, height: 256, frameCount: 180 }),
];

const KINDS_BY_ID = new Map(MEDIA_KINDS.map((k) => [k.id, k]));
const DEFAULT_KIND_BY_TYPE = new Map<string, MediaKind>();
for (const k of MEDIA_KINDS) if (!DEFAULT_KIND_BY_TYPE.has(k.dataType)) DEFAULT_KIND_BY_TYPE.set(k.dataType, k);

export function kindById(id: string): MediaKind | undefined {
  return KINDS_BY_ID.get(id);
}

/** The default kind of a v1 data type (`IMAGE`, `VIDEO`, …), or undefined if unknown. */
export function kindForDataType(dataType: string): MediaKind | undefined {
  return DEFAULT_KIND_BY_TYPE.get(dataType.toUpperCase());
}

/** Shared empty metadata: frozen, never written to (writes store a new object). */
export const EMPTY_METADATA: Metadata = Object.freeze({}) as Metadata;

export interface ItemRecord {
  readonly uuid: string;
  parent: string;
  name: string;
  description: string;
  kind: MediaKind;
  fileSize: number | null;
  /** ms since the epoch */
  createdAt: number;
  lastEditedAt: number;
  metadata: Metadata;
  /** How many data rows (in any dataset) this item backs. */
  backed: number;
}

/** What a legacy row (no backing item) holds itself. */
export interface OwnRowData {
  title: string;
  kind: MediaKind;
  fileSize: number | null;
  metadata: Metadata;
  lastEditedAt: number;
}

export interface RowRecord {
  readonly dataHash: string;
  /** The backing item; null for a legacy row. */
  readonly item: ItemRecord | null;
  /** Present only when `item` is null. */
  readonly own: OwnRowData | null;
  readonly createdAt: number;
}

export interface DatasetRecord {
  readonly hash: string;
  title: string;
  description: string;
  readonly datasetType: string;
  readonly folderUuid: string | null;
  readonly createdAt: number;
  lastEditedAt: number;
  /** Insertion order: the v1 order of `data_rows`. */
  readonly rows: RowRecord[];
  readonly byHash: Map<string, RowRecord>;
}

export interface FolderRecord {
  readonly uuid: string;
  readonly parent: string | null;
  name: string;
  description: string;
  metadata: Metadata | null;
  readonly createdAt: number;
  lastEditedAt: number;
  syncedDatasetHash: string | null;
  /** Items in insertion order. */
  readonly items: ItemRecord[];
  /** Bumped when the item set or a name changes; invalidates sorted listing caches. */
  version: number;
}

export const OWNER = 'emulator-user@example.com';
export const ORGANISATION_ID = 1;

export function rowTitle(row: RowRecord): string {
  return row.item !== null ? row.item.name : row.own!.title;
}

export function rowMetadata(row: RowRecord): Metadata {
  return row.item !== null ? row.item.metadata : row.own!.metadata;
}

export function rowKind(row: RowRecord): MediaKind {
  return row.item !== null ? row.item.kind : row.own!.kind;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `%Y-%m-%d %H:%M:%S` in UTC, the form the SDK writes (protocol §4.5). */
export function v1Time(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

export function v2Time(ms: number): string {
  return new Date(ms).toISOString();
}

/** v1 DataRow JSON (protocol §4.5). `client_metadata` is null unless asked for. */
export function wireDataRow(
  dataset: DatasetRecord,
  row: RowRecord,
  withMetadata: boolean,
): WireDataRow & { dataset_hash: string } {
  const k = rowKind(row);
  const item = row.item;
  const lastEdited = item !== null ? item.lastEditedAt : row.own!.lastEditedAt;
  return {
    data_hash: row.dataHash,
    data_title: rowTitle(row),
    data_type: k.dataType,
    dataset_hash: dataset.hash,
    created_at: v1Time(row.createdAt),
    last_edited_at: v1Time(lastEdited),
    width: k.width,
    height: k.height,
    file_link: `cord-storage/${item !== null ? item.uuid : row.dataHash}`,
    file_size: item !== null ? item.fileSize : row.own!.fileSize,
    file_type: k.mimeType,
    storage_location: 0,
    frames_per_second: k.fps,
    duration: k.duration,
    client_metadata: withMetadata ? rowMetadata(row) : null,
    backing_item_uuid: item !== null ? item.uuid : null,
    signed_url: null,
    is_optimised_image_group: k.dataType === 'IMG_GROUP' ? false : null,
    images_data: null,
  };
}

/** v2 StorageItem JSON (protocol §5.5): every required key, `clientMetadata` as a JSON string. */
export function wireStorageItem(item: ItemRecord, signedUrlBase: string | null): WireStorageItem {
  const k = item.kind;
  return {
    uuid: item.uuid,
    parent: item.parent,
    itemType: k.itemType,
    name: item.name,
    description: item.description,
    clientMetadata: JSON.stringify(item.metadata),
    owner: OWNER,
    createdAt: v2Time(item.createdAt),
    lastEditedAt: v2Time(item.lastEditedAt),
    backedDataUnitsCount: item.backed,
    storageLocation: 'encord',
    integrationHash: null,
    url: `cord-storage/${item.uuid}`,
    signedUrl: signedUrlBase === null ? null : `${signedUrlBase}/signed/${item.uuid}`,
    fileSize: item.fileSize,
    mimeType: k.mimeType,
    duration: k.duration,
    fps: k.fps,
    height: k.height,
    width: k.width,
    dicomInstanceUid: null,
    dicomStudyUid: null,
    dicomSeriesUid: k.dataType === 'DICOM' ? `1.2.826.0.1.3680043.8.498.${parseInt(item.uuid.slice(0, 8), 16)}` : null,
    frameCount: k.frameCount,
    audioSampleRate: k.audio?.sampleRate ?? null,
    audioBitDepth: k.audio?.bitDepth ?? null,
    audioCodec: k.audio?.codec ?? null,
    audioNumChannels: k.audio?.channels ?? null,
    isTombstone: false,
    isPlaceholder: false,
  };
}

/**
 * v2 StorageFolder JSON (`encord/orm/storage.py: StorageFolder`, protocol §A.3): every key present.
 * `pathToRoot` runs from the folder itself up to its top-level ancestor (whether the real service includes
 * the folder itself is [UNKNOWN]; the notes say emit `[self, …, top]`). `folderOf` looks parents up.
 */
export function wireFolder(folder: FolderRecord, folderOf: (uuid: string) => FolderRecord | undefined = () => undefined): Record<string, unknown> {
  const path: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (let f: FolderRecord | undefined = folder; f !== undefined && !seen.has(f.uuid); f = f.parent === null ? undefined : folderOf(f.parent)) {
    seen.add(f.uuid);
    path.push({ uuid: f.uuid, parentUuid: f.parent, name: f.name, syncedDatasetHash: f.syncedDatasetHash });
  }
  return {
    uuid: folder.uuid,
    parent: folder.parent,
    name: folder.name,
    description: folder.description,
    clientMetadata: folder.metadata === null ? null : JSON.stringify(folder.metadata),
    owner: OWNER,
    createdAt: v2Time(folder.createdAt),
    lastEditedAt: v2Time(folder.lastEditedAt),
    userRole: 'admin',
    syncedDatasetHash: folder.syncedDatasetHash,
    pathToRoot: path,
  };
}

/** Deep copy of JSON metadata, so callers cannot reach the stored object. */
export function cloneMetadata(m: Metadata): Metadata {
  return structuredClone(m) as Metadata;
}
