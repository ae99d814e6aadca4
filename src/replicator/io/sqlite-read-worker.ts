/**
 * The SQLite reader thread (sqlite-read-thread.ts): reads a first load's batches on a
 * read-only connection of its own and converts and encodes them as COPY lines with the
 * same codecs the main thread would use (engine/copy-batch.ts). After a full batch it
 * reads, converts and encodes the next one ahead (the engine asks for the batch after the
 * last row next), so the main thread finds it ready.
 */
import type Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite, useSourcePageCache } from '../../connect/sqlite-connection.js';
import { copyColumns, CopyBatchBuilder, lastPosition, NotBinary, type CopyBatch, type CopyColumns } from '../engine/copy-batch.js';
import { decodePosition } from '../engine/position-codec.js';
import type { AnyCodec } from '../engine/row-converter.js';
import { compileRowFilter } from '../plan/row-filter.js';
import { CopyBytes } from '../values/copy-bytes.js';
import { sqliteToPgCodec } from '../values/sqlite-to-pg.js';
import { directCopyWriter } from '../values/sqlite-to-pg-bytes.js';
import { sqliteToPgBinaryFields } from '../values/sqlite-to-pg-binary.js';
import type { BatchReader, ReadWindow } from './batch-io.js';
import type { CopyReadReply, CopyReadRequest, CopyReaderSpec, WireWindow } from './sqlite-read-thread.js';
import { createSqliteReader } from './sqlite-reader.js';
import { errorFields } from './reader-thread-client.js';

const port = parentPort;
if (!port) throw new Error('sqlite-read-worker.js runs as a worker thread');
const { path } = workerData as { path: string };

let db: Database.Database | null = null;

interface OpenReader {
  spec: CopyReaderSpec;
  reader: BatchReader;
  columns: CopyColumns;
  /** the batches after the last one sent, read ahead (at most AHEAD), each with the window it answers */
  ahead: { key: string; batch: CopyBatch }[];
  /** the window last asked for */
  served: string | null;
  /** a later reader was opened: this one reads nothing ahead any more */
  closed: boolean;
  /**
   * The buffers a batch is written into, kept for the next one (finish() copies each
   * batch's bytes out): a batch of orders is about 3.5 MB of COPY text, and a new buffer
   * per batch was that much more garbage and more malloc churn on this thread. Null
   * while a read has them (a read ahead and an asked-for read never share them).
   */
  spare: { lines: CopyBytes; keys: CopyBytes } | null;
}

const open = new Map<number, OpenReader>();

function openReader(spec: CopyReaderSpec): OpenReader {
  if (db === null) {
    db = openSqlite(path, { readonly: true });
    useSourcePageCache(db);
  }
  const filter = compileRowFilter(spec.readPlan, 'sqlite', spec.params);
  return {
    spec,
    reader: createSqliteReader(db, spec.readPlan, { filter }),
    columns: copyColumns(spec.plan, (col) => sqliteToPgCodec(col) as AnyCodec, directCopyWriter, sqliteToPgBinaryFields),
    ahead: [],
    served: null,
    closed: false,
    spare: null,
  };
}

const windowKey = (w: WireWindow): string => JSON.stringify([w.after, w.through, w.cursorBelow, w.limit]);

function fromWire(w: WireWindow): ReadWindow {
  return { after: w.after === null ? null : decodePosition(w.after), through: w.through === null ? null : decodePosition(w.through), cursorBelow: w.cursorBelow, limit: w.limit };
}

/** Rows per read within a batch: they die young (copy-batch.ts CopyBatchBuilder); 250 against 1,000: young-generation GC 3.1 s against 4.7 s in case a's thread. */
const PART_ROWS = 250;

/**
 * One batch, read in parts of PART_ROWS, each keyset read going on from the last row of the
 * part before. A binary batch that meets a value with no exact binary form is read again
 * from its start and encoded as text (the parts before are gone: they die young on purpose).
 */
async function read(r: OpenReader, w: WireWindow, binary = r.spec.shape.binary): Promise<CopyBatch> {
  const window = fromWire(w);
  // grown to the largest batch so far: the next batch's lines go in without growing it
  const buffers = r.spare ?? { lines: new CopyBytes(), keys: new CopyBytes() };
  r.spare = null;
  const b = new CopyBatchBuilder(r.columns, r.spec.shape, buffers.lines, buffers.keys, binary);
  try {
    for (let left = window.limit; left > 0; ) {
      const rows = await r.reader.readBatch({ ...window, limit: Math.min(PART_ROWS, left) });
      b.add(rows);
      left -= rows.length;
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < Math.min(PART_ROWS, left + rows.length)) break;
      window.after = lastPosition(last, r.spec.shape);
    }
  } catch (e) {
    if (!(e instanceof NotBinary) || !binary) throw e;
    buffers.lines.truncate(0);
    buffers.keys.truncate(0);
    if (!r.closed) r.spare = buffers;
    return read(r, w, false);
  }
  const batch = b.finish();
  if (!r.closed) r.spare = buffers;
  return batch;
}

/** Sent as is: its buffers move to the main thread when they are the batch's own (small ones may share Node's pool). */
function post(reply: CopyReadReply): void {
  const owned = (b: Uint8Array): boolean => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
  const moved = reply.ok && reply.batch ? [reply.batch.copy, reply.batch.keys].filter(owned).map((b) => b.buffer as ArrayBuffer) : [];
  port?.postMessage(reply, moved);
}

/**
 * Batches read ahead: two, so the thread keeps working while the main thread holds only
 * the batch being written and the one queued behind it (table-sync.ts asks for the next
 * batch only once a write slot is free). Encoded batches are compact: a buffer and a few
 * arrays.
 */
const AHEAD = 2;

async function readBatch(id: number, r: OpenReader, w: WireWindow): Promise<void> {
  const key = windowKey(w);
  r.served = key;
  const first = r.ahead[0];
  let batch: CopyBatch;
  if (first && first.key === key) {
    r.ahead.shift();
    batch = first.batch;
  } else {
    r.ahead = [];
    batch = await read(r, w);
  }
  post({ id, ok: true, batch });
  readAhead(r, key, w, batch);
}

/**
 * Reads the batches after `served` (already sent) until AHEAD wait, one per turn of the
 * event loop, so a request that comes meanwhile is answered first; stops where the table
 * ends, or when another window is asked for. A read ahead that fails is simply done again
 * when asked for.
 */
function readAhead(r: OpenReader, servedKey: string, w: WireWindow, served: CopyBatch): void {
  setImmediate(() => {
    if (r.served !== servedKey || r.closed || r.ahead.length >= AHEAD) return;
    const tail = r.ahead[r.ahead.length - 1]?.batch ?? served;
    if (tail.read !== w.limit || tail.last === null) return;
    const next: WireWindow = { ...w, after: tail.last };
    read(r, next).then(
      (b) => {
        if (r.served !== servedKey || r.closed) return;
        r.ahead.push({ key: windowKey(next), batch: b });
        readAhead(r, servedKey, w, served);
      },
      () => undefined,
    );
  });
}

/** why a reader could not be opened, said to its first read */
const failed = new Map<number, unknown>();

port.on('message', (req: CopyReadRequest) => {
  try {
    if (req.op === 'open') {
      // only the latest reader reads ahead: memory stays one batch (tables load one at a time)
      for (const r of open.values()) {
        r.ahead = [];
        r.spare = null;
        r.closed = true;
      }
      try {
        open.set(req.reader, openReader(req.spec));
      } catch (e) {
        failed.set(req.reader, e);
      }
      return;
    }
    const r = open.get(req.reader);
    if (!r) throw failed.get(req.reader) ?? new Error(`reader ${req.reader} was never opened`);
    r.closed = false;
    readBatch(req.id, r, req.window).catch((e: unknown) => port.postMessage({ id: req.id, ok: false, error: errorFields(e) } satisfies CopyReadReply));
  } catch (e) {
    port.postMessage({ id: req.id, ok: false, error: errorFields(e) } satisfies CopyReadReply);
  }
});
