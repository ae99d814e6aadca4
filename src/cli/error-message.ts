/**
 * Turns a typed error into the one message a user reads: what failed, where, and
 * what to do. Passwords never appear: connection errors carry a redacted `where`.
 */
import {
  ConfigError,
  ConnectionError,
  FileMissingError,
  FixFailedError,
  FixRefusedError,
  MappingError,
  NotSqliteError,
  QueryError,
  ReplicateError,
  SqliteBusyError,
} from '../errors.js';

const CONNECTION_HINTS: Record<ConnectionError['reason'], string> = {
  unreachable: 'is the server running and listening on that host and port?',
  host_not_found: 'check the host name in the connection string',
  auth_failed: 'check the user name and password (PG_URL, --pg or the config file)',
  database_missing: 'create the database or fix its name in the connection string',
  timeout: 'the server did not answer in time; check the network or firewall',
  bad_url: 'expected postgres://user:password@host:5432/database',
  other: 'see the message above',
};

export function errorMessage(error: unknown): string {
  if (error instanceof ConnectionError) {
    return `cannot connect to PostgreSQL (${error.where}): ${error.message}\n  hint: ${CONNECTION_HINTS[error.reason]}`;
  }
  if (error instanceof NotSqliteError || error instanceof FileMissingError) return error.message;
  if (error instanceof MappingError) return `invalid mapping file ${error.message}`;
  if (error instanceof ConfigError) return error.file ? `${error.file}: ${error.message}` : error.message;
  if (error instanceof FixRefusedError) return `fix-script refused, nothing was changed: ${error.message}`;
  if (error instanceof FixFailedError) return `fix-script failed and was rolled back: ${error.message}`;
  if (error instanceof QueryError) {
    return `${error.side}${error.table ? ` table ${error.table}` : ''}: ${error.message}${error.sqlstate ? ` (SQLSTATE ${error.sqlstate})` : ''}`;
  }
  if (error instanceof SqliteBusyError) {
    return (
      `another process holds a write lock on ${error.path} (the app, in the middle of a transaction): replicate waited ${Math.round(error.waitedMs / 1000)} s for it and gave up; ` +
      `nothing was written${error.table ? ` for ${error.table}` : ''} since the last checkpoint\n  hint: run again when the app is idle (no transaction open on the file)`
    );
  }
  if (error instanceof ReplicateError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
