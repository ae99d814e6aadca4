/**
 * Naming conventions `replicate map` uses to guess what a column is for. Guesses only:
 * the generated mapping file is the user's to correct. Seed 002 shows these names.
 */
import type { SoftDelete } from './table-mapping.js';

/** Bookkeeping columns that sync layers add to the SQLite side and that never replicate. */
export const LOCAL_SYNC_COLUMNS: readonly string[] = [
  'local_id',
  'server_id',
  'sync_status',
  'sync_operation',
  'sync_version',
  'sync_error',
  'last_sync_at',
  'last_synced_at',
  'is_dirty',
];

/** Incremental cursor candidates, best first. */
export const CURSOR_COLUMNS: readonly string[] = [
  'updated_at',
  'updatedat',
  'modified_at',
  'last_modified',
  'last_modified_at',
  'updated_on',
  'changed_at',
  'modified',
];

export const SOFT_DELETE_COLUMNS: readonly SoftDelete[] = [
  { column: 'deleted_at', kind: 'timestamp' },
  { column: 'is_deleted', kind: 'flag' },
  { column: 'deleted', kind: 'flag' },
  { column: 'removed_at', kind: 'timestamp' },
];

/** The SQLite key-translation pattern of seed 002: local_id is the key, server_id mirrors PostgreSQL's id. */
export const KEY_TRANSLATION = { sqliteKey: 'local_id', serverId: 'server_id', postgresKey: 'id' } as const;

export const DEFAULT_PRIORITY = 100;
