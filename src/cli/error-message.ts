/**
 * Turns a typed error into the one message a user reads: what failed, where, and
 * what to do. Passwords never appear: connection errors carry a redacted `where`, and
 * anything shaped like a password in a URL is masked on the way out (maskCredentials).
 */
import {
  ConfigError,
  ConnectionError,
  ConnectionLostError,
  FileMissingError,
  FixFailedError,
  FixRefusedError,
  MappingError,
  maskCredentials,
  NotSqliteError,
  QueryError,
  ReplicateError,
  SchemaMissingError,
  SharedDatabaseIdError,
  SqliteBusyError,
} from '../errors.js';

const CONNECTION_HINTS: Record<ConnectionError['reason'], string> = {
  unreachable: 'is the server running and listening on that host and port?',
  host_not_found: 'check the host name in the connection string',
  auth_failed: 'check the user name and password (PG_URL, --pg or the config file)',
  database_missing: 'create the database or fix its name in the connection string',
  timeout: 'the server did not answer in time; check the network or firewall',
  bad_url: 'expected postgres://user:password@host:5432/database',
  locked: 'another process holds a lock on the file; see the message above',
  other: 'see the message above',
};

/** `where` is the file's path */
const SQLITE_HINTS: Partial<Record<ConnectionError['reason'], (where: string) => string>> = {
  locked: (where) =>
    'another process has the file in a write transaction (the app that owns it, a sqlite3 shell or DB browser left in BEGIN, a backup); ' +
    `let it finish or close it, then run again (\`lsof ${where}\` or \`fuser ${where}\` shows who has it open)`,
};

function connectionMessage(error: ConnectionError): string {
  if (error.target === 'sqlite') {
    const hint = SQLITE_HINTS[error.reason];
    return `cannot open the SQLite database (${error.where}): ${error.message}${hint ? `\n  hint: ${hint(error.where)}` : ''}`;
  }
  // the message names the URL (masked) and what a good one looks like
  if (error.reason === 'bad_url') return error.message;
  return `cannot connect to PostgreSQL (${error.where}): ${error.message}\n  hint: ${CONNECTION_HINTS[error.reason]}`;
}

function describe(error: unknown): string {
  if (error instanceof ConnectionError) return connectionMessage(error);
  if (error instanceof ConnectionLostError) {
    return `${error.message}\n  every batch that committed is checkpointed: run the same command again once PostgreSQL is back and it resumes from there`;
  }
  if (error instanceof SchemaMissingError) {
    return error.noUsage
      ? `${error.message}\n  hint: GRANT USAGE ON SCHEMA "${error.schema}" to this user, or name another schema (--schema, PG_SCHEMA or "schema" in the config file)`
      : `${error.message}; nothing was done\n  hint: fix --schema, PG_SCHEMA or "schema" in the config file; to replicate into a new schema, create it first ` +
          `(CREATE SCHEMA "${error.schema}"): run --create-missing creates tables, not schemas`;
  }
  if (error instanceof SharedDatabaseIdError) {
    return (
      `${error.message}; nothing was sent\n  hint: run \`replicate reset --new-id\` on a copy (it becomes a new terminal: its next push is a full one) ` +
      'or `replicate reset --adopt` on a restored backup that replaces the original'
    );
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

export function errorMessage(error: unknown): string {
  return maskCredentials(describe(error));
}
