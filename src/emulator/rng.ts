/**
 * A small seeded generator (sfc32), so seeded data, ids, fault probabilities and jitter are reproducible
 * from one `seed`. Not for cryptography: bearer tokens use `crypto.randomBytes`.
 */
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const SCRATCH = Buffer.alloc(36);

export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 15; i += 1) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /**
   * A random (version 4 layout) UUID string. Written byte by byte into a scratch buffer so the result is
   * one flat 36-byte string: concatenating pieces would leave rope strings of ~500 bytes each, which is
   * what a million seeded rows cannot afford.
   */
  uuid(): string {
    const out = SCRATCH;
    let at = 0;
    for (let w = 0; w < 4; w += 1) {
      let word = this.nextUint32();
      if (w === 1) word = ((word & 0xffff0fff) | 0x00004000) >>> 0;
      if (w === 2) word = ((word & 0x3fffffff) | 0x80000000) >>> 0;
      for (let shift = 28; shift >= 0; shift -= 4) {
        if (at === 8 || at === 13 || at === 18 || at === 23) out[at++] = 0x2d;
        out[at++] = HEX_DIGITS[(word >>> shift) & 0xf]!;
      }
    }
    return out.toString('latin1', 0, 36);
  }
}

/** mulberry32: a tiny seeded generator of floats in [0, 1), the same on every platform (demo and test data). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
