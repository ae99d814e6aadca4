/**
 * Keyset reads, written once for both dialects (their row-value syntax is the same; only
 * the parameter placeholder differs, and the caller supplies it).
 *
 * Order of an incremental read: rows whose cursor is NULL first, by key; then the rest by
 * (cursor, key). NULL needs its own phase because a row-value comparison with a NULL in it
 * is NULL in both databases, so `(cursor, k) > (?, ?)` would never return such rows and
 * the two databases even sort NULLs at opposite ends. A position whose cursor is NULL
 * means "still in the NULL phase"; the first position with a cursor leaves it for good.
 * Rows that have a NULL cursor are therefore read on a run that starts from the
 * beginning (the first run, or --full); a NULL-cursor row added after that is not seen by
 * incremental runs, as with any row whose cursor the application does not maintain.
 *
 * A window may also end at a position (`through`, inclusive): the second pass of an FK
 * cycle re-reads exactly what the first pass read.
 *
 * A position with a cursor and no key values starts AT that cursor (inclusive): a pull
 * rewound to the lowest cursor another terminal pushed below its checkpoint
 * (state/push-marks.ts) reads every row carrying it, whatever its key.
 */
import type { ReadWindow, SourceRow } from './batch-io.js';
import type { PgText, SqliteValue } from '../values/codec.js';

type Native = PgText | SqliteValue;

/** One query shape: which rows (NULL-cursor, by cursor, or by key alone), from where, with which cap. */
export interface KeysetStep {
  phase: 'null-cursor' | 'cursor' | 'key';
  after: boolean;
  /** 'cursor' phase: `after` is a cursor value alone, and rows at it are read too */
  atCursor?: boolean;
  below: boolean;
  /** bounded above (inclusive) by a position */
  through: boolean;
}

/**
 * The mapping's row filter, compiled for the source (plan/row-filter.ts): SQL that asks
 * `next` for each placeholder it needs, and the values those placeholders bind, in order.
 */
export interface ReadFilter {
  render(next: () => string): string;
  values: Native[];
}

/** Quoted names of the read: select list, table, cursor (null for a full read) and key; the row filter if any. */
export interface KeysetShape {
  select: string[];
  from: string;
  cursor: string | null;
  key: string[];
  filter?: ReadFilter | null;
}

/** A stable name for a step, to cache its prepared statement under. */
export function stepId(step: KeysetStep): string {
  return `${step.phase}:${step.after ? (step.atCursor ? 'c' : 'a') : '-'}:${step.below ? 'b' : '-'}:${step.through ? 't' : '-'}`;
}

const tuple = (items: string[]): string => `(${items.join(', ')})`;

/**
 * The SQL of one step; `param(n)` gives the n-th (1-based) placeholder. Parameters: the
 * row filter's values, after values, the cap, the through values, the limit.
 */
export function keysetSql(shape: KeysetShape, step: KeysetStep, param: (n: number) => string): string {
  const where: string[] = [];
  let n = 0;
  const next = (): string => param(++n);
  if (shape.filter) where.push(shape.filter.render(next));
  let order: string[];
  if (step.phase === 'key' || shape.cursor === null) {
    if (step.after) where.push(`${tuple(shape.key)} > ${tuple(shape.key.map(next))}`);
    if (step.through) where.push(`${tuple(shape.key)} <= ${tuple(shape.key.map(next))}`);
    order = shape.key;
  } else if (step.phase === 'null-cursor') {
    where.push(`${shape.cursor} IS NULL`);
    if (step.after) where.push(`${tuple(shape.key)} > ${tuple(shape.key.map(next))}`);
    if (step.through) where.push(`${tuple(shape.key)} <= ${tuple(shape.key.map(next))}`);
    order = shape.key;
  } else {
    const cols = [shape.cursor, ...shape.key];
    where.push(`${shape.cursor} IS NOT NULL`);
    if (step.after) where.push(step.atCursor ? `${shape.cursor} >= ${next()}` : `${tuple(cols)} > ${tuple(cols.map(next))}`);
    if (step.below) where.push(`${shape.cursor} < ${next()}`);
    if (step.through) where.push(`${tuple(cols)} <= ${tuple(cols.map(next))}`);
    order = cols;
  }
  const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  return `SELECT ${shape.select.join(', ')} FROM ${shape.from}${filter} ORDER BY ${order.join(', ')} LIMIT ${next()}`;
}

/** A step with the values it binds (limit excluded: it is whatever is left of the window). */
export interface BoundStep {
  step: KeysetStep;
  params: Native[];
}

/** The steps that continue a read from `window.after` (up to `window.through`), in order. */
export function keysetSteps(incremental: boolean, window: ReadWindow): BoundStep[] {
  const after = window.after;
  const through = window.through ?? null;
  if (!incremental) {
    return [{ step: { phase: 'key', after: after !== null, below: false, through: through !== null }, params: [...(after?.key ?? []), ...(through?.key ?? [])] }];
  }
  const below = window.cursorBelow !== null;
  const cap: Native[] = below ? [window.cursorBelow] : [];
  const upper: Native[] = through ? [through.cursor, ...through.key] : [];
  // a window that ends in the NULL-cursor phase never reaches the cursor phase
  const endsInNullPhase = through !== null && through.cursor === null;
  const nullUpper: Native[] = endsInNullPhase ? [...through.key] : [];
  const fromStart: BoundStep[] = endsInNullPhase ? [] : [{ step: { phase: 'cursor', after: false, below, through: through !== null }, params: [...cap, ...upper] }];
  if (after === null) return [{ step: { phase: 'null-cursor', after: false, below: false, through: endsInNullPhase }, params: nullUpper }, ...fromStart];
  if (after.cursor === null) return [{ step: { phase: 'null-cursor', after: true, below: false, through: endsInNullPhase }, params: [...after.key, ...nullUpper] }, ...fromStart];
  if (after.key.length === 0) return [{ step: { phase: 'cursor', after: true, atCursor: true, below, through: through !== null }, params: [after.cursor, ...cap, ...upper] }];
  return [{ step: { phase: 'cursor', after: true, below, through: through !== null }, params: [after.cursor, ...after.key, ...cap, ...upper] }];
}

/** Runs the steps until the window is full or the table is exhausted. */
export async function readKeyset(
  steps: BoundStep[],
  limit: number,
  run: (step: BoundStep, limit: number) => Promise<SourceRow[]> | SourceRow[],
): Promise<SourceRow[]> {
  let out: SourceRow[] = [];
  for (const s of steps) {
    const left = limit - out.length;
    if (left <= 0) break;
    const rows = await run(s, left);
    out = out.length === 0 ? rows : out.concat(rows);
  }
  return out;
}

/**
 * The greatest (cursor, key) row's cursor and key, below an optional cap: one index scan
 * backwards. Parameters: the row filter's values, then the cap, when `below`.
 */
export function lastPositionSql(shape: KeysetShape, cursor: string, below: boolean, param: (n: number) => string): string {
  let n = 0;
  const next = (): string => param(++n);
  const where = [...(shape.filter ? [shape.filter.render(next)] : []), `${cursor} IS NOT NULL`];
  if (below) where.push(`${cursor} < ${next()}`);
  const desc = [cursor, ...shape.key].map((c) => `${c} DESC`).join(', ');
  return `SELECT ${[cursor, ...shape.key].join(', ')} FROM ${shape.from} WHERE ${where.join(' AND ')} ORDER BY ${desc} LIMIT 1`;
}
