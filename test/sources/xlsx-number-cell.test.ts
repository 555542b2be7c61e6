/** What a number cell's `<v>` text means: a double when the text is a print of one, else the text itself. */
import { describe, expect, it } from 'vitest';
import { numberCell } from '../../src/sources/xlsx/xlsx-cells.js';

describe('xlsx number cells: the double a writer printed, or the exact text for coercion to refuse', () => {
  it.each([
    ['2.2', 2.2],
    ['2.2000000000000002', 2.2], // Excel's 17-digit print
    ['408.123456789011999996', 408.123456789012], // Gnumeric's 21-digit print of the same double
    ['0.10000000000000000555', 0.1], // %.20g of 0.1
    ['9.99999999999999999999', 10], // rounds up across every digit
  ])('%s reads as the double %s', (text, want) => {
    expect(numberCell(text)).toBe(want);
  });

  it.each([
    ['9007199254740993'], // an integer a double cannot hold
    ['12345678901234567.89'], // a decimal with more digits than a double, not a print of one
    ['0.12345678901234567891'], // 20 digits whose 18-digit form is not the double's shortest form
  ])('%s keeps its text, which a number key refuses as inexact', (text) => {
    expect(numberCell(text)).toBe(text);
  });
});
