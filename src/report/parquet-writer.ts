/**
 * Writing Parquet: rows are first written as JSONL to a temporary file (streamed, with backpressure),
 * then DuckDB reads that file with explicit column types and `COPY`s it to Parquet. This is the one
 * module of `report/` that talks to DuckDB; like the reader, it opens its own in-memory instance per file
 * and never loads extensions from the network.
 */
import { chmodSync, closeSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDuckDb } from '../duckdb-module.js';
import { MetaError } from '../errors.js';
import { createPrivateWriteStream, openPrivate, PRIVATE_FILE_MODE } from '../private-files.js';

/** One output column: its name in the Parquet file, the DuckDB type it is read as, and an optional cast. */
export interface ParquetColumnSpec {
  readonly name: string;
  /** DuckDB type of the JSON value, e.g. `BIGINT`, `VARCHAR`, `DOUBLE[]`, `STRUCT(latitude DOUBLE, longitude DOUBLE)`. */
  readonly jsonType: string;
  /** DuckDB type to cast to in the file, e.g. `TIMESTAMPTZ` for ISO text. @default jsonType */
  readonly castTo?: string | undefined;
}

/**
 * A Parquet file written row by row. `add()` takes values in column order (JSON values; `null` for NULL);
 * `finish()` converts and removes the temporary JSONL; `abort()` removes it without writing.
 */
export class ParquetFileWriter {
  private readonly dir: string;
  private readonly jsonl: string;
  private readonly stream: WriteStream;
  private rows = 0;
  private closed = false;

  constructor(
    readonly path: string,
    readonly columns: readonly ParquetColumnSpec[],
  ) {
    if (columns.length === 0) throw new MetaError('USAGE', 'a Parquet file needs at least one column');
    this.dir = mkdtempSync(join(tmpdir(), 'encord-meta-parquet-'));
    this.jsonl = join(this.dir, 'rows.jsonl');
    this.stream = createPrivateWriteStream(this.jsonl);
  }

  get rowCount(): number {
    return this.rows;
  }

  async add(values: readonly unknown[]): Promise<void> {
    // Short positional names (c0, c1, …) in the JSONL: user column names may hold any character.
    const record: Record<string, unknown> = {};
    for (let i = 0; i < this.columns.length; i++) record[`c${i}`] = values[i] ?? null;
    this.rows += 1;
    if (!this.stream.write(`${JSON.stringify(record)}\n`)) await once(this.stream, 'drain');
  }

  async finish(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
      const instance = await (await loadDuckDb()).DuckDBInstance.create(':memory:', {
        threads: '2',
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
      });
      try {
        const con = await instance.connect();
        try {
          const jsonColumns = this.columns.map((c, i) => `'c${i}': '${c.jsonType.replaceAll("'", "''")}'`).join(', ');
          const projection = this.columns
            .map((c, i) => `${c.castTo ? `CAST(c${i} AS ${c.castTo})` : `c${i}`} AS ${quoteIdent(c.name)}`)
            .join(', ');
          // An empty listing still gets a file with the right columns.
          const from =
            this.rows === 0
              ? `(SELECT ${this.columns.map((c, i) => `CAST(NULL AS ${c.jsonType}) AS c${i}`).join(', ')} LIMIT 0)`
              : `read_json(${quoteLiteral(this.jsonl)}, format = 'newline_delimited', columns = {${jsonColumns}})`;
          // Created 0600 first (DuckDB writes into it), and made 0600 again after, whatever DuckDB did.
          closeSync(openPrivate(this.path, 'w'));
          await con.run(`COPY (SELECT ${projection} FROM ${from}) TO ${quoteLiteral(this.path)} (FORMAT parquet, COMPRESSION zstd)`);
          chmodSync(this.path, PRIVATE_FILE_MODE);
        } finally {
          con.closeSync();
        }
      } finally {
        instance.closeSync();
      }
    } catch (error) {
      if (error instanceof MetaError) throw error;
      throw new MetaError('OUTPUT_IO', `cannot write Parquet file ${this.path}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Drop the temporary file without writing the Parquet file. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
