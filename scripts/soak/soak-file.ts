/**
 * The soak's data: the org schema, and the file row of every data unit — its cells as written and the
 * typed values they must become (empty cells: none, the key stays as it was). Deterministic from a seed.
 */
import { mulberry32 } from '../../src/emulator/rng.js';
import type { JsonValue, WireTypedSchema } from '../../src/encord/protocol/types.js';

export { mulberry32 as rng };

export const SOAK_SCHEMA: WireTypedSchema = {
  city: { ty: 'varchar', max_length: 8192 },
  note: { ty: 'varchar', max_length: 8192 },
  speed: { ty: 'number', format: 'F64' },
  dark: { ty: 'boolean' },
  weather: { ty: 'enum', values: ['clear', 'rain', 'fog', 'snow', 'overcast', 'sunny'] },
  captured_at: { ty: 'datetime', timezone: 'UTC' },
};
export const FILE_KEYS = ['city', 'note', 'speed', 'dark', 'weather', 'captured_at'] as const;
const CITIES = ['Paris', 'Zürich', '東京', 'São Paulo', 'New York, NY', 'Köln', 'Reykjavík', 'Cape Town'];
const NOTES = ['ok', 'lens "smudge"', 'a, b; c', 'multi\nline', 'trailing space ', 'ünïcödé ✓', ''];
const WEATHER = ['clear', 'rain', 'fog', 'snow', 'overcast', 'sunny'];

/** One file row: the cells as written and the typed values they must become (empty cells: none). */
export interface FileRow {
  readonly cells: readonly string[];
  readonly values: Readonly<Record<string, JsonValue>>;
}

export function fileRow(i: number, rand: () => number): FileRow {
  const values: Record<string, JsonValue> = {};
  const cells: string[] = [];
  const empty = (): boolean => rand() < 0.04;
  // city
  if (empty()) cells.push('');
  else {
    const city = CITIES[Math.floor(rand() * CITIES.length)]!;
    cells.push(city);
    values['city'] = city;
  }
  // note (never empty here: an empty NOTES entry is the "empty cell" case)
  const note = NOTES[Math.floor(rand() * NOTES.length)]!;
  cells.push(note);
  if (note !== '') values['note'] = note;
  // speed
  if (empty()) cells.push('');
  else {
    const speed = Math.round(rand() * 100_000) / 100;
    cells.push(String(speed));
    values['speed'] = speed;
  }
  // dark
  const dark = rand() < 0.3;
  cells.push(dark ? 'true' : 'false');
  values['dark'] = dark;
  // weather
  if (empty()) cells.push('');
  else {
    const w = WEATHER[Math.floor(rand() * WEATHER.length)]!;
    cells.push(w);
    values['weather'] = w;
  }
  // captured_at, already in the canonical form the importer writes
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1500 + Math.floor(rand() * 1000)).toISOString();
  cells.push(at);
  values['captured_at'] = at;
  return { cells, values };
}

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
}
