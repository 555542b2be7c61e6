/**
 * Regenerate the shipped samples from the demo's deterministic generator (src/cli/demo-data.ts):
 *
 *   npx tsx scripts/make-samples.ts
 *
 * samples/metadata.csv      data units 0–299 by `index`: text cells as people write them (offsets, yes/no, "lat,lon")
 * samples/metadata.parquet  data units 300–599 by `title`: native types (TIMESTAMPTZ, BOOLEAN, STRUCT point, DOUBLE[])
 * samples/metadata.xlsx     data units 0–99 by `index` again, typed as Excel stores them (a number, a date-time
 *                           serial in UTC, a boolean, shared strings): the same values as the CSV, so the demo
 *                           finds them all unchanged
 * samples/schema.json       the matching org schema, in the friendly typed form
 * samples/encord-guide-schema.json  the example of Encord's guide (city declared datetime: `schema check` catches it)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvLine } from '../src/report/csv-writer.js';
import { ParquetFileWriter } from '../src/report/parquet-writer.js';
import { DEMO_CSV_ROWS, DEMO_EMBEDDING_SIZE, DEMO_WEATHER, DEMO_XLSX_ROWS, demoSampleRows } from '../src/cli/demo-data.js';
import { STYLE, cell, columnLetters, row, xlsxBytes } from './bench/lib/xlsx-writer.js';

const samples = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples');
const rows = demoSampleRows();

let csv = csvLine(['index', 'captured_at', 'city', 'dark', 'weather', 'gps', 'embedding']);
for (const r of rows.slice(0, DEMO_CSV_ROWS)) {
  csv += csvLine([String(r.index), r.capturedAt, r.city, r.darkText, r.weather, `${r.latitude},${r.longitude}`, JSON.stringify(r.embedding)]);
}
writeFileSync(join(samples, 'metadata.csv'), csv);

const parquet = new ParquetFileWriter(join(samples, 'metadata.parquet'), [
  { name: 'title', jsonType: 'VARCHAR' },
  { name: 'captured_at', jsonType: 'VARCHAR', castTo: 'TIMESTAMPTZ' },
  { name: 'city', jsonType: 'VARCHAR' },
  { name: 'dark', jsonType: 'BOOLEAN' },
  { name: 'weather', jsonType: 'VARCHAR' },
  { name: 'gps', jsonType: 'STRUCT(latitude DOUBLE, longitude DOUBLE)' },
  { name: 'embedding', jsonType: 'DOUBLE[]' },
]);
for (const r of rows.slice(DEMO_CSV_ROWS)) {
  await parquet.add([r.title, r.capturedAt, r.city, r.dark, r.weather, { latitude: r.latitude, longitude: r.longitude }, r.embedding]);
}
await parquet.finish();

// The first DEMO_XLSX_ROWS rows of the CSV as an Excel workbook would hold them.
const XLSX_HEADER = ['index', 'captured_at', 'city', 'dark', 'weather', 'gps', 'embedding'];
const strings: string[] = [...XLSX_HEADER];
const shared = (text: string): number => {
  const at = strings.indexOf(text);
  return at >= 0 ? at : strings.push(text) - 1;
};
const sheetRows = [row(1, ...XLSX_HEADER.map((_, c) => cell.s(`${columnLetters(c)}1`, c)))];
for (const [i, r] of rows.slice(0, DEMO_XLSX_ROWS).entries()) {
  const n = i + 2;
  const serial = Date.parse(r.capturedAt) / 86_400_000 + 25_569; // days since 1899-12-30, UTC
  sheetRows.push(
    row(
      n,
      cell.n(`A${n}`, String(r.index)),
      cell.n(`B${n}`, String(serial), STYLE.customDateTime),
      cell.s(`C${n}`, shared(r.city)),
      cell.b(`D${n}`, r.dark),
      cell.s(`E${n}`, shared(r.weather)),
      cell.s(`F${n}`, shared(`${r.latitude},${r.longitude}`)),
      cell.s(`G${n}`, shared(JSON.stringify(r.embedding))),
    ),
  );
}
writeFileSync(join(samples, 'metadata.xlsx'), xlsxBytes({ sheets: [{ name: 'metadata', rows: sheetRows.join('') }], sharedStrings: strings }));

const schema = {
  captured_at: { type: 'datetime', description: 'when the frame was captured (stored in UTC)' },
  city: { type: 'string', description: 'nearest city' },
  dark: { type: 'boolean', description: 'captured between sunset and sunrise' },
  weather: { type: 'enum', values: [...DEMO_WEATHER], description: 'weather at capture time' },
  gps: { type: 'geospatial', description: 'camera position' },
  embedding: { type: 'embedding', size: DEMO_EMBEDDING_SIZE, description: 'scene embedding' },
};
writeFileSync(join(samples, 'schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(
  join(samples, 'encord-guide-schema.json'),
  `${JSON.stringify({ captured_at: 'datetime', city: 'datetime', dark: 'boolean' }, null, 2)}\n`,
);
process.stdout.write(`wrote ${DEMO_CSV_ROWS} CSV rows, ${rows.length - DEMO_CSV_ROWS} Parquet rows and ${DEMO_XLSX_ROWS} .xlsx rows to ${samples}\n`);
