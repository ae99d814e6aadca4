/** `replicate map`: write (or merge into) one mapping file per table and say what changed. */
import { openSqlite } from '../../connect/sqlite-connection.js';
import { introspectPair } from '../../introspect/introspect-pair.js';
import { generateMappings } from '../../mapping/generate-mapping.js';
import { writeMappings } from '../../mapping/mapping-files.js';
import type { TableMapping } from '../../mapping/table-mapping.js';
import { profileSqliteTimeFormats } from '../../replicator/values/profile-time-format.js';
import { resolveSettings, type ConnectionFlags } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { print, styleFor, type CliIO } from '../io.js';
import { relative } from 'node:path';

export interface MapArgs extends ConnectionFlags {
  json?: boolean | undefined;
}

/** What `map` guessed for a table, so the user knows what to check in the file. */
export function describeGuesses(m: TableMapping): string[] {
  const notes: string[] = [];
  for (const c of m.columns) {
    if (c.postgres !== c.sqlite && c.sqlite !== m.key.serverId) notes.push(`rename: SQLite ${c.sqlite} <-> PostgreSQL ${c.postgres}`);
  }
  if (m.key.serverId) {
    notes.push(`key translation: SQLite key ${m.key.sqlite.join(', ')}; ${m.key.serverId} holds PostgreSQL's ${m.key.postgres.join(', ')}`);
  }
  if (m.localOnly.sqlite.length) notes.push(`local to SQLite: ${m.localOnly.sqlite.join(', ')}`);
  if (m.skipGenerated.length) notes.push(`generated, never written: ${m.skipGenerated.join(', ')}`);
  notes.push(m.cursor ? `cursor: ${m.cursor}` : 'no cursor column: copied in full each run');
  const byFormat = new Map<string, string[]>();
  for (const c of m.columns) if (c.format) byFormat.set(c.format, [...(byFormat.get(c.format) ?? []), c.sqlite]);
  for (const [format, columns] of byFormat) notes.push(`date/time text ${format}: ${columns.join(', ')}`);
  return notes;
}

/** The generated mappings with each SQLite date/time column's text format, sampled from its values. */
function profiledMappings(sqlitePath: string, mappings: TableMapping[]): TableMapping[] {
  const db = openSqlite(sqlitePath, { readonly: true });
  try {
    return profileSqliteTimeFormats(db, mappings);
  } finally {
    db.close();
  }
}

export async function runMap(args: MapArgs, io: CliIO): Promise<number> {
  const s = await resolveSettings(args, io, { writesMappings: true });
  const schemas = await introspectPair({ sqlitePath: s.sqlitePath, pgUrl: s.pgUrl, schema: s.schema });
  const generated = profiledMappings(s.sqlitePath, generateMappings(schemas.sqlite, schemas.postgres));
  const result = writeMappings(s.mappingsDir, generated);
  if (args.json) {
    print(io.stdout, JSON.stringify(result, null, 2));
    return EXIT.ok;
  }
  const style = styleFor(io.stdout, io.env);
  const shown = relative(io.cwd, result.dir) || '.';
  print(io.stdout, `map  ${generated.length} tables -> ${shown}/`);
  for (const f of result.files) {
    const real = f.changes.filter((c) => c.kind !== 'unchanged');
    const created = real.some((c) => c.kind === 'created');
    const label = created ? style.green('created  ') : real.length ? style.yellow('updated  ') : style.dim('unchanged');
    print(io.stdout, `  ${label} ${relative(io.cwd, f.path) || f.path}`);
    const mapping = generated.find((m) => m.table === f.table);
    if (created && mapping) for (const note of describeGuesses(mapping)) print(io.stdout, style.dim(`             ${note}`));
    for (const c of real) if (c.kind !== 'created') print(io.stdout, `             ${c.kind.replace('_', ' ')}: ${c.detail}`);
  }
  print(io.stdout, style.dim('review the files: renames, local-only columns and cursors are guesses; your edits survive the next `replicate map`'));
  return EXIT.ok;
}
