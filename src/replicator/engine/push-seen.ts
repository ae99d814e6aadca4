/**
 * A pull's side of the push marks (state/push-marks.ts): where its read of a table starts
 * when other terminals pushed rows stamped below its checkpoint, and the mark position it
 * has seen up to, which rides in the table's checkpoint text (as the second pass's start
 * does, deferred-checkpoint.ts), so it commits with every batch and `reset` forgets it.
 */
import type pg from 'pg';
import type { KeysetPosition } from '../io/batch-io.js';
import { castTypes, postgresColumnTypes } from '../io/postgres-column-types.js';
import type { TablePlan } from '../run-plan.js';
import { marksNow, marksSince, type MarkScope, type MarksSince } from '../state/push-marks.js';

const FIELD = 'pushSeen';

/** The marks one table's pull reads (absent: the source is not PostgreSQL, or the table has no cursor). */
export interface TablePushMarks {
  /** where marks start now (a read from the start needs none of the older ones) */
  now(): Promise<string>;
  /** the marks since `seen`; the lowest marked cursor at or below `upTo`, 'start', or null */
  since(seen: string | null, upTo: string): Promise<MarksSince>;
}

export function pullMarks(client: pg.Client, schema: string, scope: MarkScope, plan: TablePlan): TablePushMarks | null {
  const cursor = plan.cursor;
  if (cursor === null) return null;
  return {
    now: () => marksNow(client),
    since(seen, upTo) {
      // the column's type, looked up only when there are marks to compare (marksSince asks)
      const type = async (): Promise<string> => castTypes(await postgresColumnTypes(client, schema, plan.table), schema, plan.table, [cursor])[0] ?? 'text';
      return marksSince(client, scope, plan.table, type, seen, upTo);
    },
  };
}

/** The mark position a checkpoint says its pull has seen up to; null: none recorded (all marks are new to it). */
export function pushSeenOf(checkpoint: string): string | null {
  const raw = JSON.parse(checkpoint) as Record<string, unknown>;
  const v = raw[FIELD];
  return typeof v === 'string' ? v : null;
}

/** `checkpoint` saying its pull has seen marks up to `seen` (null: as it is). */
export function withPushSeen(checkpoint: string, seen: string | null): string {
  if (seen === null) return checkpoint;
  const raw = JSON.parse(checkpoint) as Record<string, unknown>;
  raw[FIELD] = seen;
  return JSON.stringify(raw);
}

/**
 * Where an incremental read that goes on from `start` begins once the marks are read, and
 * the seen position to keep: `start` itself, null (the table again from the start), or
 * the lowest marked cursor (inclusive: a position without key values, keyset-plan.ts).
 * `keep`: the new seen position is worth saving even if the read finds nothing.
 * `rewound`: as table-start tells it (events.ts), null when the read starts at `start`.
 */
export async function startAfterMarks(
  marks: TablePushMarks,
  stored: string | null,
  start: KeysetPosition | null,
): Promise<{ start: KeysetPosition | null; seen: string; keep: boolean; rewound: { to: string | null } | null }> {
  // from the start (or still among NULL-cursor rows): every row with a cursor is read anyway
  if (start === null || start.cursor === null) return { start, seen: await marks.now(), keep: false, rewound: null };
  const m = await marks.since(stored, String(start.cursor));
  if (m.rewind === 'start') return { start: null, seen: m.seen, keep: m.found, rewound: { to: null } };
  if (m.rewind === null) return { start, seen: m.seen, keep: m.found, rewound: null };
  return { start: { cursor: m.rewind, key: [] }, seen: m.seen, keep: m.found, rewound: { to: m.rewind } };
}
