/**
 * Job 1, verify schemas: introspect both sides, apply the mappings, report drift.
 * The library half of `replicate verify`; the CLI only formats the result.
 */
import { introspectPair, type PairLocation, type SchemaPair } from '../introspect/introspect-pair.js';
import { loadMappingDir } from '../mapping/mapping-dir.js';
import { resolveMappings } from '../mapping/resolve-mappings.js';
import type { LoadedMapping } from '../mapping/table-mapping.js';
import { diffSchemas } from './diff-schemas.js';
import { summarize, type Finding, type VerifySummary } from './finding.js';

export interface VerifyOptions extends PairLocation {
  /** directory of mapping files; missing or empty means the generated defaults */
  mappingsDir?: string;
}

export interface VerifyReport {
  ok: boolean;
  summary: VerifySummary;
  issues: Finding[];
}

export interface VerifyResult extends VerifyReport {
  schemas: SchemaPair;
  mappings: LoadedMapping[];
  mappingFilesInUse: boolean;
}

export function verifyModels(schemas: SchemaPair, fileMappings: ReadonlyMap<string, LoadedMapping>): Omit<VerifyResult, 'schemas'> {
  const { mappings, filesInUse } = resolveMappings(schemas.sqlite, schemas.postgres, fileMappings);
  const issues = diffSchemas(schemas.sqlite, schemas.postgres, mappings, { mappingFilesInUse: filesInUse });
  const summary = summarize(issues);
  return { ok: summary.errors === 0, summary, issues, mappings, mappingFilesInUse: filesInUse };
}

export async function verifySchemas(options: VerifyOptions): Promise<VerifyResult> {
  // mapping files are validated before any connection: a broken file is reported without touching a database
  const fileMappings = options.mappingsDir ? await loadMappingDir(options.mappingsDir) : new Map<string, LoadedMapping>();
  const schemas = await introspectPair(options);
  return { schemas, ...verifyModels(schemas, fileMappings) };
}
