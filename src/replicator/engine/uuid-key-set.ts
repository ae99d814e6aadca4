/**
 * A set of uuid texts held as 16 bytes each (known-parents.ts): a uuid key kept as a JS
 * string in a Set costs about 90 bytes, so a bounded memory holds about a third as many.
 * Only the canonical lowercase form ('0000ad50-9a62-4756-85e1-810120406662', as most apps
 * and PostgreSQL's uuid output write it) is taken: its text and its 128 bits are one to
 * one, so a lookup here says exactly what a lookup of the text would. Any other text
 * (upper case, no dashes, braces) is refused by add() and by lookup(); the
 * caller keeps those as strings.
 *
 * Open addressing with linear probing over a Uint32Array of 4 words per slot; the
 * all-zero slot means empty (the nil uuid is a flag of its own).
 */

/**
 * every UTF-16 code unit's hex digit value (0-9 and a-f only), -1 for any other: one
 * table read per character, no range test (64 KiB, once)
 */
const HEX = new Int8Array(65536).fill(-1);
for (let c = 48; c <= 57; c++) HEX[c] = c - 48;
for (let c = 97; c <= 102; c++) HEX[c] = c - 87;

/** the 4 hex digits `s[i..i+4)` as a 16-bit value, or a negative number when one is not a lowercase hex digit */
function hex4(s: string, i: number): number {
  const a = HEX[s.charCodeAt(i)] as number;
  const b = HEX[s.charCodeAt(i + 1)] as number;
  const c = HEX[s.charCodeAt(i + 2)] as number;
  const d = HEX[s.charCodeAt(i + 3)] as number;
  // any -1 makes the whole value negative
  return (a | b | c | d) < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

/** `s`'s 128 bits into `out` (4 words, in the text's order); false when `s` is not a canonical lowercase uuid */
export function uuidWords(s: string, out: Uint32Array): boolean {
  // 8-4-4-4-12: dashes at 8, 13, 18 and 23
  if (s.length !== 36 || s.charCodeAt(8) !== 45 || s.charCodeAt(13) !== 45 || s.charCodeAt(18) !== 45 || s.charCodeAt(23) !== 45) return false;
  const a0 = hex4(s, 0);
  const a1 = hex4(s, 4);
  const b0 = hex4(s, 9);
  const b1 = hex4(s, 14);
  const c0 = hex4(s, 19);
  const c1 = hex4(s, 24);
  const d0 = hex4(s, 28);
  const d1 = hex4(s, 32);
  if ((a0 | a1 | b0 | b1 | c0 | c1 | d0 | d1) < 0) return false;
  out[0] = (a0 << 16) | a1;
  out[1] = (b0 << 16) | b1;
  out[2] = (c0 << 16) | c1;
  out[3] = (d0 << 16) | d1;
  return true;
}

/** slots to start with; the table doubles when three quarters are taken */
const INITIAL_SLOTS = 1024;

export class UuidKeySet {
  private slots = new Uint32Array(INITIAL_SLOTS * 4);
  private mask = INITIAL_SLOTS - 1;
  private nil = false;
  /** keys held */
  size = 0;
  private readonly words = new Uint32Array(4);

  /** bytes the table takes */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** bytes the next add() allocates: 0, or a table twice as big when it must grow */
  get growthBytes(): number {
    return this.fullForOneMore() ? this.slots.byteLength * 2 : 0;
  }

  /** one more key would take more than three quarters of the slots: the table doubles first */
  private fullForOneMore(): boolean {
    return (this.size + 1) * 4 > (this.mask + 1) * 3;
  }

  /** 1: `s` is here; 0: it is not; -1: `s` is not a canonical lowercase uuid (never held here) */
  lookup(s: string): 1 | 0 | -1 {
    const w = this.words;
    if (!uuidWords(s, w)) return -1;
    return this.find(w) >= 0 ? 1 : 0;
  }

  /** adds `s`: 1 when added, 0 when it was here, -1 when `s` is not a canonical lowercase uuid (nothing added) */
  add(s: string): 1 | 0 | -1 {
    const w = this.words;
    if (!uuidWords(s, w)) return -1;
    if (this.find(w) >= 0) return 0;
    if (isNil(w)) {
      this.nil = true;
      this.size++;
      return 1;
    }
    if (this.fullForOneMore()) this.grow();
    this.put(w);
    this.size++;
    return 1;
  }

  /** the slot holding `w`, or -1 */
  private find(w: Uint32Array): number {
    if (isNil(w)) return this.nil ? 0 : -1;
    const slots = this.slots;
    // indexed, not destructured: destructuring a typed array goes through its iterator
    const a = w[0] as number;
    const b = w[1] as number;
    const c = w[2] as number;
    const d = w[3] as number;
    for (let i = hash(a, b, c, d) & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * 4;
      const s0 = slots[at] as number;
      const s1 = slots[at + 1] as number;
      const s2 = slots[at + 2] as number;
      const s3 = slots[at + 3] as number;
      if (s0 === a && s1 === b && s2 === c && s3 === d) return i;
      if ((s0 | s1 | s2 | s3) === 0) return -1;
    }
  }

  private put(w: Uint32Array): void {
    const slots = this.slots;
    let i = hash(w[0] as number, w[1] as number, w[2] as number, w[3] as number) & this.mask;
    while (!isEmptyAt(slots, i * 4)) i = (i + 1) & this.mask;
    slots.set(w, i * 4);
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = old.length / 2 - 1;
    const w = new Uint32Array(4);
    for (let at = 0; at < old.length; at += 4) {
      if (isEmptyAt(old, at)) continue;
      w.set(old.subarray(at, at + 4));
      this.put(w);
    }
  }
}

/** the 4 words at `at` are all zero: an empty slot, or (at 0 of a key's words) the nil uuid */
const isEmptyAt = (words: Uint32Array, at: number): boolean => ((words[at] as number) | (words[at + 1] as number) | (words[at + 2] as number) | (words[at + 3] as number)) === 0;
const isNil = (w: Uint32Array): boolean => isEmptyAt(w, 0);

/** all four words mixed (time-based uuids vary little in some of them) */
function hash(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ b ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ c ^ (h >>> 13), 0x27d4eb2f);
  h = Math.imul(h ^ d ^ (h >>> 16), 0x165667b1);
  return (h ^ (h >>> 15)) >>> 0;
}
