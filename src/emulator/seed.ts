/**
 * Creating datasets: explicit rows for tests (shared items, legacy rows, given metadata) and generated,
 * realistic rows for demos and benchmarks (`seedRows`). Generated data is deterministic from the seed:
 * titles like `cam-03/2026-11-01/frame_000123.jpg`, a mix of data types, about 30 % of rows with
 * pre-existing metadata (some with the reserved `keyframes` key). Rows are inserted in a stable order
 * that is neither sorted by title nor by hash, so a client that re-sorts is caught.
 */
import type { Metadata } from '../encord/protocol/types.js';
import { MetaError } from '../errors.js';
import { kindById, kindForDataType, type DatasetRecord, type MediaKind, type RowRecord } from './model.js';
import type { Rng } from './rng.js';
import type { DatasetSeed, DatasetSummary, RowSeed, StateStore } from './state.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Base time of generated data: 2026-10-01T00:00:00Z (30 days from there). */
const BASE_TIME = Date.UTC(2026, 9, 1);
const DAY_MS = 86_400_000;
const DATES = Array.from({ length: 30 }, (_, d) => new Date(BASE_TIME + d * DAY_MS).toISOString().slice(0, 10));

interface WeightedKind {
  readonly kind: MediaKind;
  readonly weight: number;
  readonly prefix: string;
  readonly stem: string;
}

const MIX: readonly WeightedKind[] = [
  { kind: kindById('image-jpg-1080')!, weight: 45, prefix: 'cam', stem: 'frame' },
  { kind: kindById('image-png-720')!, weight: 15, prefix: 'cam', stem: 'frame' },
  { kind: kindById('image-jpg-4k')!, weight: 8, prefix: 'cam', stem: 'still' },
  { kind: kindById('video-mp4-30')!, weight: 10, prefix: 'cam', stem: 'clip' },
  { kind: kindById('video-mp4-25')!, weight: 5, prefix: 'cam', stem: 'clip' },
  { kind: kindById('img-group')!, weight: 5, prefix: 'cam', stem: 'burst' },
  { kind: kindById('dicom-series')!, weight: 4, prefix: 'scanner', stem: 'series' },
  { kind: kindById('audio-wav')!, weight: 4, prefix: 'mic', stem: 'audio' },
  { kind: kindById('pdf')!, weight: 2, prefix: 'reports', stem: 'report' },
  { kind: kindById('plain-text')!, weight: 2, prefix: 'notes', stem: 'note' },
];
const MIX_TOTAL = MIX.reduce((s, m) => s + m.weight, 0);

const QA = ['approved', 'pending', 'rejected', 'needs-review'] as const;
const WEATHER = ['clear', 'rain', 'fog', 'snow', 'overcast'] as const;

function pickKind(rng: Rng): WeightedKind {
  let r = rng.next() * MIX_TOTAL;
  for (const m of MIX) {
    r -= m.weight;
    if (r < 0) return m;
  }
  return MIX[0]!;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const FLAT_SCRATCH = Buffer.alloc(4096);

/**
 * A flat copy of an ASCII string. Template literals build rope strings that keep every piece alive;
 * a million generated titles would cost hundreds of MB more that way.
 */
function flat(text: string): string {
  if (text.length > FLAT_SCRATCH.length) return text;
  const n = FLAT_SCRATCH.write(text, 0, 'latin1');
  return FLAT_SCRATCH.toString('latin1', 0, n);
}

/** Pre-existing metadata for about 30 % of generated rows; `null` for the rest. */
function legacyMetadata(rng: Rng, kind: MediaKind): Metadata | null {
  const r = rng.next();
  if (r >= 0.3) return null;
  if (r < 0.12) {
    const m: Metadata = { source: 'legacy-import', import_batch: `2025-q${rng.int(1, 4)}` };
    if (kind.dataType === 'VIDEO') {
      const count = rng.int(1, 4);
      const frames: number[] = [];
      let f = 0;
      for (let i = 0; i < count; i += 1) {
        f += rng.int(1, 200);
        frames.push(f);
      }
      m['keyframes'] = frames;
    }
    return m;
  }
  if (r < 0.22) return { qa_status: rng.pick(QA) };
  return {
    source: 'legacy-import',
    weather: rng.pick(WEATHER),
    temperature_c: Math.round((rng.next() * 40 - 10) * 10) / 10,
    tags: rng.next() < 0.5 ? ['night'] : ['day', 'highway'],
    location: {
      latitude: Math.round((51 + rng.next()) * 1e5) / 1e5,
      longitude: Math.round((-1 + rng.next()) * 1e5) / 1e5,
    },
  };
}

function checkUuid(value: string, what: string): string {
  if (!UUID_RE.test(value)) {
    throw new MetaError('USAGE_OPTION', `Expected ${what} to be a lowercase hyphenated uuid, got \`${value}\``);
  }
  return value;
}

/** Create one dataset (with its backing folder) from a seed. `ordinal` numbers default titles. */
export function seedDataset(store: StateStore, seed: DatasetSeed, ordinal: number): DatasetSummary {
  const now = store.now();
  const hash = seed.hash === undefined ? store.freshUuid() : checkUuid(seed.hash, 'dataset hash');
  const title = seed.title ?? `Emulator dataset ${ordinal}`;
  const folderUuid = seed.folderUuid === undefined ? store.freshUuid() : checkUuid(seed.folderUuid, 'folder uuid');
  const folder = store.folders.get(folderUuid) ?? store.createFolder({ uuid: folderUuid, name: title, createdAt: now });
  const dataset = store.createDataset({
    hash,
    title,
    ...(seed.description !== undefined ? { description: seed.description } : {}),
    folder,
    createdAt: now,
  });
  for (const [i, row] of (seed.rows ?? []).entries()) addExplicitRow(store, dataset, row, i);
  if (seed.generate !== undefined && seed.generate > 0) generateRows(store, dataset, seed.generate);
  store.changed();
  return { hash: dataset.hash, title: dataset.title, folderUuid: dataset.folderUuid, rows: dataset.rows.length };
}

function addExplicitRow(store: StateStore, dataset: DatasetRecord, seed: RowSeed, i: number): void {
  const rng = store.rng;
  const where = `dataset ${dataset.hash} row ${i}`;
  const dataType = seed.dataType ?? 'IMAGE';
  const kind = kindForDataType(dataType);
  if (kind === undefined) throw new MetaError('USAGE_OPTION', `Unknown data type \`${dataType}\` (${where})`);
  const createdAt = seed.createdAt === undefined ? store.now() : Date.parse(seed.createdAt);
  if (Number.isNaN(createdAt)) throw new MetaError('USAGE_OPTION', `Invalid createdAt \`${seed.createdAt}\` (${where})`);
  const dataHash = seed.dataHash === undefined ? rng.uuid() : checkUuid(seed.dataHash, `data hash (${where})`);
  const title = seed.title ?? `item-${pad(i, 4)}.${kind.ext === '' ? 'jpg' : kind.ext}`;
  const metadata = seed.metadata === undefined ? undefined : (structuredClone(seed.metadata) as Metadata);
  let row: RowRecord;
  if (seed.backingItemUuid === null) {
    row = {
      dataHash,
      item: null,
      own: { title, kind, fileSize: 1024 + i, metadata: metadata ?? {}, lastEditedAt: createdAt },
      createdAt,
    };
  } else {
    const uuid = seed.backingItemUuid === undefined ? store.freshUuid() : checkUuid(seed.backingItemUuid, `item uuid (${where})`);
    const folder = store.folders.get(dataset.folderUuid!)!;
    let item = store.items.get(uuid);
    if (item === undefined) {
      item = store.createItem({
        uuid,
        folder,
        name: title,
        kind,
        fileSize: 1024 + i,
        ...(metadata !== undefined ? { metadata } : {}),
        createdAt,
      });
    } else if (metadata !== undefined) {
      item.metadata = metadata;
    }
    row = { dataHash, item, own: null, createdAt };
  }
  store.addRow(dataset, row);
}

/** Append `count` generated rows, each backed by its own new item. */
export function generateRows(store: StateStore, dataset: DatasetRecord, count: number): void {
  const rng = store.rng;
  const folder = store.folders.get(dataset.folderUuid!)!;
  const start = dataset.rows.length;
  const width = Math.max(6, String(start + count).length);
  for (let n = start; n < start + count; n += 1) {
    const mix = pickKind(rng);
    const day = rng.int(0, 29);
    const date = DATES[day]!;
    const source = `${mix.prefix}-${pad(rng.int(1, 12), 2)}`;
    const ext = mix.kind.ext === '' ? '' : `.${mix.kind.ext}`;
    const title = flat(`${source}/${date}/${mix.stem}_${pad(n + 1, width)}${ext}`);
    const createdAt = BASE_TIME + day * DAY_MS + rng.int(0, DAY_MS - 1);
    const metadata = legacyMetadata(rng, mix.kind);
    const item = store.createItem({
      folder,
      name: title,
      kind: mix.kind,
      fileSize: rng.int(20_000, 9_000_000),
      ...(metadata !== null ? { metadata } : {}),
      createdAt,
    });
    store.addRow(dataset, { dataHash: rng.uuid(), item, own: null, createdAt });
  }
}

/**
 * Append `count` generated legacy rows: data units without a storage item, holding their own title and
 * metadata (they can only be written with the v1 save).
 */
export function generateLegacyRows(store: StateStore, dataset: DatasetRecord, count: number): void {
  const rng = store.rng;
  const start = dataset.rows.length;
  const width = Math.max(6, String(start + count).length);
  for (let n = start; n < start + count; n += 1) {
    const mix = pickKind(rng);
    const day = rng.int(0, 29);
    const ext = mix.kind.ext === '' ? '' : `.${mix.kind.ext}`;
    const title = flat(`legacy/${DATES[day]!}/${mix.stem}_${pad(n + 1, width)}${ext}`);
    const createdAt = BASE_TIME + day * DAY_MS + rng.int(0, DAY_MS - 1);
    const metadata = legacyMetadata(rng, mix.kind) ?? {};
    store.addRow(dataset, {
      dataHash: rng.uuid(),
      item: null,
      own: { title, kind: mix.kind, fileSize: rng.int(20_000, 9_000_000), metadata, lastEditedAt: createdAt },
      createdAt,
    });
  }
}

/** The `seedRows` dataset: one dataset of `rows` generated data units, then `legacy` legacy units. */
export function seedGenerated(store: StateStore, rows: number, legacy = 0): DatasetSummary {
  const total = rows + legacy;
  const summary = seedDataset(store, { title: `Fleet cameras (${total} data units)`, description: 'Seeded by the emulator', generate: rows }, 1);
  if (legacy > 0) {
    generateLegacyRows(store, store.datasets.get(summary.hash)!, legacy);
    store.changed();
  }
  return { ...summary, rows: total };
}

/** The name of the seeded folder tree's top folder (`seedFolders`, `--seed-folders`). */
export const SEEDED_FOLDER_NAME = 'Rehearsal uploads';

/**
 * A folder tree for rehearsing `--folder` runs, deterministic from the seed:
 *
 *     Rehearsal uploads/            `items` files frame_000001.jpg …
 *       cam-01/                     `items` files with the same names as the top folder's
 *         archive/                  a tenth of `items` (at least 1 when `items` > 0), named archive_000001.jpg …
 *       cam-02/ …                   (`subfolders` of them)
 *
 * The repeated names make `--key name --recursive` ambiguous on purpose (`--key path` tells them apart);
 * about 30 % of the files hold pre-existing metadata. No item backs a data unit (the folder of a seeded
 * dataset does that). Returns the top folder's uuid.
 */
export function seedFolderTree(store: StateStore, spec: { readonly subfolders: number; readonly items: number }): string {
  const rng = store.rng;
  const width = Math.max(6, String(spec.items).length);
  const image = kindById('image-jpg-1080')!;
  const fill = (folder: ReturnType<StateStore['createFolder']>, count: number, stem: string): void => {
    for (let n = 1; n <= count; n += 1) {
      const day = rng.int(0, 29);
      const metadata = legacyMetadata(rng, image);
      store.createItem({
        folder,
        name: flat(`${stem}_${pad(n, width)}.jpg`),
        kind: image,
        fileSize: rng.int(20_000, 9_000_000),
        ...(metadata !== null ? { metadata } : {}),
        createdAt: BASE_TIME + day * DAY_MS + rng.int(0, DAY_MS - 1),
      });
    }
  };
  const top = store.createFolder({ name: SEEDED_FOLDER_NAME, description: 'Seeded by the emulator (--seed-folders)', createdAt: BASE_TIME });
  fill(top, spec.items, 'frame');
  for (let i = 1; i <= spec.subfolders; i += 1) {
    const cam = store.createFolder({ name: `cam-${pad(i, 2)}`, parent: top.uuid, createdAt: BASE_TIME + i });
    fill(cam, spec.items, 'frame');
    const archive = store.createFolder({ name: 'archive', parent: cam.uuid, createdAt: BASE_TIME + i });
    fill(archive, spec.items === 0 ? 0 : Math.max(1, Math.floor(spec.items / 10)), 'archive');
  }
  store.changed();
  return top.uuid;
}
