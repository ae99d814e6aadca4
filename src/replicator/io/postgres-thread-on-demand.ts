/**
 * A pg-to-sqlite table's reader that starts the PostgreSQL reader thread
 * (postgres-read-thread.ts) only once a table has more than one batch to read. The thread
 * pays where reading overlaps writing over many batches: a first load, a big catch-up. An
 * incremental run that finds a few changed rows per table reads them on the run's own
 * session instead: no thread to wait for (its modules took 0.1-0.15 s on the bench
 * machine before the first read, in every run) and no second session on the server, which
 * a fleet of terminals pulling on a schedule would otherwise each open.
 *
 * The first full batch starts the thread, which loads while that batch is written. Once it
 * is up (a first load warmed it at the run's start, or an earlier table needed it), every
 * read goes to it. Every window is its own statement either way (batch-io.ts), the thread
 * running the same keyset SELECT inside a binary COPY (postgres-copy-rows.ts) and giving
 * the values pgToSqliteCodec gives here (replicate-pg-to-sqlite-reader-thread.test.ts
 * compares the two), so a table read partly here and partly there gets the same rows.
 */
import type { BatchReader, ReadWindow, SourceRow } from './batch-io.js';
import type { PostgresReadThread } from './postgres-read-thread.js';

/**
 * `here`: the reader on the run's session; `openOnThread`: the same table's reader on
 * the thread (called at most once; opening it starts the thread).
 */
export function threadOnDemand(here: BatchReader, thread: PostgresReadThread, openOnThread: () => BatchReader): BatchReader {
  let onThread: BatchReader | null = null;
  const threadReader = (): BatchReader => (onThread ??= openOnThread());
  const useThread = (): boolean => onThread !== null || thread.started();
  const readHere = async (window: ReadWindow): Promise<SourceRow[]> => {
    const rows = await here.readBatch(window);
    // more may follow: the thread starts now, while the engine writes this batch
    if (rows.length >= window.limit) threadReader();
    return rows;
  };
  const reader: BatchReader = {
    readBatch: (window) => (useThread() ? threadReader().readBatch(window) : readHere(window)),
    readByKeys: (keys) => (useThread() ? threadReader() : here).readByKeys(keys),
    estimateRows: () => here.estimateRows(),
    lastPosition: (cursorBelow) => here.lastPosition(cursorBelow),
  };
  return {
    ...reader,
    // the thread's reader converts its batches; a batch read here is converted by the engine
    readConverted: (window) => {
      if (!useThread()) return readHere(window);
      const r = threadReader();
      return r.readConverted ? r.readConverted(window) : r.readBatch(window);
    },
  };
}
