/**
 * Directory persistence of the emulator state (`--state DIR`).
 *
 * The state is one NDJSON file, `DIR/state.ndjson`: a header line, the schemas, then one line per folder,
 * item, dataset and row, and an `end` line with counts. It is written whole, streamed in chunks (a
 * million rows do not fit one JSON string), to `state.ndjson.tmp`, fsynced, renamed over the old file,
 * and the directory is fsynced. A reader therefore sees either the previous complete file or the new
 * complete file, never a torn one, even after SIGKILL or power loss mid-write.
 *
 * Writes are debounced (`flushDelayMs` after the first change, or twice the last flush's duration if
 * that is longer, so a million-row state is not rewritten back to back) and a graceful close always
 * flushes. What SIGKILL may lose: changes made since the last completed flush, i.e. up to that delay
 * plus the duration of one flush (seconds for a million rows, milliseconds for a test state). A flush that overlaps concurrent writes may include some of them and not
 * others; every item line is still a value the emulator really held, because metadata objects are
 * never mutated in place.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Metadata, WireTypedSchema } from '../encord/protocol/types.js';
import { MetaError } from '../errors.js';
import { EMPTY_METADATA, kindById, type DatasetRecord, type FolderRecord, type MediaKind, type RowRecord } from './model.js';
import type { StateStore } from './state.js';

export const STATE_FILE = 'state.ndjson';
const FORMAT = 'encord-meta-emulator-state';
const VERSION = 1;
const CHUNK_CHARS = 1 << 20;

function isEmptyMetadata(m: Metadata): boolean {
  return m === EMPTY_METADATA;
}

/**
 * Serialize the whole store as NDJSON lines, handing out chunks of about 1 MiB. Lines are compact
 * (a million rows make a file of a few hundred MB): short keys, defaults omitted, an item's parent
 * omitted when it equals the previous item's, rows listed under their dataset line.
 */
async function writeSnapshot(store: StateStore, write: (chunk: string) => Promise<void>): Promise<void> {
  let buf = '';
  const line = async (value: unknown): Promise<void> => {
    buf += `${JSON.stringify(value)}\n`;
    if (buf.length >= CHUNK_CHARS) {
      const out = buf;
      buf = '';
      await write(out);
    }
  };
  // Take every collection before the first await, so the file is self-consistent (no row whose item
  // was created during the flush); values are read as the lines are written.
  const folders = [...store.folders.values()];
  const items = [...store.items.values()];
  const datasets = [...store.datasets.values()].map((ds) => ({ ds, rows: ds.rows.slice() }));
  const schema = { t: 'schema', typed: store.typedSchema, simple: store.simpleSchema };
  await line({ t: 'header', format: FORMAT, version: VERSION });
  await line(schema);
  for (const f of folders) {
    await line({
      t: 'f',
      u: f.uuid,
      p: f.parent,
      n: f.name,
      d: f.description,
      m: f.metadata,
      c: f.createdAt,
      e: f.lastEditedAt,
      s: f.syncedDatasetHash,
    });
  }
  let itemCount = 0;
  let lastParent = '';
  for (const it of items) {
    itemCount += 1;
    const rec: Record<string, unknown> = { t: 'i', u: it.uuid };
    if (it.parent !== lastParent) rec['p'] = lastParent = it.parent;
    rec['n'] = it.name;
    if (it.description !== '') rec['d'] = it.description;
    rec['k'] = it.kind.id;
    rec['s'] = it.fileSize;
    rec['c'] = it.createdAt;
    if (it.lastEditedAt !== it.createdAt) rec['e'] = it.lastEditedAt;
    if (!isEmptyMetadata(it.metadata)) rec['m'] = it.metadata;
    await line(rec);
  }
  let rowCount = 0;
  for (const { ds, rows } of datasets) {
    await line({ t: 'd', h: ds.hash, n: ds.title, d: ds.description, f: ds.folderUuid, c: ds.createdAt, e: ds.lastEditedAt });
    for (const r of rows) {
      rowCount += 1;
      if (r.item !== null) {
        await line(r.createdAt === r.item.createdAt ? { t: 'r', h: r.dataHash, i: r.item.uuid } : { t: 'r', h: r.dataHash, i: r.item.uuid, c: r.createdAt });
      } else {
        await line({ t: 'r', h: r.dataHash, i: null, c: r.createdAt, o: { ...r.own!, kind: r.own!.kind.id } });
      }
    }
  }
  await line({ t: 'end', items: itemCount, rows: rowCount });
  if (buf.length > 0) await write(buf);
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

function corrupt(file: string, lineNo: number, what: string): MetaError {
  return new MetaError('STATE_CORRUPT', `Emulator state file ${file} line ${lineNo}: ${what}`);
}

function kindOf(id: unknown, file: string, lineNo: number): MediaKind {
  const k = typeof id === 'string' ? kindById(id) : undefined;
  if (k === undefined) throw corrupt(file, lineNo, `unknown media kind ${JSON.stringify(id)}`);
  return k;
}

/** Where the lines read so far left off: an item line follows its folder's, a row line its dataset's. */
interface LoadCursor {
  lastParent: FolderRecord | undefined;
  dataset: DatasetRecord | undefined;
  ended: boolean;
}

/** Load `DIR/state.ndjson` into an empty store. Returns false when there is no state file yet. */
export async function loadState(dir: string, store: StateStore): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  const names = await readdir(dir);
  for (const n of names) if (n.startsWith(`${STATE_FILE}.tmp`)) await rm(join(dir, n), { force: true });
  if (!names.includes(STATE_FILE)) return false;
  const file = join(dir, STATE_FILE);
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  const cursor: LoadCursor = { lastParent: undefined, dataset: undefined, ended: false };
  for await (const text of rl) {
    lineNo += 1;
    if (text === '') continue;
    let v: Record<string, any>;
    try {
      v = JSON.parse(text) as Record<string, any>;
    } catch {
      throw corrupt(file, lineNo, 'not JSON');
    }
    if (lineNo === 1) {
      if (v['t'] !== 'header' || v['format'] !== FORMAT || v['version'] !== VERSION) {
        throw corrupt(file, lineNo, `expected a ${FORMAT} v${VERSION} header`);
      }
      continue;
    }
    loadLine(store, v, cursor, file, lineNo);
  }
  if (!cursor.ended) throw corrupt(file, lineNo, 'missing end line (incomplete file)');
  return true;
}

/** Apply one state line (after the header) to the store, by its type `t`. */
function loadLine(store: StateStore, v: Record<string, any>, cursor: LoadCursor, file: string, lineNo: number): void {
  switch (v['t']) {
    case 'schema':
      store.typedSchema = (v['typed'] ?? null) as WireTypedSchema | null;
      store.simpleSchema = v['simple'] ?? null;
      break;
    case 'f': {
      const f = store.createFolder({ uuid: v['u'], name: v['n'], description: v['d'], parent: v['p'], createdAt: v['c'] });
      f.lastEditedAt = v['e'];
      f.metadata = v['m'] ?? null;
      f.syncedDatasetHash = v['s'] ?? null;
      break;
    }
    case 'i': {
      if (v['p'] !== undefined) cursor.lastParent = store.folders.get(v['p']);
      if (cursor.lastParent === undefined) throw corrupt(file, lineNo, `item in unknown folder ${v['p']}`);
      const item = store.createItem({
        uuid: v['u'],
        folder: cursor.lastParent,
        name: v['n'],
        description: v['d'] ?? '',
        kind: kindOf(v['k'], file, lineNo),
        fileSize: v['s'],
        createdAt: v['c'],
        ...(v['m'] !== undefined ? { metadata: v['m'] as Metadata } : {}),
      });
      item.lastEditedAt = v['e'] ?? v['c'];
      break;
    }
    case 'd': {
      const folder = v['f'] === null ? null : (store.folders.get(v['f']) ?? null);
      cursor.dataset = store.createDataset({ hash: v['h'], title: v['n'], description: v['d'], folder, createdAt: v['c'] });
      cursor.dataset.lastEditedAt = v['e'];
      break;
    }
    case 'r': {
      if (cursor.dataset === undefined) throw corrupt(file, lineNo, 'row before any dataset');
      store.addRow(cursor.dataset, rowOf(store, v, file, lineNo));
      break;
    }
    case 'end':
      cursor.ended = true;
      break;
    default:
      throw corrupt(file, lineNo, `unknown line type ${JSON.stringify(v['t'])}`);
  }
}

/** A row line: a row of its own file (`i` null, kind and name in `o`) or backed by a storage item. */
function rowOf(store: StateStore, v: Record<string, any>, file: string, lineNo: number): RowRecord {
  if (v['i'] === null) {
    const own = v['o'];
    return { dataHash: v['h'], item: null, own: { ...own, kind: kindOf(own?.kind, file, lineNo) }, createdAt: v['c'] };
  }
  const item = store.items.get(v['i']);
  if (item === undefined) throw corrupt(file, lineNo, `row backed by unknown item ${v['i']}`);
  return { dataHash: v['h'], item, own: null, createdAt: v['c'] ?? item.createdAt };
}

/** Debounced, serialized flushing of a store to its directory. */
export class Persistence {
  readonly #dir: string;
  readonly #store: StateStore;
  readonly #delayMs: number;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;
  #running: Promise<void> | undefined;
  #lastError: unknown;
  /** How long the last flush took: the next debounced flush waits at least twice that. */
  #lastDurationMs = 0;

  constructor(dir: string, store: StateStore, delayMs: number) {
    this.#dir = dir;
    this.#store = store;
    this.#delayMs = delayMs;
  }

  /** The last flush error, if the most recent flush failed (it is retried on the next change). */
  get lastError(): unknown {
    return this.#lastError;
  }

  markDirty(): void {
    this.#dirty = true;
    if (this.#timer !== undefined) return;
    // A big state takes seconds to write: space flushes out so they cost at most a third of the time.
    const delay = Math.max(this.#delayMs, 2 * this.#lastDurationMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch(() => {
        // Recorded in lastError; the next change schedules another attempt.
      });
    }, delay);
    this.#timer.unref();
  }

  /** Write the state now if it changed (or `force`); resolves once it is durable. */
  async flush(force = false): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#running !== undefined) await this.#running;
    if (!this.#dirty && !force) return;
    this.#dirty = false;
    const started = performance.now();
    const run = this.#write();
    this.#running = run;
    try {
      await run;
      this.#lastDurationMs = performance.now() - started;
      this.#lastError = undefined;
    } catch (error) {
      this.#dirty = true;
      this.#lastError = error;
      throw error;
    } finally {
      this.#running = undefined;
    }
  }

  async #write(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const tmp = join(this.#dir, `${STATE_FILE}.tmp-${process.pid}`);
    const fh = await open(tmp, 'w');
    try {
      await writeSnapshot(this.#store, async (chunk) => {
        await fh.write(chunk);
      });
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.#dir, STATE_FILE));
    await fsyncDir(this.#dir);
  }
}
