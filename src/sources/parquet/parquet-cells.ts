import type { Cell } from '../source.js';
import { civilFromDays } from '../../civil-date.js';

/**
 * Parquet column types as the reader sees them, and how each becomes a `Cell`. Pure functions: the DuckDB
 * adapter (`duckdb-parquet.ts`) maps DuckDB's types to `ColumnType` and hands over its values.
 *
 * | Parquet (logical) type                    | Cell                                                        |
 * |-------------------------------------------|-------------------------------------------------------------|
 * | NULL in any column                        | `null`                                                      |
 * | BOOLEAN                                   | `boolean`                                                   |
 * | INT8/16/32, UINT8/16/32                   | `number`                                                    |
 * | INT64, UINT64 (and DuckDB HUGEINT)        | `number` when within ±(2^53 − 1), else `bigint` (a number key takes it only if a double holds it exactly) |
 * | DOUBLE                                    | `number` (NaN and ±Infinity as such)                        |
 * | FLOAT                                     | `number`: the shortest decimal that reads back as the same float32 (`1.1`, not `1.100000023841858`) |
 * | DECIMAL(p,s)                              | `string`, exact, scale kept: `"12.3400"` (a number key refuses one a double cannot hold, e.g. DECIMAL(38,2) `12345678901234567.89`) |
 * | UTF8/STRING, ENUM, UUID                   | `string`                                                    |
 * | DATE                                      | `string` `yyyy-mm-dd`                                       |
 * | TIME                                      | `string` `HH:MM:SS[.ffffff]`                                |
 * | TIMESTAMP(MILLIS/MICROS/NANOS), naive     | `string` `yyyy-mm-ddTHH:MM:SS.fff` (3, 6 or 9 digits: the unit's) |
 * | TIMESTAMP(…, isAdjustedToUTC)             | the same with `Z`; NANOS+UTC has 6 digits: DuckDB reads it as microseconds (sub-µs digits dropped) |
 * | INT96 (legacy Spark/Impala timestamps)    | naive, 6 digits (DuckDB reads it as microseconds)           |
 * | LIST / fixed-size ARRAY                   | `Cell[]` of the element's cells (embeddings: `number[]`); a LIST holding a DECIMAL, STRUCT or MAP is JSON text like a STRUCT (as cells, `12.50` would be the string `"12.50"` and `{"a":1}` a string) |
 * | STRUCT, MAP                               | `string`: JSON text (`{"a":1,"b":"x"}`; map keys as strings; a DECIMAL as its exact number `12.50`; NaN and ±Infinity as the bare `NaN`, `Infinity`, which no JSON reader takes, so a JSON key refuses them) |
 * | (DuckDB writes HUGEINT/UHUGEINT to Parquet as DOUBLE: such a file already holds the rounded double; a 128-bit integer written as DECIMAL(38,0) arrives as exact text) | |
 * | BLOB (BYTE_ARRAY without UTF8), INTERVAL, TIME WITH TIME ZONE, BIT, UNION, … | refused at `open()` with `SOURCE_UNSUPPORTED_TYPE` (or dropped with `unsupported: 'skip'`; BLOB read as text with `binaryAsString`) |
 */
export type ColumnType =
  | { readonly kind: 'boolean' | 'int' | 'bigint' | 'double' | 'float' | 'date' }
  /** `decimal`: a DECIMAL column, whose text is exact and machine-written (never read with locale options). */
  | { readonly kind: 'text'; readonly decimal?: true }
  | { readonly kind: 'timestamp'; readonly digits: 0 | 3 | 6 | 9; readonly utc: boolean; readonly field: TimestampField }
  | { readonly kind: 'list'; readonly element: ColumnType }
  | { readonly kind: 'struct'; readonly fields: readonly { readonly name: string; readonly type: ColumnType }[] }
  | { readonly kind: 'map'; readonly key: ColumnType; readonly value: ColumnType }
  | { readonly kind: 'unsupported'; readonly sqlType: string };

/** Which property of DuckDB's timestamp value holds the count, and per how many units a second. */
export type TimestampField = 'seconds' | 'millis' | 'micros' | 'nanos';
const PER_SECOND: Readonly<Record<TimestampField, bigint>> = { seconds: 1n, millis: 1000n, micros: 1_000_000n, nanos: 1_000_000_000n };
const PER_SECOND_NUMBER: Readonly<Record<TimestampField, number>> = { seconds: 1, millis: 1000, micros: 1_000_000, nanos: 1_000_000_000 };
const FIELD_DIGITS: Readonly<Record<TimestampField, number>> = { seconds: 0, millis: 3, micros: 6, nanos: 9 };
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export type ToCell = (value: unknown) => Cell;

/** Paths (`col`, `col.field`, `col[]`) of the parts of a column type that cannot be read. */
export function unsupportedParts(path: string, type: ColumnType): { path: string; sqlType: string }[] {
  switch (type.kind) {
    case 'unsupported':
      return [{ path, sqlType: type.sqlType }];
    case 'list':
      return unsupportedParts(`${path}[]`, type.element);
    case 'struct':
      return type.fields.flatMap((f) => unsupportedParts(`${path}.${f.name}`, f.type));
    case 'map':
      return [...unsupportedParts(`${path}{key}`, type.key), ...unsupportedParts(`${path}{value}`, type.value)];
    default:
      return [];
  }
}

/** The function turning one DuckDB value of `type` (never null) into a cell. */
export function cellConverter(type: ColumnType): ToCell {
  switch (type.kind) {
    case 'boolean':
    case 'int':
    case 'double':
      return (v) => v as boolean | number;
    case 'bigint':
      return (v) => safeInteger(v as bigint);
    case 'float':
      return (v) => shortestFloat32(v as number);
    case 'text':
      return (v) => (typeof v === 'string' ? v : String(v));
    case 'date':
      return (v) => formatDate((v as { days: number }).days);
    case 'timestamp': {
      const { field, digits, utc } = type;
      return (v) => formatTimestamp((v as Record<TimestampField, bigint>)[field], field, digits, utc);
    }
    case 'list': {
      if (!keptByCells(type.element)) {
        const json = jsonConverter(type);
        return (v) => json(v);
      }
      const element = nullable(cellConverter(type.element));
      return (v) => (v as { items: readonly unknown[] }).items.map(element);
    }
    case 'struct':
    case 'map': {
      const json = jsonConverter(type);
      return (v) => json(v);
    }
    case 'unsupported':
      return () => {
        throw new Error(`unsupported type ${type.sqlType}`);
      };
  }
}

/** Whether cells say what values of `type` are: not a DECIMAL (a cell is its text), STRUCT or MAP (JSON text). */
function keptByCells(type: ColumnType): boolean {
  switch (type.kind) {
    case 'struct':
    case 'map':
      return false;
    case 'text':
      return type.decimal !== true;
    case 'list':
      return keptByCells(type.element);
    default:
      return true;
  }
}

function nullable(convert: ToCell): ToCell {
  return (v) => (v === null || v === undefined ? null : convert(v));
}

/** JSON text of a value, for STRUCT and MAP (and what they contain). */
function jsonConverter(type: ColumnType): (value: unknown) => string {
  switch (type.kind) {
    case 'struct': {
      const fields = type.fields.map((f) => ({ key: JSON.stringify(f.name), name: f.name, json: jsonConverter(f.type) }));
      return (v) => {
        const entries = (v as { entries: Readonly<Record<string, unknown>> }).entries;
        return `{${fields.map((f) => `${f.key}:${jsonOrNull(f.json, entries[f.name])}`).join(',')}}`;
      };
    }
    case 'map': {
      const key = nullable(cellConverter(type.key));
      const value = jsonConverter(type.value);
      return (v) => {
        const entries = (v as { entries: readonly { key: unknown; value: unknown }[] }).entries;
        return `{${entries.map((e) => `${JSON.stringify(cellText(key(e.key)))}:${jsonOrNull(value, e.value)}`).join(',')}}`;
      };
    }
    case 'list': {
      const element = jsonConverter(type.element);
      return (v) => `[${(v as { items: readonly unknown[] }).items.map((x) => jsonOrNull(element, x)).join(',')}]`;
    }
    case 'text':
      // A DECIMAL's text (`12.50`, `-0.50`) is already a JSON number, exact: a string would re-type it.
      if (type.decimal === true) return (v) => String(v);
      return (v) => JSON.stringify(typeof v === 'string' ? v : String(v));
    default: {
      const cell = cellConverter(type);
      return (v) => cellJson(cell(v));
    }
  }
}

function jsonOrNull(json: (value: unknown) => string, value: unknown): string {
  return value === null || value === undefined ? 'null' : json(value);
}

/**
 * JSON text of a cell: bigints as plain digits; non-finite numbers as the bare `NaN`, `Infinity`,
 * `-Infinity` (as Python's json writes them): JSON has none, and the string `"NaN"` would be written as text
 * where a number was, while a JSON key refuses the bare word.
 */
export function cellJson(cell: Cell): string {
  if (cell === null) return 'null';
  switch (typeof cell) {
    case 'string':
      return JSON.stringify(cell);
    case 'number':
      return Number.isFinite(cell) ? JSON.stringify(cell) : String(cell);
    case 'bigint':
      return cell.toString();
    case 'boolean':
      return cell ? 'true' : 'false';
    default:
      return `[${cell.map(cellJson).join(',')}]`;
  }
}

function cellText(cell: Cell): string {
  return typeof cell === 'string' ? cell : cellJson(cell);
}

/** A bigint as a `number` when no precision is lost. */
export function safeInteger(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/** The shortest decimal that rounds to the same float32: what numpy and pyarrow print for a float32. */
export function shortestFloat32(value: number): number {
  // Below 2^24 every integer is a float32 of its own: nothing shorter reads back the same.
  if (!Number.isFinite(value) || (Number.isInteger(value) && Math.abs(value) < 16_777_216)) return value;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

const DATE_POS_INF = 2 ** 31 - 1;

/** `yyyy-mm-dd` for days since 1970-01-01 (proleptic Gregorian; years past 9999 as `+yyyyyy`). */
export function formatDate(days: number): string {
  if (days >= DATE_POS_INF) return 'infinity';
  if (days <= -DATE_POS_INF) return '-infinity';
  const { year: y, month: m, day: d } = civilFromDays(days);
  const year = y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0');
  return `${year}-${pad2(m)}-${pad2(d)}`;
}

const TS_INF = 2n ** 63n - 1n;

/**
 * ISO 8601 text of a timestamp counted in `field` units since the epoch, with `digits` fraction digits
 * (`digits` may be fewer than the unit's: a MILLIS column read by DuckDB as microseconds), `Z` when UTC.
 */
export function formatTimestamp(count: bigint, field: TimestampField, digits: number, utc: boolean): string {
  if (count === TS_INF) return 'infinity';
  if (count === -TS_INF) return '-infinity';
  let secs: number;
  let fraction: number | bigint;
  if (count >= -MAX_SAFE && count <= MAX_SAFE) {
    // The same split in doubles (BigInt division costs more than the rest of the cell). Exact for a safe
    // count: c / per is correctly rounded, and a quotient that is not whole lies at least 1/per from a
    // whole number, more than half an ulp of any quotient below 2^53 / per, so the floor is the true one;
    // the product and the difference are integers below 2^53.
    const c = Number(count);
    const per = PER_SECOND_NUMBER[field];
    secs = Math.floor(c / per);
    fraction = c - secs * per;
  } else {
    const perSecond = PER_SECOND[field];
    let seconds = count / perSecond;
    let big = count % perSecond;
    if (big < 0n) {
      big += perSecond;
      seconds -= 1n;
    }
    secs = Number(seconds);
    fraction = big;
  }
  const days = Math.floor(secs / 86400);
  const inDay = secs - days * 86400;
  const time = `${pad2(Math.floor(inDay / 3600))}:${pad2(Math.floor((inDay % 3600) / 60))}:${pad2(inDay % 60)}`;
  let frac = '';
  if (digits > 0) {
    const full = fraction.toString().padStart(FIELD_DIGITS[field], '0');
    frac = '.' + (full.length >= digits ? full.slice(0, digits) : full.padEnd(digits, '0'));
  }
  return `${formatDate(days)}T${time}${frac}${utc ? 'Z' : ''}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
