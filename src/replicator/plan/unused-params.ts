/**
 * :param values that no mapping file's row filter uses. A run given one is most likely not
 * the run the user meant: a mistyped name, or mappings without the filter it was for (a
 * wrong directory), would copy every row where the user expected some.
 */
import { ConfigError } from '../../errors.js';
import type { LoadedMapping } from '../../mapping/table-mapping.js';
import { filterParamNames, type FilterParams } from './row-filter.js';

/** The :params the files' filters use; a filter that does not parse is for its table's plan to report. */
function paramsInFilters(files: Iterable<LoadedMapping>): Set<string> {
  const used = new Set<string>();
  for (const { mapping } of files) {
    if (!mapping.filter) continue;
    try {
      for (const p of filterParamNames(mapping.table, mapping.filter)) used.add(p);
    } catch {
      // reported by compileRowFilter when the table is planned
    }
  }
  return used;
}

/**
 * Throws for a name in `required` (values the user gave for this run) that no filter uses;
 * returns a plan note for each other unused one (a shared config file may hold values
 * for filters this pair does not have).
 */
export function checkUnusedParams(params: FilterParams, required: readonly string[], files: ReadonlyMap<string, LoadedMapping>, mappingsDir: string | undefined): string[] {
  const used = paramsInFilters(files.values());
  const unused = Object.keys(params).filter((p) => !used.has(p));
  const where =
    files.size === 0
      ? `there are no mapping files${mappingsDir ? ` in ${mappingsDir}` : ''}`
      : used.size === 0
        ? 'no mapping file has a row filter'
        : `the filters use ${[...used].map((p) => ':' + p).join(', ')}`;
  const refused = unused.filter((p) => required.includes(p));
  if (refused.length > 0) {
    const names = refused.map((p) => ':' + p).join(', ');
    throw new ConfigError(
      `param ${refused.join(', ')} ${refused.length === 1 ? 'was' : 'were'} given a value, but no mapping's row filter uses ${names} (${where}); ` +
        'nothing was copied: check the name and the mappings directory',
      `params.${refused[0] ?? ''}`,
    );
  }
  return unused.map((p) => `param ${p} has a value, but no mapping's row filter uses :${p} (${where})`);
}
