/**
 * Where a run's undo journal goes by default: `<stateDir>/journals/<dataset>-<start time>[-<kind>].jsonl`.
 * The dataset hash comes from a flag, a config file or a journal header, so it is made file-name safe
 * here, once: it can never climb out of the journals directory.
 */
import { join } from 'node:path';

export function defaultJournalPath(stateDir: string, datasetHash: string, startedAt: number, kind?: 'set' | 'rollback'): string {
  const dataset = datasetHash.replace(/[^A-Za-z0-9_-]/g, '_');
  const stamp = new Date(startedAt).toISOString().replace(/[:.]/g, '-');
  return join(stateDir, 'journals', `${dataset}-${stamp}${kind ? `-${kind}` : ''}.jsonl`);
}
