/**
 * Conventions of common CSV exports that must import without surprises: Excel's `sep=;` hint line, and
 * pandas' `to_csv` (default `index=True`) whose first header cell is empty (the row index).
 */
import { describe, expect, it } from 'vitest';
import { CsvSource } from '../../src/sources/csv/csv-source.js';
import { MetaError } from '../../src/errors.js';
import { bads, collect, rows, tempDir, writeTemp } from './helpers.js';

async function read(text: string, options?: ConstructorParameters<typeof CsvSource>[1]) {
  const source = new CsvSource(writeTemp(tempDir(), 'f.csv', text), options);
  await source.open();
  return { source, items: await collect(source) };
}

describe("Excel's sep= hint line", () => {
  it('sep=; names the delimiter and is not the header; line numbers stay physical', async () => {
    const { source, items } = await read('sep=;\r\nindex;city;speed\r\n0;Paris;1,5\r\n1;"a;b";2\r\n');
    expect(source.delimiter).toBe(';');
    expect(source.columns).toEqual(['index', 'city', 'speed']);
    expect(rows(items).map((r) => [r.line, r.values])).toEqual([
      [3, { index: '0', city: 'Paris', speed: '1,5' }],
      [4, { index: '1', city: 'a;b', speed: '2' }],
    ]);
    expect(bads(items)).toEqual([]);
  });

  it('sep=, and sep=<tab> too, with a byte-order mark before it', async () => {
    expect((await read('\ufeffsep=,\nindex,city\n0,a\n')).source.columns).toEqual(['index', 'city']);
    expect((await read('sep=\t\nindex\tcity\n0\ta\n')).source.columns).toEqual(['index', 'city']);
  });
});

describe("pandas' unnamed index column", () => {
  it('a first header cell left empty is the row index, read as the column _index (never imported)', async () => {
    const { source, items } = await read(',data_hash,city\n0,h1,Paris\n1,h2,Oslo\n');
    expect(source.columns).toEqual(['_index', 'data_hash', 'city']);
    expect(rows(items)[1]!.values).toEqual({ _index: '1', data_hash: 'h2', city: 'Oslo' });
  });

  it('another unnamed column is refused with a message naming --skip-unnamed-columns; with it, left out', async () => {
    const error = await read('index,,city\n0,x,Paris\n').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MetaError);
    expect((error as MetaError).code).toBe('SOURCE_EMPTY_COLUMN_NAME');
    expect((error as MetaError).message).toContain('--skip-unnamed-columns');
    const { source } = await read('index,,city\n0,x,Paris\n', { unnamedColumns: 'skip' });
    expect(source.columns).toEqual(['index', '_unnamed_2', 'city']);
  });
});

describe('end to end', () => {
  it("a pandas to_csv export (index=True) imports with no flag, and the run says the index column was left out", async () => {
    const { startHarness, DATASET, ROWS, TEST_KEY_TEXT } = await import('../pipeline/harness.js');
    const { cli, envFor } = await import('../cli/helpers.js');
    const h = await startHarness();
    try {
      const file = h.write('pandas.csv', `,data_hash,city\n0,${ROWS[1].dataHash},Paris\n1,${ROWS[3].dataHash},Oslo\n`);
      const r = await cli(['import', file, '--dataset', DATASET, '--state-dir', `${h.dir}/state`, '--no-progress'], { url: h.emulator.url, env: envFor(h.emulator.url, { ENCORD_SSH_KEY: TEST_KEY_TEXT }) });
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain("not imported: column _index (pandas' row index");
      expect(h.metadataOf(ROWS[1].dataHash)).toEqual({ city: 'Paris' });
      expect(h.metadataOf(ROWS[3].dataHash)).toEqual({ city: 'Oslo' });
    } finally {
      await h.close();
    }
  });
});
