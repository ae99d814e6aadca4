/**
 * One table of the schema pair seen through its mapping: both sides' tables and the
 * name translation between them. The diff and the fix-script planner both work on it.
 */
import type { SchemaModel, Table } from '../model/schema.js';
import type { LoadedMapping, TableMapping } from '../mapping/table-mapping.js';
export { NameTranslator } from '../mapping/name-translator.js';

export interface MappedTable {
  mapping: TableMapping;
  source: LoadedMapping['source'];
  sqlite: Table | undefined;
  postgres: Table | undefined;
}

export function pairTables(sqlite: SchemaModel, pg: SchemaModel, mappings: readonly LoadedMapping[]): MappedTable[] {
  return mappings.map((lm) => ({
    mapping: lm.mapping,
    source: lm.source,
    sqlite: sqlite.tables.find((t) => t.name === lm.mapping.sqliteTable),
    postgres: pg.tables.find((t) => t.name === lm.mapping.table),
  }));
}
