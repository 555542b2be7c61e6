/**
 * The demo's world, written once: the dataset `encord-meta demo` seeds in the emulator, and the rows
 * `scripts/make-samples.ts` turns into `samples/metadata.csv` and `samples/metadata.parquet`. Both come
 * from the same deterministic generator, so the sample files always address data units that exist: the
 * CSV names units 0–299 by `index`, the Parquet names units 300–599 by `title`.
 */
import type { Metadata } from '../encord/protocol/types.js';
import type { DatasetSeed, RowSeed } from '../emulator/index.js';
import { mulberry32 as rng } from '../emulator/rng.js';

/** Data units in the demo dataset. */
export const DEMO_UNITS = 600;
/** Units covered by the CSV sample (indices 0..CSV_ROWS-1); the Parquet covers the rest. */
export const DEMO_CSV_ROWS = 300;
/** Units covered by the .xlsx sample (indices 0..XLSX_ROWS-1, the CSV's first rows typed as Excel stores them). */
export const DEMO_XLSX_ROWS = 100;
export const DEMO_DATASET_HASH = 'b7e2c9a4-6f1d-4e8b-9c3a-2d5f7e1a0b64';
export const DEMO_DATASET_TITLE = 'Dashcam demo (600 data units)';
/** Weather values of the sample schema's enum. */
export const DEMO_WEATHER = ['sunny', 'cloudy', 'rain', 'fog', 'snow'] as const;
export const DEMO_EMBEDDING_SIZE = 8;

interface City {
  readonly name: string;
  readonly latitude: number;
  readonly longitude: number;
  /** UTC offset in November, in hours. */
  readonly offset: number;
  /** Local hours of daylight in November: [sunrise, sunset). */
  readonly daylight: readonly [number, number];
}

const CITIES: readonly City[] = [
  { name: 'Paris', latitude: 48.8566, longitude: 2.3522, offset: 1, daylight: [8, 17.25] },
  { name: 'London', latitude: 51.5074, longitude: -0.1278, offset: 0, daylight: [7.25, 16.25] },
  { name: 'Berlin', latitude: 52.52, longitude: 13.405, offset: 1, daylight: [7.5, 16.25] },
  { name: 'Madrid', latitude: 40.4168, longitude: -3.7038, offset: 1, daylight: [8.25, 18] },
  { name: 'Amsterdam', latitude: 52.3676, longitude: 4.9041, offset: 1, daylight: [8, 16.75] },
  { name: 'Lisbon', latitude: 38.7223, longitude: -9.1393, offset: 0, daylight: [7.25, 17.5] },
  { name: 'Oslo', latitude: 59.9139, longitude: 10.7522, offset: 1, daylight: [8.5, 15.5] },
  { name: 'Zurich', latitude: 47.3769, longitude: 8.5417, offset: 1, daylight: [7.5, 17] },
];

/** One generated sample row: what the files say about data unit `index`. */
export interface DemoSampleRow {
  readonly index: number;
  readonly title: string;
  /** ISO 8601 with the city's offset, e.g. `2026-11-03T07:42:13+01:00`. */
  readonly capturedAt: string;
  readonly city: string;
  readonly dark: boolean;
  /** How the CSV spells `dark`: a realistic mix of true/false/yes/no. */
  readonly darkText: string;
  readonly weather: (typeof DEMO_WEATHER)[number];
  readonly latitude: number;
  readonly longitude: number;
  readonly embedding: readonly number[];
}


const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

function isVideo(index: number): boolean {
  return index % 50 === 7;
}

/** Legacy data units (no storage item: written with the v1 save), spread over both sample files. */
function isLegacy(index: number): boolean {
  return index % 97 === 13;
}

/** Every sample row, in index order (deterministic). */
export function demoSampleRows(): DemoSampleRow[] {
  const next = rng(20261101);
  const rows: DemoSampleRow[] = [];
  for (let index = 0; index < DEMO_UNITS; index++) {
    const city = CITIES[Math.floor(next() * CITIES.length)]!;
    const camera = 1 + Math.floor(next() * 6);
    const day = 1 + Math.floor(next() * 14);
    const seconds = Math.floor(next() * 86_400);
    const localHour = seconds / 3600;
    const dark = localHour < city.daylight[0] || localHour >= city.daylight[1];
    const spell = next();
    const darkText = spell < 0.6 ? String(dark) : dark ? 'yes' : 'no';
    const w = next();
    const snowy = city.name === 'Oslo' || city.name === 'Zurich';
    const weather: DemoSampleRow['weather'] = snowy
      ? w < 0.15 ? 'sunny' : w < 0.45 ? 'cloudy' : w < 0.6 ? 'rain' : w < 0.7 ? 'fog' : 'snow'
      : w < 0.28 ? 'sunny' : w < 0.63 ? 'cloudy' : w < 0.88 ? 'rain' : w < 0.97 ? 'fog' : 'snow';
    const latitude = round(city.latitude + (next() - 0.5) * 0.08, 5);
    const longitude = round(city.longitude + (next() - 0.5) * 0.12, 5);
    const embedding = Array.from({ length: DEMO_EMBEDDING_SIZE }, () => round(next() * 2 - 1, 4));
    const date = `2026-11-${pad(day, 2)}`;
    const sign = city.offset >= 0 ? '+' : '-';
    const clock = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor((seconds % 3600) / 60), 2)}:${pad(seconds % 60, 2)}`;
    const capturedAt = `${date}T${clock}${sign}${pad(Math.abs(city.offset), 2)}:00`;
    const title = isVideo(index)
      ? `dashcam-${pad(camera, 2)}/${date}/clip_${pad(index + 1, 6)}.mp4`
      : `dashcam-${pad(camera, 2)}/${date}/frame_${pad(index + 1, 6)}.jpg`;
    rows.push({ index, title, capturedAt, city: city.name, dark, darkText, weather, latitude, longitude, embedding });
  }
  return rows;
}

/** Metadata some units already have before the demo imports anything: it must survive the merge. */
function existingMetadata(index: number): Metadata | undefined {
  if (isVideo(index)) return { keyframes: [0, 48 + (index % 5) * 12, 240] };
  if (index % 9 === 4) return { qa_status: index % 2 === 0 ? 'approved' : 'needs-review' };
  return undefined;
}

/** The emulator seed of the demo dataset: titles and order match `demoSampleRows()`. */
export function demoDatasetSeed(): DatasetSeed {
  const rows: RowSeed[] = demoSampleRows().map((r) => {
    const metadata = existingMetadata(r.index);
    return {
      title: r.title,
      dataType: isVideo(r.index) ? 'VIDEO' : 'IMAGE',
      createdAt: `${r.capturedAt.slice(0, 10)}T23:00:00Z`,
      ...(metadata !== undefined && { metadata }),
      ...(isLegacy(r.index) && { backingItemUuid: null }),
    };
  });
  return { hash: DEMO_DATASET_HASH, title: DEMO_DATASET_TITLE, description: 'Seeded by encord-meta demo', rows };
}
