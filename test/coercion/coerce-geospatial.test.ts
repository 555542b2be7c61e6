import { describe, expect, it } from 'vitest';
import { combineGeo, coerceGeospatial } from '../../src/coercion/coerce-geospatial.js';
import { resolveCoercionOptions } from '../../src/coercion/coercion-options.js';
import type { Cell } from '../../src/sources/source.js';

const latLon = resolveCoercionOptions();
const lonLat = resolveCoercionOptions({ geoOrder: 'lon,lat' });
const comma = resolveCoercionOptions({ decimalComma: true });
const paris = { latitude: 48.85, longitude: 2.35 };

describe('coerceGeospatial: every input form gives {latitude, longitude}', () => {
  it.each<[string, Cell]>([
    ['lat,lon', '48.85,2.35'],
    ['lat, lon', '48.85, 2.35'],
    ['lat lon', '48.85 2.35'],
    ['lat;lon', '48.85;2.35'],
    ['(lat, lon)', '(48.85, 2.35)'],
    ['[lat, lon]', '[48.85, 2.35]'],
    ['trimmed', '  48.85,2.35  '],
    ['Parquet list [lat, lon]', [48.85, 2.35]],
    ['WKT', 'POINT(2.35 48.85)'],
    ['WKT lower case with spaces', 'point ( 2.35   48.85 )'],
    ['WKT with Z and SRID', 'SRID=4326;POINT Z (2.35 48.85 35)'],
    ['GeoJSON Point', '{"type":"Point","coordinates":[2.35,48.85]}'],
    ['GeoJSON Point with altitude', '{"type":"Point","coordinates":[2.35,48.85,35]}'],
    ['GeoJSON Feature', '{"type":"Feature","geometry":{"type":"Point","coordinates":[2.35,48.85]},"properties":{}}'],
    ['object latitude/longitude', '{"latitude":48.85,"longitude":2.35}'],
    ['object lat/lon', '{"lat":48.85,"lon":2.35}'],
    ['object lat/lng', '{"lat":48.85,"lng":2.35}'],
    ['object Lat/Long', '{"Lat":48.85,"Long":2.35}'],
  ])('%s: %o', (_what, cell) => {
    expect(coerceGeospatial(cell, latLon)).toEqual({ kind: 'value', value: paris });
  });

  it('--geo-order lon,lat reads bare pairs and lists the other way, never WKT or GeoJSON', () => {
    expect(coerceGeospatial('2.35,48.85', lonLat)).toEqual({ kind: 'value', value: paris });
    expect(coerceGeospatial([2.35, 48.85], lonLat)).toEqual({ kind: 'value', value: paris });
    expect(coerceGeospatial('POINT(2.35 48.85)', lonLat)).toEqual({ kind: 'value', value: paris });
  });

  it('--decimal-comma: pairs separated by ; or a space', () => {
    expect(coerceGeospatial('48,85;2,35', comma)).toEqual({ kind: 'value', value: paris });
    expect(coerceGeospatial('48,85 2,35', comma)).toEqual({ kind: 'value', value: paris });
  });

  it('--decimal-comma: "48,2" is the number 48.2 as much as the pair 48, 2, so it is refused, not written as a point', () => {
    for (const cell of ['48,2', '-48,25', '(48,2)', '[48,2]']) {
      const r = coerceGeospatial(cell, comma);
      expect(r, cell).toMatchObject({ kind: 'error', code: 'INVALID_GEOSPATIAL' });
      expect(r.kind === 'error' && r.message, cell).toContain('separate the coordinates with ; or a space');
    }
    expect(coerceGeospatial('48;2', comma)).toEqual({ kind: 'value', value: { latitude: 48, longitude: 2 } });
    expect(coerceGeospatial('48, 2', comma)).toEqual({ kind: 'value', value: { latitude: 48, longitude: 2 } });
    expect(coerceGeospatial('48,2', latLon)).toEqual({ kind: 'value', value: { latitude: 48, longitude: 2 } });
  });

  it.each<[Cell]>([[''], ['  '], [null]])('%o is empty', (cell) => {
    expect(coerceGeospatial(cell, latLon)).toEqual({ kind: 'empty' });
  });

  it.each<[string, Cell, string]>([
    ['latitude out of range', '95,10', 'expected a latitude in [-90, 90] and a longitude in [-180, 180], got "95,10" (latitude 95, longitude 10)'],
    ['swapped pair (lon,lat given)', '148.85,2.35', '; swapped? pairs are read in --geo-order (default lat,lon)'],
    ['swapped GeoJSON', '{"type":"Point","coordinates":[48.85,120.5]}', 'swapped? WKT and GeoJSON put the longitude first'],
    ['longitude out of range', '10,200', '(latitude 10, longitude 200)'],
    ['both out of range: no swap hint', '100,200', 'longitude 200)'],
    ['one number', '48.85', 'expected a point such as "48.85,2.35" (lat,lon)'],
    ['three numbers', '1,2,3', 'got "1,2,3"'],
    ['a city', 'Paris', 'got "Paris"'],
    ['N/A', 'N/A', 'for a missing value leave the cell empty'],
    ['bad JSON', '{"lat": 1', 'not valid JSON'],
    ['GeoJSON LineString', '{"type":"LineString","coordinates":[[0,0],[1,1]]}', 'a GeoJSON Point'],
    ['object without longitude', '{"lat": 1}', 'an object with numbers "latitude" and "longitude"'],
    ['object with text numbers', '{"lat": "1", "lon": "2"}', 'an object with numbers'],
    ['a number', 48.85, 'got number 48.85'],
    ['a list of three', [1, 2, 3], 'got a list of 3 values'],
  ])('refuses %s', (_what, cell, message) => {
    const result = coerceGeospatial(cell, latLon);
    expect(result).toMatchObject({ kind: 'error', code: 'INVALID_GEOSPATIAL' });
    expect(result.kind === 'error' && result.message).toContain(message);
  });

  it('range edges are inclusive', () => {
    expect(coerceGeospatial('-90,-180', latLon)).toEqual({ kind: 'value', value: { latitude: -90, longitude: -180 } });
    expect(coerceGeospatial('90,180', latLon)).toEqual({ kind: 'value', value: { latitude: 90, longitude: 180 } });
  });
});

describe('combineGeo: two columns', () => {
  it('combines numbers from text or Parquet', () => {
    expect(combineGeo('48.85', ' 2.35 ', latLon)).toEqual({ kind: 'value', value: paris });
    expect(combineGeo(48.85, 2.35, latLon)).toEqual({ kind: 'value', value: paris });
    expect(combineGeo('48,85', '2,35', comma)).toEqual({ kind: 'value', value: paris });
  });

  it('both empty is empty; one empty is an error', () => {
    expect(combineGeo('', null, latLon)).toEqual({ kind: 'empty' });
    const one = combineGeo('48.85', '', latLon);
    expect(one).toMatchObject({ kind: 'error', code: 'INVALID_GEOSPATIAL' });
    expect(one.kind === 'error' && one.message).toContain('the longitude is empty');
  });

  it('refuses non-numbers and swapped columns', () => {
    expect(combineGeo('north', '2', latLon)).toMatchObject({ kind: 'error', code: 'INVALID_GEOSPATIAL' });
    const swapped = combineGeo('120', '45', latLon);
    expect(swapped.kind === 'error' && swapped.message).toContain('latitude and longitude columns swapped?');
  });
});

describe('numbers are exact or refused: coordinates', () => {
  it.each<[string, Cell]>([
    ['pair', '48.858370000000000001,2.35'],
    ['WKT', 'POINT(2.35 48.858370000000000001)'],
    ['JSON object', '{"latitude": 48.858370000000000001, "longitude": 2.35}'],
    ['GeoJSON', '{"type":"Point","coordinates":[2.35, 1e-400]}'],
  ])('a %s coordinate a JSON number cannot hold is refused with INVALID_NUMBER', (_what, cell) => {
    const result = coerceGeospatial(cell, latLon);
    expect(result).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    if (result.kind === 'error') expect(result.message).toContain('store it in a string key');
  });

  it('two columns: an inexact latitude is refused', () => {
    expect(combineGeo('48.858370000000000001', '2.35', latLon)).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    expect(combineGeo('48.85', '2.35', latLon)).toEqual({ kind: 'value', value: paris });
  });
});

describe("DuckDB's CSV of a STRUCT and pandas' of a dict: {'lat': 48.85, 'lon': 2.35}", () => {
  it.each<[string, string]>([
    ["DuckDB COPY TO csv of STRUCT(lat, lon)", "{'lat': 48.85, 'lon': 2.35}"],
    ['Python dict repr, long names', "{'latitude': 48.85, 'longitude': 2.35}"],
    ['DuckDB, names unquoted', '{lat: 48.85, lon: 2.35}'],
    ['longitude first', "{'lng': 2.35, 'lat': 48.85}"],
  ])('%s', (_, text) => {
    expect(coerceGeospatial(text, latLon)).toEqual({ kind: 'value', value: paris });
  });

  it('keeps exactness and ranges: an inexact or out-of-range coordinate still fails', () => {
    expect(coerceGeospatial("{'lat': 1e-400, 'lon': 2.35}", latLon)).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    expect(coerceGeospatial("{'lat': 148.85, 'lon': 2.35}", latLon)).toMatchObject({ kind: 'error', code: 'INVALID_GEOSPATIAL' });
  });

  it('anything else in braces is still not a point', () => {
    for (const text of ["{'lat': 'x', 'lon': 2.35}", "{'a': 1, 'b': 2}", "{'lat': 48.85}", "{'lat': 48.85, 'lon': 2.35, 'alt': 3}"]) {
      expect(coerceGeospatial(text, latLon), text).toMatchObject({ kind: 'error', code: 'INVALID_GEOSPATIAL' });
    }
  });
});
