/** The line the plain reporter and the TUI log print for a table's ledger retry, in the words of the run's summary. */
import type { EventOf } from '../../replicator/events.js';

export function ledgerRetryText(e: EventOf<'ledger-retry'>, fmt: (n: number) => string = String): string {
  const { waiting, rejected } = e.retried;
  const n = waiting + rejected;
  const rows = `row${n === 1 ? '' : 's'}`;
  const what = rejected === 0 ? `${fmt(n)} ${rows} waiting for parents` : waiting === 0 ? `${fmt(n)} rejected ${rows}` : `${fmt(n)} ${rows} (${fmt(waiting)} waiting for parents, ${fmt(rejected)} rejected)`;
  // "still" when every row retried was of that kind
  const outcomes = [
    `${fmt(e.landed)} landed`,
    e.gone > 0 ? `${fmt(e.gone)} gone from the source` : '',
    e.waiting > 0 ? `${fmt(e.waiting)} ${rejected === 0 ? 'still ' : ''}waiting for parents` : '',
    e.rejected > 0 ? `${fmt(e.rejected)} ${waiting === 0 ? 'still ' : ''}rejected` : '',
  ].filter(Boolean);
  return `${e.table}: retried ${what}: ${outcomes.join(', ')}`;
}
