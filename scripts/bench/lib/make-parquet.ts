/**
 * The benchmark CSV as Parquet, with real types (what a Parquet export would hold): index BIGINT,
 * captured_at TIMESTAMP WITH TIME ZONE, dark BOOLEAN, embedding DOUBLE[]; text columns stay VARCHAR.
 * Written by DuckDB (zstd, row groups of 122,880 rows).
 */
import { existsSync, renameSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

export async function ensureBigParquet(csv: string, out: string): Promise<string> {
  if (existsSync(out)) return out;
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const con = await instance.connect();
  try {
    const columns = "{'index': 'BIGINT', 'title': 'VARCHAR', 'captured_at': 'TIMESTAMPTZ', 'city': 'VARCHAR', 'dark': 'BOOLEAN', 'weather': 'VARCHAR', 'gps': 'VARCHAR', 'embedding': 'VARCHAR'}";
    const partial = `${out}.partial`;
    await con.run(
      `COPY (SELECT "index", title, captured_at, city, dark, weather, gps, CAST(embedding AS DOUBLE[]) AS embedding
             FROM read_csv($1, header = true, columns = ${columns}, quote = '"', escape = '"'))
       TO '${partial.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`,
      [csv],
    );
    renameSync(partial, out);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
  return out;
}
