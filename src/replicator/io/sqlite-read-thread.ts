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
import { encodePosition } from '../engine/position-codec.js';
import type { CopyBatch, CopyBatchReader, CopyBatchShape } from '../engine/copy-batch.js';
import type { FilterParams } from '../plan/row-filter.js';
import type { TablePlan } from '../run-plan.js';
import type { ReadWindow } from './batch-io.js';
import { createReaderThreadClient } from './reader-thread-client.js';

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
  /** start the thread ahead of its first reader (a worker takes a few hundred ms to load its modules) */
  warm(): void;
  close(): Promise<void>;
}

const WORKER = new URL('./sqlite-read-worker.js', import.meta.url);

/**
 * Its garbage lives one 250-row part of a batch (sqlite-read-worker.ts), so a small young
 * generation does: 8 MB against 16 MB took about 10 MB off peak RSS (case a at scale 1,
 * 222 against 232 MB) for the same CPU time.
 */
const YOUNG_GENERATION_MB = 8;

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
  const client = createReaderThreadClient<CopyReaderSpec, CopyReadRequest, CopyReadReply>({
    worker: WORKER,
    workerData: { path },
    youngGenerationMb: YOUNG_GENERATION_MB,
    source: 'SQLite',
    open: (id, reader, spec) => ({ id, reader, op: 'open', spec }),
    needsReader: (req) => req.op !== 'open',
  });
  return {
    reader(spec) {
      const reader = client.addReader(spec);
      return {
        async readBatch(window) {
          const reply = await client.send({ id: client.nextId(), reader, op: 'readBatch', window: toWire(window) });
          if (!reply.ok || reply.batch === null) throw new Error('SQLite reader thread sent no batch');
          return reply.batch;
        },
      };
    },
    warm: () => client.warm(),
    close: () => client.close(),
  };
}
