import { describe, expect, it } from 'vitest';
import { escapeFormula, unescapeFormula, writtenByEncordMeta } from '../../src/formula-cells.js';
import { neutraliseFormula, safeCsvLine } from '../../src/report/csv-writer.js';

describe('escapeFormula / unescapeFormula (spreadsheet-safe cells)', () => {
  const FORMULAS = ['=1+2', '+A1', '-A1', '-2+3', '@SUM(A1)', '\tx', '\rx', '=', '-', '+', '@'];

  it('never writes a cell a spreadsheet would run: = + - @ tab CR get a leading quote', () => {
    for (const f of FORMULAS) expect(escapeFormula(f)).toBe(`'${f}`);
  });

  it('plain numbers are not formulas and are written as they are', () => {
    for (const n of ['-5', '-1.5e3', '+3', '-0.25', '-.5', '-1E-7', '5', '0']) expect(escapeFormula(n)).toBe(n);
  });

  it("is a bijection: '=x written by a user survives as ''=x, and every cell reads back exactly", () => {
    const cells = [...FORMULAS, "'=x", "''=x", "'-5", "''-5", "'", "'a", 'a', '', '-5', '=x', "'\t", 'plain', '[1,5,9]', '{"a":1}'];
    expect(escapeFormula("'=x")).toBe("''=x");
    for (const c of cells) expect(unescapeFormula(escapeFormula(c))).toBe(c);
    // Cells not written by escapeFormula are left alone by unescapeFormula.
    for (const c of ["'a", "'-5", "'", '-5', 'x']) expect(unescapeFormula(c)).toBe(c);
  });

  it('the message escape (neutraliseFormula) follows the same rule', () => {
    expect(neutraliseFormula('=x')).toBe("'=x");
    expect(neutraliseFormula("'=x")).toBe("''=x");
    expect(neutraliseFormula('-5')).toBe('-5');
  });

  it('safeCsvLine escapes then quotes', () => {
    expect(safeCsvLine(['=a,b', '-5', '\tx'])).toBe(`"'=a,b",-5,'\tx\n`);
  });

  it('recognises only the files encord-meta writes: a report by its last columns, a listing by its first', () => {
    expect(writtenByEncordMeta(['data_hash', 'city', '_line', '_error_code', '_error_column', '_error', '_raw'])).toBe('report');
    expect(writtenByEncordMeta(['index', 'data_hash', 'title', 'item_uuid', 'city'])).toBe('list');
    expect(writtenByEncordMeta(['data_hash', 'city'])).toBeUndefined();
    expect(writtenByEncordMeta(['data_hash', 'index', 'title', 'item_uuid'])).toBeUndefined();
    expect(writtenByEncordMeta(['data_hash', '_line', '_error'])).toBeUndefined();
  });
});
