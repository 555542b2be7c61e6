import { describe, expect, it } from 'vitest';
import { coerceEnum } from '../../src/coercion/coerce-enum.js';
import type { SpecOf } from '../../src/schema/field-spec.js';
import type { Cell } from '../../src/sources/source.js';

const weather: SpecOf<'enum'> = { key: 'weather', type: 'enum', values: ['sunny', 'rainy', 'Snow', 'SNOW'] };

describe('coerceEnum', () => {
  it.each<[string, Cell, string]>([
    ['exact', 'sunny', 'sunny'],
    ['trimmed', '  rainy ', 'rainy'],
    ['two values differing in case are both allowed', 'SNOW', 'SNOW'],
  ])('%s: %o', (_what, cell, expected) => {
    expect(coerceEnum(cell, weather)).toEqual({ kind: 'value', value: expected });
  });

  it.each<[Cell]>([[''], [' '], [null]])('%o is empty', (cell) => {
    expect(coerceEnum(cell, weather)).toEqual({ kind: 'empty' });
  });

  it('a case-only mismatch says so', () => {
    expect(coerceEnum('Sunny', weather)).toEqual({
      kind: 'error',
      code: 'INVALID_ENUM',
      expected: 'one of "sunny", "rainy", "Snow", "SNOW"',
      message: 'Invalid enum value: "Sunny" is not an allowed value of weather; did you mean "sunny"? (values differ only in case)',
    });
  });

  it('an unknown value lists the allowed ones', () => {
    const result = coerceEnum('cloudy', weather);
    expect(result.kind === 'error' && result.message).toBe(
      'Invalid enum value: "cloudy" is not an allowed value of weather; expected one of "sunny", "rainy", "Snow", "SNOW"',
    );
  });

  it('Parquet numbers compare as their text', () => {
    const levels: SpecOf<'enum'> = { type: 'enum', values: ['1', '2', '3'] };
    expect(coerceEnum(2, levels)).toEqual({ kind: 'value', value: '2' });
    expect(coerceEnum(4, levels)).toMatchObject({ kind: 'error', code: 'INVALID_ENUM' });
    expect(coerceEnum(['1'], levels)).toMatchObject({ kind: 'error', code: 'INVALID_ENUM' });
  });

  it('a cell that is exactly one of the values is that value, before trimming: "Fog " is not written as "Fog"', () => {
    const spaced: SpecOf<'enum'> = { type: 'enum', values: ['Fog', 'Fog ', ' Rain'] };
    expect(coerceEnum('Fog ', spaced)).toEqual({ kind: 'value', value: 'Fog ' });
    expect(coerceEnum('Fog', spaced)).toEqual({ kind: 'value', value: 'Fog' });
    expect(coerceEnum(' Fog  ', spaced)).toEqual({ kind: 'value', value: 'Fog' });
    expect(coerceEnum(' Rain', spaced)).toEqual({ kind: 'value', value: ' Rain' });
    expect(coerceEnum('Rain', spaced)).toMatchObject({ kind: 'error', code: 'INVALID_ENUM' });
  });

  it('an enum without values (simple form) accepts any text, trimmed', () => {
    expect(coerceEnum(' anything ', { type: 'enum', values: [] })).toEqual({ kind: 'value', value: 'anything' });
  });

  it('long value lists are cut in messages', () => {
    const many: SpecOf<'enum'> = { type: 'enum', values: Array.from({ length: 30 }, (_, i) => `v${i}`) };
    const result = coerceEnum('x', many);
    expect(result.kind === 'error' && result.expected).toMatch(/"v11", … \(18 more\)$/);
  });
});
