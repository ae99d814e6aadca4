/**
 * Generates the default mapping for every table of a SQLite/PostgreSQL schema pair:
 * what `replicate map` writes, and what verify and run use when no file exists.
 * The guesses (renames, local-only columns, key translation, cursor) come from
 * src/mapping/conventions.ts; the user corrects them in the file.
 */
import { findColumn, type Column, type SchemaModel, type Table } from '../model/schema.js';
import { CURSOR_COLUMNS, DEFAULT_PRIORITY, KEY_TRANSLATION, LOCAL_SYNC_COLUMNS, SOFT_DELETE_COLUMNS } from './conventions.js';
import { fingerprintTable } from './fingerprint.js';
import { NameTranslator } from './name-translator.js';
import type { ColumnPair, KeyTranslation, MappedForeignKey, TableMapping } from './table-mapping.js';
import { compareTypes } from './type-compat.js';
import { parseSqliteType, sqliteDeclaredTypeFor } from './types/sqlite-types.js';

export function generateMappings(sqlite: SchemaModel, pg: SchemaModel): TableMapping[] {
  const tableNames = new Set([...pg.tables.map((t) => t.name), ...sqlite.tables.map((t) => t.name)]);
  const pairs = [...tableNames].sort().map((name) => ({
    pgTable: pg.tables.find((t) => t.name === name),
    sqliteTable: sqlite.tables.find((t) => t.name === name),
  }));
  const columnPlans = pairs.map((p) => ({ ...p, columns: pairColumns(p.sqliteTable, p.pgTable) }));
  const mappings = columnPlans.map((p) => buildMapping(p.sqliteTable, p.pgTable, p.columns));
  // SQLite-only FKs are added in PostgreSQL names, which needs every table's renames first
  const names = new NameTranslator(mappings);
  return mappings.map((m, i) => ({ ...m, foreignKeys: [...m.foreignKeys, ...sqliteOnlyForeignKeys(columnPlans[i]?.sqliteTable, m, names)] }));
}

function sqliteOnlyForeignKeys(sq: Table | undefined, m: TableMapping, names: NameTranslator): MappedForeignKey[] {
  const out: MappedForeignKey[] = [];
  for (const f of sq?.foreignKeys ?? []) {
    const translated: MappedForeignKey = {
      columns: f.columns.map((c) => names.pgColumn(sq?.name ?? m.sqliteTable, c)),
      references: names.pgTable(f.refTable),
      refColumns: f.refColumns.map((c) => names.pgColumn(f.refTable, c)),
    };
    const known = [...m.foreignKeys, ...out].some(
      (x) => x.references === translated.references && x.columns.join() === translated.columns.join(),
    );
    if (!known) out.push(translated);
  }
  return out;
}

interface ColumnPlan {
  pairs: ColumnPair[];
  localSqlite: string[];
  localPostgres: string[];
  skipGenerated: string[];
  key: KeyTranslation;
}

/** A SQLite column as the fix script would create it, to type a pair whose SQLite side is missing. */
function hypotheticalSqliteColumn(pg: Column): Column {
  const declaredType = sqliteDeclaredTypeFor(pg.type);
  return { ...pg, declaredType, type: parseSqliteType(declaredType), generated: null, identity: null };
}

function pair(pgCol: Column | undefined, sqCol: Column | undefined, pgName: string, sqName: string): ColumnPair {
  const typed = pgCol ?? sqCol;
  if (!typed) throw new Error(`internal: pair ${pgName}/${sqName} has no column on either side`);
  const sqliteSide = sqCol ?? (pgCol ? hypotheticalSqliteColumn(pgCol) : undefined);
  const transform = pgCol && sqliteSide ? compareTypes(sqliteSide, pgCol).transform : 'none';
  return { postgres: pgName, sqlite: sqName, type: (pgCol ?? typed).type.kind, transform };
}

/** A rename guess: equal ignoring case, or one name is the other with a prefix (stock_quantity / master_stock_quantity). */
function looksRenamed(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || x.endsWith('_' + y) || y.endsWith('_' + x);
}

function pairColumns(sq: Table | undefined, pg: Table | undefined): ColumnPlan {
  const pgCols = pg?.columns ?? [];
  const sqCols = sq?.columns ?? [];
  const key = keyTranslation(sq, pg);
  const used = new Set<string>(); // SQLite columns already paired or classified
  const pairs: ColumnPair[] = [];
  const skipGenerated: string[] = [];
  const localSqlite: string[] = [];

  if (key.sqlite.join() !== key.postgres.join() && key.sqlite.length === 1 && key.postgres.length === 1) {
    // PostgreSQL's key pairs with the SQLite column that holds it: server_id when the
    // terminal keeps its own local_id, else local_id itself (then the two are equal).
    const [pgKeyName] = key.postgres as [string];
    const [sqKeyName] = key.sqlite as [string];
    const holder = key.serverId ?? sqKeyName;
    pairs.push(pair(pg && findColumn(pg, pgKeyName), sq && findColumn(sq, holder), pgKeyName, holder));
    used.add(holder);
    if (key.serverId) {
      localSqlite.push(sqKeyName);
      used.add(sqKeyName);
    }
  }
  const isLocal = (c: Column): boolean => LOCAL_SYNC_COLUMNS.includes(c.name.toLowerCase());
  const pgUnmatched = pgCols.filter((c) => !c.generated && !pairs.some((p) => p.postgres === c.name) && !(sq && findColumn(sq, c.name)));
  const sqUnmatched = sqCols.filter((c) => !used.has(c.name) && !isLocal(c) && !(pg && findColumn(pg, c.name)));

  for (const c of pgCols) {
    if (pairs.some((p) => p.postgres === c.name)) continue;
    if (c.generated) {
      skipGenerated.push(c.name);
      if (sq && findColumn(sq, c.name)) used.add(c.name);
      continue;
    }
    let sqCol = sq && findColumn(sq, c.name);
    if (!sqCol && pgUnmatched.includes(c)) {
      const candidates = sqUnmatched.filter(
        (s) => !used.has(s.name) && looksRenamed(c.name, s.name) && compareTypes(s, c).toPostgres.level !== 'incompatible',
      );
      const renamedFrom = candidates.length === 1 ? candidates[0] : undefined;
      const reverse = renamedFrom && pgUnmatched.filter((p) => looksRenamed(p.name, renamedFrom.name)).length === 1;
      if (renamedFrom && reverse) sqCol = renamedFrom;
    }
    pairs.push(pair(c, sqCol, c.name, sqCol?.name ?? c.name));
    if (sqCol) used.add(sqCol.name);
  }
  for (const c of sqCols) {
    if (used.has(c.name)) continue;
    if (isLocal(c)) localSqlite.push(c.name);
    else if (c.generated) skipGenerated.push(c.name);
    else pairs.push(pair(undefined, c, c.name, c.name));
  }
  return { pairs, localSqlite, localPostgres: [], skipGenerated, key };
}

/**
 * Seed 002's pattern: SQLite keyed by its own local_id, with server_id holding PostgreSQL's
 * id. FK values in SQLite children are local_ids and are translated through this table.
 */
function keyTranslation(sq: Table | undefined, pg: Table | undefined): KeyTranslation {
  const pgKey = pg?.primaryKey ?? null;
  const sqKey = sq?.primaryKey ?? null;
  const { sqliteKey, serverId, postgresKey } = KEY_TRANSLATION;
  if (
    pg &&
    sq &&
    pgKey?.length === 1 &&
    pgKey[0] === postgresKey &&
    sqKey?.length === 1 &&
    sqKey[0] === sqliteKey &&
    !findColumn(sq, postgresKey)
  ) {
    return { postgres: [postgresKey], sqlite: [sqliteKey], serverId: findColumn(sq, serverId) ? serverId : null };
  }
  const pk = pgKey ?? sqKey ?? [];
  return { postgres: [...pk], sqlite: [...(sqKey && !pgKey ? sqKey : pk)], serverId: null };
}

function buildMapping(sq: Table | undefined, pg: Table | undefined, plan: ColumnPlan): TableMapping {
  const table = pg?.name ?? sq?.name ?? '';
  const fks: MappedForeignKey[] = (pg?.foreignKeys ?? []).map((f) => ({
    columns: [...f.columns],
    references: f.refTable,
    refColumns: [...f.refColumns],
  }));
  const paired = new Set(plan.pairs.map((p) => p.postgres));
  const cursorOf = (c: string): boolean => {
    const col = plan.pairs.find((p) => p.postgres === c);
    return !!col && ['timestamp', 'timestamptz', 'date', 'integer', 'bigint'].includes(col.type);
  };
  const cursor = CURSOR_COLUMNS.map((n) => plan.pairs.find((p) => p.postgres.toLowerCase() === n)?.postgres).find(
    (n): n is string => !!n && cursorOf(n),
  );
  const softDelete = SOFT_DELETE_COLUMNS.find((s) => paired.has(s.column)) ?? null;
  return {
    version: 1,
    table,
    sqliteTable: sq?.name ?? table,
    fingerprint: { sqlite: fingerprintTable(sq), postgres: fingerprintTable(pg) },
    columns: plan.pairs,
    localOnly: { sqlite: plan.localSqlite, postgres: plan.localPostgres },
    skipGenerated: plan.skipGenerated,
    key: plan.key,
    foreignKeys: fks,
    cursor: cursor ?? null,
    softDelete: softDelete ? { ...softDelete } : null,
    filter: null,
    conflict: cursor ? 'latest-wins' : 'pg-wins',
    priority: DEFAULT_PRIORITY,
  };
}
