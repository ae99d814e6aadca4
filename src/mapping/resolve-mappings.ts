/**
 * The mappings a command works with: the user's files where they exist, the
 * generated default for every other table of the pair. A file always wins.
 */
import type { SchemaModel } from '../model/schema.js';
import { generateMappings } from './generate-mapping.js';
import type { LoadedMapping } from './table-mapping.js';

export interface ResolvedMappings {
  mappings: LoadedMapping[];
  /** true when at least one mapping file was found */
  filesInUse: boolean;
}

export function resolveMappings(sqlite: SchemaModel, postgres: SchemaModel, fromFiles: ReadonlyMap<string, LoadedMapping>): ResolvedMappings {
  const generated = generateMappings(sqlite, postgres);
  const byTable = new Map<string, LoadedMapping>(generated.map((m) => [m.table, { mapping: m, source: { kind: 'generated' } }]));
  for (const [table, loaded] of fromFiles) {
    // a file mapping a SQLite table under another PostgreSQL name replaces the generated guess for both names
    if (loaded.mapping.sqliteTable !== table) byTable.delete(loaded.mapping.sqliteTable);
    byTable.set(table, loaded);
  }
  const mappings = [...byTable.values()].sort((a, b) => a.mapping.table.localeCompare(b.mapping.table));
  return { mappings, filesInUse: fromFiles.size > 0 };
}
