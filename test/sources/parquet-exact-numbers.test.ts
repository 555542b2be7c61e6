/**
 * Numbers are exact or refused, from Parquet, end to end against the emulator: a DECIMAL, INT64, UINT64 or
 * 128-bit integer value a JSON number cannot hold fails its row with INVALID_NUMBER (and the hint to use a
 * string key); values a double holds exactly, and float32 embeddings, import as before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/pipeline/run-import.js';
import { DATASET, ROWS, startHarness, type Harness } from '../pipeline/harness.js';

const hash = (i: number): string => ROWS[i]!.dataHash;

let h: Harness;
let db: DuckDBInstance;
beforeAll(async () => {
  h = await startHarness();
  db = await DuckDBInstance.create(':memory:', { threads: '1' });
});
afterAll(async () => {
  db.closeSync();
  await h.close();
});

async function parquet(name: string, select: string): Promise<string> {
  const path = join(h.dir, name);
  const con = await db.connect();
  try {
    await con.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  } finally {
    con.closeSync();
  }
  return path;
}

async function importFile(file: string) {
  const reportPath = `${file}.report.csv`;
  const result = await runImport({ datasetHash: DATASET, store: h.client, stateDir: join(h.dir, 'state'), file, reportPath });
  return { summary: result.summary, report: result.summary.failed > 0 ? readFileSync(reportPath, 'utf8') : '' };
}

describe('numbers are exact or refused: Parquet cells a JSON number cannot hold fail INVALID_NUMBER', () => {
  it.each<[string, string, string, string]>([
    ['DECIMAL(38,2) 12345678901234567.89', '12345678901234567.89', 'DECIMAL(38,2)', 'would be written as 12345678901234568'],
    ['a 38-digit integer (DECIMAL(38,0): how Parquet stores a 128-bit integer)', '12345678901234567890123456789012345678', 'DECIMAL(38,0)', 'would be written as 1.2345678901234568e+37'],
    ['UBIGINT 2^64 − 1', '18446744073709551615', 'UBIGINT', 'would be written as 18446744073709552000'],
    ['BIGINT 2^53 + 1', '9007199254740993', 'BIGINT', 'would be written as 9007199254740992'],
  ])('%s: the row fails, nothing is written for it, the report says to use a string key', async (what, value, type, detail) => {
    const before = h.metadataOf(hash(1));
    const file = await parquet(`${what.replace(/\W+/g, '_')}.parquet`, `SELECT * FROM (VALUES (1::BIGINT, ${value}::${type}), (3, 2::${type})) t("index", speed)`);
    const { summary, report } = await importFile(file);
    expect(summary.failedByCode).toEqual({ INVALID_NUMBER: 1 });
    expect(report).toContain(detail);
    expect(report).toContain('store it in a string key');
    expect(h.metadataOf(hash(1))).toEqual(before);
    expect(h.metadataOf(hash(3))).toMatchObject({ speed: 2 });
  });

  it('exact values import unchanged: DECIMAL 12.50, 0.1 and 2^53 − 1, float32 embeddings', async () => {
    const file = await parquet(
      'exact.parquet',
      `SELECT * FROM (VALUES (1::BIGINT, 12.50::DECIMAL(38,2), [0.1, 0.2, 0.3, 0.4]::FLOAT[]), (2, 0.1::DECIMAL(38,2), [1.1, 2.5, -3.25, 1e-3]::FLOAT[]), (3, 9007199254740991.00::DECIMAL(38,2), NULL::FLOAT[])) t("index", speed, embedding)`,
    );
    const { summary } = await importFile(file);
    expect(summary).toMatchObject({ failed: 0, written: 3 });
    expect(h.metadataOf(hash(1))).toMatchObject({ speed: 12.5, embedding: [0.1, 0.2, 0.3, 0.4] });
    expect(h.metadataOf(hash(2))).toMatchObject({ speed: 0.1, embedding: [1.1, 2.5, -3.25, 0.001] });
    expect(h.metadataOf(hash(3))).toMatchObject({ speed: 9007199254740991 });
  });
});

describe('a Parquet DECIMAL is machine-written text: the locale options never re-read it', () => {
  it.each<[string, { decimalComma?: boolean; thousandsSeparator?: '.' | ',' | ' ' | 'none' }]>([
    ['--decimal-comma --thousands .', { decimalComma: true, thousandsSeparator: '.' }],
    ['--decimal-comma', { decimalComma: true }],
    ['--thousands ,', { thousandsSeparator: ',' }],
  ])('with %s, DECIMAL 1.234 imports as 1.234 and 12.50 as 12.5', async (_flags, coercion) => {
    const file = await parquet(`decimal-locale-${Object.keys(coercion).join('-')}-${String(coercion.thousandsSeparator)}.parquet`,
      `SELECT * FROM (VALUES (1::BIGINT, 1.234::DECIMAL(10,3), 'Rome'), (3, 12.50::DECIMAL(10,2), 'Oslo')) t("index", speed, city)`);
    const result = await runImport({ datasetHash: DATASET, store: h.client, stateDir: join(h.dir, 'state'), file, coercion });
    expect(result.summary.failed).toBe(0);
    expect(h.metadataOf(hash(1))).toMatchObject({ speed: 1.234 });
    expect(h.metadataOf(hash(3))).toMatchObject({ speed: 12.5 });
  });
});

describe('values inside a STRUCT, MAP or LIST keep their type: never re-typed as text', () => {
  async function importJson(file: string) {
    const reportPath = `${file}.report.csv`;
    const result = await runImport({ datasetHash: DATASET, store: h.client, stateDir: join(h.dir, 'state'), file, reportPath, unknownColumns: 'json' });
    return { summary: result.summary, report: result.summary.failed > 0 ? readFileSync(reportPath, 'utf8') : '' };
  }

  it('a DECIMAL inside a STRUCT or LIST is a number (12.50 was written as the string "12.50")', async () => {
    const file = await parquet(
      'nested-decimal.parquet',
      `SELECT 1::BIGINT AS "index", {'d': 12.50::DECIMAL(9,2), 'n': -0.5::DECIMAL(9,2)} AS extra, [1.5::DECIMAL(4,2), 2] AS lst, [{'a': 1}, {'a': 2}] AS objs, MAP {'k': 0.25::DECIMAL(4,2)} AS m`,
    );
    const { summary } = await importJson(file);
    expect(summary).toMatchObject({ failed: 0, written: 1 });
    expect(h.metadataOf(hash(1))).toMatchObject({ extra: { d: 12.5, n: -0.5 }, lst: [1.5, 2], objs: [{ a: 1 }, { a: 2 }], m: { k: 0.25 } });
  });

  it('a DECIMAL inside a STRUCT a double cannot hold fails INVALID_NUMBER', async () => {
    const before = h.metadataOf(hash(2));
    const file = await parquet('nested-inexact.parquet', `SELECT 2::BIGINT AS "index", {'d': 12345678901234567.89::DECIMAL(38,2)} AS extra`);
    const { summary, report } = await importJson(file);
    expect(summary.failedByCode).toEqual({ INVALID_NUMBER: 1 });
    expect(report).toContain('12345678901234567.89');
    expect(h.metadataOf(hash(2))).toEqual(before);
  });

  it('NaN or Infinity inside a STRUCT fails its row (it was written as the string "NaN")', async () => {
    const before = h.metadataOf(hash(3));
    const file = await parquet('nested-nan.parquet', `SELECT 3::BIGINT AS "index", {'x': 'NaN'::DOUBLE} AS extra UNION ALL SELECT 5, {'x': 'inf'::DOUBLE}`);
    const { summary } = await importJson(file);
    expect(summary).toMatchObject({ failed: 2, written: 0 });
    expect(h.metadataOf(hash(3))).toEqual(before);
  });
});
