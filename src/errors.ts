/**
 * Typed errors with context. The library throws these and never prints or exits;
 * the CLI (src/cli/) turns them into messages and exit codes.
 * Messages never contain a password: connection details go through redactUrl().
 */

export type ErrorCode =
  | 'connection' // could not reach or log into a database
  | 'not_sqlite' // a file that is not a SQLite database
  | 'file_missing'
  | 'config' // bad flags, config file or environment
  | 'mapping' // a mapping file that does not validate
  | 'fix_refused' // the fix script cannot succeed on this data; nothing was changed
  | 'fix_failed' // the fix script failed and was rolled back
  | 'query' // a statement failed where we did not expect it
  | 'plan' // the mapped tables cannot be put in a load order (an unbreakable FK cycle, no usable key)
  | 'locked' // another replicate run holds this source/target pair
  | 'busy' // another process (the app) held the SQLite file's write lock longer than we wait
  | 'connection_lost' // PostgreSQL went away mid-run and did not come back within the reconnect attempts
  | 'shared_id'; // the SQLite file shares its id with another file that synced since (a copy, a restored backup)

export abstract class ReplicateError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ConnectionReason =
  | 'unreachable' // host/port did not answer or refused
  | 'host_not_found'
  | 'auth_failed'
  | 'database_missing'
  | 'timeout'
  | 'bad_url'
  | 'locked' // SQLite: another process holds a lock on the file
  | 'other';

export class ConnectionError extends ReplicateError {
  readonly code = 'connection' as const;
  constructor(
    message: string,
    readonly target: 'postgres' | 'sqlite',
    readonly reason: ConnectionReason,
    /** connection string with the password replaced by *** */
    readonly where: string,
    readonly sqlstate: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class NotSqliteError extends ReplicateError {
  readonly code = 'not_sqlite' as const;
  constructor(readonly path: string, detail: string) {
    super(`${path} is not a SQLite database (${detail})`);
  }
}

export class FileMissingError extends ReplicateError {
  readonly code = 'file_missing' as const;
  constructor(readonly path: string, readonly what: string) {
    super(`${what} not found: ${path}`);
  }
}

export class ConfigError extends ReplicateError {
  readonly code = 'config' as const;
  constructor(message: string, readonly key: string | null = null, readonly file: string | null = null) {
    super(message);
  }
}

/** The PostgreSQL schema named by --schema, PG_SCHEMA or the config file is not in the database (or may not be used). */
export class SchemaMissingError extends ReplicateError {
  readonly code = 'config' as const;
  constructor(
    readonly schema: string,
    readonly database: string,
    /** the user's own schemas there, to pick from */
    readonly schemas: string[],
    /** the schema is there, but the user may not use it (no USAGE privilege) */
    readonly noUsage = false,
  ) {
    super(
      noUsage
        ? `schema "${schema}" in database "${database}" may not be used by this user (no USAGE privilege on it)`
        : `schema "${schema}" does not exist in database "${database}"${schemas.length ? ` (its schemas: ${schemas.join(', ')})` : ''}`,
    );
  }
}

/**
 * The PostgreSQL connection dropped during a run and every reconnect attempt failed. Each
 * batch commits with its checkpoint, so what landed stays landed and a rerun resumes there.
 */
export class ConnectionLostError extends ReplicateError {
  readonly code = 'connection_lost' as const;
  constructor(
    /** the server, without password (describePostgresUrl) */
    readonly where: string,
    /** the table the run was on, or null between tables */
    readonly table: string | null,
    /** connections tried after the drop */
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(
      `lost the connection to PostgreSQL (${where})${table ? ` while copying ${table}` : ''}` +
        `${attempts > 0 ? `; gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} to reconnect` : ''}`,
      options,
    );
  }
}

export class MappingError extends ReplicateError {
  readonly code = 'mapping' as const;
  constructor(
    readonly file: string,
    readonly line: number | null,
    /** dotted path of the offending key, e.g. "columns.3.transform" */
    readonly key: string | null,
    readonly problem: string,
  ) {
    super(`${file}${line !== null ? `:${line}` : ''}${key ? ` (${key})` : ''}: ${problem}`);
  }
}

export class FixRefusedError extends ReplicateError {
  readonly code = 'fix_refused' as const;
  constructor(
    message: string,
    readonly table: string,
    readonly column: string | null,
    /** rows that stand in the way (NULLs under a new NOT NULL, orphans under a new FK) */
    readonly rows: number,
  ) {
    super(message);
  }
}

export class FixFailedError extends ReplicateError {
  readonly code = 'fix_failed' as const;
  constructor(message: string, readonly table: string | null, readonly statement: string | null, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class QueryError extends ReplicateError {
  readonly code = 'query' as const;
  constructor(
    message: string,
    readonly side: 'postgres' | 'sqlite',
    readonly table: string | null,
    readonly sqlstate: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The run cannot be planned: an FK cycle with no nullable column to defer, a table without a usable key. */
export class PlanError extends ReplicateError {
  readonly code = 'plan' as const;
  constructor(
    /** the tables involved (PostgreSQL names) */
    readonly tables: string[],
    readonly detail: string,
  ) {
    super(`${tables.join(', ')}: ${detail}`);
  }
}

/**
 * SQLITE_BUSY, named: another process (usually the app, in a transaction) held the write
 * lock on the file longer than replicate waits for it. The statement's transaction rolled
 * back, so nothing since the last checkpoint was written.
 */
export class SqliteBusyError extends ReplicateError {
  readonly code = 'busy' as const;
  constructor(
    readonly path: string,
    /** how long replicate waited for the lock before giving up (every attempt, when retried) */
    readonly waitedMs: number,
    /** the table being written (PostgreSQL name), or null outside a table's batches */
    readonly table: string | null,
    options?: { cause?: unknown },
  ) {
    super(`another process holds a write lock on ${path}; waited ${Math.round(waitedMs / 1000)} s for it`, options);
  }
}

/**
 * Foreign keys or indexes owed to tables `run --create-missing` created could not be
 * added (a row written meanwhile breaks the FK, a duplicate under a UNIQUE index). Every
 * row is in and checkpointed; each one listed stays owed and the next run tries again.
 */
export class OwedConstraintsError extends ReplicateError {
  readonly code = 'query' as const;
  constructor(readonly failures: { table: string; kind: string; name: string; detail: string; sqlstate: string | null; message: string }[]) {
    const n = failures.length;
    super(
      `${n === 1 ? 'a constraint or index' : `${n} constraints or indexes`} owed since --create-missing could not be added; ` +
        `${n === 1 ? 'it stays' : 'they stay'} owed and the next run tries again (fix the rows first):\n` +
        failures.map((f) => `  ${f.table}: ${f.kind} ${f.name} ${f.detail}: ${f.message}${f.sqlstate ? ` (SQLSTATE ${f.sqlstate})` : ''}`).join('\n'),
    );
  }
}

/**
 * A sqlite-to-pg run refused before reading anything: another file with this file's id (a
 * copy of it, or a restored backup's original) synced with this PostgreSQL since this one
 * last did, so the checkpoints and ledgers kept there for the id are not this file's.
 */
export class SharedDatabaseIdError extends ReplicateError {
  readonly code = 'shared_id' as const;
  constructor(
    readonly path: string,
    readonly sqliteId: string,
    /** the server and schema (describePostgresUrl, no password) */
    readonly where: string,
  ) {
    super(`${path}: this file shares its id ${sqliteId} with another file that synced with ${where} since it last did (a copy of it, or a restored backup)`);
  }
}

/**
 * The `code` a driver or Node put on a thrown value (a SQLSTATE such as '23505', 'SQLITE_BUSY',
 * 'ECONNRESET', or a ReplicateError's code), or undefined when it carries no string code.
 */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Any password-shaped part of `text` masked: `scheme://user:password@` (up to the last '@'
 * of the word, so a password holding an unencoded '@' goes whole), `user:password@host`
 * (a URL missing its scheme) and `password=...`. For text that may quote a connection
 * string as the user wrote it: a config file's parse error, a URL we could not parse.
 */
export function maskCredentials(text: string): string {
  // our messages' own example, postgres://user:password@host..., is left as it is
  const mask = (whole: string, lead: string, password: string): string => (/(^|[/\s"'`=(,[{])user:$/.test(lead) && password === 'password' ? whole : `${lead}***@`);
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'`]*:)([^\s"'`]*)@/gi, mask)
    .replace(/((?:^|[\s"'`=(,[{])[^\s:/@"'`=(),[\]{}]+:)(?!\/\/)([^\s"'`]*)@/g, mask)
    .replace(/((?:ssl)?password\s*=\s*)[^\s&"']+/gi, '$1***');
}

/** postgres://user:secret@host/db -> postgres://user:***@host/db; also key=value strings and URLs missing their scheme. */
export function redactUrl(url: string): string {
  const masked = maskCredentials(url);
  try {
    const u = new URL(masked);
    if (u.password) u.password = '***';
    for (const k of ['password', 'sslpassword']) if (u.searchParams.has(k)) u.searchParams.set(k, '***');
    return u.toString().replace('%2A%2A%2A', '***');
  } catch {
    return masked;
  }
}

/** Remove a known secret from any text (driver messages, stack traces) before it is shown. */
export function redactSecret(text: string, secret: string | null | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('***');
}

/** The URL's password, decoded, or null: the secret redactSecret keeps out of messages. */
export function passwordInUrl(url: string): string | null {
  try {
    const p = decodeURIComponent(new URL(url).password);
    return p.length > 0 ? p : null;
  } catch {
    return null;
  }
}
