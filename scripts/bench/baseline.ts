/**
 * The baseline: what Encord's own guide does to add metadata, done faithfully with our client.
 *
 *   dataset = user_client.get_dataset(hash)            # one listing, metadata included
 *   for row in csv:                                    # one row at a time, in file order
 *       data_row = dataset.data_rows[int(row.index)]
 *       data_row.client_metadata = {**data_row.client_metadata, ...typed cells}
 *       data_row.save()                                # v1 DataRow.save, waits for the answer
 *
 * Concurrency 1, one per-row v1 save per row, no bulk call, no client-side rate cap (the SDK has none).
 * Cells are converted the way a hand-written loop would (`float`, `== "true"`, `json.loads`), which costs
 * nothing next to a round trip. Reads the 8-column file of `scripts/fixtures/make-big-csv.ts`.
 *
 *   npx tsx scripts/bench/baseline.ts --domain http://127.0.0.1:PORT --dataset HASH --file big.csv \
 *     [--max-seconds 60] [--max-rows 0]
 *
 * Last line: `RESULT baseline rows=<n> seconds=<s> rows_per_s=<r> requests=<n>`.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse';
import type { Metadata } from '../../src/encord/protocol/types.js';
import { fixed, log, parseFlags, result, testClient } from './lib/common.js';

export interface BaselineResult {
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly requests: number;
  /** Seconds spent listing the dataset (included in `seconds`). */
  readonly listSeconds: number;
}

/** Convert one CSV row the way the guide's loop would. */
function typed(row: Record<string, string>): Metadata {
  const m: Metadata = {};
  if (row['captured_at']) m['captured_at'] = new Date(row['captured_at']).toISOString();
  if (row['city']) m['city'] = row['city'];
  if (row['dark']) m['dark'] = row['dark'] === 'true';
  if (row['weather']) m['weather'] = row['weather'];
  if (row['gps']) {
    const [lat, lon] = row['gps'].split(',').map(Number);
    m['gps'] = { latitude: lat!, longitude: lon! };
  }
  if (row['embedding']) m['embedding'] = JSON.parse(row['embedding']) as number[];
  return m;
}

export async function runBaseline(input: {
  readonly domain: string;
  readonly dataset: string;
  readonly file: string;
  /** Stop after this long (rows/s is a steady rate; the full file would take hours). 0: no limit. */
  readonly maxSeconds: number;
  /** Stop after this many rows. 0: no limit. */
  readonly maxRows: number;
}): Promise<BaselineResult> {
  // No client-side rate cap and one request at a time: the SDK's loop, not ours.
  const client = await testClient(input.domain, { maxRequestsPerSecond: 10_000, concurrency: 1 });
  const started = performance.now();
  try {
    const dataset = await client.getDataset(input.dataset);
    const listSeconds = (performance.now() - started) / 1000;
    let rows = 0;
    const parser = createReadStream(input.file).pipe(parse({ columns: true, bom: true }));
    try {
      for await (const record of parser as AsyncIterable<Record<string, string>>) {
        const unit = dataset.units[Number(record['index'])];
        if (unit === undefined) continue;
        const metadata = { ...(unit.metadata ?? {}), ...typed(record) };
        await client.saveMetadata(input.dataset, unit.dataHash, metadata);
        rows += 1;
        const elapsed = (performance.now() - started) / 1000;
        if ((input.maxRows > 0 && rows >= input.maxRows) || (input.maxSeconds > 0 && elapsed >= input.maxSeconds)) break;
      }
    } finally {
      parser.destroy();
    }
    const seconds = (performance.now() - started) / 1000;
    return { rows, seconds, rowsPerSecond: rows / seconds, requests: client.stats.requests, listSeconds };
  } finally {
    await client.close();
  }
}

const USAGE = 'npx tsx scripts/bench/baseline.ts --domain URL --dataset HASH --file FILE.csv [--max-seconds 60] [--max-rows 0]';

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const flags = parseFlags(process.argv.slice(2), { domain: '', dataset: '', file: '', maxSeconds: 60, maxRows: 0 }, USAGE);
  if (!flags.domain || !flags.dataset || !flags.file) throw new Error(USAGE);
  if (!/^http:\/\/127\.0\.0\.1[:/]/.test(flags.domain)) throw new Error('the baseline only talks to a loopback emulator (http://127.0.0.1:PORT)');
  log(`baseline: per-row save loop on ${flags.file}`);
  const r = await runBaseline(flags);
  result('baseline', { rows: r.rows, seconds: fixed(r.seconds, 2), rows_per_s: fixed(r.rowsPerSecond, 2), requests: r.requests, list_s: fixed(r.listSeconds, 2) });
}
