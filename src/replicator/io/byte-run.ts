/**
 * A growing run of UTF-8 values, each ended by a NUL (PostgreSQL text never holds one),
 * over an ArrayBuffer of its own (never Buffer's shared pool), so a batch can hand it to
 * another thread (transferred, not copied). The reader thread writes values into it
 * straight from the bytes PostgreSQL sent, without a JS string per value.
 */
const NUL = 0;
/** fields shorter than this are copied by a loop: a Buffer#copy call costs more than it saves */
const LOOP_COPY = 48;

export class ByteRun {
  buf: Buffer;
  length = 0;
  /** where each value's NUL is, when asked for (`marksEnds`): the main thread binds values as slices of the run (text-slices.ts) */
  private ends: Uint32Array | null;
  private count = 0;

  constructor(size: number, marksEnds = false) {
    this.buf = ownBuffer(Math.max(64, size));
    this.ends = marksEnds ? new Uint32Array(1024) : null;
  }

  /** the end (NUL offset) of each value written, in order, over an ArrayBuffer of its own; empty unless `marksEnds` */
  endsView(): Uint32Array {
    return this.ends === null ? new Uint32Array(0) : this.ends.slice(0, this.count);
  }

  private ended(at: number): void {
    if (this.ends === null) return;
    if (this.count === this.ends.length) {
      const bigger = new Uint32Array(this.count * 2);
      bigger.set(this.ends);
      this.ends = bigger;
    }
    this.ends[this.count++] = at;
  }

  /** make room for `bytes` more */
  room(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const bigger = ownBuffer(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  string(v: string): void {
    // at most 3 bytes per UTF-16 unit, and the NUL
    this.room(v.length * 3 + 1);
    this.length += this.buf.write(v, this.length, 'utf8');
    this.ended(this.length);
    this.buf[this.length++] = NUL;
  }

  bytes(from: Buffer, start: number, end: number): void {
    const len = end - start;
    this.room(len + 1);
    const to = this.buf;
    let w = this.length;
    if (len < LOOP_COPY) for (let x = start; x < end; x++) to[w++] = from[x] as number;
    else w += from.copy(to, w, start, end);
    this.ended(w);
    to[w++] = NUL;
    this.length = w;
  }

  /** ends a value written in place (at `end`, with room made first) */
  endAt(end: number): void {
    this.ended(end);
    this.buf[end] = NUL;
    this.length = end + 1;
  }

  /** the values written, over the run's own ArrayBuffer */
  view(): Uint8Array {
    return new Uint8Array(this.buf.buffer, 0, this.length);
  }
}

/** A Buffer over an ArrayBuffer of its own (never Buffer's shared pool), so it can be transferred. */
export function ownBuffer(size: number): Buffer {
  return Buffer.from(new ArrayBuffer(size));
}
