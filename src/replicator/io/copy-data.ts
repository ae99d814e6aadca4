/**
 * The data of one COPY ... FROM STDIN of a batch into PostgreSQL, streamed as the server
 * reads it: text lines (rows the reader thread encoded travel as their bytes, the others
 * are encoded here), or binary COPY tuples when the batch was encoded binary
 * (engine/copy-batch.ts; values/pg-binary-encoders.ts).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
// only COPY FROM's module: the package's index also loads COPY TO and COPY BOTH, and with them
// node:assert (about 10 ms of an incremental run's start-up)
import copyFrom from 'pg-copy-streams/copy-from.js';
import type { PgText } from '../values/codec.js';
import { encodeCopyRow } from '../values/copy-text.js';
import { copyLineOf, type TargetRow } from './batch-io.js';

/** Send COPY data in pieces of about this many characters, not one message per row. */
const COPY_CHUNK_CHARS = 1 << 16;

/** Target rows of a PostgreSQL writer are text (the codecs made them so). */
function isPgRow(row: TargetRow): row is PgText[] {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (v !== null && typeof v !== 'string') return false;
  }
  return true;
}

/** A value in PostgreSQL's input form, should a codec have handed back a native value. */
export function pgValue(v: TargetRow[number] | undefined): PgText {
  return v === null || v === undefined ? null : Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : String(v);
}

function pgRow(row: TargetRow): PgText[] {
  return isPgRow(row) ? row : row.map(pgValue);
}

/**
 * The COPY data in pieces of about COPY_CHUNK_CHARS, made as the stream asks for them: the
 * server parses the first piece while the rest are still being encoded. A row that carries
 * its line (encoded on the reader thread, io/batch-io.ts copyLineOf) is sent as those
 * bytes: neighbouring lines of one batch go as one slice of its buffer, no copy. Such
 * lines hold only the written columns already (the reader was given `pick`).
 */
function* copyChunks(rows: readonly TargetRow[], pick: number[] | null): Generator<string | Uint8Array> {
  let buf = '';
  let run: { bytes: Uint8Array; start: number; end: number } | null = null;
  const picked: PgText[] = pick === null ? [] : new Array<PgText>(pick.length);
  for (const row of rows) {
    const line = copyLineOf(row);
    if (line?.binary === true) throw new Error('a text COPY batch holds a binary-encoded row');
    if (line !== undefined) {
      if (buf.length > 0) {
        yield buf;
        buf = '';
      }
      if (run !== null && run.bytes === line.bytes && run.end === line.start) run.end = line.end;
      else {
        if (run !== null) yield run.bytes.subarray(run.start, run.end);
        run = { bytes: line.bytes, start: line.start, end: line.end };
      }
      continue;
    }
    if (run !== null) {
      yield run.bytes.subarray(run.start, run.end);
      run = null;
    }
    const values = pgRow(row);
    if (pick === null) buf += encodeCopyRow(values);
    else {
      for (let j = 0; j < pick.length; j++) picked[j] = values[pick[j] as number] ?? null;
      buf += encodeCopyRow(picked);
    }
    if (buf.length >= COPY_CHUNK_CHARS) {
      yield buf;
      buf = '';
    }
  }
  if (run !== null) yield run.bytes.subarray(run.start, run.end);
  if (buf.length > 0) yield buf;
}

/** Binary COPY's signature, flags and header extension length; and its trailer (a field count of -1). */
const BINARY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/**
 * Binary COPY data: every row carries its tuple (a batch encoded binary on the reader
 * thread; copy-batch.ts encodes a whole batch one way), neighbours as one slice.
 */
function* binaryChunks(rows: readonly TargetRow[]): Generator<Uint8Array> {
  yield BINARY_HEADER;
  let run: { bytes: Uint8Array; start: number; end: number } | null = null;
  for (const row of rows) {
    const line = copyLineOf(row);
    if (line?.binary !== true) throw new Error('a binary COPY batch holds a row that is not binary-encoded');
    if (run !== null && run.bytes === line.bytes && run.end === line.start) run.end = line.end;
    else {
      if (run !== null) yield run.bytes.subarray(run.start, run.end);
      run = { bytes: line.bytes, start: line.start, end: line.end };
    }
  }
  if (run !== null) yield run.bytes.subarray(run.start, run.end);
  yield BINARY_TRAILER;
}

/** The rows are binary COPY tuples (the first says for all: a batch is encoded one way). */
const binaryRows = (rows: readonly TargetRow[]): boolean => rows.length > 0 && copyLineOf(rows[0] as TargetRow)?.binary === true;

export async function copyRows(client: pg.Client, sql: string, rows: readonly TargetRow[], pick: number[] | null): Promise<void> {
  if (binaryRows(rows)) await pipeline(Readable.from(binaryChunks(rows)), client.query(copyFrom(`${sql} (FORMAT binary)`)));
  else await pipeline(Readable.from(copyChunks(rows, pick)), client.query(copyFrom(sql)));
}
