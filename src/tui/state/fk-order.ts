/**
 * Tables in FK order (parents first) from the mappings alone, before any run has planned:
 * the explorer lists tables the way a run would load them. A plan, when one arrives, wins.
 */
import type { LoadedMapping } from '../../mapping/table-mapping.js';
import { planTableOrder } from '../../replicator/plan/plan-table-order.js';

export function mappingOrder(mappings: readonly LoadedMapping[]): string[] {
  const names = new Set(mappings.map((m) => m.mapping.table));
  try {
    return planTableOrder(
      mappings.map(({ mapping: m }) => ({
        name: m.table,
        priority: m.priority,
        // nullable is unknown here; true lets a cycle be broken rather than refused (order only)
        foreignKeys: m.foreignKeys.filter((f) => names.has(f.references)).map((f) => ({ columns: f.columns, refTable: f.references, nullable: true })),
      })),
    ).order;
  } catch {
    // an order is a nicety for the list; the run itself reports an unbreakable cycle
    return [...names].sort();
  }
}
