/**
 * Bounded exponential backoff for failures that a retry can cure: serialization
 * failures, deadlocks, lock timeouts, a busy SQLite file. Anything else is rethrown at
 * once; a run that cannot go on keeps every batch it already checkpointed.
 */
import { errorCode } from '../../errors.js';

const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03']);
const TRANSIENT_SQLITE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

export function isTransient(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLITE.has(code);
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 5000 };

/**
 * `giveUp`: what to throw for a transient error still there after the last attempt, given
 * how long the attempts took (a busy SQLite file: how long the run waited for its lock).
 */
export function withRetry(
  onRetry: (attempt: number, delayMs: number, reason: string) => void,
  policy: RetryPolicy = DEFAULT_RETRY,
  giveUp: (error: unknown, elapsedMs: number) => unknown = (error) => error,
) {
  return async function retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!isTransient(error)) throw error;
        if (attempt >= policy.attempts) throw giveUp(error, Date.now() - started);
        const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        onRetry(attempt, delayMs, `${what}: ${error instanceof Error ? error.message : String(error)}`);
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  };
}

/** Node socket errors and PostgreSQL's connection-class SQLSTATEs (08xxx, 57P0x shutdown/termination). */
const CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '57P01', '57P02', '57P03']);

/** The PostgreSQL session is gone: the batch rolled back with it, and a new session can resume. */
export function isConnectionLost(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = errorCode(error) ?? '';
  if (CONNECTION_CODES.has(code) || code.startsWith('08') || code === 'connection') return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection error and is not queryable|Client was closed|terminating connection/i.test(message);
}
