/**
 * Reads a PostgreSQL source on a worker thread (postgres-read-worker.ts), behind the same
 * BatchReader interface as createPostgresReader. In a pg-to-sqlite run the main thread
 * spends most of its time in SQLite's writes; with the rows received and parsed on
 * another thread (another core), reading the next batches overlaps writing the last one
 * instead of taking turns with it. A reader opened to convert also turns each batch into
 * SQLite values there (readConverted, row-transfer.ts), so the main thread only binds and
 * steps. The thread has its own PostgreSQL session, with the
 * same settings as the main one: batches never shared a snapshot (each is its own
 * statement), so nothing the engine relies on changes.
 *
 * The thread starts on first use and ends with the pair. Running from TypeScript sources
 * (the tests' in-process runs), there is no compiled worker to start: openPostgresReadThread
 * returns null and the caller reads on the main thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FilterParams } from '../plan/row-filter.js';
import type { TablePlan } from '../run-plan.js';
import type { BatchReader, ConvertedBatch, KeysetPosition, ReadWindow, SourceRow, TargetRow } from './batch-io.js';
import { checkReadPlan } from './postgres-reader.js';
import { createReaderThreadClient } from './reader-thread-client.js';
import { convertedSourceRows, unpackConverted, unpackRows, type PackedConverted, type PackedRows } from './row-transfer.js';
import { slicedTargets } from './text-slices.js';

export interface ReaderSpec {
  schema: string;
  plan: TablePlan;
  params: FilterParams;
  /**
   * also convert each batch for SQLite (values/pg-to-sqlite.ts, column by column, as the
   * engine's converter would for a plan without deferred columns): readConverted()
   */
  convert?: boolean;
}

export type ReadRequest =
  | { id: number; reader: number; op: 'open'; spec: ReaderSpec }
  | { id: number; reader: number; op: 'close' }
  | { id: number; reader: number; op: 'readBatch'; window: ReadWindow }
  | { id: number; reader: number; op: 'readConverted'; window: ReadWindow }
  | { id: number; reader: number; op: 'readByKeys'; keys: (string | null)[][] }
  | { id: number; reader: number; op: 'lastPosition'; cursorBelow: string | null }
  | { id: number; reader: number; op: 'estimateRows' };

export type ReadReply =
  | { id: number; ok: true; rows: PackedRows }
  | { id: number; ok: true; converted: PackedConverted }
  | { id: number; ok: true; value: KeysetPosition | number | null }
  | { id: number; ok: false; error: Record<string, unknown> };

export interface PostgresReadThread {
  /** `convert`: the reader also has readConverted() (ReaderSpec.convert) */
  reader(schema: string, plan: TablePlan, params: FilterParams, convert?: boolean): BatchReader;
  /** start the thread now: its modules load while the run plans (its session connects at its first request) */
  warm(): void;
  /** has the thread been started (warm(), or a reader's first request) */
  started(): boolean;
  close(): Promise<void>;
}

const WORKER = new URL('./postgres-read-worker.js', import.meta.url);

/**
 * The thread's young generation. Its garbage is short-lived (one batch at a time), and
 * V8's default (48 MB) showed in peak RSS: 238 MB against 205 MB with 16 MB at scale 1,
 * for the same run time (the thread is not what the run waits on).
 */
const YOUNG_GENERATION_MB = 16;

export function openPostgresReadThread(url: string, applicationName: string): PostgresReadThread | null {
  if (!existsSync(fileURLToPath(WORKER))) return null;
  const client = createReaderThreadClient<ReaderSpec, ReadRequest, ReadReply>({
    worker: WORKER,
    workerData: { url, applicationName },
    youngGenerationMb: YOUNG_GENERATION_MB,
    source: 'PostgreSQL',
    open: (id, reader, spec) => ({ id, reader, op: 'open', spec }),
    needsReader: (req) => req.op !== 'open' && req.op !== 'close',
  });
  const send = (req: ReadRequest): Promise<ReadReply> => client.send(req);
  const nextId = (): number => client.nextId();
  const rows = async (req: ReadRequest): Promise<SourceRow[]> => {
    const reply = await send(req);
    return 'rows' in reply ? unpackRows(reply.rows) : [];
  };
  const converted = async (req: ReadRequest, width: number): Promise<ConvertedBatch> => {
    const reply = await send(req);
    if (!('converted' in reply)) throw new Error('PostgreSQL reader thread sent no converted rows');
    const packed = reply.converted;
    let targets: (TargetRow | null)[] | null = null;
    return {
      count: packed.count,
      sourceRow: convertedSourceRows(packed, width),
      // decoded only if asked for: a plain load binds the batch's text as it came (sliced)
      get targets() {
        return (targets ??= unpackConverted(packed));
      },
      rejected: packed.rejected,
      again: () => ({ targets: unpackConverted(packed) }),
      sliced: () => slicedTargets(packed),
    };
  };
  const value = async (req: ReadRequest): Promise<KeysetPosition | number | null> => {
    const reply = await send(req);
    return 'value' in reply ? reply.value : null;
  };

  return {
    reader(schema, plan, params, convert = false) {
      checkReadPlan(plan);
      const reader = client.addReader({ schema, plan, params, convert });
      const width = plan.columns.length;
      return {
        readBatch: (window) => rows({ id: nextId(), reader, op: 'readBatch', window }),
        ...(convert ? { readConverted: (window: ReadWindow) => converted({ id: nextId(), reader, op: 'readConverted', window }, width) } : {}),
        readByKeys: (keys) => rows({ id: nextId(), reader, op: 'readByKeys', keys: keys.map((k) => k.map((v) => (v === null || v === undefined ? null : String(v)))) }),
        lastPosition: async (cursorBelow) => (await value({ id: nextId(), reader, op: 'lastPosition', cursorBelow })) as KeysetPosition | null,
        estimateRows: async () => Number(await value({ id: nextId(), reader, op: 'estimateRows' })),
      };
    },
    warm: () => client.warm(),
    started: () => client.started(),
    close: () => client.close(),
  };
}
