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

/** Names of lowercase letters, digits and _ only: the usual ones. */
const PLAIN_NAME = /^[a-z0-9_]*$/;

/** In localeCompare's (ICU root) order, '_' < digits < letters; a name sorts before its extensions. */
function plainRank(code: number): number {
  return code === 95 ? 0 : code;
}

/**
 * Table names in localeCompare order. For plain names the order is computed directly:
 * the first localeCompare of a process sets up ICU's collator, about 10 ms of a run.
 */
export function compareTableNames(a: string, b: string): number {
  if (!PLAIN_NAME.test(a) || !PLAIN_NAME.test(b)) return a.localeCompare(b);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = plainRank(a.charCodeAt(i)) - plainRank(b.charCodeAt(i));
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function resolveMappings(sqlite: SchemaModel, postgres: SchemaModel, fromFiles: ReadonlyMap<string, LoadedMapping>): ResolvedMappings {
  const generated = generateMappings(sqlite, postgres);
  const byTable = new Map<string, LoadedMapping>(generated.map((m) => [m.table, { mapping: m, source: { kind: 'generated' } }]));
  for (const [table, loaded] of fromFiles) {
    // a file mapping a SQLite table under another PostgreSQL name replaces the generated guess for both names
    if (loaded.mapping.sqliteTable !== table) byTable.delete(loaded.mapping.sqliteTable);
    byTable.set(table, loaded);
  }
  const mappings = [...byTable.values()].sort((a, b) => compareTableNames(a.mapping.table, b.mapping.table));
  return { mappings, filesInUse: fromFiles.size > 0 };
}
