/**
 * Schema diff on the mapped model: every drift between a SQLite and a PostgreSQL
 * schema, as seen through the mappings. Pure: models and mappings in, findings out.
 * DESIGN.md "The three jobs", 1.
 */
import type { SchemaModel } from '../model/schema.js';
import type { LoadedMapping } from '../mapping/table-mapping.js';
import { diffColumns } from './diff-columns.js';
import { diffCursorIndex, diffForeignKeys, diffPrimaryKey } from './diff-constraints.js';
import { sortFindings, type Finding } from './finding.js';
import { NameTranslator, pairTables, type MappedTable } from './mapped-pair.js';

export interface DiffOptions {
  /** true when a mappings directory with files is in use: tables without a file are then reported */
  mappingFilesInUse: boolean;
}

export function diffSchemas(
  sqlite: SchemaModel,
  postgres: SchemaModel,
  mappings: readonly LoadedMapping[],
  options: DiffOptions = { mappingFilesInUse: false },
): Finding[] {
  const names = new NameTranslator(mappings.map((m) => m.mapping));
  const findings: Finding[] = [];
  for (const t of pairTables(sqlite, postgres, mappings)) {
    const emit = (f: Omit<Finding, 'table'>): void => void findings.push({ table: t.mapping.table, ...f });
    diffTable(t, names, options, emit);
  }
  return sortFindings(findings);
}

function diffTable(t: MappedTable, names: NameTranslator, options: DiffOptions, emit: (f: Omit<Finding, 'table'>) => void): void {
  const { sqlite, postgres, mapping } = t;
  if (options.mappingFilesInUse && t.source.kind === 'generated') {
    emit({ severity: 'warning', kind: 'unmapped_column', column: null, side: 'both', detail: 'no mapping file for this table; using the generated default (run `replicate map` to write one)' });
  }
  if (!sqlite && !postgres) {
    // an error: `run` refuses such a mapping file (plan/mapping-file-names.ts), so verify says it blocks
    const names = mapping.sqliteTable === mapping.table ? '' : ` (SQLite ${mapping.sqliteTable})`;
    emit({ severity: 'error', kind: 'missing_table', column: null, side: 'both', detail: `the mapping names a table that exists on neither side${names}; remove its mapping file, or create the table` });
    return;
  }
  if (!sqlite) {
    emit({ severity: 'error', kind: 'missing_table', column: null, side: 'sqlite', detail: `exists in PostgreSQL only (${postgres?.columns.length ?? 0} columns); fix-script creates it in SQLite` });
  } else if (!postgres) {
    emit({ severity: 'warning', kind: 'missing_table', column: null, side: 'postgres', detail: `exists in SQLite only (${sqlite.columns.length} columns); not replicated until created in PostgreSQL (run --create-missing)` });
  }
  diffPrimaryKey(t, names, emit);
  diffColumns(t, emit);
  diffForeignKeys(t, names, emit);
  diffCursorIndex(t, emit);
}
