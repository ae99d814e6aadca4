/**
 * The mappings directory: one YAML file per PostgreSQL table. Writing creates new
 * files and merges into existing ones (keeping the user's edits); loading validates
 * every file and stops at the first that does not.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MappingError } from '../errors.js';
import { mergeMapping, type MappingChange } from './mapping-merge.js';
import { keyLine, mappingFileName, parseMappingYaml } from './mapping-schema.js';
import { renderMappingYaml } from './mapping-yaml.js';
import type { LoadedMapping, TableMapping } from './table-mapping.js';

export { mappingFileName };

export interface MappingWriteResult {
  dir: string;
  files: { table: string; path: string; changes: MappingChange[] }[];
}

const MAPPING_FILE = /\.ya?ml$/i;

/**
 * Write one file per generated mapping into `dir` (created if needed). Every merge is
 * computed before anything is written, so an invalid existing file leaves all files
 * as they were.
 */
export function writeMappings(dir: string, generated: TableMapping[]): MappingWriteResult {
  mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  const plans = generated.map((m) => {
    if (seen.has(m.table)) throw new MappingError(join(dir, mappingFileName(m.table)), null, 'table', `table '${m.table}' was generated twice`);
    seen.add(m.table);
    const path = existingFile(dir, m.table) ?? join(dir, mappingFileName(m.table));
    if (existsSync(path)) {
      const before = readFileSync(path, 'utf8');
      const merged = mergeMapping(before, path, m);
      return { table: m.table, path, text: merged.text, write: merged.text !== before, changes: merged.changes };
    }
    const text = renderMappingYaml(m);
    parseMappingYaml(text, path); // a generated mapping that would not load is a bug to hear about now
    const created: MappingChange = { table: m.table, kind: 'created', detail: `wrote ${mappingFileName(m.table)}` };
    return { table: m.table, path, text, write: true, changes: [created] };
  });
  for (const p of plans) if (p.write) writeAtomically(p.path, p.text);
  return { dir, files: plans.map(({ table, path, changes }) => ({ table, path, changes })) };
}

/** Every mapping file in `dir`, validated, keyed by PostgreSQL table name. A missing directory has none. */
export function loadMappings(dir: string): Map<string, LoadedMapping> {
  const mappings = new Map<string, LoadedMapping>();
  if (!existsSync(dir)) return mappings;
  if (!statSync(dir).isDirectory()) throw new MappingError(dir, null, null, 'the mappings path is not a directory');
  const names = readdirSync(dir)
    .filter((n) => MAPPING_FILE.test(n))
    .sort();
  for (const name of names) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const text = readFileSync(path, 'utf8');
    const mapping = parseMappingYaml(text, path);
    const earlier = mappings.get(mapping.table);
    if (earlier && earlier.source.kind === 'file') {
      throw new MappingError(path, keyLine(text, ['table']), 'table', `table '${mapping.table}' is already mapped by ${earlier.source.path}`);
    }
    mappings.set(mapping.table, { mapping, source: { kind: 'file', path } });
  }
  return mappings;
}

/** The file already holding `table`'s mapping: <name>.yaml, or <name>.yml if the user renamed it. */
function existingFile(dir: string, table: string): string | null {
  const yaml = join(dir, mappingFileName(table));
  if (existsSync(yaml)) return yaml;
  const yml = yaml.replace(/\.yaml$/, '.yml');
  return existsSync(yml) ? yml : null;
}

/** Write via a temporary file and rename, so an interrupted run never leaves half a file. */
function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, 'utf8');
  renameSync(temp, path);
}
