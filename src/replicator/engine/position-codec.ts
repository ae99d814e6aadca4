/**
 * Keyset positions and row keys as text, for checkpoints and ledgers. Each value keeps
 * its storage class (SQLite never compares an INTEGER equal to a TEXT), so a decoded
 * position binds exactly as the value was read.
 */
import type { PgText, SqliteValue } from '../values/codec.js';
import type { KeysetPosition } from '../io/batch-io.js';
import type { CopyBytes } from '../values/copy-bytes.js';

type Native = PgText | SqliteValue;
type Tagged = null | ['i', string] | ['r', number] | ['s', string] | ['b', string];

function tag(v: Native): Tagged {
  if (v === null) return null;
  if (typeof v === 'bigint') return ['i', v.toString()];
  if (typeof v === 'number') return ['r', v];
  if (typeof v === 'string') return ['s', v];
  return ['b', v.toString('hex')];
}

function untag(t: Tagged): Native {
  if (t === null) return null;
  switch (t[0]) {
    case 'i':
      return BigInt(t[1]);
    case 'r':
      return t[1];
    case 's':
      return t[1];
    case 'b':
      return Buffer.from(t[1], 'hex');
  }
}

/** One value as JSON.stringify(tag(v)) writes it, without the array and the walk (a first load makes one per row). */
function taggedText(v: Native | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return `["i","${v}"]`; // digits and a sign: nothing to escape
  if (typeof v === 'number') return `["r",${JSON.stringify(v)}]`;
  if (typeof v === 'string') return `["s",${JSON.stringify(v)}]`;
  return `["b","${v.toString('hex')}"]`;
}

export function encodeValues(values: readonly Native[]): string {
  let text = '[';
  for (let i = 0; i < values.length; i++) text += (i > 0 ? ',' : '') + taggedText(values[i]);
  return text + ']';
}

/** A source row's ledger key: its key values (at `keyIndexes`) as text. */
export function rowKeyOf(row: readonly Native[], keyIndexes: readonly number[]): string {
  let text = '[';
  for (let i = 0; i < keyIndexes.length; i++) text += (i > 0 ? ',' : '') + taggedText(row[keyIndexes[i] as number]);
  return text + ']';
}

/** A character other than printable ASCII, '"' and backslash excepted (what JSON.stringify quotes as it is); a regular expression scans a uuid key about twice as fast as a charCodeAt loop. */
const NOT_PLAIN_JSON = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

/** rowKeyOf's text written as UTF-8 bytes into `out`, with no string made for the common keys (integers, plain text). */
export function writeRowKey(out: CopyBytes, row: readonly Native[], keyIndexes: readonly number[]): void {
  out.byte(91); // [
  for (let i = 0; i < keyIndexes.length; i++) {
    if (i > 0) out.byte(44); // ,
    const v = row[keyIndexes[i] as number];
    if (v === null || v === undefined) out.ascii('null', 0, 4);
    else if (typeof v === 'bigint') {
      out.ascii('["i","', 0, 6);
      if (v > -2147483648n && v < 2147483648n) out.integer(Number(v));
      else {
        const t = v.toString();
        out.ascii(t, 0, t.length);
      }
      out.ascii('"]', 0, 2);
    } else if (typeof v === 'string' && !NOT_PLAIN_JSON.test(v)) {
      out.ascii('["s","', 0, 6);
      out.text(v, false); // ASCII: its UTF-8 is itself
      out.ascii('"]', 0, 2);
    } else out.text(taggedText(v), false); // JSON text: no raw newline, nothing COPY would escape matters here
  }
  out.byte(93); // ]
}

export function decodeValues(text: string): Native[] {
  return (JSON.parse(text) as Tagged[]).map(untag);
}

export function encodePosition(p: KeysetPosition): string {
  return JSON.stringify({ cursor: tag(p.cursor), key: p.key.map(tag) });
}

export function decodePosition(text: string): KeysetPosition {
  const raw = JSON.parse(text) as { cursor: Tagged; key: Tagged[] };
  return { cursor: untag(raw.cursor), key: raw.key.map(untag) };
}

/** A key for people: values joined, as `status` and the TUI show it. */
export function displayKey(text: string): string {
  return decodeValues(text)
    .map((v) => (v === null ? 'NULL' : Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : String(v)))
    .join(', ');
}
