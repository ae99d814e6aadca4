/**
 * Text formats a SQLite app keeps dates and times in. SQLite compares them as text, so
 * the replicator writes each column back in the format it already uses (DESIGN.md,
 * Fidelity). `replicate map` profiles the column and records the format in the mapping.
 */
export const TIME_FORMATS = [
  /** 2025-11-05T10:15:30.123Z (six fractional digits when the value has sub-millisecond precision) */
  'iso-t-z',
  /** 2025-11-05T10:15:30.123+02:00 / without fraction: offset kept */
  'iso-t-offset',
  /** 2025-11-05 10:15:30 (SQLite's CURRENT_TIMESTAMP, UTC), fraction kept when present */
  'iso-space',
  /** 2025-11-05T10:15:30.123 (no zone: a local/naive timestamp, never shifted) */
  'iso-t-naive',
  /** seconds since 1970 as an integer (fraction as REAL when present) */
  'epoch-s',
  /** milliseconds since 1970 as an integer */
  'epoch-ms',
  /** 2025-11-05 (date columns) */
  'date',
] as const;

export type TimeFormat = (typeof TIME_FORMATS)[number];

/** The format for a column with no values yet. */
export const DEFAULT_TIME_FORMAT: TimeFormat = 'iso-t-z';
