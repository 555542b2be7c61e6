/**
 * Exports from pandas (`na_rep='NaN'`) and German/French spreadsheets (`WAHR`/`FALSCH`, `VRAI`/`FAUX`)
 * import with flags a user can find: `--null-values` reads the null words as empty cells (which keep the
 * key), `--true-values` / `--false-values` add boolean words; without them the rows fail and the messages
 * name the flag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coerce, resolveCoercionOptions } from '../../src/coercion/index.js';
import { cli, envFor } from './helpers.js';
import { DATASET, ROWS, TEST_KEY_TEXT, startHarness, type Harness } from '../pipeline/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const run = (argv: string[]) => cli(argv, { url: h.emulator.url, env: envFor(h.emulator.url, { ENCORD_SSH_KEY: TEST_KEY_TEXT }) });
const hash = (i: number): string => ROWS[i]!.dataHash;

describe('null words and boolean words', () => {
  it('--null-values NaN,NA: such cells are empty (the key is kept), exact and case-sensitive', () => {
    const options = resolveCoercionOptions({ nullValues: ['NaN', 'NA'] });
    expect(coerce('NaN', { type: 'number', format: 'F64' }, options)).toEqual({ kind: 'empty' });
    expect(coerce(' NA ', { type: 'string', maxLength: 10 }, options)).toEqual({ kind: 'empty' });
    expect(coerce('nan', { type: 'number', format: 'F64' }, options)).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    expect(coerce('NaN', { type: 'number', format: 'F64' }, resolveCoercionOptions({}))).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
  });

  it('a pandas na_rep=NaN file: a NaN number fails with a hint naming --null-values; with it, NaN cells are empty', async () => {
    const state = join(h.dir, 'state');
    const report = join(h.dir, 'r.csv');
    const numberOnly = h.write('pandas-speed.csv', `data_hash,speed\n${hash(1)},NaN\n`);
    const before = await run(['import', numberOnly, '--dataset', DATASET, '--state-dir', state, '--report', report, '--no-progress']);
    expect(before.code).toBe(3);
    expect(readFileSync(report, 'utf8')).toContain('--null-values');
    const file = h.write('pandas.csv', `data_hash,city,speed\n${hash(1)},Paris,NaN\n${hash(3)},NaN,12.5\n`);
    const after = await run(['import', file, '--dataset', DATASET, '--state-dir', state, '--null-values', 'NaN,NA,N/A', '--no-progress']);
    expect(after.code, after.err).toBe(0);
    expect(h.metadataOf(hash(1))).toEqual({ city: 'Paris' });
    expect(h.metadataOf(hash(3))).toEqual({ speed: 12.5 }); // not the text "NaN"
  });

  it('WAHR/FALSCH: rows fail naming --true-values/--false-values, then import with them; the default words still work', async () => {
    const file = h.write('de.csv', `data_hash,dark\n${hash(1)},WAHR\n${hash(3)},FALSCH\n${hash(2)},yes\n`);
    const state = join(h.dir, 'state');
    const report = join(h.dir, 'r.csv');
    const before = await run(['import', file, '--dataset', DATASET, '--state-dir', state, '--report', report, '--no-progress']);
    expect(before.code).toBe(3);
    expect(readFileSync(report, 'utf8')).toMatch(/--true-values or --false-values/);
    const after = await run(['import', file, '--dataset', DATASET, '--state-dir', state, '--true-values', 'WAHR,VRAI', '--false-values', 'FALSCH,FAUX', '--no-progress']);
    expect(after.code, after.err).toBe(0);
    expect(h.metadataOf(hash(1))).toMatchObject({ dark: true });
    expect(h.metadataOf(hash(3))).toMatchObject({ dark: false });
    expect(h.metadataOf(hash(2))).toMatchObject({ dark: true });
  });

  it('schema check and set take the same flags', async () => {
    const file = h.write('de.csv', `data_hash,dark\n${hash(1)},WAHR\n`);
    const check = await run(['schema', 'check', file, '--true-values', 'WAHR']);
    expect(check.code, check.out + check.err).toBe(0);
    const set = await run(['set', '--dataset', DATASET, '--data-hash', hash(3), 'dark=FAUX', '--false-values', 'FAUX', '--state-dir', join(h.dir, 'state')]);
    expect(set.code, set.err).toBe(0);
    expect(h.metadataOf(hash(3))).toMatchObject({ dark: false });
  });
});

describe('--geo-order, which the swapped-pair hint names', () => {
  it('a longitude-first pair fails with the hint, and imports with --geo-order lon,lat', async () => {
    const file = h.write('lonlat.csv', `data_hash,gps\n${hash(1)},"2.35,48.85"\n${hash(3)},"148.85,2.35"\n`);
    const state = join(h.dir, 'state');
    const report = join(h.dir, 'r.csv');
    const before = await run(['import', file, '--dataset', DATASET, '--state-dir', state, '--report', report, '--no-progress']);
    expect(before.code).toBe(3);
    expect(readFileSync(report, 'utf8')).toContain('--geo-order');
    const after = await run(['import', file, '--dataset', DATASET, '--state-dir', state, '--geo-order', 'lon,lat', '--no-progress']);
    expect(after.code, after.err).toBe(0);
    expect(h.metadataOf(hash(3))).toEqual({ gps: { latitude: 2.35, longitude: 148.85 } });
  });
});
