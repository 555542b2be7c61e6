import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/sources/open-source.js';
import { escapeFormula, unescapeFormula, writtenByEncordMeta } from '../../src/formula-cells.js';
import { neutraliseFormula, safeCsvLine } from '../../src/report/csv-writer.js';
import { makeTempDir } from '../temp-dirs.js';

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
    expect(writtenByEncordMeta(['item_uuid', 'name', 'path', 'city'])).toBe('list');
    expect(writtenByEncordMeta(['item_uuid', 'path', 'name', 'city'])).toBeUndefined();
    expect(writtenByEncordMeta(['data_hash', 'city'])).toBeUndefined();
    expect(writtenByEncordMeta(['data_hash', 'index', 'title', 'item_uuid'])).toBeUndefined();
    expect(writtenByEncordMeta(['data_hash', '_line', '_error'])).toBeUndefined();
  });
});

describe('openSource undoes the escape only in files encord-meta wrote (what import, schema check and schema infer read)', () => {
  async function cells(text: string): Promise<{ columns: readonly string[]; rows: Record<string, unknown>[]; bad: unknown[] }> {
    const dir = makeTempDir('encord-meta-formula-');
    const path = join(dir, 'f.csv');
    writeFileSync(path, text);
    const source = await openSource(path);
    const rows: Record<string, unknown>[] = [];
    const bad: unknown[] = [];
    for await (const item of source.items()) {
      if (item.kind === 'row') rows.push({ ...item.row.values });
      else bad.push(item.bad);
    }
    await source.close();
    return { columns: source.columns, rows, bad };
  }

  it('a failure report: cells, header and bad records read back as they were before escaping', async () => {
    const r = await cells(`data_hash,'=k,_line,_error_code,_error_column,_error,_raw\nh,'=x,2,C,k,msg,\nh,''=y,3,C,k,'=m,"'=a,b"\nh,-5,4\n`);
    expect(r.columns).toEqual(['data_hash', '=k', '_line', '_error_code', '_error_column', '_error', '_raw']);
    expect(r.rows[0]).toMatchObject({ '=k': '=x' });
    expect(r.rows[1]).toMatchObject({ '=k': "'=y", _error: '=m', _raw: '=a,b' });
    expect(r.bad).toMatchObject([{ code: 'CSV_RECORD_INCONSISTENT_COLUMNS', values: { data_hash: 'h', '=k': '-5' } }]);
  });

  it('a list export too; a file of the user\'s own is read exactly as written', async () => {
    expect((await cells(`index,data_hash,title,item_uuid,city\n0,h,t,u,'=x\n`)).rows[0]).toMatchObject({ city: '=x' });
    expect((await cells(`data_hash,city\nh,'=x\n`)).rows[0]).toEqual({ data_hash: 'h', city: "'=x" });
  });
});
