/**
 * A keyset batch read as `COPY (SELECT ...) TO STDOUT (FORMAT binary)`, for the reader
 * thread's converting collector
 * (postgres-read-convert.ts): node-postgres would make a JS string of every field of every
 * row (a UTF-8 decode per value, then garbage), while a pg-to-sqlite load passes most
 * values on unchanged (uuids, names, JSON, numeric text), so the thread copies those bytes
 * straight into the batch it packs and decodes only the values it converts.
 *
 * Every column is sent as exactly the text a plain SELECT would have sent: a binary COPY
 * tuple frames its fields as a DataRow does (int16 count, then per field an int32 length,
 * -1 for NULL, and the bytes), and each column is either one whose binary form is its text
 * (text, varchar, char(n), name, json: their send functions write the text itself) or is
 * turned into text on the server by the type's own output function, the one a text-format
 * result calls (`int8out(col)`: a cstring, which binary COPY sends as its bytes). Same session, so the same TimeZone, DateStyle and
 * extra_float_digits. COPY takes no parameters, so the batch's values (keyset position,
 * late-commit cap, row filter, limit) go in as quoted literals: untyped, as the parameters
 * were, so PostgreSQL resolves them to the compared column's type the same way.
 */
import pg from 'pg';
import { timestampText, TIMESTAMP_TEXT_ROOM } from './pg-binary-timestamp-text.js';
import { qualified, quoteIdent } from '../../sql/quote.js';

/**
 * Binary forms a collector may take instead of the text (its choice: RawRowSink.takesBinary),
 * by the column type's send function: cheaper for the server than the output function, and
 * as easy to read as the text. Each has its exact text too (binaryText).
 */
const BINARY_FORMS = {
  uuid_send: 'uuid',
  int2send: 'int2',
  int4send: 'int4',
  int8send: 'int8',
  boolsend: 'bool',
  jsonb_send: 'jsonb',
  timestamp_send: 'timestamp',
  timestamptz_send: 'timestamptz',
} as const;
export type BinaryForm = (typeof BINARY_FORMS)[keyof typeof BINARY_FORMS];
/** per column, the binary form its values come in, or null for its text */
export type ColumnForms = readonly (BinaryForm | null)[];

/** What takes each tuple: `bytes[offset]` is its field count (int16), then per field an int32 length (-1: NULL) and the bytes. */
export interface RawRowSink {
  addRaw(bytes: Buffer, offset: number, forms: ColumnForms): void;
  /** does the collector take column `column` in `form`? (else it comes as text) */
  takesBinary?(column: number, form: BinaryForm): boolean;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** each byte's two lowercase hex digits as ASCII, the first in the high byte */
const HEX_PAIRS = Uint16Array.from({ length: 256 }, (_, b) => (hexDigit(b >> 4) << 8) | hexDigit(b & 15));

function hexDigit(n: number): number {
  return n < 10 ? 0x30 + n : 0x57 + n;
}

/** A binary value as the text a text-format read would have given (uuid_out, int8out, boolout, jsonb_out, timestamptz_out). */
export function binaryText(bytes: Buffer, s: number, e: number, form: BinaryForm): string {
  switch (form) {
    case 'uuid': {
      let t = '';
      for (let i = s; i < e; i++) t += (i - s === 4 || i - s === 6 || i - s === 8 || i - s === 10 ? '-' : '') + (HEX[bytes[i] as number] as string);
      return t;
    }
    case 'int2':
      return String(bytes.readInt16BE(s));
    case 'int4':
      return String(bytes.readInt32BE(s));
    case 'int8':
      return bytes.readBigInt64BE(s).toString();
    case 'bool':
      return bytes[s] === 0 ? 'f' : 't';
    case 'jsonb':
      if (bytes[s] !== 1) throw new Error(`jsonb binary format version ${bytes[s]} is not known`);
      return bytes.toString('utf8', s + 1, e);
    case 'timestamp':
    case 'timestamptz':
      return scratch.toString('latin1', 0, timestampText(bytes, s, form === 'timestamptz', scratch, 0));
  }
}

const scratch = Buffer.alloc(TIMESTAMP_TEXT_ROOM);

/**
 * Writes a uuid's 16 bytes as uuid_out's text (lowercase, dashed) into `to` at `w`; the end.
 * Needs 36 bytes of room.
 */
export function uuidTextBytes(from: Buffer, s: number, to: Buffer, w: number): number {
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) to[w++] = 0x2d;
    const h = HEX_PAIRS[from[s + i] as number] as number;
    to[w++] = h >> 8;
    to[w++] = h & 0xff;
  }
  return w;
}


/** send functions that write the value's text itself: such a column is sent as it is */
const TEXT_SENDS = new Set(['textsend', 'varcharsend', 'bpcharsend', 'namesend', 'json_send']);

/**
 * The select list of a COPY read: per column its name, or the type's output function
 * applied to it. Domains carry their base type's send and output functions, arrays
 * array_send/array_out, so every type has an answer.
 */
export async function copySelectList(client: pg.Client, schema: string, table: string, columns: readonly string[], sink: RawRowSink): Promise<{ select: string[]; forms: ColumnForms }> {
  const r = await client.query<{ name: string; send: string; output: string }>(
    `SELECT a.attname::text AS name, t.typsend::text AS send, t.typoutput::text AS output
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [qualified(schema, table)],
  );
  const types = new Map(r.rows.map((row) => [row.name, row]));
  const forms: (BinaryForm | null)[] = [];
  const select = columns.map((c, j) => {
    const t = types.get(c);
    const form = t && Object.hasOwn(BINARY_FORMS, t.send) ? BINARY_FORMS[t.send as keyof typeof BINARY_FORMS] : null;
    forms.push(form !== null && sink.takesBinary?.(j, form) === true ? form : null);
    if (!t || TEXT_SENDS.has(t.send) || forms[j] !== null) return quoteIdent(c);
    // a cstring, sent as its bytes; regproc text is already quoted and schema-qualified where it needs to be
    return `${t.output}(${quoteIdent(c)})`;
  });
  return { select, forms };
}

/** A parameter value as an untyped SQL literal (COPY takes no parameters). */
export function sqlLiteral(client: pg.Client, v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  return client.escapeLiteral(String(v));
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** signature, flags (int32), header extension length (int32) */
const HEADER = SIGNATURE.length + 8;

/**
 * Splits COPY's binary stream into tuples for `into`. Chunks end anywhere: a tuple cut in
 * two is kept, and joined with just enough of the next chunk to complete it.
 */
export class BinaryTuples {
  private rest: Buffer | null = null;
  private header = true;
  private done = false;
  error: unknown = null;

  constructor(
    private readonly into: RawRowSink,
    private readonly forms: ColumnForms,
  ) {}

  push(chunk: Buffer): void {
    if (this.done) return;
    let at = 0;
    const rest = this.rest;
    if (rest !== null) {
      this.rest = null;
      // the cut tuple (or header) with a growing part of the chunk, until it is whole
      for (let take = Math.min(chunk.length, 256); ; take = Math.min(chunk.length, take * 4)) {
        const joined = Buffer.concat([rest, chunk.subarray(0, take)]);
        const end = this.next(joined, 0);
        if (this.done) return;
        if (end > 0) {
          // what was cut ends in the chunk: the rest of the chunk is read in place
          at = end - rest.length;
          break;
        }
        if (take === chunk.length) {
          this.rest = joined;
          return;
        }
      }
    }
    for (;;) {
      const end = this.next(chunk, at);
      if (end === at) break;
      at = end;
    }
    // a copy: the chunk's memory is not kept alive for the few bytes of a cut tuple
    if (at < chunk.length && !this.done) this.rest = Buffer.from(chunk.subarray(at));
  }

  /** Takes the header or one tuple at `at` if `buf` holds it whole: where it ends, else `at`. */
  private next(buf: Buffer, at: number): number {
    const end = buf.length;
    if (this.done) return end;
    if (this.header) {
      if (end - at < HEADER || end - at < HEADER + buf.readUInt32BE(at + HEADER - 4)) return at;
      if (!buf.subarray(at, at + SIGNATURE.length).equals(SIGNATURE)) throw new Error('COPY binary stream without its signature');
      this.header = false;
      return at + HEADER + buf.readUInt32BE(at + HEADER - 4);
    }
    if (at + 2 > end) return at;
    const n = buf.readInt16BE(at);
    if (n < 0) {
      this.done = true; // the trailer: nothing follows
      return end;
    }
    let p = at + 2;
    for (let j = 0; j < n; j++) {
      if (p + 4 > end) return at;
      // readInt32BE inlined: this runs for every field of every row
      const len = ((buf[p] as number) << 24) | ((buf[p + 1] as number) << 16) | ((buf[p + 2] as number) << 8) | (buf[p + 3] as number);
      p += 4 + (len > 0 ? len : 0);
    }
    if (p > end) return at;
    // a collector that failed takes no more rows; the stream is still read to its end
    if (this.error === null) {
      try {
        this.into.addRaw(buf, at, this.forms);
      } catch (e) {
        this.error = e;
      }
    }
    return p;
  }
}

/**
 * A COPY TO STDOUT as a node-postgres query: node-postgres hands each CopyData message to
 * the active query's handleCopyData (a plain query ignores them), one message per row, so
 * the rows go to `onChunk` as they arrive, without a stream in between. `onChunk`'s bytes
 * are valid only during the call.
 */
class CopyOutQuery extends pg.Query {
  constructor(
    text: string,
    private readonly onChunk: (chunk: Buffer) => void,
    done: (err: Error | undefined) => void,
  ) {
    super({ text }, (err) => done(err ?? undefined));
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    this.onChunk(msg.chunk);
  }
}

/** Runs `COPY (select) TO STDOUT (FORMAT binary)` on `client`, each piece of its output to `onChunk` as it arrives. */
export function copyOut(client: pg.Client, select: string, onChunk: (chunk: Buffer) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    void client.query(new CopyOutQuery(`COPY (${select}) TO STDOUT (FORMAT binary)`, onChunk, (err) => (err ? reject(err) : resolve())));
  });
}

/** Runs `select` as a binary COPY on `client`, each row to `into.addRaw` as it arrives. */
export async function copyRowsInto(client: pg.Client, select: string, into: RawRowSink, forms: ColumnForms): Promise<void> {
  const tuples = new BinaryTuples(into, forms);
  await copyOut(client, select, (chunk) => {
    try {
      tuples.push(chunk);
    } catch (e) {
      tuples.error ??= e;
    }
  });
  // as node-postgres does with a row it cannot parse: the read fails once the server is done
  if (tuples.error !== null) throw tuples.error instanceof Error ? tuples.error : new Error(String(tuples.error));
}
