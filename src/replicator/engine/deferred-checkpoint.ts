/**
 * Where the second pass of a table's deferred columns has to start, kept inside the
 * table's checkpoint until that pass is done. The first pass writes deferred columns NULL
 * and moves the checkpoint on batch by batch; a run that stops (or dies) before its second
 * pass would otherwise leave those NULLs behind a checkpoint no later run re-reads. The
 * field rides in the checkpoint's position text, so it commits with every batch, and
 * `reset` forgets it together with the checkpoint.
 */
import type { KeysetPosition } from '../io/batch-io.js';
import { decodePosition, encodePosition } from './position-codec.js';

/** The second pass re-reads from just after `from` (null: from the start of the table). */
export interface SecondPassStart {
  from: KeysetPosition | null;
}

const FIELD = 'secondPassFrom';

/** The checkpoint text for a batch ending at `last`; with `secondPass`, it says the second pass is still owed from there. */
export function checkpointText(last: KeysetPosition, secondPass: SecondPassStart | null): string {
  if (!secondPass) return encodePosition(last);
  const raw = JSON.parse(encodePosition(last)) as Record<string, unknown>;
  raw[FIELD] = secondPass.from === null ? null : (JSON.parse(encodePosition(secondPass.from)) as unknown);
  return JSON.stringify(raw);
}

/** Where a checkpoint says the second pass is still owed from, or null when none is. */
export function pendingSecondPass(checkpoint: string): SecondPassStart | null {
  const raw = JSON.parse(checkpoint) as Record<string, unknown>;
  if (!(FIELD in raw)) return null;
  const from = raw[FIELD];
  return { from: from === null || from === undefined ? null : decodePosition(JSON.stringify(from)) };
}
