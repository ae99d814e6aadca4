/**
 * The main thread's side of a reader thread (postgres-read-thread.ts, sqlite-read-thread.ts):
 * requests matched to replies by id, the readers a restarted worker must be told about
 * again, and a thread that keeps the process alive only while a request is in flight.
 * A worker that stops fails its requests as a lost connection: the engine resumes the
 * table from its last commit, as after a dropped session.
 */
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';

/**
 * node:worker_threads, loaded when a thread first starts: a run that never starts one (an
 * incremental run reads its few rows in-process) does not load it (about 3 ms of start-up).
 */
let threads: typeof import('node:worker_threads') | undefined;
const workerThreads = (): typeof import('node:worker_threads') => (threads ??= createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads'));

export interface ThreadRequest {
  id: number;
  reader: number;
  op: string;
}

export type ThreadReply = { id: number; ok: true } | { id: number; ok: false; error: Record<string, unknown> };

export interface ReaderThreadOptions<Spec, Req extends ThreadRequest> {
  worker: URL;
  workerData: unknown;
  /** the thread's young generation: its garbage lives one batch, so a small one keeps peak RSS down */
  youngGenerationMb: number;
  /** 'SQLite', 'PostgreSQL': how errors name the thread */
  source: string;
  /** the request that tells a worker about a reader */
  open: (id: number, reader: number, spec: Spec) => Req;
  /** requests that need the reader known first (all but open/close) */
  needsReader: (req: Req) => boolean;
}

export interface ReaderThreadClient<Spec, Req extends ThreadRequest, Reply> {
  nextId(): number;
  /** a new reader's number; the thread (and its connection) starts now, while the engine does its own setup */
  addReader(spec: Spec): number;
  /** the reply, or the worker's error rebuilt with its fields (code, table, ...) */
  send(req: Req): Promise<Reply>;
  /** start the thread now (its modules load meanwhile), before the first reader is known */
  warm(): void;
  /** has the thread been started (by warm(), a reader or a request), even if it stopped since */
  started(): boolean;
  close(): Promise<void>;
}

type Pending<Reply> = { resolve: (r: Reply) => void; reject: (e: Error) => void };

/**
 * A worker's error as it crosses to the main thread: message, name and the fields the
 * engine looks at (code, table, ...); rebuiltError below turns it back into an Error.
 */
export function errorFields(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) };
  const out: Record<string, unknown> = { name: e.name, message: e.message };
  for (const [k, v] of Object.entries(e)) if (typeof v === 'string' || typeof v === 'number' || v === null) out[k] = v;
  return out;
}

function rebuiltError(source: string, fields: Record<string, unknown>): Error {
  const e = new Error(typeof fields.message === 'string' ? fields.message : `${source} read failed`);
  Object.assign(e, fields);
  return e;
}

export function createReaderThreadClient<Spec, Req extends ThreadRequest, Reply extends ThreadReply>(o: ReaderThreadOptions<Spec, Req>): ReaderThreadClient<Spec, Req, Reply> {
  let worker: Worker | null = null;
  const pending = new Map<number, Pending<Reply>>();
  let nextId = 1;
  let nextReader = 1;
  /** readers the current worker knows; a new worker (after one stopped) is told again */
  let known = new Set<number>();
  const specs = new Map<number, Spec>();

  let everStarted = false;
  const start = (): Worker => {
    everStarted = true;
    const w = new (workerThreads().Worker)(o.worker, { workerData: o.workerData, resourceLimits: { maxYoungGenerationSizeMb: o.youngGenerationMb } });
    // never what keeps the process alive: the pair ends it, and a CLI that exits ends it too
    w.unref();
    w.on('message', (reply: Reply) => {
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
      for (const p of pending.values()) p.reject(Object.assign(new Error(`${o.source} reader thread stopped: ${why}`), { code: 'connection' }));
      pending.clear();
    };
    w.on('error', (e) => gone(e.message));
    w.on('exit', (code) => gone(`exit code ${code}`));
    return w;
  };

  return {
    nextId: () => nextId++,
    addReader(spec) {
      const reader = nextReader++;
      specs.set(reader, spec);
      worker ??= start();
      return reader;
    },
    warm() {
      worker ??= start();
    },
    started: () => everStarted,
    send(req) {
      const w = (worker ??= start());
      if (o.needsReader(req) && !known.has(req.reader)) {
        const spec = specs.get(req.reader);
        if (spec !== undefined) {
          known.add(req.reader);
          w.postMessage(o.open(nextId++, req.reader, spec));
        }
      }
      // a request in flight keeps the process alive; an idle thread does not
      if (pending.size === 0) w.ref();
      return new Promise<Reply>((resolve, reject) => {
        pending.set(req.id, { resolve, reject });
        w.postMessage(req);
      }).then((reply) => {
        if (pending.size === 0 && worker === w) w.unref();
        if (!reply.ok) throw rebuiltError(o.source, reply.error);
        return reply;
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
