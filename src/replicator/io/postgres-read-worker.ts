/**
 * The reader thread (postgres-read-thread.ts): reads PostgreSQL source tables on its own
 * session so that receiving and parsing rows runs beside the SQLite writes on the main
 * thread. Each batch goes back packed (row-transfer.ts); a reader opened to convert
 * converts and packs each row as it arrives (postgres-read-convert.ts). After a full
 * batch it reads the next one ahead (the engine asks for the batch after the last row
 * next), so the source side is never waiting for the main thread to ask.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type pg from 'pg';
import { connectPostgres } from '../../connect/postgres-connection.js';
import { SESSION_SETTINGS } from '../../connect/postgres-session.js';
import { compileRowFilter, type FilterParams } from '../plan/row-filter.js';
import type { TablePlan } from '../run-plan.js';
import type { KeysetPosition, ReadWindow, SourceRow } from './batch-io.js';
import { createPostgresReader, KeptRows, type PostgresReader } from './postgres-reader.js';
import { ConvertingCollector, type ConvertSpec } from './postgres-read-convert.js';
import { Rejected } from '../values/codec.js';
import { byteConversion, pgToSqliteCodec } from '../values/pg-to-sqlite.js';
import { packRows, type PackedConverted } from './row-transfer.js';
import type { ReadReply, ReadRequest, ReaderSpec } from './postgres-read-thread.js';
import { errorFields } from './reader-thread-client.js';

const port = parentPort;
if (!port) throw new Error('postgres-read-worker.js runs as a worker thread');
const { url, applicationName } = workerData as { url: string; applicationName: string };

let session: Promise<pg.Client> | null = null;
/** the session dropped between requests: said once, to the next request */
let lost: Error | null = null;
function client(): Promise<pg.Client> {
  if (lost) {
    // as a query on the main thread's dead session would: the engine then reconnects its
    // own session (taking the run lock again) and resumes from the checkpoint
    const e = lost;
    lost = null;
    return Promise.reject(e);
  }
  if (session) return session;
  const opening: Promise<pg.Client> = connectPostgres(url, { applicationName }).then(async (c) => {
    const forget = (e?: Error): void => {
      if (session !== opening) return;
      session = null;
      lost = Object.assign(new Error(`Connection terminated unexpectedly${e ? `: ${e.message}` : ''}`), { code: 'connection' });
    };
    c.on('end', () => forget());
    c.on('error', (e: Error) => forget(e));
    await c.query(SESSION_SETTINGS);
    return c;
  });
  opening.catch(() => {
    if (session === opening) session = null;
  });
  session = opening;
  return opening;
}

/** A batch as read: the rows kept, or converted and packed as they came (spec.convert). */
interface Collected {
  count: number;
  /** the last row's source values (key and cursor at least) */
  last(): SourceRow | null;
  rows?: SourceRow[];
  converted?: PackedConverted;
}

interface Ahead {
  key: string;
  batch: Promise<Collected>;
}

interface OpenReader {
  spec: ReaderSpec;
  on: pg.Client;
  reader: PostgresReader;
  keyIndexes: number[];
  cursorIndex: number;
  ahead: Ahead | null;
  /** spec.convert: how each row is converted and what it sends along of the source row */
  convert: ConvertSpec | null;
  /** bytes of text the last converted batch held: the next one's buffer starts that big */
  textBytes: number;
}

const specs = new Map<number, ReaderSpec>();
const open = new Map<number, OpenReader>();

async function readerFor(id: number): Promise<OpenReader> {
  const spec = specs.get(id);
  if (!spec) throw new Error(`reader ${id} was never opened`);
  const c = await client();
  const known = open.get(id);
  if (known && known.on === c) return known;
  const plan: TablePlan = spec.plan;
  const filter = compileRowFilter(plan, 'postgres', spec.params as FilterParams);
  const r: OpenReader = {
    spec,
    on: c,
    reader: createPostgresReader(c, spec.schema, plan, filter),
    keyIndexes: plan.key.map((k) => plan.columns.findIndex((col) => col.pg === k)),
    cursorIndex: plan.cursor === null ? -1 : plan.columns.findIndex((col) => col.pg === plan.cursor),
    ahead: null,
    convert: null,
    textBytes: 0,
  };
  if (spec.convert) {
    // the engine's converter for a plan without deferred columns (direction-wiring.ts), column by column
    const codecs = plan.columns.map((col) => pgToSqliteCodec(col));
    r.convert = {
      width: plan.columns.length,
      convert: (value, column) => {
        const out = (codecs[column] as (typeof codecs)[number])(value);
        return out instanceof Rejected ? { rejected: out.reason } : out;
      },
      columnNames: plan.columns.map((c) => c.sqlite),
      sourceIndexes: [...new Set([...r.keyIndexes, ...(r.cursorIndex >= 0 ? [r.cursorIndex] : [])])],
      fromBytes: plan.columns.map((col) => byteConversion(col)),
    };
  }
  open.set(id, r);
  return r;
}

const windowKey = (w: ReadWindow, converted: boolean): string => JSON.stringify([w.after, w.cursorBelow, w.through ?? null, w.limit, converted]);

async function collect(r: OpenReader, window: ReadWindow, convert: boolean): Promise<Collected> {
  if (convert && r.convert) {
    const c = await r.reader.readInto(window, new ConvertingCollector(r.convert, window.limit, r.textBytes));
    const converted = c.packed();
    r.textBytes = converted.text.byteLength;
    return { count: c.count, last: () => c.lastSource(), converted };
  }
  const kept = await r.reader.readInto(window, new KeptRows());
  return { count: kept.count, last: () => kept.rows[kept.rows.length - 1] ?? null, rows: kept.rows };
}

async function readBatch(r: OpenReader, window: ReadWindow, convert: boolean): Promise<Collected> {
  const key = windowKey(window, convert);
  const ahead = r.ahead;
  r.ahead = null;
  let batch: Collected | null = null;
  // a read ahead that failed is simply done again, so its error surfaces on a real request
  if (ahead && ahead.key === key) batch = await ahead.batch.catch(() => null);
  batch ??= await collect(r, window, convert);
  const last = batch.last();
  if (last && batch.count === window.limit) {
    const after: KeysetPosition = { cursor: r.cursorIndex >= 0 ? (last[r.cursorIndex] ?? null) : null, key: r.keyIndexes.map((i) => last[i] ?? null) };
    const next: ReadWindow = { ...window, after };
    const pending = collect(r, next, convert);
    pending.catch(() => undefined);
    r.ahead = { key: windowKey(next, convert), batch: pending };
  }
  return batch;
}

async function handle(req: ReadRequest): Promise<ReadReply> {
  if (req.op === 'open') {
    specs.set(req.reader, req.spec);
    return { id: req.id, ok: true, value: null };
  }
  if (req.op === 'close') {
    specs.delete(req.reader);
    open.delete(req.reader);
    return { id: req.id, ok: true, value: null };
  }
  const r = await readerFor(req.reader);
  switch (req.op) {
    case 'readBatch':
      return { id: req.id, ok: true, rows: packRows(((await readBatch(r, req.window, false)).rows ?? []) as (string | null)[][]) };
    case 'readConverted': {
      if (!r.convert) throw new Error(`reader ${req.reader} was not opened to convert`);
      const batch = await readBatch(r, req.window, true);
      if (!batch.converted) throw new Error(`reader ${req.reader} read no converted batch`);
      return { id: req.id, ok: true, converted: batch.converted };
    }
    case 'readByKeys':
      return { id: req.id, ok: true, rows: packRows((await r.reader.readByKeys(req.keys)) as (string | null)[][]) };
    case 'lastPosition':
      return { id: req.id, ok: true, value: await r.reader.lastPosition(req.cursorBelow) };
    case 'estimateRows':
      return { id: req.id, ok: true, value: await r.reader.estimateRows() };
  }
}

port.on('message', (req: ReadRequest) => {
  handle(req).then(
    // a converted batch's text and source values are handed over, not copied (their buffers are the batch's own)
    (reply) => port.postMessage(reply, 'converted' in reply ? [reply.converted.text.buffer as ArrayBuffer, reply.converted.textEnds.buffer as ArrayBuffer, reply.converted.source.text.buffer as ArrayBuffer] : []),
    (e: unknown) => {
      // this failure is what tells the engine of a session that dropped during the request
      lost = null;
      port.postMessage({ id: req.id, ok: false, error: errorFields(e) } satisfies ReadReply);
    },
  );
});
