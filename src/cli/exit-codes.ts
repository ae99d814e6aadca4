/** Exit codes, DESIGN.md "Interfaces": one table, used by every command. */
import { ReplicateError, type ErrorCode } from '../errors.js';

export const EXIT = {
  ok: 0,
  /** failed, or verify found drift errors */
  failed: 1,
  /** bad input or could not connect */
  badInput: 2,
  /** finished, but rows wait in a ledger */
  waiting: 3,
  interrupted: 130,
} as const;

const BY_ERROR_CODE: Record<ErrorCode, number> = {
  connection: EXIT.badInput,
  not_sqlite: EXIT.badInput,
  file_missing: EXIT.badInput,
  config: EXIT.badInput,
  mapping: EXIT.badInput,
  fix_refused: EXIT.failed,
  fix_failed: EXIT.failed,
  query: EXIT.failed,
  locked: EXIT.failed,
  busy: EXIT.failed,
  connection_lost: EXIT.failed,
  shared_id: EXIT.badInput,
  plan: EXIT.badInput,
};

export function exitCodeFor(error: unknown): number {
  return error instanceof ReplicateError ? BY_ERROR_CODE[error.code] : EXIT.failed;
}
