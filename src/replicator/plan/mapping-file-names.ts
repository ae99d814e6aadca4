/**
 * Names in the user's mapping files that the run's source does not have: most likely a
 * typo, which a run would otherwise answer with a note and exit 0, copying less than the
 * file asks for. Refused before anything is read or written. Generated mappings never name
 * what is not there, and a table missing on the target is what --create-missing and the
 * fix script add, so neither is checked here.
 */
import { MappingError } from '../../errors.js';
import type { SchemaPair } from '../../introspect/introspect-pair.js';
import { closestName } from '../../mapping/closest-name.js';
import type { LoadedMapping, TableMapping } from '../../mapping/table-mapping.js';
import { findColumn, findTable, type Side } from '../../model/schema.js';

const LABEL: Record<Side, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
/** the file's key that names the table of each side */
const TABLE_KEY: Record<Side, string> = { sqlite: 'sqlite_table', postgres: 'table' };
const tableName = (m: TableMapping, side: Side): string => (side === 'sqlite' ? m.sqliteTable : m.table);

/**
 * `replicate map` writes a file for a table only one side has, under the same name on both
 * sides, with a null fingerprint for the side without it: that file names no table by
 * mistake, and a run from that side copies nothing of it, as without the file.
 */
function mappedWhileAbsent(m: TableMapping, side: Side): boolean {
  return m.fingerprint[side] === null && m.sqliteTable === m.table;
}

/** Throws a MappingError for the first selected file naming a source table, or a column pair, that does not exist. */
export function refuseMissingNames(schemas: SchemaPair, selected: readonly LoadedMapping[], source: Side): void {
  for (const { mapping: m, source: from } of selected) {
    if (from.kind !== 'file') continue;
    const name = tableName(m, source);
    const sourceTable = findTable(schemas[source], name);
    if (!sourceTable) {
      if (mappedWhileAbsent(m, source)) continue;
      const guess = closestName(name, schemas[source].tables.map((t) => t.name));
      throw new MappingError(
        from.path,
        null,
        TABLE_KEY[source],
        `${LABEL[source]} has no table '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}, and it is the source of this run; nothing was copied: fix the name, or delete this mapping file if the table is gone (\`replicate map\` leaves it in place)`,
      );
    }
    const postgres = findTable(schemas.postgres, m.table);
    const sqlite = findTable(schemas.sqlite, m.sqliteTable);
    if (!postgres || !sqlite) continue; // a table the target lacks: the plan notes it
    m.columns.forEach((pair, i) => {
      if (findColumn(postgres, pair.postgres) || findColumn(sqlite, pair.sqlite)) return;
      const guess = closestName(pair.postgres, postgres.columns.map((c) => c.name)) ?? closestName(pair.sqlite, sqlite.columns.map((c) => c.name));
      const names = pair.sqlite === pair.postgres ? pair.postgres : `${pair.postgres} (SQLite ${pair.sqlite})`;
      throw new MappingError(
        from.path,
        null,
        `columns.${i}`,
        `column ${names} of ${m.table} exists neither in PostgreSQL nor in SQLite${guess ? ` (did you mean '${guess}'?)` : ''}; nothing was copied: ` +
          'fix the name, or remove the entry (`replicate map` removes the columns gone from both databases)',
      );
    });
  }
}
