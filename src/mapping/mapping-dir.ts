/**
 * The mappings directory as a run or a verify reads it. Most pairs run on the generated
 * mappings, with no files: then the YAML parser and the schema validator (about 0.15 s
 * of module loading) are never loaded. With files, mapping-files.ts loads and validates them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { LoadedMapping } from './table-mapping.js';

const MAPPING_FILE = /\.ya?ml$/i;

/** Every mapping file in `dir`, validated, keyed by PostgreSQL table name (as loadMappings). */
export async function loadMappingDir(dir: string): Promise<Map<string, LoadedMapping>> {
  if (!existsSync(dir)) return new Map();
  // a path that is not a directory is for loadMappings to report
  if (statSync(dir).isDirectory() && !readdirSync(dir).some((n) => MAPPING_FILE.test(n))) return new Map();
  return (await import('./mapping-files.js')).loadMappings(dir);
}
