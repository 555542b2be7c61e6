/**
 * geospatial → `{"latitude": y, "longitude": x}`. Accepted (trimmed):
 * - a pair `48.85,2.35`, `48.85 2.35`, `48.85;2.35`, `(48.85, 2.35)`, `[48.85, 2.35]` or a Parquet list of
 *   two numbers, read in `options.geoOrder` (default lat,lon); with `decimalComma`, `48,85;2,35` too, and
 *   `48,2` is refused (it is the number 48.2 as much as the pair 48, 2);
 * - WKT `POINT(2.35 48.85)` (any case, optional `SRID=…;`, Z/M ignored): longitude first, as WKT says;
 * - GeoJSON `{"type":"Point","coordinates":[2.35,48.85]}` (or a Feature of one): longitude first;
 * - a JSON object with `latitude`/`longitude`, `lat`/`lon`, `lat`/`lng` or `lat`/`long`;
 * - the same two keys as DuckDB writes a STRUCT to CSV and Python prints a dict (pandas `to_csv` of a dict
 *   column): `{'lat': 48.85, 'lon': 2.35}` (names in single quotes or bare, numbers only).
 * Latitude must be in [-90, 90], longitude in [-180, 180]; a latitude out of range that would be a valid
 * longitude (and the other way round) gets a "swapped?" hint.
 */
import type { JsonValue } from '../encord/protocol/types.js';
import type { Cell } from '../sources/source.js';
import { coerceNumber, EXACT } from './coerce-number.js';
import type { GeoOrder, ResolvedCoercionOptions } from './coercion-options.js';
import { type CoerceResult, describeCell, EMPTY, fail, missingValueHint, quote, value } from './coerce-result.js';
import { exactDouble, inexactHint, inexactJsonNumber } from '../exact-number.js';

const NUM = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const NUM_COMMA = String.raw`[+-]?(?:\d+(?:,\d*)?|,\d+)(?:[eE][+-]?\d+)?`;
const PAIR = new RegExp(String.raw`^[([]?\s*(${NUM})\s*(?:[,;]\s*|\s+)(${NUM})\s*[)\]]?$`);
const PAIR_COMMA = new RegExp(String.raw`^[([]?\s*(${NUM_COMMA})\s*(?:;\s*|\s+)(${NUM_COMMA})\s*[)\]]?$`);
/** Two whole numbers and one comma, no blank: with a decimal comma, also one decimal number (`48,2`). */
const COMMA_AMBIGUOUS = /^[([]?\s*[+-]?\d+,\d+\s*[)\]]?$/;
/** `{'lat': 48.85, 'lon': 2.35}`: DuckDB's text of a STRUCT, Python's repr of a dict. Groups: name, number, name, number. */
const STRUCT_PAIR = new RegExp(String.raw`^\{\s*'?([A-Za-z_]\w*)'?\s*:\s*(${NUM})\s*,\s*'?([A-Za-z_]\w*)'?\s*:\s*(${NUM})\s*\}$`);
const WKT = new RegExp(String.raw`^(?:SRID=\d+;\s*)?POINT\s*(?:ZM|Z|M)?\s*\(\s*(${NUM})\s+(${NUM})(?:\s+${NUM}){0,2}\s*\)$`, 'i');

const EXPECTED: Readonly<Record<GeoOrder, string>> = {
  'lat,lon': 'a point such as "48.85,2.35" (lat,lon), POINT(2.35 48.85), a GeoJSON Point or {"latitude":48.85,"longitude":2.35}',
  'lon,lat': 'a point such as "2.35,48.85" (lon,lat), POINT(2.35 48.85), a GeoJSON Point or {"latitude":48.85,"longitude":2.35}',
};
const RANGE = 'a latitude in [-90, 90] and a longitude in [-180, 180]';

type Form = 'pair' | 'lonlat' | 'object' | 'columns';

/** Coerce a cell to a point. */
export function coerceGeospatial(cell: Cell, options: ResolvedCoercionOptions): CoerceResult {
  if (typeof cell === 'string') {
    const text = cell.trim();
    if (text === '') return EMPTY;
    const first = text.charCodeAt(0);
    if (first === 123 /* { */) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        const struct = STRUCT_PAIR.exec(text);
        if (struct !== null) return structPair(struct, cell, options);
        return fail('INVALID_GEOSPATIAL', EXPECTED[options.geoOrder], quote(cell), 'not valid JSON');
      }
      const inexact = inexactJsonNumber(text);
      if (inexact !== undefined) return fail('INVALID_NUMBER', EXACT_POINT, `${quote(cell)} (${inexact.literal})`, inexactHint(inexact.result));
      return coerceGeoObject(parsed, quote(cell), options);
    }
    if (options.decimalComma && COMMA_AMBIGUOUS.test(text)) {
      return fail('INVALID_GEOSPATIAL', EXPECTED[options.geoOrder], quote(cell), 'with --decimal-comma this is also the single number it spells; separate the coordinates with ; or a space');
    }
    let m = PAIR.exec(text);
    if (m !== null) return exactly(m[1]!, m[2]!, cell, (a, b) => ordered(a, b, options.geoOrder, () => quote(cell)));
    if (options.decimalComma) {
      m = PAIR_COMMA.exec(text);
      if (m !== null) {
        return exactly(m[1]!.replace(',', '.'), m[2]!.replace(',', '.'), cell, (a, b) => ordered(a, b, options.geoOrder, () => quote(cell)));
      }
    }
    m = WKT.exec(text);
    if (m !== null) return exactly(m[2]!, m[1]!, cell, (lat, lon) => point(lat, lon, 'lonlat', () => quote(cell)));
    return fail('INVALID_GEOSPATIAL', EXPECTED[options.geoOrder], quote(cell), missingValueHint(text));
  }
  if (Array.isArray(cell)) {
    const list = cell as readonly Cell[];
    const [a, b] = list;
    if (list.length === 2 && typeof a === 'number' && typeof b === 'number') {
      return ordered(a, b, options.geoOrder, () => describeCell(cell));
    }
    return fail('INVALID_GEOSPATIAL', EXPECTED[options.geoOrder], describeCell(cell));
  }
  if (cell === null) return EMPTY;
  return fail('INVALID_GEOSPATIAL', EXPECTED[options.geoOrder], describeCell(cell));
}

/**
 * A point from a JSON value: GeoJSON Point / Feature, `{latitude, longitude}` (and short names), or a
 * two-number array in `geoOrder`. `got` describes the original for messages.
 */
export function coerceGeoObject(json: unknown, got: string, options: ResolvedCoercionOptions): CoerceResult {
  if (Array.isArray(json)) {
    const [a, b] = json as unknown[];
    if (json.length === 2 && typeof a === 'number' && typeof b === 'number') return ordered(a, b, options.geoOrder, () => got);
    return fail('INVALID_GEOSPATIAL', EXPECTED[options.geoOrder], got);
  }
  if (json === null || typeof json !== 'object') return fail('INVALID_GEOSPATIAL', EXPECTED[options.geoOrder], got);
  let o = json as Record<string, unknown>;
  if (o['type'] === 'Feature' && o['geometry'] !== null && typeof o['geometry'] === 'object') {
    o = o['geometry'] as Record<string, unknown>;
  }
  if (typeof o['type'] === 'string') {
    const c = o['coordinates'];
    if (o['type'] === 'Point' && Array.isArray(c) && (c.length === 2 || c.length === 3)) {
      const [lon, lat] = c as unknown[];
      if (typeof lon === 'number' && typeof lat === 'number') return point(lat, lon, 'lonlat', () => got);
    }
    return fail('INVALID_GEOSPATIAL', 'a GeoJSON Point {"type":"Point","coordinates":[lon, lat]}', got);
  }
  let lat: unknown;
  let lon: unknown;
  for (const [k, v] of Object.entries(o)) {
    const key = k.toLowerCase();
    if (key === 'latitude' || key === 'lat') lat = v;
    else if (key === 'longitude' || key === 'lon' || key === 'lng' || key === 'long') lon = v;
  }
  if (typeof lat === 'number' && typeof lon === 'number') return point(lat, lon, 'object', () => got);
  return fail('INVALID_GEOSPATIAL', 'an object with numbers "latitude" and "longitude"', got);
}

/**
 * A point from two columns (`--geo lat_col,lon_col`): each cell is read as a number with `options`.
 * Both empty → empty; one empty → error.
 */
export function combineGeo(latCell: Cell, lonCell: Cell, options: ResolvedCoercionOptions): CoerceResult {
  const isNull = (c: Cell): boolean => typeof c === 'string' && options.nullValues.has(c.trim());
  const lat = isNull(latCell) ? EMPTY : coerceNumber(latCell, options);
  const lon = isNull(lonCell) ? EMPTY : coerceNumber(lonCell, options);
  if (lat.kind === 'empty' && lon.kind === 'empty') return EMPTY;
  const got = (): string => `latitude ${describeCell(latCell)} and longitude ${describeCell(lonCell)}`;
  if (lat.kind === 'empty' || lon.kind === 'empty') {
    return fail('INVALID_GEOSPATIAL', 'both a latitude and a longitude', got(), `the ${lat.kind === 'empty' ? 'latitude' : 'longitude'} is empty`);
  }
  if (lat.kind === 'error' || lon.kind === 'error') {
    if (lat.kind === 'error' && lat.expected === EXACT) return fail('INVALID_NUMBER', EXACT_POINT, got(), `latitude: ${lat.message}`);
    if (lon.kind === 'error' && lon.expected === EXACT) return fail('INVALID_NUMBER', EXACT_POINT, got(), `longitude: ${lon.message}`);
    return fail('INVALID_GEOSPATIAL', 'a decimal latitude and longitude', got());
  }
  return point(lat.value as number, lon.value as number, 'columns', got);
}

const EXACT_POINT = 'a point whose coordinates a JSON number holds exactly';

/** `{'lat': a, 'lon': b}` (either order, the names `coerceGeoObject` takes), each number exact. */
function structPair(m: RegExpExecArray, cell: string, options: ResolvedCoercionOptions): CoerceResult {
  return exactly(m[2]!, m[4]!, cell, (a, b) => coerceGeoObject({ [m[1]!]: a, [m[3]!]: b }, quote(cell), options));
}

/** Both coordinate texts as the doubles they mean exactly, passed to `then`; else the refusal. */
function exactly(a: string, b: string, cell: Cell, then: (a: number, b: number) => CoerceResult): CoerceResult {
  const x = exactDouble(a);
  if (!x.ok) return fail('INVALID_NUMBER', EXACT_POINT, `${quote(cell as string)} (${a})`, inexactHint(x));
  const y = exactDouble(b);
  if (!y.ok) return fail('INVALID_NUMBER', EXACT_POINT, `${quote(cell as string)} (${b})`, inexactHint(y));
  return then(x.value, y.value);
}

/** `got` describes the input, called only on failure (quoting every cell would cost more than parsing it). */
function ordered(a: number, b: number, order: GeoOrder, got: () => string): CoerceResult {
  return order === 'lat,lon' ? point(a, b, 'pair', got) : point(b, a, 'pair', got);
}

function point(lat: number, lon: number, form: Form, got: () => string): CoerceResult {
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return fail('INVALID_GEOSPATIAL', RANGE, got());
  const latOk = lat >= -90 && lat <= 90;
  const lonOk = lon >= -180 && lon <= 180;
  if (latOk && lonOk) {
    const out: JsonValue = { latitude: lat === 0 ? 0 : lat, longitude: lon === 0 ? 0 : lon };
    return value(out);
  }
  const swapped = lon >= -90 && lon <= 90 && lat >= -180 && lat <= 180;
  const detail = `${got()} (latitude ${lat}, longitude ${lon})`;
  return fail('INVALID_GEOSPATIAL', RANGE, detail, swapped ? SWAP_HINT[form] : undefined);
}

const SWAP_HINT: Readonly<Record<Form, string>> = {
  pair: 'swapped? pairs are read in --geo-order (default lat,lon)',
  lonlat: 'swapped? WKT and GeoJSON put the longitude first',
  object: 'swapped latitude and longitude?',
  columns: 'latitude and longitude columns swapped?',
};
