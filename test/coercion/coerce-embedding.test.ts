import { describe, expect, it } from 'vitest';
import { coerceEmbedding, embeddingLength } from '../../src/coercion/coerce-embedding.js';
import type { SpecOf } from '../../src/schema/field-spec.js';
import type { Cell } from '../../src/sources/source.js';

const three: SpecOf<'embedding'> = { type: 'embedding', size: 3 };

describe('coerceEmbedding', () => {
  it.each<[string, Cell, number[]]>([
    ['JSON array text', '[0.1, 0.2, 0.3]', [0.1, 0.2, 0.3]],
    ['no spaces, integers, exponent', '[1,-2,3e-2]', [1, -2, 0.03]],
    ['trimmed', '  [0,0,0]  ', [0, 0, 0]],
    ['Parquet LIST', [0.5, 1, 2], [0.5, 1, 2]],
    ['Parquet LIST with bigints', [1n, 2n, 3n], [1, 2, 3]],
  ])('%s: %o', (_what, cell, expected) => {
    expect(coerceEmbedding(cell, three)).toEqual({ kind: 'value', value: expected });
  });

  it.each<[Cell]>([[''], ['  '], [null]])('%o is empty', (cell) => {
    expect(coerceEmbedding(cell, three)).toEqual({ kind: 'empty' });
  });

  it.each<[string, Cell, string]>([
    ['too short', '[0.1, 0.2]', 'Invalid embedding: expected a JSON array of 3 numbers, got an array of 2 numbers'],
    ['too long', '[1,2,3,4]', 'got an array of 4 numbers'],
    ['empty array', '[]', 'got an array of 0 numbers'],
    ['NaN is not JSON', '[NaN, 1, 2]', 'NaN and Infinity are not numbers'],
    ['Infinity is not JSON', '[Infinity, 1, 2]', 'NaN and Infinity are not numbers'],
    ['overflowing exponent', '[1e999, 1, 2]', 'element 0 = Infinity'],
    ['a string element', '[1, "2", 3]', 'element 1 = "2"'],
    ['a null element', '[1, null, 3]', 'element 1 = null'],
    ['nested array', '[[1], 2, 3]', 'element 0 = a list of 1 value'],
    ['bad JSON', '[1, 2,', 'not valid JSON'],
    ['not an array', '0.1, 0.2, 0.3', 'write it as a JSON array such as [0.1, 0.2]'],
    ['a JSON object', '{"a": 1}', 'write it as a JSON array'],
    ['Parquet LIST with NaN', [1, Number.NaN, 2], 'element 1 = NaN'],
    ['Parquet LIST with a string', [1, 'x', 2], 'element 1 = "x"'],
    ['a number', 3, 'got number 3'],
  ])('refuses %s', (_what, cell, message) => {
    const result = coerceEmbedding(cell, three);
    expect(result).toMatchObject({ kind: 'error', code: 'INVALID_EMBEDDING' });
    expect(result.kind === 'error' && result.message).toContain(message);
  });

  it('an embedding without size (simple form) takes any non-empty length', () => {
    const free: SpecOf<'embedding'> = { type: 'embedding', size: null };
    expect(coerceEmbedding('[1,2,3,4,5]', free)).toMatchObject({ kind: 'value' });
    expect(coerceEmbedding('[]', free)).toMatchObject({ kind: 'error', expected: 'a JSON array of numbers' });
  });

  it('embeddingLength reads the length of array-looking cells', () => {
    expect(embeddingLength('[1,2]')).toBe(2);
    expect(embeddingLength([1, 2, 3])).toBe(3);
    expect(embeddingLength('nope')).toBeNull();
    expect(embeddingLength('[1,')).toBeNull();
  });
});

describe('numbers are exact or refused: embedding elements', () => {
  const two: SpecOf<'embedding'> = { type: 'embedding', size: 2 };
  it.each<[string, Cell, string]>([
    ['a JSON element JSON.parse would round', '[0.1, 9007199254740993]', 'element 1 = 9007199254740993'],
    ['a JSON element that underflows', '[1e-400, 0.5]', 'element 0 = 1e-400'],
    ['a Parquet BIGINT element', [1n, 2n ** 60n], 'element 1 = 1152921504606846976'],
  ])('%s is refused with INVALID_NUMBER, not rounded', (_what, cell, where) => {
    const result = coerceEmbedding(cell, two);
    expect(result).toMatchObject({ kind: 'error', code: 'INVALID_NUMBER' });
    if (result.kind === 'error') {
      expect(result.message).toContain(where);
      expect(result.message).toContain('store it in a string key');
    }
  });

  it('float32 embeddings (shortest float32 decimals) and 17-digit shortest doubles import unchanged', () => {
    expect(coerceEmbedding('[0.1, 0.30000000000000004]', two)).toEqual({ kind: 'value', value: [0.1, 0.30000000000000004] });
    expect(coerceEmbedding([1.1, 0.2], two)).toEqual({ kind: 'value', value: [1.1, 0.2] });
  });
});

describe('numpy print form (issue: embeddings exported with str(np.array))', () => {
  const spec = { type: 'embedding', size: 4 } as const;
  it.each([
    ['[ 0.7279 -0.8863  0.1     1.    ]', [0.7279, -0.8863, 0.1, 1]],
    ['[0.5 .25 -.5 1e-03]', [0.5, 0.25, -0.5, 0.001]],
    ['[ 1.5e+02\n  -2.   3.25\n   4. ]', [150, -2, 3.25, 4]],
  ])('%j reads as the same numbers', (text, want) => {
    expect(coerceEmbedding(text, spec)).toEqual({ kind: 'value', value: want });
  });
  it.each([
    ['[ 0.1 0.2 nan 0.4 ]', 'INVALID_EMBEDDING'],
    ['[ 0.1 0.2 0.3 ]', 'INVALID_EMBEDDING'],
    ['[ 0.1 0.2 abc 0.4 ]', 'INVALID_EMBEDDING'],
    ['[ 0.1 9007199254740993 0.3 0.4 ]', 'INVALID_NUMBER'],
  ])('%j is refused (%s), never guessed', (text, code) => {
    expect(coerceEmbedding(text, spec)).toMatchObject({ kind: 'error', code });
  });
});
