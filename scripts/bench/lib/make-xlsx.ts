/**
 * The benchmark CSV's rows as an .xlsx, typed the way Excel stores them: `index` a number, `captured_at` a
 * date-time serial with a date-time format, `dark` a boolean, every text cell (title, city, weather, gps,
 * embedding) a shared string, as Excel writes them (so the shared-string table holds ~600k strings for 200k
 * rows: the worst realistic case for memory). Same seed, same rows as `make-big-csv.ts`.
 *
 *   npx tsx scripts/bench/lib/make-xlsx.ts <rows> <out.xlsx>
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIG_CSV_HEADER, bigCsvRow, mulberry32 } from '../../fixtures/make-big-csv.js';
import { STYLE, columnLetters, xlsxBytes } from './xlsx-writer.js';

const EXCEL_EPOCH_DAYS = 25569; // 1970-01-01 in the 1900 date system

export function bigXlsxBytes(rows: number, seed = 42): Buffer {
  const rand = mulberry32(seed);
  const strings: string[] = [];
  const index = new Map<string, number>();
  const shared = (text: string): number => {
    let i = index.get(text);
    if (i === undefined) {
      i = strings.length;
      strings.push(text);
      index.set(text, i);
    }
    return i;
  };
  const out: string[] = [];
  out.push(`<row r="1">${BIG_CSV_HEADER.map((h, c) => `<c r="${columnLetters(c)}1" t="s"><v>${shared(h)}</v></c>`).join('')}</row>`);
  for (let i = 0; i < rows; i++) {
    const [idx, title, captured, city, dark, weather, gps, embedding] = bigCsvRow(i, rand) as [string, string, string, string, string, string, string, string];
    const r = i + 2;
    const serial = Date.parse(captured) / 86_400_000 + EXCEL_EPOCH_DAYS;
    const text = (col: string, value: string): string => (value === '' ? '' : `<c r="${col}${r}" t="s"><v>${shared(value)}</v></c>`);
    out.push(
      `<row r="${r}"><c r="A${r}"><v>${idx}</v></c>${text('B', title)}<c r="C${r}" s="${STYLE.customDateTime}"><v>${String(serial)}</v></c>${text('D', city)}<c r="E${r}" t="b"><v>${dark === 'true' ? 1 : 0}</v></c>${text('F', weather)}${text('G', gps)}${text('H', embedding)}</row>`,
    );
  }
  return xlsxBytes({ sheets: [{ name: 'frames', rows: out.join('') }], sharedStrings: strings });
}

/** The big xlsx for `rows` rows, generated once into `path` and reused. */
export function ensureBigXlsx(path: string, rows: number): string {
  if (!existsSync(path)) {
    writeFileSync(`${path}.partial`, bigXlsxBytes(rows));
    renameSync(`${path}.partial`, path);
  }
  return path;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const rows = Number(process.argv[2]);
  const out = process.argv[3];
  if (!Number.isSafeInteger(rows) || out === undefined) throw new Error('usage: npx tsx scripts/bench/lib/make-xlsx.ts <rows> <out.xlsx>');
  ensureBigXlsx(out, rows);
}
