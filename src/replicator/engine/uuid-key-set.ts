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

/** each ASCII character's hex digit value (0-9 and a-f only), -1 for any other */
const HEX = new Int8Array(128).fill(-1);
for (let c = 48; c <= 57; c++) HEX[c] = c - 48;
for (let c = 97; c <= 102; c++) HEX[c] = c - 87;

/** the value of the hex digits `s[from..to)` (at most 8), or -1 when one is not a lowercase hex digit */
function hexRun(s: string, from: number, to: number, into: number): number {
  let w = into;
  let bad = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    const h = c < 128 ? (HEX[c] as number) : -1;
    bad |= h;
    w = (w << 4) | (h & 15);
  }
  return bad < 0 ? -1 : w >>> 0;
}

/** `s`'s 128 bits into `out` (4 words, in the text's order); false when `s` is not a canonical lowercase uuid */
export function uuidWords(s: string, out: Uint32Array): boolean {
  // 8-4-4-4-12: dashes at 8, 13, 18 and 23
  if (s.length !== 36 || s.charCodeAt(8) !== 45 || s.charCodeAt(13) !== 45 || s.charCodeAt(18) !== 45 || s.charCodeAt(23) !== 45) return false;
  const a = hexRun(s, 0, 8, 0);
  const b1 = hexRun(s, 9, 13, 0);
  const b = b1 < 0 ? -1 : hexRun(s, 14, 18, b1);
  const c1 = hexRun(s, 19, 23, 0);
  const c = c1 < 0 ? -1 : hexRun(s, 24, 28, c1);
  const d = hexRun(s, 28, 36, 0);
  if (a < 0 || b < 0 || c < 0 || d < 0) return false;
  out[0] = a;
  out[1] = b;
  out[2] = c;
  out[3] = d;
  return true;
}

/** the value of the hex digits `b[from..to)` (at most 8), or -1 when one is not a lowercase hex digit */
function hexRunUtf8(b: Uint8Array, from: number, to: number, into: number): number {
  let w = into;
  let bad = 0;
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    const h = c < 128 ? (HEX[c] as number) : -1;
    bad |= h;
    w = (w << 4) | (h & 15);
  }
  return bad < 0 ? -1 : w >>> 0;
}

/** uuidWords for the 36 UTF-8 bytes at `b[at..at+36)`: a byte past 127 is never a hex digit, so this takes exactly the texts uuidWords takes */
export function uuidWordsUtf8(b: Uint8Array, at: number, out: Uint32Array): boolean {
  if (at + 36 > b.length || b[at + 8] !== 45 || b[at + 13] !== 45 || b[at + 18] !== 45 || b[at + 23] !== 45) return false;
  const a = hexRunUtf8(b, at, at + 8, 0);
  const b1 = hexRunUtf8(b, at + 9, at + 13, 0);
  const x = b1 < 0 ? -1 : hexRunUtf8(b, at + 14, at + 18, b1);
  const c1 = hexRunUtf8(b, at + 19, at + 23, 0);
  const c = c1 < 0 ? -1 : hexRunUtf8(b, at + 24, at + 28, c1);
  const d = hexRunUtf8(b, at + 28, at + 36, 0);
  if (a < 0 || x < 0 || c < 0 || d < 0) return false;
  out[0] = a;
  out[1] = x;
  out[2] = c;
  out[3] = d;
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

  /** adds `s`; false when `s` is not a canonical lowercase uuid (nothing added) */
  add(s: string): boolean {
    const w = this.words;
    if (!uuidWords(s, w)) return false;
    if (this.find(w) >= 0) return true;
    if (isNil(w)) {
      this.nil = true;
      this.size++;
      return true;
    }
    if (this.fullForOneMore()) this.grow();
    this.put(w);
    this.size++;
    return true;
  }

  /** the slot holding `w`, or -1 */
  private find(w: Uint32Array): number {
    if (isNil(w)) return this.nil ? 0 : -1;
    const slots = this.slots;
    const [a, b, c, d] = w as unknown as [number, number, number, number];
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
    const [a, b, c, d] = w as unknown as [number, number, number, number];
    let i = hash(a, b, c, d) & this.mask;
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
