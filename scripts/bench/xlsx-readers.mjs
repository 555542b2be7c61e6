/**
 * How fast, and in how much memory, candidate .xlsx readers read the benchmark sheet; and whether they keep
 * a number's exact text. Not part of the build: the candidates (exceljs, SheetJS `xlsx`, saxes) are not
 * dependencies. To re-run, in a scratch directory:
 *
 *   npm init -y && npm i exceljs@4.4.0 xlsx@0.18.5 saxes@6.0.0
 *   node --import tsx <repo>/scripts/bench/xlsx-readers.mjs <exceljs|sheetjs|saxes|tokenizer|ours> big-200000.xlsx
 *
 * (`tsx` from the repo's node_modules; `ours` and `saxes` import the repo's sources.) One candidate per
 * process, so peak RSS is that candidate's own. Prints one JSON line: rows, ms, maxRssMb, and the first
 * data row as the reader gives it.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(resolve(process.cwd(), 'package.json'));
const [mode, file] = process.argv.slice(2);
const started = performance.now();
let rows = 0;
let sample;

if (mode === 'exceljs') {
  const ExcelJS = require('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'emit' });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      if (rows === 1) sample = row.values;
      rows++;
    }
    break;
  }
} else if (mode === 'sheetjs') {
  const XLSX = require('xlsx');
  // 0.18.5 has no dense mode: the whole sheet is one object of cells, built before the first row is seen.
  const wb = XLSX.readFile(file, { cellDates: true });
  const sheet = wb.Sheets[wb.SheetNames[0]];
  rows = XLSX.utils.decode_range(sheet['!ref']).e.r + 1;
  sample = ['A2', 'C2', 'E2'].map((ref) => sheet[ref] && { t: sheet[ref].t, v: sheet[ref].v, w: sheet[ref].w });
} else if (mode === 'saxes') {
  // The raw cost of streaming unzip + saxes over the sheet part, no cell conversion.
  const { SaxesParser } = require('saxes');
  const { readZipDirectory, openEntry } = await import(new URL('../../src/sources/xlsx/zip.ts', import.meta.url).href);
  const entries = await readZipDirectory(file);
  let texts = 0;
  for (const part of ['xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml']) {
    const parser = new SaxesParser();
    parser.on('opentag', (t) => {
      if (t.name === 'row') rows++;
    });
    parser.on('text', () => texts++);
    const stream = await openEntry(file, entries.get(part));
    stream.setEncoding('utf8');
    for await (const chunk of stream) parser.write(chunk);
    parser.close();
  }
  sample = { texts };
} else if (mode === 'tokenizer') {
  // The same, with our tokenizer instead of saxes: the like-for-like comparison of the two XML parsers.
  const { readZipDirectory, openEntry } = await import(new URL('../../src/sources/xlsx/zip.ts', import.meta.url).href);
  const { XmlTokenizer } = await import(new URL('../../src/sources/xlsx/xml.ts', import.meta.url).href);
  const entries = await readZipDirectory(file);
  let texts = 0;
  for (const part of ['xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml']) {
    const tokenizer = new XmlTokenizer({
      open(name) {
        if (name === 'row') rows++;
      },
      close() {},
      text() {
        texts++;
      },
    });
    const stream = await openEntry(file, entries.get(part));
    stream.setEncoding('utf8');
    for await (const chunk of stream) tokenizer.write(chunk);
    tokenizer.end();
  }
  sample = { texts };
} else if (mode === 'ours') {
  const { XlsxSource } = await import(new URL('../../src/sources/xlsx/xlsx-source.ts', import.meta.url).href);
  const source = new XlsxSource(file);
  await source.open();
  for await (const item of source.items()) {
    if (rows === 0) sample = item;
    rows++;
  }
  rows++; // the header row, as the others count it
} else {
  throw new Error('usage: xlsx-readers.mjs <exceljs|sheetjs|saxes|tokenizer|ours> FILE');
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ mode, rows, ms: Math.round(ms), rowsPerSecond: Math.round(rows / (ms / 1000)), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), sample }, (_, v) => (typeof v === 'bigint' ? String(v) : v))}\n`);
