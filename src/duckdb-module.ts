/**
 * DuckDB's native library (about 60 MB of memory and half a second to load) is loaded on first use, by
 * the Parquet reader or the Parquet listing writer, never at start-up: `--version`, `--help` and every
 * CSV import run without it.
 */
export type DuckModule = typeof import('@duckdb/node-api');

let loaded: Promise<DuckModule> | undefined;

export function loadDuckDb(): Promise<DuckModule> {
  loaded ??= import('@duckdb/node-api');
  return loaded;
}
