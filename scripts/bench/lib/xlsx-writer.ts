/**
 * A minimal .xlsx writer for fixtures, samples and benchmarks: the sheet XML is given as text (so a test
 * can write exactly the cells it means: sparse `r` attributes, formulas with and without a cached value,
 * error cells, inline and rich strings), wrapped in the package parts Excel and LibreOffice need, and
 * zipped with deflate. Not a product feature: encord-meta reads .xlsx, it never writes it.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface XlsxSheet {
  readonly name: string;
  /** The `<sheetData>` content: `<row r="1">…</row>…`. */
  readonly rows: string;
  /** Extra XML after `</sheetData>` (e.g. `<mergeCells>`). */
  readonly after?: string;
}

export interface XlsxBook {
  readonly sheets: readonly XlsxSheet[];
  /** Shared strings, in index order: plain text, or raw `<si>` content when it starts with `<`. */
  readonly sharedStrings?: readonly string[];
  /** The 1904 date system (`<workbookPr date1904="1"/>`). */
  readonly date1904?: boolean;
}

/**
 * Cell styles (`s` attribute) the writer's styles.xml defines: 0 General, 1 a date (numFmt 14), 2 a
 * date-time (numFmt 22), 3 a custom date-time `yyyy-mm-dd hh:mm:ss` (numFmt 164), 4 text `@` (numFmt 49),
 * 5 a number with two decimals (numFmt 2), 6 a time of day (numFmt 21), 7 a custom non-date `0.000"kg"`.
 */
export const STYLE = { general: 0, date: 1, dateTime: 2, customDateTime: 3, text: 4, twoDecimals: 5, time: 6, customNumber: 7 } as const;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/><numFmt numFmtId="165" formatCode="0.000&quot;kg&quot;"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="8"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>`;

/** XML text escape (element content and attribute values). */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** `A`, `B`, …, `Z`, `AA` for a 0-based column. */
export function columnLetters(col: number): string {
  let s = '';
  for (let n = col + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The parts of a workbook, ready to zip. */
export function xlsxParts(book: XlsxBook): { path: string; data: string }[] {
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
  const head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const sheetTypes = book.sheets
    .map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
    .join('');
  const parts = [
    {
      path: '[Content_Types].xml',
      data: `${head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheetTypes}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
    },
    {
      path: '_rels/.rels',
      data: `${head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      path: 'xl/workbook.xml',
      data: `${head}<workbook ${ns}>${book.date1904 === true ? '<workbookPr date1904="1"/>' : '<workbookPr/>'}<sheets>${book.sheets
        .map((s, i) => `<sheet name="${xmlEscape(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join('')}</sheets></workbook>`,
    },
    {
      path: 'xl/_rels/workbook.xml.rels',
      data: `${head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${book.sheets
        .map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
        .join('')}<Relationship Id="rId${book.sheets.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId${book.sheets.length + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    },
    { path: 'xl/styles.xml', data: STYLES },
    {
      path: 'xl/sharedStrings.xml',
      data: `${head}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${book.sharedStrings?.length ?? 0}" uniqueCount="${book.sharedStrings?.length ?? 0}">${(book.sharedStrings ?? [])
        .map((s) => (s.startsWith('<') ? `<si>${s}</si>` : `<si><t xml:space="preserve">${xmlEscape(s)}</t></si>`))
        .join('')}</sst>`,
    },
    ...book.sheets.map((s, i) => ({
      path: `xl/worksheets/sheet${i + 1}.xml`,
      data: `${head}<worksheet ${ns}><sheetData>${s.rows}</sheetData>${s.after ?? ''}</worksheet>`,
    })),
  ];
  return parts;
}

/** A zip archive (deflate, no zip64) of the parts. */
export function zip(parts: readonly { path: string; data: string | Buffer }[]): Buffer {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const raw = typeof part.data === 'string' ? Buffer.from(part.data, 'utf8') : part.data;
    const packed = deflateRawSync(raw, { level: 6 });
    const name = Buffer.from(part.path, 'utf8');
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(raw.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    chunks.push(local, name, packed);
    central.push(entry, name);
    offset += 30 + name.length + packed.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, dir, end]);
}

/** The .xlsx bytes of a workbook. */
export function xlsxBytes(book: XlsxBook): Buffer {
  return zip(xlsxParts(book));
}

/** Helpers for sheet XML. */
export const cell = {
  /** A number cell; `style` e.g. `STYLE.date` makes it a date. */
  n: (ref: string, text: string, style?: number): string => `<c r="${ref}"${style === undefined ? '' : ` s="${style}"`}><v>${text}</v></c>`,
  /** A shared-string cell (index into `sharedStrings`). */
  s: (ref: string, index: number): string => `<c r="${ref}" t="s"><v>${index}</v></c>`,
  /** An inline-string cell. */
  inline: (ref: string, text: string): string => `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlEscape(text)}</t></is></c>`,
  b: (ref: string, value: boolean): string => `<c r="${ref}" t="b"><v>${value ? 1 : 0}</v></c>`,
  e: (ref: string, error: string): string => `<c r="${ref}" t="e"><v>${xmlEscape(error)}</v></c>`,
  /** A formula cell; `cached` is the `<v>` text and `type` its `t` (e.g. `str`, `b`, `e`), or no cached value. */
  f: (ref: string, formula: string, cached?: string, type?: string): string =>
    `<c r="${ref}"${type === undefined ? '' : ` t="${type}"`}><f>${xmlEscape(formula)}</f>${cached === undefined ? '' : `<v>${xmlEscape(cached)}</v>`}</c>`,
};

/** A `<row>` of cells. */
export function row(r: number, ...cells: string[]): string {
  return `<row r="${r}">${cells.join('')}</row>`;
}
