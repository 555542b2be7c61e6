import { describe, expect, it } from 'vitest';
import { csvField } from '../../src/report/csv-writer.js';

describe('csvField', () => {
  it('quotes a field that needs it and doubles its quotes, short or long (a long one is doubled in one pass)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('12" screen, "big"')).toBe('"12"" screen, ""big"""');
    // Edge whitespace (any `\s`, not only ASCII) is quoted so a reader keeps it; inner whitespace is not.
    for (const edge of [' a', 'a ', '\ta', 'a\u3000', '\ufeffa', '\u00a0']) expect(csvField(edge)).toBe(`"${edge}"`);
    for (const plain of ['a b', '', 'é', '\u200ba']) expect(csvField(plain)).toBe(plain);
    // Past the long-field threshold: many short quoted lines, non-ASCII, astral and lone surrogates kept.
    const long = `${'1\n"'.repeat(30_000)}é 東 😀 \ud800 \udc00 "`;
    expect(csvField(long) === `"${long.replace(/"/g, '""')}"`).toBe(true);
    const noQuotes = `${'x'.repeat(100_000)},`;
    expect(csvField(noQuotes)).toBe(`"${noQuotes}"`);
  });
});
