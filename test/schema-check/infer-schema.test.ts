import { describe, expect, it } from 'vitest';
import { resolveCoercionOptions } from '../../src/coercion/coercion-options.js';
import type { RowLike } from '../../src/schema-check/check-file.js';
import { describeSpec } from '../../src/schema/field-spec.js';
import { inferSchema } from '../../src/schema-check/infer-schema.js';
import { formatSchemaDocument } from '../../src/schema/format-schema-document.js';
import { parseSchemaDocument } from '../../src/schema/schema-document.js';
import type { Cell } from '../../src/sources/source.js';

function sample(n: number, make: (i: number) => Record<string, Cell>): RowLike[] {
  return Array.from({ length: n }, (_, i) => ({ line: i + 2, values: make(i) }));
}

const rows = sample(40, (i) => ({
  _data_hash: `h${i}`,
  captured_at: `2026-11-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`,
  temperature: String(10 + i / 4),
  dark: i % 3 === 0 ? 'yes' : 'no',
  flag: i % 2 === 0 ? '1' : '0',
  weather: ['sunny', 'rainy', 'cloudy'][i % 3]!,
  city: `City number ${i}`,
  id: `123e4567-e89b-12d3-a456-${String(i).padStart(12, '0')}`,
  emb: JSON.stringify([i, 1, 2, 3, 4, 5, 6, 7]),
  pos: `${40 + i / 10},${2 + i / 10}`,
  story: i === 0 ? 'x'.repeat(9000) : 'short',
  empty: '',
  'temp (°C)': '12',
  decimal_comma: `${i},5`,
  slash_date: `${(i % 28) + 1}/11/2026`,
}));

describe('inferSchema', () => {
  it('proposes a spec per column with evidence', async () => {
    const result = await inferSchema({ columns: Object.keys(rows[0]!.values), rows, options: resolveCoercionOptions() });
    expect(result.rowsSampled).toBe(40);
    expect(result.ignoredColumns).toEqual(['_data_hash']);
    const by = Object.fromEntries(result.columns.map((c) => [c.column, c]));
    const kind = (column: string) => (by[column]!.spec === null ? null : describeSpec(by[column]!.spec!));

    expect(kind('captured_at')).toBe('datetime');
    expect(by['captured_at']!.evidence).toBe('all 40 non-empty values parse as ISO dates');
    expect(kind('temperature')).toBe('number');
    expect(kind('dark')).toBe('boolean');
    expect(by['dark']!.evidence).toBe('all 40 non-empty values are boolean words (yes, no)');
    expect(kind('flag')).toBe('number');
    expect(by['flag']!.evidence).toContain('only 0 and 1');
    expect(kind('weather')).toBe('enum(cloudy, rainy, sunny)');
    expect(by['weather']!.evidence).toBe('3 distinct values ≤ 20 among 40 → enum');
    expect(kind('city')).toBe('string');
    expect(kind('id')).toBe('uuid');
    expect(kind('emb')).toBe('embedding(8)');
    expect(by['emb']!.evidence).toBe('JSON arrays of 8 numbers → embedding(8)');
    expect(kind('pos')).toBe('geospatial');
    expect(kind('story')).toBe('text');
    expect(kind('empty')).toBe('string');
    expect(by['empty']!.evidence).toContain('no non-empty values');
    expect(by['temp (°C)']!.spec).toBeNull();
    expect(by['temp (°C)']!.evidence).toContain('not a valid metadata key');
    expect(kind('decimal_comma')).toBe('number');
    expect(by['decimal_comma']!.evidence).toContain('--decimal-comma');
    expect(kind('slash_date')).toBe('datetime');
    expect(by['slash_date']!.evidence).toContain('--date-format');

    // The output is a valid schema document, in JSON and YAML.
    for (const format of ['json', 'yaml'] as const) {
      const text = formatSchemaDocument(result.schema, format);
      const back = parseSchemaDocument(text, `inferred.${format}`);
      expect([...back.fields.keys()]).toEqual([...result.schema.fields.keys()]);
    }
  });

  it('few distinct values that never repeat are not an enum', async () => {
    const names = sample(5, (i) => ({ name: `n${i}` }));
    const result = await inferSchema({ columns: ['name'], rows: names, options: resolveCoercionOptions() });
    expect(result.columns[0]!.spec).toMatchObject({ type: 'string' });
  });

  it('Parquet cells: booleans, lists, bigints', async () => {
    const parquet = sample(10, (i) => ({ b: i % 2 === 0, l: [i, 1, 2], big: BigInt(i) }));
    const result = await inferSchema({ columns: ['b', 'l', 'big'], rows: parquet, options: resolveCoercionOptions() });
    expect(result.columns.map((c) => describeSpec(c.spec!))).toEqual(['boolean', 'embedding(3)', 'number']);
    expect(result.columns[1]!.evidence).toBe('lists of 3 numbers → embedding(3)');
  });

  it('reads at most maxRows', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<RowLike> {
      for (;;) {
        pulled++;
        yield { line: pulled + 1, values: { n: '1' } };
      }
    }
    const result = await inferSchema({ columns: ['n'], rows: endless(), options: resolveCoercionOptions(), maxRows: 10 });
    expect(result.rowsSampled).toBe(10);
    expect(pulled).toBeLessThanOrEqual(11);
  });
});

describe('inferSchema: positions and notes', () => {
  it('a two-number list under a position-like name is geospatial, elsewhere an embedding', async () => {
    const input = sample(10, (i) => ({ gps: `[${48 + i / 100}, ${2 + i / 100}]`, location: [45 + i / 10, 4.8] as Cell, pair: `[${i}, ${i + 1}]` }));
    const r = await inferSchema({ columns: ['gps', 'location', 'pair'], rows: input, options: resolveCoercionOptions({}) });
    expect(describeSpec(r.schema.fields.get('gps')!)).toBe('geospatial');
    expect(describeSpec(r.schema.fields.get('location')!)).toBe('geospatial');
    expect(describeSpec(r.schema.fields.get('pair')!)).toBe('embedding(2)');
  });

  it('values with a line break never make an enum', async () => {
    const input = sample(20, (i) => ({ note: i % 2 === 0 ? 'ok' : 'check\nagain' }));
    const r = await inferSchema({ columns: ['note'], rows: input, options: resolveCoercionOptions({}) });
    expect(r.schema.fields.get('note')!.type).toBe('string');
  });
});
