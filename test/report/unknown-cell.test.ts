/**
 * Cells of columns with no key in the schema (`--unknown-columns json|string`): read as `list` writes them,
 * never silently re-typed, and never written as text when they spell a JSON value under `string`.
 */
import { describe, expect, it } from 'vitest';
import { resolveCoercionOptions } from '../../src/coercion/index.js';
import type { DataUnit } from '../../src/encord/metadata-store.js';
import type { Metadata } from '../../src/encord/protocol/types.js';
import { planColumns } from '../../src/mapping/column-plan.js';
import { coerceUnknownCell } from '../../src/pipeline/unknown-cell.js';
import type { MetaSchema } from '../../src/schema/index.js';
import type { Cell } from '../../src/sources/source.js';

const options = resolveCoercionOptions({});
const unit = (metadata: Metadata | null): DataUnit => ({ index: 0, dataHash: 'h', title: 't', dataType: 'IMAGE', backingItemUuid: null, metadata });
const json = (cell: Cell, metadata: Metadata | null = {}) => coerceUnknownCell(cell, 'k', [unit(metadata)], 'json', options);
const text = (cell: Cell, metadata: Metadata | null = {}) => coerceUnknownCell(cell, 'k', [unit(metadata)], 'string', options);

describe('--unknown-columns json', () => {
  it('JSON arrays, objects, numbers and booleans are those values; other text is a string; empty is empty', () => {
    expect(json('[1,5,9]')).toEqual({ kind: 'value', value: [1, 5, 9] });
    expect(json('{"a":{"b":[true]}}')).toEqual({ kind: 'value', value: { a: { b: [true] } } });
    expect(json('-1.5e3')).toEqual({ kind: 'value', value: -1500 });
    expect(json('false')).toEqual({ kind: 'value', value: false });
    for (const s of ['hello', 'null', '"quoted"', '02139', ' 5', '5 ', 'True', '2026-11-28T10:00:00Z', '1,5']) expect(json(s)).toEqual({ kind: 'value', value: s });
    expect(json('')).toEqual({ kind: 'empty' });
    expect(json(null)).toEqual({ kind: 'empty' });
  });

  it('a cell equal to what list writes for the current value keeps it exactly: the string "5" stays a string', () => {
    expect(json('5', { k: '5' })).toEqual({ kind: 'value', value: '5' });
    expect(json('true', { k: 'true' })).toEqual({ kind: 'value', value: 'true' });
    expect(json('[1]', { k: '[1]' })).toEqual({ kind: 'value', value: '[1]' });
    expect(json('6', { k: '5' })).toEqual({ kind: 'value', value: 6 });
    // Unknown metadata (null): nothing to keep, the cell is read as JSON.
    expect(json('5', null)).toEqual({ kind: 'value', value: 5 });
  });

  it('refuses what it cannot write exactly: broken JSON after [ or {, integers beyond ±2^53', () => {
    expect(json('[1,2')).toMatchObject({ kind: 'error', code: 'UNKNOWN_COLUMN_INVALID_JSON' });
    expect(json('{draft}')).toMatchObject({ kind: 'error', code: 'UNKNOWN_COLUMN_INVALID_JSON' });
    expect(json('12345678901234567890')).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    expect(json('1e400')).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    expect(json('[1, 9007199254740993]')).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    expect(json('9007199254740994')).toEqual({ kind: 'value', value: 9007199254740994 });
    // ... unless it is what list wrote for the current (string) value.
    expect(json('12345678901234567890', { k: '12345678901234567890' })).toEqual({ kind: 'value', value: '12345678901234567890' });
  });

  it('typed Parquet cells are values as they are', () => {
    expect(json(3)).toEqual({ kind: 'value', value: 3 });
    expect(json(true)).toEqual({ kind: 'value', value: true });
    expect(json([1, 2])).toEqual({ kind: 'value', value: [1, 2] });
  });
});

describe('--unknown-columns string', () => {
  it('text is a string; a cell that spells a JSON array, object, number or boolean is refused, not written as text', () => {
    expect(text('hello')).toEqual({ kind: 'value', value: 'hello' });
    expect(text('02139')).toEqual({ kind: 'value', value: '02139' });
    for (const c of ['[1,5,9]', '{"a":1}', '5', '-1.5', 'true', 3, false]) expect(text(c)).toMatchObject({ kind: 'error', code: 'UNKNOWN_COLUMN_NOT_TEXT' });
    expect(text('5')).toMatchObject({ message: expect.stringContaining('--unknown-columns json') as unknown });
  });

  it('unchanged cells keep the current value, whatever its type', () => {
    expect(text('[1,5,9]', { k: [1, 5, 9] })).toEqual({ kind: 'value', value: [1, 5, 9] });
    expect(text('5', { k: '5' })).toEqual({ kind: 'value', value: '5' });
    expect(text(4, { k: 4 })).toEqual({ kind: 'value', value: 4 });
  });
});

describe('planColumns', () => {
  const schema: MetaSchema = { fields: new Map([['city', { type: 'string', maxLength: 8192 }]]), rawOptions: new Map() };
  const plan = (columns: string[], unknownColumns?: 'error' | 'skip' | 'json' | 'string') =>
    planColumns({ columns, keyColumn: 'data_hash', schema, unknownColumns, source: 'f.csv' });

  it('a listing (starts with index,data_hash,title,item_uuid) reads unknown columns as json by default; other files refuse them', () => {
    const listed = plan(['index', 'data_hash', 'title', 'item_uuid', 'city', 'count']);
    expect(listed.unknownColumns).toBe('json');
    expect(listed.fields.find((f) => f.key === 'count')).toMatchObject({ kind: 'cell', unknown: 'json' });
    expect(listed.fields.find((f) => f.key === 'city')).not.toHaveProperty('unknown');
    expect(() => plan(['data_hash', 'city', 'count'])).toThrow(/--unknown-columns skip \(leave it out\) or --unknown-columns json/);
  });

  it('never imports a column starting with _ (report columns, _keyframes), whatever the policy or mapping', () => {
    for (const policy of ['json', 'string', 'skip', undefined] as const) {
      const p = planColumns({
        columns: ['index', 'data_hash', 'title', 'item_uuid', '_keyframes', '_error', 'city'],
        keyColumn: 'data_hash',
        schema,
        unknownColumns: policy,
        mapping: { rename: { _keyframes: 'keyframes' } },
        source: 'f.csv',
      });
      expect(p.fields.map((f) => f.key)).toEqual(['city']);
    }
  });
});
