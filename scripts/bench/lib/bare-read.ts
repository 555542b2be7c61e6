/**
 * The bare readers the dry run is compared with, each in its own process like the CLI:
 *
 *   node --import tsx scripts/bench/lib/bare-read.ts csv FILE.csv       # csv-parse, streaming, arrays
 *   node --import tsx scripts/bench/lib/bare-read.ts parquet FILE.parquet  # DuckDB, chunk by chunk
 *   node --import tsx scripts/bench/lib/bare-read.ts xlsx FILE.xlsx        # our .xlsx reader alone (typed cells, no coercion):
 *                                                                           the candidate libraries are compared in docs/research/xlsx-readers.md
 *
 * Prints one JSON line: {"rows", "ms", "maxRssKb"}. `ms` is from opening the file to the last record (no
 * process start-up), the same span the dry run's figure covers.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { DuckDBInstance } from '@duckdb/node-api';
import { XlsxSource } from '../../../src/sources/xlsx/xlsx-source.js';

async function bareCsv(file: string): Promise<number> {
  // csv-parse's defaults plus the BOM option: records as arrays, no casting, no column objects.
  let rows = -1; // the header is a record too
  const parser = createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(parse({ bom: true }));
  for await (const record of parser as AsyncIterable<string[]>) if (record.length > 0) rows += 1;
  return rows;
}

async function bareParquet(file: string): Promise<number> {
  // The same DuckDB streaming read the importer's Parquet source uses, minus our cell conversion.
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const con = await instance.connect();
  let rows = 0;
  try {
    const result = await con.stream('SELECT * FROM read_parquet($1)', [file]);
    const width = result.columnCount;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      // Materialise every value as JS, as any consumer must.
      for (let c = 0; c < width; c += 1) chunk.getColumnValues(c);
      rows += chunk.rowCount;
    }
  } finally {
    con.closeSync();
    instance.closeSync();
  }
  return rows;
}

async function bareXlsx(file: string): Promise<number> {
  const source = new XlsxSource(file);
  await source.open();
  let rows = 0;
  for await (const item of source.items()) if (item.kind === 'row') rows += 1;
  return rows;
}

const [kind, file] = process.argv.slice(2);
if ((kind !== 'csv' && kind !== 'parquet' && kind !== 'xlsx') || file === undefined) throw new Error('usage: bare-read.ts csv|parquet|xlsx FILE');
const started = performance.now();
const rows = kind === 'csv' ? await bareCsv(file) : kind === 'parquet' ? await bareParquet(file) : await bareXlsx(file);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ rows, ms: Math.round(ms), maxRssKb: process.resourceUsage().maxRSS })}\n`);
