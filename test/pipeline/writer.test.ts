/**
 * The writer alone, against a small in-memory store, as tables: for each kind of target (storage item or
 * legacy unit) and each answer the store gives, what the writer sends, what it journals, and what it
 * reports for the row (written, unchanged, or failed with a code). The store records every call, so "nothing
 * was sent" is asserted, not assumed.
 */
import { describe, expect, it } from 'vitest';
import type { DataUnit, GetItemsOptions, ItemMetadata, MetadataStore, PatchOutcome } from '../../src/encord/metadata-store.js';
import type { JsonValue, Metadata } from '../../src/encord/protocol/types.js';
import { MetaError } from '../../src/errors.js';
import { DELETE, type UpdateEntry, type WriteMode } from '../../src/pipeline/merge.js';
import { Writer, type WriteTask } from '../../src/pipeline/writer.js';
import type { UndoJournal } from '../../src/report/undo-journal.js';

const DS = 'dddddddd-0000-4000-8000-000000000000';
const item = (n: number): string => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
const hash = (n: number): string => `c0ffee00-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** What the store does for one target, beyond holding `metadata`. */
interface Behaviour {
  /** get-bulk leaves the item out and reports this error for it (403 ITEM_FORBIDDEN, 404). */
  readonly unreadable?: Error;
  /** get-bulk / list-B leaves it out silently. */
  readonly missing?: boolean;
  /** v1 list B returns the unit with `metadata: null`. */
  readonly metadataNull?: boolean;
  /** patch-bulk answers this item failed / save rejects. */
  readonly writeError?: Error;
  /** patch-bulk's answer does not mention the item. */
  readonly unmentioned?: boolean;
}

type Call = readonly [string, ...unknown[]];

class MemoryStore {
  readonly calls: Call[] = [];
  readonly held = new Map<string, Metadata>();
  readonly behaviour = new Map<string, Behaviour>();
  readError: Error | undefined;

  async getItems(uuids: readonly string[], options?: GetItemsOptions): Promise<ItemMetadata[]> {
    this.calls.push(['getItems', [...uuids]]);
    if (this.readError) throw this.readError;
    const out: ItemMetadata[] = [];
    for (const uuid of uuids) {
      const b = this.behaviour.get(uuid) ?? {};
      if (b.unreadable) options?.onItemError?.({ uuid, error: b.unreadable });
      else if (!b.missing) out.push({ uuid, metadata: structuredClone(this.held.get(uuid) ?? {}), backedDataUnitsCount: 1 });
    }
    return out;
  }

  async patchItems(patches: ReadonlyMap<string, Metadata>): Promise<PatchOutcome[]> {
    this.calls.push(['patchItems', Object.fromEntries(patches)]);
    const out: PatchOutcome[] = [];
    for (const [uuid, metadata] of patches) {
      const b = this.behaviour.get(uuid) ?? {};
      if (b.unmentioned) continue;
      if (b.writeError) out.push({ uuid, ok: false, error: b.writeError });
      else {
        this.held.set(uuid, structuredClone(metadata));
        out.push({ uuid, ok: true, metadata });
      }
    }
    return out;
  }

  async getDataUnits(datasetHash: string, dataHashes: readonly string[]): Promise<Map<string, DataUnit>> {
    this.calls.push(['getDataUnits', datasetHash, [...dataHashes]]);
    if (this.readError) throw this.readError;
    const out = new Map<string, DataUnit>();
    for (const h of dataHashes) {
      const b = this.behaviour.get(h) ?? {};
      if (b.missing) continue;
      out.set(h, { index: -1, dataHash: h, title: h, dataType: 'IMAGE', backingItemUuid: null, metadata: b.metadataNull ? null : structuredClone(this.held.get(h) ?? {}) });
    }
    return out;
  }

  async saveMetadata(datasetHash: string, dataHash: string, metadata: Metadata): Promise<Metadata> {
    this.calls.push(['saveMetadata', datasetHash, dataHash, metadata]);
    const b = this.behaviour.get(dataHash) ?? {};
    if (b.writeError) throw b.writeError;
    this.held.set(dataHash, structuredClone(metadata));
    return metadata;
  }
}

interface JournalLine {
  readonly target: string;
  readonly id: string;
  readonly metadata: Metadata;
  readonly written: Metadata;
}

/** A fake journal that remembers records and checks each is synced before the write that follows it. */
function memoryJournal(store: MemoryStore) {
  const lines: JournalLine[] = [];
  let synced = 0;
  const journal = {
    record(entries: readonly JournalLine[]) {
      lines.push(...entries);
    },
    async syncShared() {
      synced = lines.length;
      store.calls.push(['sync', synced]);
    },
  };
  return { journal: journal as unknown as UndoJournal, lines, synced: () => synced };
}

interface Outcome {
  readonly id: string;
  readonly result: string;
}

async function runWriter(
  store: MemoryStore,
  tasks: readonly { id: string; legacy?: boolean; update: UpdateEntry[] }[],
  options: { mode?: WriteMode; batchSize?: number; concurrency?: number; signal?: AbortSignal } = {},
) {
  const outcomes: Outcome[] = [];
  const { journal, lines } = memoryJournal(store);
  const writer = new Writer({
    store: store as unknown as MetadataStore,
    datasetHash: DS,
    mode: options.mode ?? 'merge',
    concurrency: options.concurrency ?? 1,
    batchSize: options.batchSize ?? 100,
    journal,
    signal: options.signal,
    callbacks: {
      written: (t) => void outcomes.push({ id: t.id, result: 'written' }),
      unchanged: (t) => void outcomes.push({ id: t.id, result: 'unchanged' }),
      failed: async (t, code, message) => void outcomes.push({ id: t.id, result: `${code}: ${message}` }),
      notAttempted: async (t, message) => void outcomes.push({ id: t.id, result: `not attempted: ${message}` }),
    },
  });
  for (const t of tasks) {
    const unit: DataUnit = { index: 0, dataHash: t.legacy ? t.id : `h-${t.id}`, title: 't', dataType: 'IMAGE', backingItemUuid: t.legacy ? null : t.id, metadata: { listed: 'stale' } };
    const task: WriteTask = { id: t.id, unit, update: t.update, rows: [{ line: 2, values: {} }] };
    if (t.legacy) await writer.addSingle(task);
    else await writer.addBulk(task);
  }
  await writer.drain();
  return { outcomes, journal: lines, fatal: writer.fatalError };
}

const set = (key: string, value: JsonValue, type = 'string'): UpdateEntry => ({ key, value, type });
const del = (key: string): UpdateEntry => ({ key, value: DELETE, type: 'string' });

interface Row {
  readonly current: Metadata;
  readonly update: UpdateEntry[];
  readonly mode?: WriteMode;
  readonly behaviour?: Behaviour;
  /** 'written' | 'unchanged' | 'CODE: message part'. */
  readonly result: string;
  /** What the target holds afterwards (the store's copy). */
  readonly after: Metadata;
}

const ROWS: [string, Row][] = [
  ['a new key is merged onto the fresh value (not the listed one)', { current: { a: 1 }, update: [set('city', 'Lisbon')], result: 'written', after: { a: 1, city: 'Lisbon' } }],
  ['a changed key', { current: { city: 'Old', a: 1 }, update: [set('city', 'New')], result: 'written', after: { city: 'New', a: 1 } }],
  ['the same value: unchanged, nothing sent', { current: { city: 'Same' }, update: [set('city', 'Same')], result: 'unchanged', after: { city: 'Same' } }],
  ['an empty update: unchanged', { current: { a: 1 }, update: [], result: 'unchanged', after: { a: 1 } }],
  ['a datetime naming the same instant keeps the stored spelling: unchanged', { current: { at: '2026-11-28T10:00:00Z' }, update: [set('at', '2026-11-28T10:00:00.000Z', 'datetime')], result: 'unchanged', after: { at: '2026-11-28T10:00:00Z' } }],
  ['a datetime at another instant is written', { current: { at: '2026-11-28T10:00:00Z' }, update: [set('at', '2026-11-28T10:00:01.000Z', 'datetime')], result: 'written', after: { at: '2026-11-28T10:00:01.000Z' } }],
  ['a deleted key is removed', { current: { a: 1, b: 2 }, update: [del('b')], result: 'written', after: { a: 1 } }],
  ['deleting a key the target lacks: unchanged', { current: { a: 1 }, update: [del('b')], result: 'unchanged', after: { a: 1 } }],
  ['replace: only the update stays, key frames kept', { current: { a: 1, keyframes: [3, 9] }, update: [set('city', 'X')], mode: 'replace', result: 'written', after: { city: 'X', keyframes: [3, 9] } }],
  ['merge: key frames kept, never written from the update', { current: { keyframes: [1] }, update: [set('keyframes', [7] as JsonValue), set('c', 1, 'number')], result: 'written', after: { keyframes: [1], c: 1 } }],
  ['an update of key frames alone changes nothing', { current: { keyframes: [1] }, update: [set('keyframes', [])], result: 'unchanged', after: { keyframes: [1] } }],
  ['a __proto__ key is an ordinary key', { current: {}, update: [set('__proto__', 'p')], result: 'written', after: JSON.parse('{"__proto__":"p"}') as Metadata }],
  ['a non-finite number is refused, nothing sent', { current: { a: 1 }, update: [set('n', Number.NaN, 'number')], result: 'INVALID_NUMBER: metadata key "n": NaN is not a number JSON can hold; nothing was written to this target', after: { a: 1 } }],
  ['a lone surrogate is refused', { current: {}, update: [set('s', 'a\ud800')], result: 'INVALID_STRING: metadata key "s": the text holds a lone UTF-16 surrogate', after: {} }],
  ['a current value that cannot be written back is refused too (not silently dropped)', { current: { bad: Number.POSITIVE_INFINITY }, update: [set('c', 'x')], result: 'INVALID_NUMBER: metadata key "bad"', after: { bad: Number.POSITIVE_INFINITY } }],
  ['the target cannot be re-read: that row fails with its code', { current: { a: 1 }, update: [set('a', 2, 'number')], behaviour: { unreadable: new MetaError('ITEM_FORBIDDEN', 'no access') }, result: 'ITEM_FORBIDDEN: reading the current metadata: no access', after: { a: 1 } }],
  ['the write fails for this target', { current: { a: 1 }, update: [set('a', 2, 'number')], behaviour: { writeError: new MetaError('INVALID_VALUE', 'server said no') }, result: 'INVALID_VALUE: writing: server said no', after: { a: 1 } }],
  ['the write fails with a plain error: WRITE_FAILED', { current: {}, update: [set('a', 2, 'number')], behaviour: { writeError: new Error('socket hang up') }, result: 'WRITE_FAILED: writing: socket hang up', after: {} }],
];

describe('one storage item (patch-bulk path)', () => {
  it.each(ROWS)('%s', async (_what, row) => {
    const store = new MemoryStore();
    const id = item(1);
    store.held.set(id, structuredClone(row.current));
    if (row.behaviour) store.behaviour.set(id, row.behaviour);
    const { outcomes, journal } = await runWriter(store, [{ id, update: row.update }], { ...(row.mode && { mode: row.mode }) });
    expect(outcomes).toHaveLength(1);
    if (row.result === 'written' || row.result === 'unchanged') expect(outcomes[0]).toEqual({ id, result: row.result });
    else expect(outcomes[0]!.result).toContain(row.result);
    expect(store.held.get(id)).toEqual(row.after);
    const patches = store.calls.filter((c) => c[0] === 'patchItems');
    const sent = row.result === 'written' || row.behaviour?.writeError !== undefined;
    // The complete dictionary is sent, never a partial one; the journal has it with the value it replaces.
    expect(patches).toEqual(sent ? [['patchItems', { [id]: row.result === 'written' ? row.after : expect.anything() }]] : []);
    expect(journal).toEqual(sent ? [expect.objectContaining({ target: 'item', id, metadata: row.current })] : []);
    if (sent) expect(store.calls.map((c) => c[0])).toEqual(['getItems', 'sync', 'patchItems']);
  });
});

describe('one legacy unit (v1 save path)', () => {
  it.each(ROWS.filter(([, r]) => r.behaviour?.unreadable === undefined))('%s', async (_what, row) => {
    const store = new MemoryStore();
    const id = hash(1);
    store.held.set(id, structuredClone(row.current));
    if (row.behaviour) store.behaviour.set(id, row.behaviour);
    const { outcomes, journal } = await runWriter(store, [{ id, legacy: true, update: row.update }], { ...(row.mode && { mode: row.mode }) });
    expect(outcomes).toHaveLength(1);
    if (row.result === 'written' || row.result === 'unchanged') expect(outcomes[0]).toEqual({ id, result: row.result });
    else expect(outcomes[0]!.result).toContain(row.result);
    expect(store.held.get(id)).toEqual(row.after);
    const sent = row.result === 'written' || row.behaviour?.writeError !== undefined;
    expect(store.calls.filter((c) => c[0] === 'saveMetadata')).toEqual(sent ? [['saveMetadata', DS, id, row.result === 'written' ? row.after : expect.anything()]] : []);
    expect(journal).toEqual(sent ? [expect.objectContaining({ target: 'row', id, metadata: row.current })] : []);
  });
});

describe('answers that leave the writer unsure: the row fails, nothing is written blind', () => {
  it.each<[string, boolean, Behaviour, string, number]>([
    ['an item get-bulk leaves out', false, { missing: true }, `ITEM_NOT_RETURNED: Encord did not return storage item ${item(1)} when re-reading it; nothing was written`, 0],
    ['an item patch-bulk does not mention', false, { unmentioned: true }, `WRITE_UNCONFIRMED: Encord's answer did not mention storage item ${item(1)}; rerun to confirm`, 1],
    ['a legacy unit list B leaves out', true, { missing: true }, `METADATA_UNKNOWN: Encord returned no metadata for data unit ${hash(1)} when re-reading it; not writing blind`, 0],
    ['a legacy unit whose metadata comes back null (unknown, not empty)', true, { metadataNull: true }, `METADATA_UNKNOWN: Encord returned no metadata for data unit ${hash(1)}`, 0],
  ])('%s', async (_what, legacy, behaviour, result, writes) => {
    const store = new MemoryStore();
    const id = legacy ? hash(1) : item(1);
    store.held.set(id, { a: 1 });
    store.behaviour.set(id, behaviour);
    const { outcomes } = await runWriter(store, [{ id, legacy, update: [set('a', 2, 'number')] }]);
    expect(outcomes).toEqual([{ id, result: result.length > 0 ? expect.stringContaining(result) : result }]);
    expect(store.calls.filter((c) => c[0] === 'patchItems' || c[0] === 'saveMetadata')).toHaveLength(writes);
  });
});

describe('batches', () => {
  it.each<[string, number, number, boolean, string[][]]>([
    ['5 items, batch size 2: reads of 2, 2, 1', 5, 2, false, [[item(0), item(1)], [item(2), item(3)], [item(4)]]],
    ['3 items, batch size 10: one read', 3, 10, false, [[item(0), item(1), item(2)]]],
    ['150 legacy units, batch size 1000: re-read 100 at a time', 150, 1000, true, [Array.from({ length: 100 }, (_, i) => hash(i)), Array.from({ length: 50 }, (_, i) => hash(100 + i))]],
  ])('%s', async (_what, count, batchSize, legacy, reads) => {
    const store = new MemoryStore();
    const tasks = Array.from({ length: count }, (_, i) => ({ id: legacy ? hash(i) : item(i), legacy, update: [set('n', i, 'number')] }));
    const { outcomes } = await runWriter(store, tasks, { batchSize, concurrency: 1 });
    expect(store.calls.filter((c) => c[0] === 'getItems' || c[0] === 'getDataUnits').map((c) => c.at(-1))).toEqual(reads);
    expect(outcomes.map((o) => o.result)).toEqual(Array.from({ length: count }, () => 'written'));
    for (const t of tasks) expect(store.held.get(t.id)).toEqual({ n: Number(t.id.slice(-12)) });
  });

  it('a batch mixes outcomes: each row gets its own, and only the writable ones are sent', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 4; i++) store.held.set(item(i), { v: 0 });
    store.behaviour.set(item(1), { unreadable: new MetaError('ITEM_FORBIDDEN', 'no access') });
    store.behaviour.set(item(3), { writeError: new MetaError('INVALID_VALUE', 'bad') });
    const { outcomes } = await runWriter(store, [
      { id: item(0), update: [set('v', 1, 'number')] },
      { id: item(1), update: [set('v', 1, 'number')] },
      { id: item(2), update: [set('v', 0, 'number')] },
      { id: item(3), update: [set('v', 1, 'number')] },
    ]);
    expect(Object.fromEntries(outcomes.map((o) => [o.id, o.result.split(':')[0]]))).toEqual({ [item(0)]: 'written', [item(1)]: 'ITEM_FORBIDDEN', [item(2)]: 'unchanged', [item(3)]: 'INVALID_VALUE' });
    expect(store.calls.filter((c) => c[0] === 'patchItems')).toEqual([['patchItems', { [item(0)]: { v: 1 }, [item(3)]: { v: 1 } }]]);
  });
});

describe('errors that are not about one row', () => {
  it.each<[string, Error, string[] | 'fatal']>([
    ['a re-read that fails (not fatal): every row of the batch fails with the reason', new Error('HTTP 500'), ['WRITE_FAILED: reading the current metadata: HTTP 500', 'WRITE_FAILED: reading the current metadata: HTTP 500']],
    ['a coded re-read failure keeps its code', new MetaError('RATE_LIMITED', 'gave up'), ['RATE_LIMITED: reading the current metadata: gave up', 'RATE_LIMITED: reading the current metadata: gave up']],
    ['authentication refused: the run stops, no row is reported as failed', new MetaError('AUTHENTICATION', 'bad key'), 'fatal'],
  ])('%s', async (_what, error, want) => {
    const store = new MemoryStore();
    store.readError = error;
    const { outcomes, fatal } = await runWriter(store, [{ id: item(0), update: [set('a', 1, 'number')] }, { id: item(1), update: [set('a', 1, 'number')] }]);
    if (want === 'fatal') {
      expect(fatal).toBe(error);
      expect(outcomes).toEqual([]);
    } else {
      expect(fatal).toBeUndefined();
      expect(outcomes.map((o) => o.result)).toEqual(want);
    }
    expect(store.calls.filter((c) => c[0] === 'patchItems')).toEqual([]);
  });

  it('Encord unreachable: the run stops and every undecided row is "not attempted", none failed', async () => {
    const store = new MemoryStore();
    store.readError = new MetaError('SERVICE_UNREACHABLE', 'no answer for 60 s');
    const { outcomes, fatal } = await runWriter(store, [0, 1, 2].map((i) => ({ id: item(i), update: [set('a', 1, 'number')] })), { batchSize: 1 });
    expect(fatal).toMatchObject({ code: 'SERVICE_UNREACHABLE' });
    expect(outcomes.map((o) => o.id).sort()).toEqual([item(0), item(1), item(2)]);
    for (const o of outcomes) expect(o.result).toMatch(/^not attempted: /);
    // After the first batch's error, no other batch reads or writes.
    expect(store.calls).toEqual([['getItems', [item(0)]]]);
  });

  it('a stopped run (Ctrl-C before anything was sent) reads and writes nothing', async () => {
    const store = new MemoryStore();
    const controller = new AbortController();
    controller.abort(new Error('SIGINT'));
    const { outcomes, fatal } = await runWriter(store, [{ id: item(0), update: [set('a', 1, 'number')] }, { id: hash(0), legacy: true, update: [set('a', 1, 'number')] }], { signal: controller.signal });
    expect(store.calls).toEqual([]);
    expect(outcomes).toEqual([]);
    expect(fatal).toBeUndefined();
  });
});
