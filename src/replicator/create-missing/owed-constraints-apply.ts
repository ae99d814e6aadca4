/**
 * Adds the primary keys, foreign keys and indexes owed to tables `run --create-missing`
 * created (state/owed-constraints.ts): in the run that created them, and, after one that
 * was cut off, in every later sqlite-to-pg run into that target, from any terminal. A primary key is built as soon as its
 * table's rows are in (a uuid or text key sooner, before the first batch holding a value
 * that could equal another once converted: keyFirstFor), and before anything else touches the table: before the FKs that
 * reference it, before a cycle's second pass updates it by key, and, owed since an
 * earlier run, first thing in the next run, before any upsert (ON CONFLICT needs it). The
 * FKs and indexes are added once their table and its parents hold their rows, on a second
 * session while the next tables load; the rest after all the data. Adding is idempotent
 * and forgetting the entry commits with it, so a run cut off anywhere leaves nothing half
 * done that the next run cannot finish:
 * - primary key: CREATE UNIQUE INDEX, ADD CONSTRAINT ... PRIMARY KEY USING INDEX and the
 *   entry's removal in one transaction; one found in place is only forgotten;
 * - foreign key: ADD ... NOT VALID alone (a brief lock on both tables, released at
 *   once), then VALIDATE (which lets writers on) and the entry's removal in one
 *   transaction; one found added but not validated is only validated;
 * - index: plain CREATE INDEX (a crash rolls it back whole) with the entry's removal in
 *   one transaction; an invalid index of that name (left by someone's CREATE INDEX
 *   CONCURRENTLY) is dropped and built again, a valid one is only forgotten.
 * A statement that fails (a row written meanwhile that breaks the FK, a duplicate under a
 * UNIQUE index) leaves its entry owed and fails the run, naming table, constraint and SQLSTATE.
 */
import type pg from 'pg';
import { errorCode, OwedConstraintsError } from '../../errors.js';
import { qualified, quoteIdent } from '../../sql/quote.js';
import { isConnectionLost } from '../engine/retry.js';
import type { Connections } from '../engine/direction-wiring.js';
import { clearOwedSql, clearOwedTable, listOwed, type OwedConstraint } from '../state/owed-constraints.js';
import type { PairScope, StateStore } from '../state/state-store.js';
import { storedDatabaseIds } from '../state/database-ids.js';
import type { Direction, RunPlan, TablePlan } from '../run-plan.js';
import { CHECKED_KEY_TIMING, keyValueChecks, type KeyValueCheck } from './key-values.js';

export interface OwedConstraints {
  /** everything owed when the run started (after --create-missing made its tables) */
  owed: readonly OwedConstraint[];
  /** tables with something owed */
  tables: ReadonlySet<string>;
  /** is `table`'s primary key still to be built? */
  keyOwed(table: string): boolean;
  /** `table`'s rows are in: build its owed primary key now, in the background */
  dataIn(table: string): void;
  /** build these tables' owed primary keys now and wait for them; throws if one fails (nothing may upsert into the table then) */
  keysNow(tables: readonly string[]): Promise<void>;
  /** `table` and its parents hold their rows: add what it is owed now, in the background */
  tableLoaded(table: string): void;
  /** the rest, once all the data is in; `rest` false (an interrupted run): only wait for what is under way */
  afterLoad(rest?: boolean): Promise<void>;
  /** put what is owed in the run's plan (`owed`, and a note for what earlier runs left) */
  describeIn(plan: RunPlan, createdNow: readonly string[]): void;
}

/** how often a statement is tried again on a new session after the old one dropped */
const RECONNECT_ATTEMPTS = 3;

interface OwedState {
  table_exists: string;
  validated: string | null;
  index_valid: string | null;
}

/** How far the target has got with `o`: its table, the constraint (validated or not), the index (valid or not). */
async function readState(client: pg.Client, schema: string, o: OwedConstraint): Promise<OwedState | undefined> {
  const target = qualified(schema, o.table);
  const found = await client.query<OwedState>(
    `SELECT (to_regclass($1) IS NOT NULL)::text AS table_exists,
            (SELECT c.convalidated::text FROM pg_constraint c WHERE c.conrelid = to_regclass($1) AND c.conname = $2) AS validated,
            (SELECT i.indisvalid::text FROM pg_index i WHERE i.indexrelid = to_regclass($3)) AS index_valid`,
    [target, o.name, qualified(schema, o.name)],
  );
  return found.rows[0];
}

/** Nothing left to do for `o`: its table is gone, or it is there in full. */
function done(o: OwedConstraint, state: OwedState | undefined): boolean {
  if (state?.table_exists !== 'true') return true;
  if (o.kind === 'primary key') return state.validated !== null;
  if (o.kind === 'foreign key') return state.validated === 'true';
  return state.index_valid === 'true';
}

/** One step towards `o` from `state`, forgetting it with the step that completes it, as the module comment says. */
async function addFrom(client: pg.Client, schema: string, scope: PairScope, o: OwedConstraint, state: OwedState | undefined): Promise<void> {
  if (state?.table_exists !== 'true') {
    // dropped since: nothing to add it to (a --create-missing run creating it again records it again)
    await clearOwedTable(client, scope, o.table);
    return;
  }
  const forget = clearOwedSql(client, scope, o.table, o.name);
  if (o.kind === 'primary key') {
    // one simple query: index, constraint and forgetting commit together (or not at all)
    await client.query(state.validated === null ? `${o.statement}; ${forget}` : forget);
    return;
  }
  if (o.kind === 'foreign key') {
    if (state.validated === null) await client.query(o.statement);
    // one simple query: its statements commit together (or not at all)
    const validate = state.validated === 'true' ? '' : `ALTER TABLE ${qualified(schema, o.table)} VALIDATE CONSTRAINT ${quoteIdent(o.name)}; `;
    await client.query(`${validate}${forget}`);
    return;
  }
  if (state.index_valid === 'true') {
    await client.query(forget); // built by another terminal's run (or by hand) meanwhile
    return;
  }
  const dropInvalid = state.index_valid === 'false' ? `DROP INDEX ${qualified(schema, o.name)}; ` : '';
  await client.query(`${dropInvalid}${o.statement}; ${forget}`);
}

/**
 * One entry: add it (or finish adding it) and forget it. The target owes it, so another
 * terminal's run may be adding the same entry at the same moment: a statement that fails
 * because that run got there first (the name taken, the key already built) is not a
 * failure. The state is read again: complete, it is only forgotten; moved on, the step
 * from there is tried once more; otherwise the error stands.
 */
async function addOwed(client: pg.Client, schema: string, scope: PairScope, o: OwedConstraint): Promise<void> {
  let state = await readState(client, schema, o);
  for (let attempt = 1; ; attempt++) {
    try {
      return await addFrom(client, schema, scope, o, state);
    } catch (error) {
      if (isConnectionLost(error)) throw error;
      const now = await readState(client, schema, o);
      if (done(o, now)) return addFrom(client, schema, scope, o, now);
      if (attempt >= 2 || JSON.stringify(now) === JSON.stringify(state)) throw error;
      state = now;
    }
  }
}

/** the server's message, with its detail (the offending key) when it gave one */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const detail = 'detail' in error && typeof error.detail === 'string' ? error.detail : '';
  return detail ? `${error.message} (${detail})` : error.message;
}

/**
 * What the pair owes, as the run's state store read it (StateStore.listOwed: sqlite-to-pg
 * only, since --create-missing into SQLite creates tables with their constraints inline).
 * The statements run on the second session, apart from the batches.
 */
export function owedConstraints(conn: Connections, scope: PairScope, owed: readonly OwedConstraint[]): OwedConstraints {
  /** primary keys not started yet, by table */
  const keys = new Map<string, OwedConstraint>();
  /** the FKs and indexes not started yet, by table */
  const pending = new Map<string, OwedConstraint[]>();
  for (const o of owed) {
    if (o.kind === 'primary key') keys.set(o.table, o);
    else pending.set(o.table, [...(pending.get(o.table) ?? []), o]);
  }
  const tables = new Set([...keys.keys(), ...pending.keys()]);
  const session = conn.spare ?? (async () => conn.pg);
  const failures: { owed: OwedConstraint; error: unknown }[] = [];
  let queue: Promise<void> = Promise.resolve();

  // Parallel workers only while nothing else keeps the cores busy: while tables load (the
  // reader, the engine and the loading session take them all), a parallel CREATE INDEX or
  // VALIDATE adds workers' start-up, shared hashing and merging to the same CPU (case a,
  // scale 1, 3 alternating pairs: the server's CPU 0.4-1.0 s less per run without them).
  // Allowed again while the load waits on a key (keysNow) and after the data (afterLoad).
  let loadWaits = 0;
  let allDataIn = false;
  const parallelSet = new WeakMap<pg.Client, boolean>();
  const prepared = async (client: pg.Client): Promise<pg.Client> => {
    const parallel = allDataIn || loadWaits > 0;
    if (parallelSet.get(client) !== parallel) {
      await client.query(
        parallel
          ? 'RESET max_parallel_maintenance_workers; RESET max_parallel_workers_per_gather'
          : 'SET max_parallel_maintenance_workers = 0; SET max_parallel_workers_per_gather = 0',
      );
      parallelSet.set(client, parallel);
    }
    return client;
  };

  const addWithReconnect = async (o: OwedConstraint): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await addOwed(await prepared(await session()), conn.schema, scope, o);
      } catch (error) {
        if (!isConnectionLost(error) || attempt >= RECONNECT_ATTEMPTS) throw error;
        // the spare session is replaced on next use once it has ended
        await new Promise((r) => setTimeout(r, 250 * 2 ** (attempt - 1)));
      }
    }
  };

  /** queued behind everything started before: the statements run one at a time, in order */
  const enqueue = (entries: readonly OwedConstraint[]): void => {
    queue = queue.then(async () => {
      // each entry on its own: one that fails stays owed, the others still get added
      for (const o of entries) {
        try {
          await addWithReconnect(o);
        } catch (error) {
          failures.push({ owed: o, error });
        }
      }
    });
  };

  const startKey = (table: string): void => {
    const key = keys.get(table);
    keys.delete(table);
    if (key) enqueue([key]);
  };

  const start = (table: string): void => {
    startKey(table);
    const entries = pending.get(table);
    pending.delete(table);
    if (!entries) return;
    // a foreign key needs the key it references in place
    for (const o of entries) if (o.parentTable !== null) startKey(o.parentTable);
    enqueue(entries);
  };

  const failed = (list: typeof failures): OwedConstraintsError =>
    new OwedConstraintsError(
      list.map(({ owed: o, error }) => ({
        table: o.table,
        kind: o.kind,
        name: o.name,
        detail: o.detail,
        sqlstate: errorCode(error) ?? null,
        message: messageOf(error),
      })),
    );

  return {
    owed,
    tables,
    describeIn: (plan, createdNow) => {
      const note = owedNote(owed, createdNow);
      if (note) plan.notes.unshift(note);
      if (owed.length > 0) plan.owed = [...owed];
    },
    keyOwed: (table) => keys.has(table),
    dataIn: startKey,
    keysNow: async (list) => {
      for (const table of list) startKey(table);
      loadWaits++;
      try {
        await queue;
      } finally {
        loadWaits--;
      }
      const keyFailures = failures.filter((f) => f.owed.kind === 'primary key' && list.includes(f.owed.table));
      if (keyFailures.length > 0) throw failed(keyFailures);
    },
    tableLoaded: start,
    afterLoad: async (rest = true) => {
      allDataIn = true;
      if (rest) {
        for (const table of [...keys.keys()]) startKey(table);
        for (const table of [...pending.keys()]) start(table);
      }
      await queue;
      if (failures.length > 0) throw failed(failures);
    },
  };
}

/**
 * The tables whose owed primary key must be built before this run writes to them: every
 * one, except a table this run created that has no checkpoint and nothing in the ledgers,
 * which its first load COPYs into while empty (no upsert), the key following its data.
 */
export async function keysBeforeWrites(owed: OwedConstraints, state: StateStore, createdNow: readonly string[]): Promise<string[]> {
  const first: string[] = [];
  for (const table of owed.tables) {
    if (!owed.keyOwed(table)) continue;
    const fresh =
      createdNow.includes(table) && (await state.getCheckpoint(table)) === null && (await state.listSkipped(table)).length === 0 && (await state.listRejected(table)).length === 0;
    if (!fresh) first.push(table);
  }
  return first;
}

/**
 * A table whose primary key is still owed when its turn comes (keysBeforeWrites built every
 * other one first, so it is one this run created and loads from empty) and whose key has
 * values to check (key-values.ts): its load checks each batch and builds the key before the
 * first one holding a value that could equal another once converted. null: nothing owed, or
 * an integer key, which follows the data whatever its values.
 */
export function keyFirstFor(plan: TablePlan, sourceKeyIndexes: readonly number[], owed: OwedConstraints): { checks: KeyValueCheck[]; build: () => Promise<void> } | null {
  if (!owed.keyOwed(plan.table)) return null;
  const types = plan.key.map((k) => plan.columns.find((c) => c.pg === k)?.pgType ?? { kind: 'unknown' as const });
  // a translated key is read as the terminal's own key, not as the target's: nothing to check it by
  const checks = keyValueChecks(types, plan.keyTranslation ? [] : sourceKeyIndexes);
  return checks.length === 0 ? null : { checks, build: () => owed.keysNow([plan.table]) };
}

/** The plan's note on the tables this run created: when their keys are built (keyFirstFor). */
export function createdNote(created: readonly string[], plans: readonly TablePlan[], owed: OwedConstraints): string {
  const keyed = created.filter((t) => owed.keyOwed(t));
  const isChecked = (t: string): boolean => {
    const plan = plans.find((p) => p.table === t);
    return plan !== undefined && keyFirstFor(plan, plan.key.map((k) => plan.columns.findIndex((c) => c.pg === k)), owed) !== null;
  };
  const checked = keyed.filter(isChecked);
  const always = keyed.filter((t) => !checked.includes(t));
  const keys = [
    always.length > 0 ? `so do the primary keys of ${always.join(', ')}, each built from the rows in one go` : null,
    checked.length > 0
      ? `${always.length > 0 ? 'and those' : 'so do the primary keys'} of ${checked.join(', ')}, the same way ${CHECKED_KEY_TIMING}`
      : null,
  ].filter((k) => k !== null);
  return `created on the target: ${created.join(', ')} (constraints and indexes follow the data${keys.map((k) => `; ${k}`).join('')})`;
}

/** What --dry-run lists: read only, nothing created (no ids yet: nothing owed). */
export async function storedOwedConstraints(conn: Connections, direction: Direction): Promise<OwedConstraint[]> {
  if (direction !== 'sqlite-to-pg') return [];
  const ids = await storedDatabaseIds(conn.sqlite, conn.pg, conn.schema);
  return ids ? listOwed(conn.pg, { ...ids, direction }, true) : [];
}

/** The plan's note on what earlier runs left owed (this run's own tables have a note of their own). */
function owedNote(owed: readonly OwedConstraint[], createdNow: readonly string[]): string | null {
  const earlier = owed.filter((o) => !createdNow.includes(o.table));
  if (earlier.length === 0) return null;
  const tables = [...new Set(earlier.map((o) => o.table))];
  const n = earlier.length;
  const keys = earlier.some((o) => o.kind === 'primary key') ? ' (their primary keys first, before any row is written to them)' : '';
  return `owed since an earlier --create-missing run (this terminal's or another's) was cut off: ${n} foreign key${n === 1 ? '' : 's'} or index${n === 1 ? '' : 'es'} on ${tables.join(', ')}, added once their tables' rows are in${keys}`;
}
