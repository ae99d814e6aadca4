/**
 * replicate as a library: the same engine the CLI uses. Nothing here prints or exits;
 * failures are typed errors from ./errors.js.
 */
export * from './errors.js';
export type * from './model/schema.js';
export type * from './mapping/table-mapping.js';
export type { Finding, FindingKind, Severity, VerifySummary } from './verify/finding.js';

export { openSqlite } from './connect/sqlite-connection.js';
export { connectPostgres, describePostgresUrl } from './connect/postgres-connection.js';
export { SqliteIntrospector } from './introspect/sqlite-introspector.js';
export { PostgresIntrospector } from './introspect/postgres-introspector.js';
export { introspectPair, introspectPostgres, introspectSqliteFile, type PairLocation, type SchemaPair } from './introspect/introspect-pair.js';

export { compareTypes, TYPE_COMPAT, type PairCompat, type CompatLevel } from './mapping/type-compat.js';
export { generateMappings } from './mapping/generate-mapping.js';
export { resolveMappings } from './mapping/resolve-mappings.js';
export { loadMappings, writeMappings, mappingFileName } from './mapping/mapping-files.js';
export { parseMappingYaml } from './mapping/mapping-schema.js';
export { renderMappingYaml } from './mapping/mapping-yaml.js';

export { diffSchemas } from './verify/diff-schemas.js';
export { verifySchemas, verifyModels, type VerifyOptions, type VerifyReport, type VerifyResult } from './verify/verify-schemas.js';

export { planSqliteFix } from './schema-fix/plan-sqlite-fix.js';
export { renderFixScript } from './schema-fix/render-fix-script.js';
export { applyFixScript, type ApplyResult } from './schema-fix/apply-fix-script.js';
export { readSqliteSchemaSource } from './schema-fix/sqlite-schema-source.js';
export type { FixPlan, TableFix, FixStatement, PreCheck } from './schema-fix/fix-plan.js';

export { createReplicator, type Replicator } from './replicator/create-replicator.js';
export type { PairConfig, RunOptions } from './replicator/engine/run-replication.js';
export type { FilterParams, FilterParamValue } from './replicator/plan/row-filter.js';
export type { ReplicationEvent, RunSummary } from './replicator/events.js';
export { parseSchedule, type Schedule } from './replicator/schedule/schedule-pattern.js';
export type { ScheduleSummary } from './replicator/schedule/run-on-schedule.js';
export type { RunPlan, TablePlan, Direction } from './replicator/run-plan.js';
