/**
 * Writing a dataset listing (`runList`'s result) as a terminal table, CSV, JSONL or Parquet.
 *
 * The CSV is a valid `import` input that changes nothing when imported back, with no flag: strings are
 * written as they are, numbers and booleans as JSON text, objects and arrays (points, embeddings) as JSON,
 * `null` and absent keys as an empty cell (which the import reads as "keep"). The id columns (index,
 * data_hash, title, item_uuid) are never imported as metadata; data_hash is the key the import picks; a
 * file starting with them is recognised as a listing, so its columns outside the schema are read as JSON
 * (`--unknown-columns json`, see `mapping/column-plan.ts`).
 *
 * Encord's reserved keys (`keyframes`) are written as `_keyframes` in CSV and Parquet (`listColumnName`):
 * the import never writes them (the table and JSONL show them under their own name). The last column,
 * `_listed`, stamps each unit's metadata as listed, so importing the file back refuses a row whose unit
 * changed in Encord since (listed-stamp.ts).
 *
 * The CSV is safe to open in a spreadsheet: cells that would run as formulas are written with a leading
 * `'` (`escapeFormula`), which the import undoes exactly for files it recognises as listings. Files are
 * created 0600.
 */
import { once } from 'node:events';
import type { DataUnit } from '../encord/metadata-store.js';
import type { JsonValue } from '../encord/protocol/types.js';
import { isReservedMetadataKey, type FieldSpec } from '../schema/index.js';
import { FOLDER_LIST_MARKER_COLUMNS, LIST_MARKER_COLUMNS } from '../formula-cells.js';
import { LISTED_COLUMN, listedStamp } from '../listed-stamp.js';
import { getOwn } from '../own.js';
import { createPrivateWriteStream, mkdirPrivateFor } from '../private-files.js';
import { safeCsvLine } from './csv-writer.js';
import { listCell } from './list-cell.js';
import { ParquetFileWriter, type ParquetColumnSpec } from './parquet-writer.js';

export { listCell } from './list-cell.js';

export const LIST_FORMATS = ['table', 'csv', 'jsonl', 'parquet'] as const;

/** The identifying columns every dataset listing starts with, in order. */
export const LIST_ID_COLUMNS = LIST_MARKER_COLUMNS;

/** The identifying columns a folder listing (`list --folder`) starts with, in order. */
export const FOLDER_LIST_ID_COLUMNS = FOLDER_LIST_MARKER_COLUMNS;

/**
 * The identifying columns of a listing other than a dataset's (a folder's): their names, Parquet types,
 * cells and JSON record. Absent: the dataset columns (index, data_hash, title, item_uuid).
 */
export interface ListIdColumns {
  readonly names: readonly string[];
  readonly parquetTypes: readonly string[];
  /** Cells of one unit, in `names` order (null: empty). */
  cells(unit: DataUnit): (string | number | null)[];
  /** The unit as `--format jsonl` and `--json` show it. */
  record(unit: DataUnit): Record<string, unknown>;
}

/** What the writers need of a listing (`runList`'s result fits). */
export interface ListingView {
  /** Metadata keys shown as columns, in column order. */
  readonly keys: readonly string[];
  /** The schema spec of each key; absent for keys the schema does not have. */
  readonly specs: ReadonlyMap<string, FieldSpec>;
  /** Data units in server order. */
  readonly units: readonly DataUnit[];
  /** Id columns other than the dataset ones (a folder listing). @default the dataset columns */
  readonly idColumns?: ListIdColumns | undefined;
}
export type ListFormat = (typeof LIST_FORMATS)[number];

/** Where text output goes: a stream-like object (stdout) or a file sink from `openTextFile`. */
export interface TextSink {
  write(text: string): unknown;
}

export interface ListWriteOptions {
  /** Write at most this many units. @default all */
  readonly limit?: number | undefined;
  /** Called every `progressEvery` units and at the end. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The column a metadata key is listed under in CSV / Parquet: Encord's reserved keys (`keyframes`) get a
 * leading `_`, so the listing shows them but importing it back never tries to write them.
 */
export function listColumnName(key: string): string {
  return isReservedMetadataKey(key) ? `_${key}` : key;
}

/**
 * The header of a CSV / Parquet listing: id columns, keys, and the stamp of each unit's metadata
 * (listed-stamp.ts).
 */
export function listColumns(result: ListingView): string[] {
  return [...(result.idColumns?.names ?? LIST_ID_COLUMNS), ...result.keys.map(listColumnName), LISTED_COLUMN];
}


function idCells(result: ListingView, unit: DataUnit): string[] {
  if (result.idColumns) return result.idColumns.cells(unit).map((c) => (c === null ? '' : String(c)));
  return [String(unit.index), unit.dataHash, unit.title, unit.backingItemUuid ?? ''];
}

function selected(result: ListingView, options: ListWriteOptions): readonly DataUnit[] {
  return options.limit === undefined ? result.units : result.units.slice(0, options.limit);
}

const PROGRESS_EVERY = 5000;
const CHUNK_CHARS = 1 << 16;

/** Write one text line per unit (after an optional header) in chunks of about 64 KiB, with progress. */
async function writeLines(
  result: ListingView,
  sink: TextSink,
  options: ListWriteOptions,
  header: string,
  line: (unit: DataUnit) => string,
): Promise<number> {
  const units = selected(result, options);
  let buffer = header;
  let done = 0;
  for (const unit of units) {
    options.signal?.throwIfAborted();
    buffer += line(unit);
    done += 1;
    if (buffer.length >= CHUNK_CHARS) {
      await sink.write(buffer);
      buffer = '';
    }
    if (done % PROGRESS_EVERY === 0) options.onProgress?.(done, units.length);
  }
  if (buffer) await sink.write(buffer);
  options.onProgress?.(done, units.length);
  return done;
}

/** Write the listing as CSV (header first). */
export async function writeListCsv(result: ListingView, sink: TextSink, options: ListWriteOptions = {}): Promise<number> {
  return writeLines(result, sink, options, safeCsvLine(listColumns(result)), (unit) => {
    const cells = idCells(result, unit);
    for (const key of result.keys) cells.push(listCell(getOwn(unit.metadata, key)));
    cells.push(listedStamp(unit.metadata));
    return safeCsvLine(cells);
  });
}

/** One JSON object per unit: `{"index", "data_hash", "title", "item_uuid", "data_type", "metadata"}`; metadata `null` when unknown. */
export async function writeListJsonl(result: ListingView, sink: TextSink, options: ListWriteOptions = {}): Promise<number> {
  const record = result.idColumns ? (u: DataUnit) => result.idColumns!.record(u) : listRecord;
  return writeLines(result, sink, options, '', (unit) => `${JSON.stringify(record(unit))}\n`);
}

/** A unit as the JSON outputs show it. */
export function listRecord(unit: DataUnit): {
  index: number;
  data_hash: string;
  title: string;
  item_uuid: string | null;
  data_type: string;
  metadata: Record<string, JsonValue> | null;
} {
  return {
    index: unit.index,
    data_hash: unit.dataHash,
    title: unit.title,
    item_uuid: unit.backingItemUuid,
    data_type: unit.dataType,
    metadata: unit.metadata,
  };
}

export interface TableOptions extends ListWriteOptions {
  /** Columns to show (id columns and/or keys). @default every column */
  readonly columns?: readonly string[] | undefined;
  /** Widest a cell may be before it is cut with `…`. @default 28 */
  readonly maxCellWidth?: number | undefined;
  /**
   * The terminal's width: a table wider than this is shown vertically instead (one block per unit, one
   * `key: value` line per column), so many keys never wrap into an unreadable table. @default no limit
   */
  readonly width?: number | undefined;
}

/** A plain-text table for people: one line per unit, cells cut to `maxCellWidth`. */
export function formatListTable(result: ListingView, options: TableOptions = {}): string {
  const units = selected(result, options);
  const ids = result.idColumns;
  const columns = options.columns ?? [...(ids?.names ?? LIST_ID_COLUMNS), ...result.keys];
  const max = options.maxCellWidth ?? 28;
  const rows: string[][] = units.map((unit) =>
    columns.map((column) => {
      if (ids) {
        const at = ids.names.indexOf(column);
        if (at >= 0) return String(ids.cells(unit)[at] ?? '');
        return unit.metadata === null ? '?' : tableCell(getOwn(unit.metadata, column));
      }
      switch (column) {
        case 'index':
          return String(unit.index);
        case 'data_hash':
          return unit.dataHash;
        case 'title':
          return unit.title;
        case 'item_uuid':
          return unit.backingItemUuid ?? '(legacy)';
        default:
          return unit.metadata === null ? '?' : tableCell(getOwn(unit.metadata, column));
      }
    }),
  );
  const cut = (text: string, column: string): string => {
    // Hashes stay whole: people copy them into `set --data-hash`.
    const limit = column === 'data_hash' || column === 'item_uuid' ? 36 : column === 'title' || column === 'name' || column === 'path' ? Math.max(max, 40) : max;
    const flat = text.replace(/[\r\n\t]+/g, ' ');
    return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
  };
  const cells = rows.map((r) => r.map((c, i) => cut(c, columns[i]!)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (i === 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  const tableWidth = widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1);
  if (options.width !== undefined && options.width > 0 && tableWidth > options.width) {
    const label = Math.max(...columns.map((c) => c.length));
    const blocks = cells.map((r) => r.map((c, i) => `${columns[i]!.padStart(label)}: ${c}`.trimEnd()).join('\n'));
    return `${blocks.join('\n\n')}\n`;
  }
  return `${out.join('\n')}\n`;
}

function tableCell(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && !Array.isArray(value) && typeof value['latitude'] === 'number' && typeof value['longitude'] === 'number') {
    return `${value['latitude']},${value['longitude']}`;
  }
  return listCell(value);
}

// ------------------------------------------------------------------------------------------ Parquet

type ParquetKind = 'double' | 'boolean' | 'timestamp' | 'embedding' | 'point' | 'string' | 'json';

const KIND_TYPES: Readonly<Record<ParquetKind, { jsonType: string; castTo?: string }>> = {
  double: { jsonType: 'DOUBLE' },
  boolean: { jsonType: 'BOOLEAN' },
  timestamp: { jsonType: 'VARCHAR', castTo: 'TIMESTAMPTZ' },
  embedding: { jsonType: 'DOUBLE[]' },
  point: { jsonType: 'STRUCT(latitude DOUBLE, longitude DOUBLE)' },
  string: { jsonType: 'VARCHAR' },
  json: { jsonType: 'VARCHAR' },
};

const ZONED = /(?:[zZ]|[+-]\d\d:?\d\d)$/;

function isPoint(v: JsonValue): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && typeof v['latitude'] === 'number' && typeof v['longitude'] === 'number';
}

/**
 * The Parquet type of a key's column: native when the schema says so and every stored value fits it
 * (so nothing is lost), else text (JSON for non-strings), exactly like the CSV cell.
 */
function parquetKind(values: readonly JsonValue[], spec: FieldSpec | undefined): ParquetKind {
  const all = (test: (v: JsonValue) => boolean): boolean => values.every(test);
  const type = spec?.type === 'variant' ? ({ number: 'number', boolean: 'boolean', datetime: 'datetime' } as Record<string, string>)[spec.hint] : spec?.type;
  if (type === 'number' || (spec === undefined && values.length > 0 && all((v) => typeof v === 'number'))) {
    if (all((v) => typeof v === 'number' && Number.isFinite(v))) return 'double';
  }
  if ((type === 'boolean' || spec === undefined) && values.length > 0 && all((v) => typeof v === 'boolean')) return 'boolean';
  if (type === 'datetime' && all((v) => typeof v === 'string' && ZONED.test(v) && !Number.isNaN(Date.parse(v)))) return 'timestamp';
  if (type === 'embedding' && all((v) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)))) return 'embedding';
  if (type === 'geospatial' && all(isPoint)) return 'point';
  if (all((v) => typeof v === 'string')) return 'string';
  return 'json';
}

/** Write the listing as a Parquet file with typed columns where the data allows. */
export async function writeListParquet(result: ListingView, path: string, options: ListWriteOptions = {}): Promise<number> {
  const units = selected(result, options);
  const kinds = result.keys.map((key) => {
    const values: JsonValue[] = [];
    for (const unit of units) {
      const v = getOwn(unit.metadata, key);
      if (v !== undefined && v !== null) values.push(v);
    }
    return parquetKind(values, result.specs.get(key));
  });
  const ids = result.idColumns;
  const idSpecs: ParquetColumnSpec[] = ids
    ? ids.names.map((name, i) => ({ name, jsonType: ids.parquetTypes[i]! }))
    : [
        { name: 'index', jsonType: 'BIGINT' },
        { name: 'data_hash', jsonType: 'VARCHAR' },
        { name: 'title', jsonType: 'VARCHAR' },
        { name: 'item_uuid', jsonType: 'VARCHAR' },
      ];
  const columns: ParquetColumnSpec[] = [
    ...idSpecs,
    ...result.keys.map((key, i) => ({ name: listColumnName(key), ...KIND_TYPES[kinds[i]!] })),
    { name: LISTED_COLUMN, jsonType: 'VARCHAR' },
  ];
  mkdirPrivateFor(path);
  const writer = new ParquetFileWriter(path, columns);
  let done = 0;
  try {
    for (const unit of units) {
      options.signal?.throwIfAborted();
      const row: unknown[] = ids ? ids.cells(unit) : [unit.index, unit.dataHash, unit.title, unit.backingItemUuid];
      result.keys.forEach((key, i) => {
        const v = getOwn(unit.metadata, key);
        if (v === undefined || v === null) row.push(null);
        else row.push(kinds[i] === 'json' ? listCell(v) : v);
      });
      const stamp = listedStamp(unit.metadata);
      row.push(stamp === '' ? null : stamp);
      await writer.add(row);
      done += 1;
      if (done % PROGRESS_EVERY === 0) options.onProgress?.(done, units.length);
    }
    await writer.finish();
  } catch (error) {
    writer.abort();
    throw error;
  }
  options.onProgress?.(done, units.length);
  return done;
}

/** A text file sink (created 0600, its directory 0700) that honours backpressure; `close()` flushes it. */
export function openTextFile(path: string): TextSink & { close(): Promise<void> } {
  const stream = createPrivateWriteStream(path);
  return {
    async write(text: string) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
    close: () => new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}
