/**
 * COPY text written straight into bytes: a batch's lines go into one growing buffer, a
 * value at a time, instead of being joined into a string and encoded afterwards. Joining
 * made a string object per value and separator (about 20 per row) and then a flat copy of
 * the whole text to encode; here ASCII text costs a byte store per character, and only
 * text with other characters goes through the UTF-8 encoder. The bytes are those
 * copy-text.ts's escapeCopyText + Buffer.from(text, 'utf8') give (tests/values-conversion).
 */
const encoder = new TextEncoder();

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
