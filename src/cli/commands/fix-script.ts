/**
 * `replicate fix-script [--out FILE] [--apply]`: plan the SQL that aligns SQLite with
 * PostgreSQL, write it for review, and apply it only on request (after a backup).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describePostgresUrl } from '../../connect/postgres-connection.js';
import { introspectPair } from '../../introspect/introspect-pair.js';
import { loadMappings } from '../../mapping/mapping-files.js';
import { resolveMappings } from '../../mapping/resolve-mappings.js';
import { applyFixScript } from '../../schema-fix/apply-fix-script.js';
import { planSqliteFix } from '../../schema-fix/plan-sqlite-fix.js';
import { readSqliteSchemaSource } from '../../schema-fix/sqlite-schema-source.js';
import { renderFixScript } from '../../schema-fix/render-fix-script.js';
import { verifySchemas } from '../../verify/verify-schemas.js';
import { resolveSettings, type ConnectionFlags } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { print, styleFor, write, type CliIO } from '../io.js';

export interface FixScriptArgs extends ConnectionFlags {
  out?: string | undefined;
  apply?: boolean | undefined;
  stdout?: boolean | undefined;
}

export async function runFixScript(args: FixScriptArgs, io: CliIO): Promise<number> {
  const s = await resolveSettings(args, io);
  const style = styleFor(io.stdout, io.env);
  const fileMappings = loadMappings(s.mappingsDir);
  const schemas = await introspectPair({ sqlitePath: s.sqlitePath, pgUrl: s.pgUrl, schema: s.schema });
  const { mappings } = resolveMappings(schemas.sqlite, schemas.postgres, fileMappings);
  // the stored CREATE statements let a rebuild re-create indexes and triggers exactly
  const plan = planSqliteFix(schemas, mappings, readSqliteSchemaSource(s.sqlitePath));
  const script = renderFixScript(plan, { sqlitePath: s.sqlitePath, postgres: describePostgresUrl(s.pgUrl) });

  if (args.stdout) {
    write(io.stdout, script);
    return EXIT.ok;
  }
  const out = resolve(io.cwd, args.out ?? 'scripts/fix-sqlite-schema.sql');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, script);
  print(io.stdout, `fix-script  ${plan.tables.length === 0 ? 'nothing to fix' : `${plan.tables.length} tables`} -> ${relative(io.cwd, out) || out}`);
  for (const t of plan.tables) {
    print(io.stdout, `  ${t.action.padEnd(11)} ${t.table}`);
    for (const r of t.reasons) print(io.stdout, style.dim(`              ${r}`));
  }
  for (const note of plan.leftAlone) print(io.stdout, style.dim(`  left alone: ${note}`));
  if (!args.apply) {
    if (plan.tables.length > 0) print(io.stdout, style.dim('review the script, then run `replicate fix-script --apply` (takes a backup first)'));
    return EXIT.ok;
  }
  if (plan.tables.length === 0) return EXIT.ok;
  const applied = await applyFixScript(s.sqlitePath, plan);
  print(io.stdout, style.green(`applied ${applied.statements} statements to ${applied.tables.length} tables in one transaction`));
  print(io.stdout, `backup: ${applied.backupPath}`);
  const after = await verifySchemas({ sqlitePath: s.sqlitePath, pgUrl: s.pgUrl, schema: s.schema, mappingsDir: s.mappingsDir });
  const { errors, warnings, infos } = after.summary;
  print(io.stdout, `verify after fix: ${errors} errors, ${warnings} warnings, ${infos} infos`);
  for (const f of after.issues.filter((i) => i.severity === 'error')) print(io.stdout, style.red(`  ✗ ${f.table}${f.column ? '.' + f.column : ''}: ${f.kind}: ${f.detail}`));
  return after.ok ? EXIT.ok : EXIT.failed;
}
