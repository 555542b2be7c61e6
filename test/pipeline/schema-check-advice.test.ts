/**
 * `schema check` advice: when a reader option makes the cells fit (decimal comma, thousands separator,
 * day/month order, null words), it is suggested first and the key is not retyped; a key most of whose
 * cells fit is never proposed for retyping; a day/month order is suggested only when the dates say which.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSchemaCheck } from '../../src/pipeline/run-schema-check.js';
import { checkFixes } from '../../src/cli/commands/schema-data.js';
import { createMetaSchema } from '../../src/schema/index.js';
import { makeTempDir } from '../temp-dirs.js';

const schema = createMetaSchema([
  ['speed', { type: 'number', format: 'F64' }],
  ['at', { type: 'datetime' }],
  ['city', { type: 'string', maxLength: 100 }],
  ['score', { type: 'number', format: 'F64' }],
  ['dark', { type: 'boolean' }],
]);

function file(text: string): string {
  const path = join(makeTempDir('encord-meta-advice-'), 'f.csv');
  writeFileSync(path, text);
  return path;
}

describe('schema check suggests the reader option first', () => {
  it('decimal commas and day-first dates: reader options, no retyping', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `${i},"${i},5",${13 + (i % 10)}/11/2026,x`).join('\n');
    const path = file(`index,speed,at,city\n${rows}\n`);
    const r = await runSchemaCheck({ file: path, schema });
    expect(r.ok).toBe(false);
    expect(r.proposals.find((p) => p.column === 'speed')).toMatchObject({ type: null, readerOption: '--decimal-comma' });
    expect(r.proposals.find((p) => p.column === 'at')).toMatchObject({ type: null, readerOption: '--date-format dd/mm/yyyy' });
    const fixes = checkFixes(r, 'f.csv');
    expect(fixes[0]).toBe('encord-meta schema check f.csv --decimal-comma --date-format dd/mm/yyyy   # then import with the same flags');
    expect(fixes.join('\n')).not.toContain('--set');
  });

  it('dates whose day and month are both ≤ 12 get no day/month guess', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `${i},${(i % 12) + 1}/0${(i % 9) + 1}/2026`).join('\n');
    const r = await runSchemaCheck({ file: file(`index,at\n${rows}\n`), schema });
    expect(r.proposals.find((p) => p.column === 'at')?.readerOption).toBeUndefined();
  });

  it('a key most of whose cells fit is not proposed for retyping; NaN words get --null-values', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `${i},${i === 3 ? 'fast' : i}.5,${i === 5 ? 'NaN' : i}`).join('\n');
    const r = await runSchemaCheck({ file: file(`index,speed,score\n${rows}\n`), schema });
    expect(r.proposals.find((p) => p.column === 'speed')).toMatchObject({ type: null });
    expect(r.proposals.find((p) => p.column === 'speed')!.evidence).toMatch(/9 of 10 values fit number: fix the failing cells/);
    expect(r.proposals.find((p) => p.column === 'score')).toMatchObject({ readerOption: '--null-values NaN,NA,N/A,null,None' });
    expect(checkFixes(r, 'f.csv').join('\n')).not.toContain('--set');
  });

  it('spreadsheet boolean words (WAHR/FALSCH, VRAI/FAUX): --true-values/--false-values, never enum(FALSCH,WAHR)', async () => {
    for (const [yes, no] of [['WAHR', 'FALSCH'], ['Vrai', 'Faux']] as const) {
      const rows = Array.from({ length: 10 }, (_, i) => `${i},${i % 3 === 0 ? yes : no}`).join('\n');
      const r = await runSchemaCheck({ file: file(`index,dark\n${rows}\n`), schema });
      expect(r.proposals.find((p) => p.column === 'dark')).toMatchObject({ type: null, readerOption: `--true-values ${yes.toUpperCase()} --false-values ${no.toUpperCase()}` });
      const fixes = checkFixes(r, 'f.csv').join('\n');
      expect(fixes).toContain(`--true-values ${yes.toUpperCase()} --false-values ${no.toUpperCase()}`);
      expect(fixes).not.toContain('--set');
    }
  });

  it("boolean words of no known language are not guessed: which one is true is not the tool's to say", async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `${i},${i % 2 === 0 ? 'quux' : 'zot'}`).join('\n');
    const r = await runSchemaCheck({ file: file(`index,dark\n${rows}\n`), schema });
    expect(r.proposals.find((p) => p.column === 'dark')?.readerOption).toBeUndefined();
  });
});
