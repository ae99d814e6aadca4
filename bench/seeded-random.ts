/**
 * A small seeded PRNG (sfc32) with the helpers the generator needs: the same seed gives
 * the same database byte for byte, so two benchmark runs measure the same data.
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Discard the first outputs: sfc32 needs a few rounds to mix a small seed.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A version-4 uuid in canonical lowercase text. */
  uuid(): string {
    const w0 = this.nextUint32();
    const w1 = this.nextUint32();
    const w2 = this.nextUint32();
    const w3 = this.nextUint32();
    const h = (w: number, shift: number): string => HEX[(w >>> shift) & 0xff] ?? '00';
    const w1v4 = (w1 & 0xffff0fff) | 0x00004000;
    const w2var = (w2 & 0x3fffffff) | 0x80000000;
    return (
      h(w0, 24) + h(w0, 16) + h(w0, 8) + h(w0, 0) + '-' +
      h(w1v4, 24) + h(w1v4, 16) + '-' + h(w1v4, 8) + h(w1v4, 0) + '-' +
      h(w2var, 24) + h(w2var, 16) + '-' + h(w2var, 8) + h(w2var, 0) +
      h(w3, 24) + h(w3, 16) + h(w3, 8) + h(w3, 0)
    );
  }

  /** Lowercase hex string of the given length (hashes, serials). */
  hex(length: number): string {
    let s = '';
    while (s.length < length) s += HEX[this.nextUint32() & 0xff] ?? '00';
    return s.slice(0, length);
  }
}
