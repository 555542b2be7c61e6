/**
 * The dry run's diff preview. The run holds no metadata (mapping/dataset-index.ts), so the first
 * `diffLimit` rows that would change are noted during the planning pass and their units read fresh, in
 * batches, at the end: `before` is what Encord holds now, `after` the merge the run would write. A noted row
 * whose fresh value turns out unchanged (one the fingerprint could not decide) is dropped from the preview.
 */
import type { DataUnit } from '../../encord/metadata-store.js';
import type { Metadata } from '../../encord/protocol/types.js';
import { applyUpdate, changedKeys, jsonEqual, type UpdateEntry } from '../merge.js';
import type { Diff } from '../import-result.js';
import type { DiffCandidate, ImportRun } from './state.js';

export type { DiffCandidate } from './state.js';

/** Read the candidates' units fresh and turn those that change into diffs, in file order. */
export async function previewDiffs(run: ImportRun, candidates: readonly DiffCandidate[]): Promise<Diff[]> {
  if (candidates.length === 0) return [];
  const fresh = await readFresh(run, candidates.map((c) => c.unit));
  const diffs: Diff[] = [];
  for (const c of candidates) {
    const before = fresh.get(c.unit) ?? null;
    if (before === null) continue; // unknown metadata is never previewed
    const after = applyUpdate(before, c.update, run.opts.mode);
    if (jsonEqual(after, before)) continue;
    diffs.push({ line: c.line, ...(c.file !== undefined && { file: c.file }), dataHash: c.unit.dataHash, title: c.unit.title, before, after, changedKeys: changedKeys(before, after) });
  }
  return diffs;
}

/** Current metadata of units: storage items with get-bulk, legacy units with the v1 read by data hash. */
async function readFresh(run: ImportRun, units: readonly DataUnit[]): Promise<Map<DataUnit, Metadata>> {
  const signal = run.opts.signal;
  const out = new Map<DataUnit, Metadata>();
  const byItem = new Map<string, DataUnit[]>();
  const byHash = new Map<string, DataUnit>();
  for (const u of units) {
    if (u.backingItemUuid !== null) byItem.set(u.backingItemUuid, [...(byItem.get(u.backingItemUuid) ?? []), u]);
    else byHash.set(u.dataHash, u);
  }
  if (byItem.size > 0) {
    for (const got of await run.store.getItems([...byItem.keys()], { signal })) {
      for (const u of byItem.get(got.uuid) ?? []) out.set(u, got.metadata);
    }
  }
  if (byHash.size > 0) {
    const rows = await run.store.getDataUnits(run.opts.datasetHash ?? '', [...byHash.keys()], { signal });
    for (const [hash, row] of rows) if (row.metadata !== null && byHash.has(hash)) out.set(byHash.get(hash)!, row.metadata);
  }
  return out;
}
