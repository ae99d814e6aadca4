/**
 * Connecting to PostgreSQL with failures a user can act on: each driver error becomes
 * a ConnectionError whose reason and message name host, port, database and user, and
 * never the password.
 */
import pg from './pg-driver.js';
import { userInfo } from 'node:os';
import { ConnectionError, errorCode, redactSecret, redactUrl, type ConnectionReason } from '../errors.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Where a URL points, filled with the defaults the pg driver itself uses. */
interface PgTarget {
  protocol: string;
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | null;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'postgres';
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Why the text before the host cannot be read as the user meant, or null. A URL parser ends
 * the user-info at the first '/', '?' or '#' and the host at the next '@': a password that
 * holds one of them unencoded turns its tail into the host, port and database (all shown
 * in the errors that follow) or the query. Refused up front instead.
 */
function userInfoProblem(url: string): string | null {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) {
    // `user:password@host/db`: parsed, the user name would pass for the scheme
    return /^[^\s:/@]+:[^@]*@/.test(url) ? `it does not start with postgres:// (did you mean ${redactUrl(`postgres://${url}`)}?)` : null;
  }
  const rest = url.slice(scheme[0].length);
  // up to the query: an '@' in a query value (a file path) is no concern here
  const head = rest.split(/[?#]/)[0] ?? '';
  const ats = head.split('@').length - 1;
  const percentEncode = "percent-encode the password ('@' is %40, ':' %3A, '/' %2F, '?' %3F, '#' %23, '%' %25)";
  if (ats > 1) return `it has more than one '@' in its user-info part (user:password@): ${percentEncode}`;
  const slashBeforeAt = ats === 1 && head.slice(0, head.indexOf('@')).includes('/');
  // `user:pa?ss@host`: the query would start inside the password (a `host:port?...` is fine)
  const queryInPassword = ats === 0 && rest.length > head.length && rest.slice(head.length).includes('@') && /^[^/]*:(?!\d*$)/.test(head);
  if (slashBeforeAt || queryInPassword) return `its user-info part (user:password@) holds a '/', '?' or '#': ${percentEncode}`;
  return null;
}

/** The target, or why the URL cannot be used. */
function parseTarget(url: string): PgTarget | string {
  const problem = userInfoProblem(url);
  if (problem) return problem;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    const port = /^[a-z]+:\/\/(?:[^/@]*@)?[^/:?]*:(\d+)/i.exec(url)?.[1];
    return port && Number(port) > 65535 ? 'the port is not a number from 1 to 65535' : 'not a URL';
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return `scheme "${u.protocol}" is not postgres: or postgresql:`;
  const env = process.env;
  const user = safeDecode(u.username) || env.PGUSER || osUser();
  const port = Number(u.port || env.PGPORT || 5432);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return 'the port is not a number from 1 to 65535';
  return {
    protocol: u.protocol,
    host: safeDecode(u.hostname) || u.searchParams.get('host') || env.PGHOST || 'localhost',
    port,
    database: safeDecode(u.pathname.replace(/^\//, '')) || env.PGDATABASE || user,
    user,
    password: u.password ? safeDecode(u.password) : null,
  };
}

/** "host:port", or the socket file for a Unix-socket directory host. */
function place(t: PgTarget): string {
  return t.host.startsWith('/') ? `${t.host}/.s.PGSQL.${t.port}` : `${t.host}:${t.port}`;
}

/** "postgres://user@host:5432/db": the URL without password or options, for status lines. */
export function describePostgresUrl(url: string): string {
  const t = parseTarget(url);
  if (typeof t === 'string') return redactUrl(url);
  const host = t.host.startsWith('/') ? `[${t.host}]` : t.host;
  return `${t.protocol}//${encodeURIComponent(t.user)}@${host}:${t.port}/${encodeURIComponent(t.database)}`;
}

/** Driver error code (Node errno or SQLSTATE) -> reason, and how to say it. */
const REASON_BY_CODE: Readonly<Record<string, { reason: ConnectionReason; says: string }>> = {
  ECONNREFUSED: { reason: 'unreachable', says: 'connection refused' },
  EHOSTUNREACH: { reason: 'unreachable', says: 'host unreachable' },
  ENETUNREACH: { reason: 'unreachable', says: 'network unreachable' },
  ENOENT: { reason: 'unreachable', says: 'no server socket there' },
  ENOTFOUND: { reason: 'host_not_found', says: 'host name not found' },
  EAI_AGAIN: { reason: 'host_not_found', says: 'host name lookup failed' },
  ETIMEDOUT: { reason: 'timeout', says: 'timed out' },
  '28P01': { reason: 'auth_failed', says: 'invalid password' },
  '28000': { reason: 'auth_failed', says: 'not authorized' }, // pg_hba.conf, no such role
  '3D000': { reason: 'database_missing', says: 'no such database' },
};

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Node reports a refused dual-stack connect as an AggregateError holding each attempt. */
function errorCodes(err: unknown): string[] {
  if (typeof err !== 'object' || err === null) return [];
  const codes: string[] = [];
  const code = errorCode(err);
  if (code !== undefined) codes.push(code);
  if ('errors' in err && Array.isArray(err.errors)) for (const inner of err.errors) codes.push(...errorCodes(inner));
  return codes;
}

function isTimeout(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return /timeout expired|connection timeout/i.test(message);
}

interface Failure {
  reason: ConnectionReason;
  says: string;
  sqlstate: string | null;
}

function classify(err: unknown): Failure {
  const codes = errorCodes(err);
  const sqlstate = codes.find((c) => SQLSTATE.test(c)) ?? null;
  if (isTimeout(err)) return { reason: 'timeout', says: 'timed out', sqlstate };
  for (const code of codes) {
    const known = REASON_BY_CODE[code];
    if (known) return { ...known, sqlstate };
  }
  return { reason: 'other', says: '', sqlstate };
}

/** Message per reason; `detail` is the driver's text with the password removed. */
const MESSAGES: Record<ConnectionReason, (t: PgTarget, f: Failure, detail: string, timeoutMs: number) => string> = {
  unreachable: (t, f) =>
    `could not connect to PostgreSQL at ${place(t)}: ${f.says} (database "${t.database}", user "${t.user}")`,
  host_not_found: (t, f) =>
    `could not resolve PostgreSQL host "${t.host}": ${f.says} (port ${t.port}, database "${t.database}", user "${t.user}")`,
  timeout: (t, _f, _d, ms) =>
    `timed out after ${ms} ms connecting to PostgreSQL at ${place(t)} (database "${t.database}", user "${t.user}")`,
  auth_failed: (t, _f, detail) =>
    /password authentication failed/i.test(detail)
      ? `password authentication failed for user "${t.user}" at ${place(t)} (database "${t.database}")`
      : `PostgreSQL at ${place(t)} refused user "${t.user}" (database "${t.database}"): ${detail}`,
  database_missing: (t) => `database "${t.database}" does not exist at ${place(t)} (user "${t.user}")`,
  bad_url: () => 'bad PostgreSQL URL',
  // a SQLite reason (sqlite-connection.ts); no driver code maps to it
  locked: (t, _f, detail) => `PostgreSQL at ${place(t)} is locked (database "${t.database}", user "${t.user}"): ${detail}`,
  other: (t, _f, detail) =>
    `could not connect to PostgreSQL at ${place(t)} (database "${t.database}", user "${t.user}"): ${detail}`,
};

function badUrl(url: string, why: string): ConnectionError {
  return new ConnectionError(
    `bad PostgreSQL URL ${redactUrl(url)}: ${why} (expected postgres://user:password@host:port/database)`,
    'postgres',
    'bad_url',
    redactUrl(url),
  );
}

function redactAll(text: string, url: string, target: PgTarget): string {
  let out = redactSecret(text, target.password);
  out = redactSecret(out, process.env.PGPASSWORD);
  const raw = /:\/\/[^:/@]*:([^@]*)@/.exec(url)?.[1];
  return redactSecret(out, raw);
}

export async function connectPostgres(
  url: string,
  opts: { applicationName?: string; connectTimeoutMs?: number } = {},
): Promise<pg.Client> {
  const target = parseTarget(url);
  if (typeof target === 'string') throw badUrl(url, target);
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: timeoutMs,
      application_name: opts.applicationName ?? 'replicate',
      // without it a run waiting on a server that vanished from the network waits forever
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000,
    });
  } catch (err) {
    const detail = redactAll(err instanceof Error ? err.message : String(err), url, target);
    throw badUrl(url, detail);
  }

  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    const failure = classify(err);
    const detail = redactAll(err instanceof Error ? err.message : String(err), url, target);
    const message = redactAll(MESSAGES[failure.reason](target, failure, detail, timeoutMs), url, target);
    throw new ConnectionError(message, 'postgres', failure.reason, redactUrl(url), failure.sqlstate);
  }
  // An idle connection that breaks emits 'error'; without a listener Node ends the
  // process. The next query on the client rejects with the cause instead.
  client.on('error', () => undefined);
  return client;
}
