import { describe, expect, it } from 'vitest';
import { exactDouble, exactDoubleOfBigint, inexactJsonNumber } from '../../src/exact-number.js';

/** The decimal value of a plain decimal text as an exact rational `m × 10^e` (BigInt), for the reference. */
function rational(text: string): { m: bigint; e: number } {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
  const digits = `${match[2] ?? ''}${match[3] ?? ''}` || '0';
  const m = BigInt(`${match[1] === '-' ? '-' : ''}${digits}`);
  return { m, e: Number(match[4] ?? 0) - (match[3] ?? '').length };
}

function sameValue(a: string, b: string): boolean {
  const x = rational(a);
  const y = rational(b);
  const e = Math.min(x.e, y.e);
  return x.m * 10n ** BigInt(x.e - e) === y.m * 10n ** BigInt(y.e - e);
}

/** The rule, written the slow way: exact when String(Number(text)) is the same decimal value. */
function reference(text: string): boolean {
  const n = Number(text);
  return Number.isFinite(n) && sameValue(String(n).replace('e+', 'e'), text);
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('exactDouble: the shared "exact decimal → double or refuse" rule', () => {
  it('agrees with the slow rational reference on random decimals of 1 to 20 digits and any exponent', () => {
    const next = rng(42);
    const differ: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + Math.floor(next() * 20);
      let mantissa = '';
      for (let d = 0; d < digits; d++) mantissa += String(Math.floor(next() * 10));
      const point = Math.floor(next() * (digits + 1));
      const exponent = Math.floor(next() * 700) - 350;
      const text = `${next() < 0.3 ? '-' : ''}${mantissa.slice(0, point)}.${mantissa.slice(point)}${next() < 0.5 ? `e${exponent}` : ''}`;
      const result = exactDouble(text);
      const n = Number(text);
      // Checked here, one expect at the end (an expect per case cost more than the case).
      let ok: boolean;
      if (!Number.isFinite(n)) ok = JSON.stringify(result) === JSON.stringify({ ok: false, reason: 'overflow' });
      else if (n === 0) ok = result.ok === /^-?[0.]*(e.*)?$/.test(text); // a non-zero that underflows is refused
      else ok = result.ok === reference(text);
      if (ok && result.ok) ok = Object.is(result.value, Number(text) === 0 ? 0 : Number(text));
      if (!ok) differ.push(`${text} -> ${JSON.stringify(result)}`);
    }
    expect(differ).toEqual([]);
  });

  it('every double written in its shortest form is exact', () => {
    const next = rng(7);
    const refused: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const x = (next() - 0.5) * 10 ** Math.floor(next() * 600 - 300);
      if (!exactDouble(String(x)).ok) refused.push(String(x));
    }
    expect(refused).toEqual([]);
  });

  it('bigints: within 2^53, or beyond when the double prints as the same digits', () => {
    expect(exactDoubleOfBigint(9007199254740991n)).toEqual({ ok: true, value: 9007199254740991 });
    expect(exactDoubleOfBigint(9007199254740994n)).toEqual({ ok: true, value: 9007199254740994 });
    expect(exactDoubleOfBigint(10n ** 22n)).toEqual({ ok: true, value: 1e22 });
    expect(exactDoubleOfBigint(9007199254740993n)).toMatchObject({ ok: false, reason: 'inexact', written: 9007199254740992 });
  });

  it('finds the first inexact number literal of JSON text, ignoring strings', () => {
    expect(inexactJsonNumber('{"a": "9007199254740993", "b": [1, 2.5e-3, -0.1]}')).toBeUndefined();
    expect(inexactJsonNumber('{"a\\"9007199254740993": 1, "b": [1, 9007199254740993]}')?.literal).toBe('9007199254740993');
    expect(inexactJsonNumber('[1e-400]')?.result.reason).toBe('underflow');
  });
});

describe('inexactJsonNumber skips short literals without an exponent', () => {
  it('because every JSON number of at most 15 characters without an exponent is exact', () => {
    // The skip in inexactJsonNumber rests on this: such a literal is zero or a normal double of at most
    // 15 significant digits.
    let seed = 5;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const refused: string[] = [];
    for (let i = 0; i < 50_000; i += 1) {
      const length = 1 + next(15);
      let literal = next(3) === 0 ? '-' : '';
      const point = next(2) === 0 ? -1 : next(Math.max(1, length - literal.length - 1));
      literal += String(1 + next(9)); // JSON: no leading zero unless the integer part is 0
      if (next(4) === 0) literal = literal.replace(/\d$/, '0');
      while (literal.length < length) literal += literal.length - (literal.startsWith('-') ? 1 : 0) === point + 1 && !literal.includes('.') && !/^-?0$/.test(literal) ? '.' : String(next(10));
      if (literal.endsWith('.') || literal.endsWith('-') || /^-?0\d/.test(literal)) continue;
      if (!exactDouble(literal).ok) refused.push(literal);
      if (inexactJsonNumber(`[${literal}]`) !== undefined) refused.push(`[${literal}]`);
    }
    expect(refused).toEqual([]);
    expect(inexactJsonNumber('[0.1,9007199254740993]')?.literal).toBe('9007199254740993');
    expect(inexactJsonNumber('[1e-400]')?.result.reason).toBe('underflow');
  });
});
