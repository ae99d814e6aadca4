import type { TableRunStats } from '../../replicator/state/state-store.js';

/**
 * What a table's end line says after "N read, N written" (the plain reporter and the TUI's
 * Output say the same): rows left because the target's copy is newer, rows waiting for a
 * parent, rows rejected; `count` formats a number as the caller prints numbers.
 */
export function tableEndExtras(s: TableRunStats, count: (n: number) => string = String): string[] {
  return [
    s.keptNewer ? `${count(s.keptNewer)} left as the target has ${s.keptNewer === 1 ? 'it (its copy is newer)' : 'them (its copies are newer)'}` : '',
    s.skipped ? `${count(s.skipped)} waiting for parents` : '',
    s.rejected ? `${count(s.rejected)} rejected` : '',
  ].filter(Boolean);
}
