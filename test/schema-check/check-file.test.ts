import { describe, expect, it } from 'vitest';
import { resolveCoercionOptions } from '../../src/coercion/coercion-options.js';
import { checkFileAgainstSchema, checkHasFailures, formatFileCheck, type RowLike } from '../../src/schema-check/check-file.js';
import { parseSchemaDocument } from '../../src/schema/schema-document.js';

const schema = parseSchemaDocument(
  '{"captured_at":"datetime","city":"datetime","dark":"boolean","weather":"enum(sunny,rainy)","emb":"embedding(3)","unused":"number"}',
  'schema.json',
);
const columns = ['_data_hash', 'captured_at', 'city', 'dark', 'weather', 'emb', 'notes'];
const cities = ['Paris', 'Lyon', 'Nice', 'Lille', 'Brest', 'Metz', 'Pau'];

async function* rows(): AsyncGenerator<RowLike> {
  for (let i = 0; i < cities.length; i++) {
    yield {
      line: i + 2,
      values: {
        _data_hash: `h${i}`,
        captured_at: i === 3 ? '' : `2026-11-${10 + i}`,
        city: cities[i]!,
        dark: i % 2 === 0 ? 'yes' : 'no',
        weather: ['sunny', 'Sunny', 'cloudy', 'cloudy', 'rainy', 'fog', 'sunny'][i]!,
        emb: i === 6 ? '[1,2]' : '[1,2,3]',
        notes: i < 2 ? 'x' : '',
      },
    };
  }
}

describe('checkFileAgainstSchema', () => {
  it('reports a city column against a datetime schema with samples, and everything else', async () => {
    const check = await checkFileAgainstSchema({ schema, columns, rows: rows(), options: resolveCoercionOptions() });
    expect(check.rows).toBe(7);
    expect(check.ignoredColumns).toEqual(['_data_hash']);
    expect(check.keysNotInFile).toEqual(['unused']);
    const by = Object.fromEntries(check.columns.map((c) => [c.column, c]));

    expect(by['city']).toMatchObject({ ok: 0, failed: 7, empty: 0 });
    expect(by['city']!.samples).toHaveLength(5);
    expect(by['city']!.samples[0]).toEqual({
      line: 2,
      value: '"Paris"',
      code: 'INVALID_DATETIME',
      message: 'Invalid datetime: expected an ISO 8601 date or date-time such as 2026-11-28 or 2026-11-28T10:00:00Z, got "Paris"',
    });

    expect(by['captured_at']).toMatchObject({ ok: 6, failed: 0, empty: 1 });
    expect(by['dark']).toMatchObject({ ok: 7, failed: 0 });
    expect(by['weather']).toMatchObject({ ok: 3, failed: 4 });
    expect(by['weather']!.outOfEnum).toEqual([
      { value: 'cloudy', count: 2 },
      { value: 'Sunny', count: 1 },
      { value: 'fog', count: 1 },
    ]);
    expect(by['emb']).toMatchObject({ ok: 6, failed: 1 });
    expect(by['emb']!.embeddingSizes).toEqual([
      { size: 3, count: 6 },
      { size: 2, count: 1 },
    ]);
    expect(by['notes']).toMatchObject({ spec: null, ok: 2, empty: 5 });
    expect(checkHasFailures(check)).toBe(true);

    const text = formatFileCheck(check, 'weather.csv');
    expect(text).toContain('weather.csv: 7 rows');
    expect(text).toContain('  city: datetime: 0 ok, 7 failed, 0 empty');
    expect(text).toContain('    line 2: Invalid datetime: expected an ISO 8601 date or date-time');
    expect(text).toContain('    … 2 more');
    expect(text).toContain('    values not in the enum: "cloudy" (2), "Sunny" (1), "fog" (1)');
    expect(text).toContain('    embedding sizes seen: 3 (6), 2 (1)');
    expect(text).toContain('  notes: not in the schema: 2 values, 5 empty');
    expect(text).toContain('  ignored: _data_hash');
    expect(text).toContain('  schema keys with no column: unused');
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      checkFileAgainstSchema({ schema, columns, rows: rows(), options: resolveCoercionOptions(), signal: controller.signal }),
    ).rejects.toThrow('stop');
  });

  it('caps samples and distinct values', async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ line: i + 2, values: { weather: `w${i}` } }));
    const check = await checkFileAgainstSchema({
      schema,
      columns: ['weather'],
      rows: many,
      options: resolveCoercionOptions(),
      maxSamples: 2,
      maxDistinct: 3,
    });
    expect(check.columns[0]!.samples).toHaveLength(2);
    expect(check.columns[0]!.outOfEnum).toHaveLength(3);
    expect(check.columns[0]!.failed).toBe(50);
  });
});
