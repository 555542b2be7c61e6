/**
 * `SheetRows`: the XML tokenizer's callbacks for a worksheet part, turning `<sheetData>` into rows of typed
 * cells (see `xlsx-cells.ts`), pushed to `out` as each `</row>` closes. A cell that cannot be given a value
 * becomes a {@link CellFault}, never an empty cell in its place.
 */
import type { Cell } from '../source.js';
import type { SharedStrings, Workbook } from './workbook.js';
import { columnIndex, decodeXString, numberCell, serialToIso, serialToTime, type NumberKind } from './xlsx-cells.js';
import { attribute, XmlError, type XmlHandler } from './xml.js';

/** A cell the reader cannot give a value: its record fails with `code` (never an empty cell in its place). */
export class CellFault {
  constructor(
    readonly code: 'XLSX_ERROR_CELL' | 'XLSX_FORMULA_NO_VALUE' | 'XLSX_BAD_CELL',
    /** The cell's text as stored (`#N/A`), for the message and the failure report. */
    readonly text: string,
    readonly why: string,
  ) {}
}

export type XCell = Cell | CellFault;

export interface SheetRow {
  /** 1-based sheet row number. */
  readonly r: number;
  /** Cells by 0-based column; holes are empty cells. */
  readonly cells: XCell[];
}

/** What the tokenizer has seen of the current `<c>` element. */
interface CellParts {
  /** The `t` attribute: s, inlineStr, str, b, e, d, or none (a number). */
  type: string | undefined;
  /** The `s` attribute: index into the workbook's number formats. */
  style: number;
  formula: boolean;
  hasValue: boolean;
  /** Text of `<v>`. */
  value: string;
  inline: boolean;
  /** Text of `<is><t>`, phonetic runs left out. */
  inlineText: string;
}

/** The tokenizer callbacks that turn `<sheetData>` into rows, pushed to `out` as each `</row>` closes. */
export class SheetRows implements XmlHandler {
  private r = 0;
  private cells: XCell[] = [];
  private col = -1;
  private inRow = false;
  private readonly cell: CellParts = { type: undefined, style: 0, formula: false, hasValue: false, value: '', inline: false, inlineText: '' };
  private inValue = false;
  private inText = false;
  private phonetic = 0;

  constructor(
    private readonly shared: SharedStrings,
    private readonly book: Workbook,
    private readonly out: SheetRow[],
  ) {}

  open(name: string, attrs: string, selfClosing: boolean): void {
    switch (name) {
      case 'row':
        this.openRow(attrs, selfClosing);
        break;
      case 'c':
        this.openCell(attrs, selfClosing);
        break;
      case 'v':
        if (!selfClosing) {
          this.inValue = true;
          this.cell.hasValue = true;
        }
        break;
      case 'f':
        this.cell.formula = true;
        break;
      case 'is':
        this.cell.inline = true;
        break;
      case 'rPh':
        if (!selfClosing) this.phonetic++;
        break;
      case 't':
        if (this.cell.inline && !selfClosing) this.inText = true;
        break;
      default:
        break;
    }
  }

  close(name: string): void {
    switch (name) {
      case 'v':
        this.inValue = false;
        break;
      case 't':
        this.inText = false;
        break;
      case 'rPh':
        this.phonetic--;
        break;
      case 'c':
        if (this.inRow && this.col >= 0) this.cells[this.col] = cellValue(this.cell, this.shared, this.book);
        break;
      case 'row':
        if (this.inRow) this.out.push({ r: this.r, cells: this.cells });
        this.inRow = false;
        break;
      default:
        break;
    }
  }

  text(text: string): void {
    if (this.inValue) this.cell.value += text;
    else if (this.inText && this.phonetic === 0) this.cell.inlineText += text;
  }

  private openRow(attrs: string, selfClosing: boolean): void {
    const number = attribute(attrs, 'r');
    const n = number === undefined ? this.r + 1 : Number(number);
    if (!Number.isSafeInteger(n) || n < 1 || n <= this.r) {
      throw new XmlError(`row number ${JSON.stringify(number)} after row ${this.r}: rows must be numbered in increasing order`);
    }
    this.r = n;
    this.cells = [];
    this.col = -1;
    this.inRow = !selfClosing;
    if (selfClosing) this.out.push({ r: this.r, cells: this.cells });
  }

  private openCell(attrs: string, selfClosing: boolean): void {
    if (!this.inRow) throw new XmlError('a cell outside a row');
    const ref = attribute(attrs, 'r');
    const at = ref === undefined ? this.col + 1 : columnIndex(ref);
    if (at < 0 || at > 16_383 || at <= this.col) {
      throw new XmlError(`cell reference ${JSON.stringify(ref)} in row ${this.r} is not a cell of the sheet, or comes out of order`);
    }
    this.col = at;
    const c = this.cell;
    c.type = attribute(attrs, 't');
    const s = attribute(attrs, 's');
    c.style = s === undefined ? 0 : Number(s);
    c.formula = false;
    c.hasValue = false;
    c.value = '';
    c.inline = false;
    c.inlineText = '';
    this.phonetic = 0;
    if (selfClosing) this.cells[this.col] = null;
  }
}

const ERROR_HINTS: Readonly<Record<string, string>> = {
  '#N/A': 'no value available (a lookup found nothing)',
  '#DIV/0!': 'a division by zero',
  '#VALUE!': 'a wrong type of argument',
  '#REF!': 'a reference to a deleted cell',
  '#NAME?': 'an unknown function or name',
  '#NUM!': 'an invalid number',
  '#NULL!': 'an empty intersection',
};

const NO_CACHE =
  'holds a formula with no saved value (the program that wrote the file does not compute formulas); open and save the file in Excel or LibreOffice, or paste the values in place of the formulas';

/** A cell with no `<v>`: empty, unless it is a formula whose value was never saved. */
function noValue(c: CellParts): XCell {
  return c.formula ? new CellFault('XLSX_FORMULA_NO_VALUE', '', NO_CACHE) : null;
}

/** The value of a finished `<c>`, by its type attribute. */
function cellValue(c: CellParts, shared: SharedStrings, book: Workbook): XCell {
  const value = c.value;
  switch (c.type) {
    case 's': {
      if (!c.hasValue) return noValue(c);
      const i = Number(value);
      const s = Number.isInteger(i) ? shared.get(i) : undefined;
      return s ?? new CellFault('XLSX_BAD_CELL', value, `refers to shared string ${JSON.stringify(value)}, which the workbook does not have`);
    }
    case 'inlineStr':
      if (c.inline) return decodeXString(c.inlineText);
      if (c.hasValue) return decodeXString(value);
      return noValue(c);
    case 'str':
      if (!c.hasValue) return noValue(c);
      return decodeXString(value);
    case 'b':
      if (!c.hasValue) return noValue(c);
      if (value === '1' || value === 'true') return true;
      if (value === '0' || value === 'false') return false;
      return new CellFault('XLSX_BAD_CELL', value, `is a boolean cell holding ${JSON.stringify(value)} (expected 1 or 0)`);
    case 'e': {
      const text = value.trim();
      return new CellFault('XLSX_ERROR_CELL', text, `holds the error ${text}${ERROR_HINTS[text] === undefined ? '' : `, ${ERROR_HINTS[text]},`} not a value; fix the ${c.formula ? 'formula' : 'cell'} or clear it`);
    }
    case 'd':
      if (!c.hasValue) return noValue(c);
      return value.trim();
    default:
      if (!c.hasValue) return noValue(c);
      return numericValue(value.trim(), c.style, book);
  }
}

/** A number cell: a number, or a date or time when its style's number format says so. */
function numericValue(text: string, style: number, book: Workbook): XCell {
  if (text === '') return null;
  const n = numberCell(text);
  if (n === undefined) return new CellFault('XLSX_BAD_CELL', text, `is a number cell holding ${JSON.stringify(text.slice(0, 40))}, which is not a number`);
  const kind: NumberKind = book.styleKinds[style] ?? 'number';
  if (kind === 'number') return n;
  const serial = Number(text);
  if (kind === 'date') return serialToIso(serial, book.date1904) ?? n;
  return serialToTime(serial) ?? n;
}
