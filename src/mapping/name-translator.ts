/**
 * Name translation between the two sides across all tables, so keys and FKs can be
 * compared and written in either dialect's names (renames, key translation).
 */
import type { TableMapping } from './table-mapping.js';

export class NameTranslator {
  private readonly byPgTable = new Map<string, TableMapping>();
  private readonly bySqliteTable = new Map<string, TableMapping>();

  constructor(mappings: readonly TableMapping[]) {
    for (const m of mappings) {
      this.byPgTable.set(m.table, m);
      this.bySqliteTable.set(m.sqliteTable, m);
    }
  }

  /** PostgreSQL table name for a SQLite table name. */
  pgTable(sqliteTable: string): string {
    return this.bySqliteTable.get(sqliteTable)?.table ?? sqliteTable;
  }

  sqliteTable(pgTable: string): string {
    return this.byPgTable.get(pgTable)?.sqliteTable ?? pgTable;
  }

  /**
   * PostgreSQL column name for a SQLite column of a SQLite table. A translated local
   * key (local_id) stands for PostgreSQL's key, as FKs and primary keys see it.
   */
  pgColumn(sqliteTable: string, sqliteColumn: string): string {
    const m = this.bySqliteTable.get(sqliteTable);
    if (m?.key.serverId) {
      const i = m.key.sqlite.indexOf(sqliteColumn);
      const pgKey = i >= 0 ? m.key.postgres[i] : undefined;
      if (pgKey !== undefined) return pgKey;
    }
    return m?.columns.find((c) => c.sqlite === sqliteColumn)?.postgres ?? sqliteColumn;
  }

  /** The SQLite column a SQLite FK must reference for a PostgreSQL key column (local_id, not server_id). */
  sqliteRefColumn(pgTable: string, pgColumn: string): string {
    const m = this.byPgTable.get(pgTable);
    if (m?.key.serverId) {
      const i = m.key.postgres.indexOf(pgColumn);
      const sqKey = i >= 0 ? m.key.sqlite[i] : undefined;
      if (sqKey !== undefined) return sqKey;
    }
    return this.sqliteColumn(pgTable, pgColumn);
  }

  /** SQLite column name for a PostgreSQL column of a PostgreSQL table. */
  sqliteColumn(pgTable: string, pgColumn: string): string {
    const m = this.byPgTable.get(pgTable);
    return m?.columns.find((c) => c.postgres === pgColumn)?.sqlite ?? pgColumn;
  }
}

