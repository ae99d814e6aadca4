/**
 * The palette's file-writing jobs, done the way `replicate map` and `replicate fix-script`
 * do them (same library calls), returning what happened as lines instead of printing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSqlite } from '../../connect/sqlite-connection.js';
import { describePostgresUrl } from '../../connect/postgres-connection.js';
import { introspectPair } from '../../introspect/introspect-pair.js';
import { generateMappings } from '../../mapping/generate-mapping.js';
import { loadMappings, writeMappings } from '../../mapping/mapping-files.js';
import { resolveMappings } from '../../mapping/resolve-mappings.js';
import { profileSqliteTimeFormats } from '../../replicator/values/profile-time-format.js';
import { planSqliteFix } from '../../schema-fix/plan-sqlite-fix.js';
import { readSqliteSchemaSource } from '../../schema-fix/sqlite-schema-source.js';
import { renderFixScript } from '../../schema-fix/render-fix-script.js';

export interface PairLocationFull {
  sqlitePath: string;
  pgUrl: string;
  schema: string;
  mappingsDir: string;
}

/** Generate mappings and merge them into the mapping files (user edits survive). */
export async function regenerateMappings(p: PairLocationFull): Promise<{ summary: string; lines: string[] }> {
  const schemas = await introspectPair({ sqlitePath: p.sqlitePath, pgUrl: p.pgUrl, schema: p.schema });
  const db = openSqlite(p.sqlitePath, { readonly: true });
  let generated;
  try {
    generated = profileSqliteTimeFormats(db, generateMappings(schemas.sqlite, schemas.postgres));
  } finally {
    db.close();
  }
  const result = writeMappings(p.mappingsDir, generated);
  const lines: string[] = [];
  let changed = 0;
  for (const f of result.files) {
    const real = f.changes.filter((c) => c.kind !== 'unchanged');
    if (real.length === 0) continue;
    changed++;
    const created = real.some((c) => c.kind === 'created');
    lines.push(`${created ? 'created' : 'updated'} ${f.path}`);
    for (const c of real) if (c.kind !== 'created') lines.push(`  ${c.kind.replace('_', ' ')}: ${c.detail}`);
  }
  return { summary: `mappings: ${generated.length} tables, ${changed} files written in ${result.dir}`, lines };
}

/** Write the SQL that aligns SQLite with PostgreSQL (never applied from the TUI). */
export async function writeFixScript(p: PairLocationFull, out: string): Promise<{ summary: string; lines: string[] }> {
  const schemas = await introspectPair({ sqlitePath: p.sqlitePath, pgUrl: p.pgUrl, schema: p.schema });
  const { mappings } = resolveMappings(schemas.sqlite, schemas.postgres, loadMappings(p.mappingsDir));
  const plan = planSqliteFix(schemas, mappings, readSqliteSchemaSource(p.sqlitePath));
  const script = renderFixScript(plan, { sqlitePath: p.sqlitePath, postgres: describePostgresUrl(p.pgUrl) });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, script);
  const lines = plan.tables.flatMap((t) => [`${t.action} ${t.table}`, ...t.reasons.map((r) => `  ${r}`)]);
  for (const note of plan.leftAlone) lines.push(`left alone: ${note}`);
  const what = plan.tables.length === 0 ? 'nothing to fix' : `${plan.tables.length} tables`;
  return { summary: `fix script (${what}) written to ${out}; review it, then \`replicate fix-script --apply\``, lines };
}
