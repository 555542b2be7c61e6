#!/usr/bin/env node
/**
 * List a dataset or a storage folder into the import's flat index (`dist/`: `DatasetIndex`, what every
 * import now holds instead of the listing) in its own process, and report time and peak RSS.
 *
 * Usage: node scripts/bench/lib/index-probe.mjs <domain> dataset|folder <hash-or-uuid> <ssh-key-path>
 * Prints one JSON line: {"units", "ms", "maxRssKb", "heldMb"}; `heldMb` is the heap still used after a GC
 * (run with --expose-gc) by the index (its typed arrays count as external memory, reported in `externalMb`).
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = process.env.ENCORD_META_DIST ?? fileURLToPath(new URL('../../../dist', import.meta.url));
const { createEncordClient } = await import(pathToFileURL(join(dist, 'encord', 'client.js')).href);
const { loadCredentials } = await import(pathToFileURL(join(dist, 'encord', 'key-source.js')).href);
const { DatasetIndex } = await import(pathToFileURL(join(dist, 'mapping', 'dataset-index.js')).href);

const [domain, kind, id, key] = process.argv.slice(2);
if (!domain || !kind || !id || !key) throw new Error('usage: index-probe.mjs <domain> dataset|folder <hash-or-uuid> <ssh-key-path>');
const { auth } = await loadCredentials({ sshKeyPath: key, env: {} });
const client = createEncordClient({ auth, domain, timeoutMs: 1_800_000 });
const spec = { replace: false, fields: [{ key: 'city', type: 'string' }, { key: 'speed', type: 'number' }], keep: [] };
globalThis.gc?.();
const before = process.memoryUsage();
const started = performance.now();
let index;
if (kind === 'dataset') index = (await DatasetIndex.list(client, id, spec)).index;
else {
  index = new DatasetIndex({ ...spec, backed: true });
  let i = 0;
  for await (const page of client.listFolderItems(id, { recursive: true })) {
    for (const item of page.items) {
      index.add({ index: i, dataHash: item.uuid, title: item.name, dataType: item.itemType ?? '', backingItemUuid: item.uuid, metadata: item.metadata }, item.backedDataUnitsCount);
      i += 1;
    }
  }
}
const ms = Math.round(performance.now() - started);
globalThis.gc?.();
const after = process.memoryUsage();
await client.close();
process.stdout.write(
  `${JSON.stringify({ units: index.unitCount, ms, maxRssKb: process.resourceUsage().maxRSS, heldMb: Math.round((after.heapUsed - before.heapUsed) / 2 ** 20), externalMb: Math.round((after.arrayBuffers - before.arrayBuffers) / 2 ** 20) })}\n`,
);
