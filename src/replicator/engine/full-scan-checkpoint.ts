/**
 * A first copy of a table with a cursor reads it by key, not by (cursor, key): ordering a
 * whole table by a cursor whose index lacks the key sorts the rest of the table for every
 * batch. The copy ends on the high-water mark taken before it started (the greatest
 * (cursor, key) below the late-commit cap), and incremental runs go on from there; rows
 * changed during the copy carry a later cursor and are read again, harmlessly.
 *
 * While the key scan runs, each batch's checkpoint says how far the scan got and which
 * high-water mark it ends on, so a run killed mid-copy resumes the scan.
 */
import type { KeysetPosition } from '../io/batch-io.js';
import type { PgText, SqliteValue } from '../values/codec.js';
import { decodePosition, decodeValues, encodePosition, encodeValues } from './position-codec.js';

type Native = PgText | SqliteValue;

const FIELD = 'fullScan';

export interface FullScanState {
  /** the key the scan reached (null: not started) */
  after: Native[] | null;
  /** where incremental reads continue once the scan is done (null: the table was empty) */
  highWater: KeysetPosition | null;
}

/** A checkpoint written during the scan, on top of the text the caller would write for `highWater`. */
export function fullScanText(baseText: string, scan: FullScanState): string {
  const raw = JSON.parse(baseText) as Record<string, unknown>;
  raw[FIELD] = {
    after: scan.after === null ? null : encodeValues(scan.after),
    highWater: scan.highWater === null ? null : encodePosition(scan.highWater),
  };
  return JSON.stringify(raw);
}

/** The unfinished scan a checkpoint records, or null when the table reads incrementally. */
export function pendingFullScan(checkpoint: string): FullScanState | null {
  const raw = JSON.parse(checkpoint) as Record<string, unknown>;
  const scan = raw[FIELD] as { after: string | null; highWater: string | null } | undefined;
  if (!scan) return null;
  return {
    after: scan.after === null ? null : decodeValues(scan.after),
    highWater: scan.highWater === null ? null : decodePosition(scan.highWater),
  };
}
