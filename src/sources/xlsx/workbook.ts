/**
 * The workbook-level parts of an .xlsx: which sheets there are (names in tab order, and the part of
 * each), the date system, the cell styles that make a number a date, and the shared-string table.
 * Errors are `ZipError` / `XmlError` / `WorkbookError`; the source turns them into `SOURCE_CORRUPT`.
 */
import { posix } from 'node:path';
import { openEntry, type ZipEntry } from './zip.js';
import { attributes, XmlTokenizer, type XmlHandler } from './xml.js';
import { decodeXString, numberKind, type NumberKind } from './xlsx-cells.js';

export class WorkbookError extends Error {}

export interface SheetRef {
  readonly name: string;
  /** Zip entry name of the sheet part, e.g. `xl/worksheets/sheet1.xml`. */
  readonly part: string;
}

export interface Workbook {
  readonly sheets: readonly SheetRef[];
  readonly date1904: boolean;
  /** Style index (a cell's `s`) → what its number format makes of a number. */
  readonly styleKinds: readonly NumberKind[];
  /** Zip entry of the shared strings, if the workbook has them. */
  readonly sharedStringsPart: string | undefined;
}

/** Feed a zip entry through a handler, chunk by chunk. */
export async function parsePart(path: string, entry: ZipEntry, handler: XmlHandler, signal?: AbortSignal): Promise<void> {
  const stream = await openEntry(path, entry);
  try {
    stream.setEncoding('utf8');
    const tokenizer = new XmlTokenizer(handler);
    for await (const chunk of stream as AsyncIterable<string>) {
      if (signal?.aborted) signal.throwIfAborted();
      tokenizer.write(chunk);
    }
    tokenizer.end();
  } finally {
    stream.destroy();
  }
}

function need(entries: ReadonlyMap<string, ZipEntry>, name: string, what: string): ZipEntry {
  const entry = entries.get(name);
  if (entry === undefined) throw new WorkbookError(`${what} (${name}) is missing`);
  return entry;
}

/** The target of a relationship, as a zip entry name (relative to the part's folder, or absolute). */
function resolveTarget(fromFolder: string, target: string): string {
  const joined = target.startsWith('/') ? target.slice(1) : posix.join(fromFolder, target);
  return posix.normalize(joined);
}

async function relationships(path: string, entries: ReadonlyMap<string, ZipEntry>, relsName: string, folder: string): Promise<Map<string, { type: string; target: string }>> {
  const out = new Map<string, { type: string; target: string }>();
  const entry = entries.get(relsName);
  if (entry === undefined) return out;
  await parsePart(path, entry, {
    open(name, attrs) {
      if (name !== 'Relationship') return;
      const a = attributes(attrs);
      if (a['Id'] !== undefined && a['Target'] !== undefined && a['TargetMode'] !== 'External') out.set(a['Id'], { type: a['Type'] ?? '', target: resolveTarget(folder, a['Target']) });
    },
    close() {},
    text() {},
  });
  return out;
}

/** Read `[Content_Types]`-independent workbook structure: sheets, date system, styles. */
export async function readWorkbook(path: string, entries: ReadonlyMap<string, ZipEntry>): Promise<Workbook> {
  // The package's root relationship names the workbook part (xl/workbook.xml for every writer met so far).
  const root = await relationships(path, entries, '_rels/.rels', '');
  const officeDocument = [...root.values()].find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  const workbookEntry = need(entries, officeDocument, 'the workbook part');
  const folder = posix.dirname(officeDocument);
  const rels = await relationships(path, entries, posix.join(folder, '_rels', `${posix.basename(officeDocument)}.rels`), folder);

  const sheets: SheetRef[] = [];
  let date1904 = false;
  await parsePart(path, workbookEntry, {
    open(name, attrs) {
      if (name === 'workbookPr') {
        const v = attributes(attrs)['date1904'];
        date1904 = v === '1' || v === 'true';
      } else if (name === 'sheet') {
        const a = attributes(attrs);
        const id = Object.entries(a).find(([k]) => k === 'id' || k.endsWith(':id'))?.[1];
        const rel = id === undefined ? undefined : rels.get(id);
        // Chart sheets and dialog sheets have no cells: they are not offered.
        if (a['name'] !== undefined && rel !== undefined && rel.type.endsWith('/worksheet')) sheets.push({ name: a['name'], part: rel.target });
      }
    },
    close() {},
    text() {},
  });
  if (sheets.length === 0) throw new WorkbookError('the workbook has no worksheet');

  const stylesRel = [...rels.values()].find((r) => r.type.endsWith('/styles'));
  const styleKinds = stylesRel !== undefined && entries.has(stylesRel.target) ? await readStyles(path, entries.get(stylesRel.target)!) : [];
  const sharedRel = [...rels.values()].find((r) => r.type.endsWith('/sharedStrings'));
  return { sheets, date1904, styleKinds, sharedStringsPart: sharedRel !== undefined && entries.has(sharedRel.target) ? sharedRel.target : undefined };
}

async function readStyles(path: string, entry: ZipEntry): Promise<NumberKind[]> {
  const codes = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  await parsePart(path, entry, {
    open(name, attrs, selfClosing) {
      if (name === 'numFmt') {
        const a = attributes(attrs);
        const id = Number(a['numFmtId']);
        if (Number.isInteger(id) && a['formatCode'] !== undefined) codes.set(id, a['formatCode']);
      } else if (name === 'cellXfs') {
        inCellXfs = !selfClosing;
      } else if (name === 'xf' && inCellXfs) {
        const id = Number(attributes(attrs)['numFmtId'] ?? '0');
        xfFormats.push(Number.isInteger(id) ? id : 0);
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
    text() {},
  });
  return xfFormats.map((id) => numberKind(id, codes.get(id)));
}

/**
 * The shared-string table, held compactly: every string's UTF-8 bytes in one buffer (outside the JS heap)
 * and their offsets, decoded on each lookup. As JS strings, Excel's ~600k strings for 200k rows held 65 MB
 * of heap, and V8 lets the heap grow to a multiple of what lives in it: the dry run of that sheet peaked at
 * 350 MB.
 */
export class SharedStrings {
  private bytes = Buffer.alloc(64 * 1024);
  private used = 0;
  private offsets = new Uint32Array(1024);
  private n = 0;

  get count(): number {
    return this.n;
  }

  add(text: string): void {
    const need = this.used + text.length * 3;
    if (need > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(need, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    if (this.n + 2 > this.offsets.length) {
      const grown = new Uint32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.used += this.bytes.write(text, this.used, 'utf8');
    this.n += 1;
    this.offsets[this.n] = this.used;
  }

  /** String `index`, or `undefined` when the table has none. */
  get(index: number): string | undefined {
    if (!(index >= 0 && index < this.n)) return undefined;
    return this.bytes.toString('utf8', this.offsets[index]!, this.offsets[index + 1]!);
  }

  /** Drop the spare capacity once the table is complete. */
  seal(): void {
    this.bytes = Buffer.from(this.bytes.subarray(0, this.used));
    this.offsets = this.offsets.slice(0, this.n + 1);
  }
}

/**
 * The shared-string table, in index order: each `<si>`'s text runs (`<t>` directly, or inside `<r>` rich
 * runs) joined, phonetic runs (`<rPh>`) left out, `_xHHHH_` escapes decoded. Held in memory (compactly):
 * cells refer to it by index from anywhere in the sheet.
 */
export async function readSharedStrings(path: string, entry: ZipEntry, signal?: AbortSignal): Promise<SharedStrings> {
  const strings = new SharedStrings();
  let current: string | undefined;
  let inText = false;
  let phonetic = 0;
  await parsePart(
    path,
    entry,
    {
      open(name, _attrs, selfClosing) {
        if (name === 'si') {
          current = '';
          if (selfClosing) {
            strings.add('');
            current = undefined;
          }
        } else if (name === 'rPh') {
          if (!selfClosing) phonetic++;
        } else if (name === 't' && !selfClosing) {
          inText = true;
        }
      },
      close(name) {
        if (name === 't') inText = false;
        else if (name === 'rPh') phonetic--;
        else if (name === 'si' && current !== undefined) {
          strings.add(decodeXString(current));
          current = undefined;
        }
      },
      text(text) {
        if (inText && phonetic === 0 && current !== undefined) current += text;
      },
    },
    signal,
  );
  strings.seal();
  return strings;
}
