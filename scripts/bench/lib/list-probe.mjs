#!/usr/bin/env node
/**
 * List one dataset with the built client (`dist/`: `EncordClient.getDataset`, the listing every import
 * starts with) in its own process, and report time and peak RSS.
 *
 * Usage: node scripts/bench/lib/list-probe.mjs <domain> <dataset-hash> <ssh-key-path>
 * Prints one JSON line: {"units", "ms", "maxRssKb", "heldMb"}; `heldMb` is the heap still used by the
 * listing after a GC (run with --expose-gc), i.e. what an import carries through both passes.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = process.env.ENCORD_META_DIST ?? fileURLToPath(new URL('../../../dist', import.meta.url));
const { createEncordClient } = await import(pathToFileURL(join(dist, 'encord', 'client.js')).href);
const { loadCredentials } = await import(pathToFileURL(join(dist, 'encord', 'key-source.js')).href);

const [domain, dataset, key] = process.argv.slice(2);
if (!domain || !dataset || !key) throw new Error('usage: list-probe.mjs <domain> <dataset-hash> <ssh-key-path>');
const { auth } = await loadCredentials({ sshKeyPath: key, env: {} });
const client = createEncordClient({ auth, domain, timeoutMs: 1_800_000 });
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const listing = await client.getDataset(dataset);
const ms = Math.round(performance.now() - started);
globalThis.gc?.();
const heldMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20);
await client.close();
process.stdout.write(`${JSON.stringify({ units: listing.units.length, ms, maxRssKb: process.resourceUsage().maxRSS, heldMb })}\n`);
