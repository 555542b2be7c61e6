import { MetaError } from '../errors.js';
import { check } from '../option-check.js';
import { CsvSource, type CsvSourceOptions } from './csv/csv-source.js';
import { ParquetSource, type ParquetSourceOptions } from './parquet/parquet-source.js';
import { checkReadableFile } from './file-check.js';
import { SOURCE_FORMATS, formatFromPath, looksLikeParquet, looksLikeZip, type SourceFormat } from './sniff.js';
import { XlsxSource, type XlsxSourceOptions } from './xlsx/xlsx-source.js';
import type { TabularSource } from './source.js';
import { unescapeIfOurs } from './unescape-source.js';

export interface OpenSourceOptions {
  /**
   * The file's format (`--format`).
   * @default 'auto': from the extension (`.csv` `.tsv` `.txt` / `.parquet` `.parq` `.pq` / `.xlsx` `.xlsm`),
   * else from the bytes (Parquet files start with `PAR1`, .xlsx files are zip archives: `PK\x03\x04`), else CSV
   */
  readonly format?: SourceFormat | 'auto' | undefined;
  /** Options for a CSV file. */
  readonly csv?: CsvSourceOptions | undefined;
  /** Options for a Parquet file. */
  readonly parquet?: ParquetSourceOptions | undefined;
  /** Options for an .xlsx file (which sheet). */
  readonly xlsx?: XlsxSourceOptions | undefined;
}

/** Decide the format of `path`: the given one, else the extension, else the magic bytes, else CSV. */
export async function resolveFormat(path: string, format: SourceFormat | 'auto' = 'auto'): Promise<SourceFormat> {
  if (format !== 'auto') {
    return check.oneOf('format', format, SOURCE_FORMATS, 'csv');
  }
  const byName = formatFromPath(path);
  if (byName !== undefined) return byName;
  await checkReadableFile(path);
  if (await looksLikeParquet(path)) return 'parquet';
  return (await looksLikeZip(path)) ? 'xlsx' : 'csv';
}

/** The source for `path`, not opened yet. */
export function createSource(path: string, format: SourceFormat, options: OpenSourceOptions = {}): TabularSource {
  if (format === 'parquet') return new ParquetSource(path, options.parquet);
  if (format === 'xlsx') return new XlsxSource(path, options.xlsx);
  return new CsvSource(path, options.csv);
}

/**
 * Pick the reader for `path` and open it (header or footer read, columns known). Rejects with a
 * `MetaError` (`SOURCE_*`) when the file cannot be read at all. A CSV that encord-meta wrote (a failure
 * report, a `list` export) is read with its spreadsheet-safe escape undone (`unescape-source.ts`).
 */
export async function openSource(path: string, options: OpenSourceOptions = {}): Promise<TabularSource> {
  const format = await resolveFormat(path, options.format);
  const source = createSource(path, format, options);
  await source.open();
  return format === 'csv' ? unescapeIfOurs(source) : source;
}
