/**
 * A run's plan on an open pair (no writes): introspect both sides, resolve the mappings,
 * build the plan; with --create-missing, decide which tables would be created and plan as
 * if they were there. The run (run-replication.ts) and --dry-run (plan-replication.ts)
 * both come through here, so they plan alike.
 */
import { SqliteIntrospector } from '../../introspect/sqlite-introspector.js';
import { PostgresIntrospector } from '../../introspect/postgres-introspector.js';
import type { SchemaPair } from '../../introspect/introspect-pair.js';
import { loadMappingDir } from '../../mapping/mapping-dir.js';
import { NameTranslator } from '../../mapping/name-translator.js';
import { resolveMappings } from '../../mapping/resolve-mappings.js';
import type { LoadedMapping } from '../../mapping/table-mapping.js';
import type { SchemaModel } from '../../model/schema.js';
import type { MissingTablesPlan } from '../create-missing/create-missing-tables.js';
import { buildRunPlan } from '../plan/build-run-plan.js';
import { compileRowFilter } from '../plan/row-filter.js';
import { checkUnusedParams } from '../plan/unused-params.js';
import type { RunPlan } from '../run-plan.js';
import { profileSqliteTimeFormats } from '../values/profile-time-format.js';
import type { Connections } from './direction-wiring.js';
import { presetEpochFreeFormats } from './epoch-free-formats.js';
import type { PairConfig } from './open-pair.js';
import type { RunOptions } from './run-replication.js';

export interface PlannedRun {
  plan: RunPlan;
  mappings: LoadedMapping[];
  schemas: SchemaPair;
}

/**
 * Introspect and plan on open connections (no writes). `exactFormats` false: date/time
 * columns whose format cannot matter on the way to PostgreSQL are not profiled
 * (epoch-free-formats.ts); only for a sqlite-to-pg run that creates no tables.
 */
export async function planOnPair(conn: Connections, config: PairConfig, options: RunOptions, exactFormats = true, catalog?: Promise<SchemaModel>): Promise<PlannedRun> {
  // PostgreSQL reads its catalog (one request; `catalog`: already asked for) while the SQLite side is read here
  const postgres = catalog ?? new PostgresIntrospector(conn.pg, conn.schema).introspect();
  postgres.catch(() => undefined); // awaited below; marked handled in case the SQLite side throws first
  const sqlite = new SqliteIntrospector(conn.sqlite).introspectSync();
  return planFromSchemas(conn, config, options, { sqlite, postgres: await postgres }, exactFormats);
}

/** planOnPair on schemas already read (or as they will be: planWithMissingTables). */
async function planFromSchemas(conn: Connections, config: PairConfig, options: RunOptions, schemas: SchemaPair, exactFormats = true): Promise<PlannedRun> {
  const fileMappings = config.mappingsDir ? await loadMappingDir(config.mappingsDir) : new Map<string, LoadedMapping>();
  const paramNotes = checkUnusedParams(config.params ?? {}, config.requiredParams ?? [], fileMappings, config.mappingsDir);
  const resolved = resolveMappings(schemas.sqlite, schemas.postgres, fileMappings);
  // generated mappings carry no profiled date formats yet: profile them as `map` would
  let generated = resolved.mappings.filter((m) => m.source.kind === 'generated').map((m) => m.mapping);
  if (!exactFormats && options.direction === 'sqlite-to-pg' && !options.createMissing) generated = presetEpochFreeFormats(conn.sqlite, schemas.sqlite.tables, generated);
  const profiled = new Map((await profileSqliteTimeFormats(conn.sqlite, generated)).map((m) => [m.table, m]));
  const mappings = resolved.mappings.map((m) => (m.source.kind === 'generated' ? { ...m, mapping: profiled.get(m.mapping.table) ?? m.mapping } : m));
  const planOptions = { direction: options.direction, ...(options.full ? { full: true } : {}), ...(options.tables ? { tables: options.tables } : {}) };
  const plan = buildRunPlan(schemas, mappings, planOptions);
  plan.notes.push(...paramNotes);
  // an unset :param fails here, before anything is written; the plan shows the values bound
  for (const t of plan.tables) t.filterBound = compileRowFilter(t, 'postgres', config.params ?? {})?.describe ?? null;
  return { plan, mappings, schemas };
}

/**
 * --create-missing, before anything is created: which tables the run creates (those of
 * --tables only), refused where they could not be loaded (create-missing-tables.ts), and
 * the plan as it will be once they exist, so a problem with it (a key column not copied,
 * a cycle of NOT NULL foreign keys) stops the run before it writes. Writes nothing.
 */
export async function planWithMissingTables(conn: Connections, config: PairConfig, options: RunOptions, prepared: PlannedRun): Promise<{ missing: MissingTablesPlan; planned: PlannedRun }> {
  // loaded only when asked for: it brings the schema-fix planner along
  const { planMissingTables } = await import('../create-missing/create-missing-tables.js');
  const names = new NameTranslator(prepared.mappings.map((m) => m.mapping));
  const missing = await planMissingTables(conn, options.direction, prepared.schemas, prepared.mappings, names, options.tables);
  if (missing.tables.length === 0) return { missing, planned: prepared };
  return { missing, planned: await planFromSchemas(conn, config, options, missing.schemas) };
}
