/**
 * COPY text (and binary COPY fields) written straight into bytes: a batch's lines go into one growing buffer, a
 * value at a time, instead of being joined into a string and encoded afterwards. Joining
 * made a string object per value and separator (about 20 per row) and then a flat copy of
 * the whole text to encode; here ASCII text costs a byte store per character, and only
 * text with other characters goes through the UTF-8 encoder. The bytes are those
 * copy-text.ts's escapeCopyText + Buffer.from(text, 'utf8') give (tests/values-conversion).
 */
const encoder = new TextEncoder();
/** scratch for a float's bits */
const BITS = new DataView(new ArrayBuffer(8));

const BACKSLASH = 92;
const TAB = 9;
const NEWLINE = 10;
const RETURN = 13;

export class CopyBytes {
  private buf: Uint8Array;
  /** bytes written */
  length = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** room for `n` more bytes */
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** one byte (a separator: tab, newline) */
  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }

  /** `\N`, COPY's NULL */
  nullValue(): void {
    this.room(2);
    this.buf[this.length++] = BACKSLASH;
    this.buf[this.length++] = 78;
  }

  /**
   * `s` as UTF-8; with `escape`, backslash, tab, newline and carriage return escaped as
   * COPY text needs. Without it the caller knows `s` holds none of them (plain columns).
   */
  text(s: string, escape: boolean): void {
    const n = s.length;
    // an escaped ASCII character takes 2 bytes; the UTF-8 path below makes its own room
    this.room(escape ? 2 * n : n);
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        this.length = at;
        this.utf8(s, i, escape);
        return;
      }
      if (escape && (c === BACKSLASH || c === TAB || c === NEWLINE || c === RETURN)) {
        buf[at++] = BACKSLASH;
        buf[at++] = c === BACKSLASH ? BACKSLASH : c === TAB ? 116 : c === NEWLINE ? 110 : 114;
      } else buf[at++] = c;
    }
    this.length = at;
  }

  /** characters `from`..`to` of `s`, which the caller knows are ASCII with nothing to escape */
  ascii(s: string, from: number, to: number): void {
    this.room(to - from);
    const buf = this.buf;
    let at = this.length;
    for (let i = from; i < to; i++) buf[at++] = s.charCodeAt(i);
    this.length = at;
  }

  /** a non-negative integer below 2^31 in decimal, left-padded with zeros to `width` digits */
  digits(n: number, width = 1): void {
    let count = 1;
    for (let x = n; x >= 10; x = (x / 10) | 0) count++;
    if (count < width) count = width;
    this.room(count);
    const buf = this.buf;
    let at = this.length + count;
    this.length = at;
    for (let i = 0; i < count; i++, n = (n / 10) | 0) buf[--at] = 48 + (n % 10);
  }

  /** an integer within 32 bits (-2^31 to 2^31 - 1) in decimal */
  integer(n: number): void {
    if (n < 0) this.byte(45); // -
    this.digits(n < 0 ? -n : n);
  }

  /** big-endian 16-bit integer (binary COPY: a row's field count, numeric digits) */
  int16(n: number): void {
    this.room(2);
    const buf = this.buf;
    const at = this.length;
    buf[at] = (n >> 8) & 0xff;
    buf[at + 1] = n & 0xff;
    this.length = at + 2;
  }

  /** big-endian 32-bit integer (binary COPY: a field's length, int4, date) */
  int32(n: number): void {
    this.room(4);
    const buf = this.buf;
    const at = this.length;
    buf[at] = (n >>> 24) & 0xff;
    buf[at + 1] = (n >>> 16) & 0xff;
    buf[at + 2] = (n >>> 8) & 0xff;
    buf[at + 3] = n & 0xff;
    this.length = at + 4;
  }

  /** big-endian 64-bit two's complement of a safe integer (int8, timestamps in microseconds) */
  int64(n: number): void {
    this.room(8);
    const buf = this.buf;
    const at = this.length;
    const hi = Math.floor(n / 4294967296);
    const lo = n - hi * 4294967296;
    buf[at] = (hi >>> 24) & 0xff;
    buf[at + 1] = (hi >>> 16) & 0xff;
    buf[at + 2] = (hi >>> 8) & 0xff;
    buf[at + 3] = hi & 0xff;
    buf[at + 4] = (lo >>> 24) & 0xff;
    buf[at + 5] = (lo >>> 16) & 0xff;
    buf[at + 6] = (lo >>> 8) & 0xff;
    buf[at + 7] = lo & 0xff;
    this.length = at + 8;
  }

  /** big-endian 64-bit two's complement of a bigint within int8's range */
  int64Big(n: bigint): void {
    const u = BigInt.asUintN(64, n);
    this.int32(Number(u >> 32n));
    this.int32(Number(u & 0xffffffffn));
  }

  /** float8's IEEE 754 bits, big-endian: -0 and infinities as they are, NaN as PostgreSQL's own (0x7ff8...) */
  float8(n: number): void {
    if (Number.isNaN(n)) {
      this.int32(0x7ff80000);
      this.int32(0);
      return;
    }
    BITS.setFloat64(0, n);
    this.int32(BITS.getUint32(0));
    this.int32(BITS.getUint32(4));
  }

  /**
   * Room for `n` more bytes, and the buffer to write them into from `length` on (the
   * caller then adds what it wrote to `length`): one check for a whole fixed-size value.
   */
  reserve(n: number): Uint8Array {
    this.room(n);
    return this.buf;
  }

  /** bytes as they are */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** a binary COPY field's 4-byte length, to be filled by fieldEnd once the value is written; its position */
  fieldStart(): number {
    this.room(4);
    this.length += 4;
    return this.length;
  }

  /** fills in the length of the field whose value began at `from` (what fieldStart returned) */
  fieldEnd(from: number): void {
    const n = this.length - from;
    const buf = this.buf;
    buf[from - 4] = (n >>> 24) & 0xff;
    buf[from - 3] = (n >>> 16) & 0xff;
    buf[from - 2] = (n >>> 8) & 0xff;
    buf[from - 1] = n & 0xff;
  }

  /** drop what was written since `at` (a row refused halfway) */
  truncate(at: number): void {
    this.length = at;
  }

  /** the rest of `s` from `from`, which holds a character beyond ASCII */
  private utf8(s: string, from: number, escape: boolean): void {
    let rest = s.slice(from);
    if (escape) rest = rest.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
    // at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units)
    this.room(3 * rest.length);
    const { written } = encoder.encodeInto(rest, this.buf.subarray(this.length));
    this.length += written;
  }

  /** the bytes written, in a buffer of their own (transferable), and start again empty */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }
}
