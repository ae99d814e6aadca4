/**
 * Reads a SQLite source for a first load on a worker thread (sqlite-read-worker.ts) and
 * hands back batches converted and encoded as COPY lines (engine/copy-batch.ts). In a
 * sqlite-to-pg first load the server no longer checks FKs per row, so Node's work per row
 * (reading values out of SQLite, converting them, encoding COPY text, and its garbage)
 * was what the run waited on; on another thread (another core) it overlaps the main
 * thread's FK guard and COPY writes. The thread opens the file read-only on a connection
 * of its own; each batch is its own statement, as on the main thread, so keyset reads
 * mean what they did.
 *
 * The thread starts on first use and ends with the pair. Running from TypeScript sources
 * (the tests' in-process runs), or on an in-memory database, there is no worker to start:
 * openSqliteReadThread returns null and the caller encodes on the main thread the same way.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { encodePosition } from '../engine/position-codec.js';
import type { CopyBatch, CopyBatchReader, CopyBatchShape } from '../engine/copy-batch.js';
import type { FilterParams } from '../plan/row-filter.js';
import type { TablePlan } from '../run-plan.js';
import type { ReadWindow } from './batch-io.js';

export interface CopyReaderSpec {
  /** the table as the reader reads it (keyset order: by cursor, or by key alone) */
  readPlan: TablePlan;
  /** the table as it is converted (its columns in target-row order) */
  plan: TablePlan;
  params: FilterParams;
  shape: CopyBatchShape;
}

/** A read window with its positions as text (BLOB keys survive the crossing as Buffers). */
export interface WireWindow {
  after: string | null;
  through: string | null;
  cursorBelow: string | null;
  limit: number;
}

export type CopyReadRequest =
  | { id: number; reader: number; op: 'open'; spec: CopyReaderSpec }
  | { id: number; reader: number; op: 'readBatch'; window: WireWindow };

export type CopyReadReply = { id: number; ok: true; batch: CopyBatch | null } | { id: number; ok: false; error: Record<string, unknown> };

export interface SqliteReadThread {
  reader(spec: CopyReaderSpec): CopyBatchReader;
  close(): Promise<void>;
}

type Pending = { resolve: (r: CopyReadReply) => void; reject: (e: Error) => void };

const WORKER = new URL('./sqlite-read-worker.js', import.meta.url);

/**
 * Its garbage lives one 250-row part of a batch (sqlite-read-worker.ts), so a small young
 * generation does: 8 MB against 16 MB took about 10 MB off peak RSS (case a at scale 1,
 * 222 against 232 MB) for the same CPU time.
 */
const YOUNG_GENERATION_MB = 8;

function rebuiltError(fields: Record<string, unknown>): Error {
  const e = new Error(typeof fields.message === 'string' ? fields.message : 'SQLite read failed');
  Object.assign(e, fields);
  return e;
}

export function toWire(w: ReadWindow): WireWindow {
  return {
    after: w.after === null ? null : encodePosition(w.after),
    through: w.through === undefined || w.through === null ? null : encodePosition(w.through),
    cursorBelow: w.cursorBelow,
    limit: w.limit,
  };
}

export function openSqliteReadThread(path: string): SqliteReadThread | null {
  if (path === '' || path === ':memory:' || !existsSync(fileURLToPath(WORKER))) return null;
  let worker: Worker | null = null;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextReader = 1;
  /** readers the current worker knows; a new worker (after one stopped) is told again */
  let known = new Set<number>();
  const specs = new Map<number, CopyReaderSpec>();

  const start = (): Worker => {
    const w = new Worker(WORKER, { workerData: { path }, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    w.unref(); // never what keeps the process alive: the pair ends it
    w.on('message', (reply: CopyReadReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      p.resolve(reply);
    });
    const gone = (why: string): void => {
      if (worker !== w) return;
      worker = null;
      known = new Set();
      // 'connection': the engine treats it as a lost session and resumes the table from its last commit
      for (const p of pending.values()) p.reject(Object.assign(new Error(`SQLite reader thread stopped: ${why}`), { code: 'connection' }));
      pending.clear();
    };
    w.on('error', (e) => gone(e.message));
    w.on('exit', (code) => gone(`exit code ${code}`));
    return w;
  };

  const send = (req: CopyReadRequest): Promise<CopyReadReply> => {
    const w = (worker ??= start());
    if (req.op !== 'open' && !known.has(req.reader)) {
      const spec = specs.get(req.reader);
      if (spec) {
        known.add(req.reader);
        w.postMessage({ id: nextId++, reader: req.reader, op: 'open', spec } satisfies CopyReadRequest);
      }
    }
    if (pending.size === 0) w.ref(); // a request in flight keeps the process alive; an idle thread does not
    return new Promise<CopyReadReply>((resolve, reject) => {
      pending.set(req.id, { resolve, reject });
      w.postMessage(req);
    }).then((reply) => {
      if (pending.size === 0 && worker === w) w.unref();
      if (!reply.ok) throw rebuiltError(reply.error);
      return reply;
    });
  };

  return {
    reader(spec) {
      const reader = nextReader++;
      specs.set(reader, spec);
      worker ??= start(); // the thread and its connection start now, while the engine does its own setup
      return {
        async readBatch(window) {
          const reply = await send({ id: nextId++, reader, op: 'readBatch', window: toWire(window) });
          if (!reply.ok || reply.batch === null) throw new Error('SQLite reader thread sent no batch');
          return reply.batch;
        },
      };
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
