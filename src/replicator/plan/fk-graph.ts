/**
 * The FK graph of the mapped model: one node per planned table, one edge per foreign key,
 * pointing from the child to its parent. Self-references are kept apart: they order rows
 * within a table, not tables, so they never make a cycle.
 */
import { PlanError } from '../../errors.js';

export interface FkGraphInput {
  name: string;
  /** lower loads first among tables with no FK order between them */
  priority: number;
  foreignKeys: readonly { columns: string[]; refTable: string; nullable: boolean }[];
}

export interface FkEdge {
  /** position in FkGraph.edges; stable, so choices made over edges are deterministic */
  id: number;
  child: string;
  parent: string;
  columns: string[];
  /** every child column may hold NULL on the target: the FK can be written in a second pass */
  nullable: boolean;
}

export interface FkGraph {
  /** table names, sorted */
  tables: string[];
  priority: ReadonlyMap<string, number>;
  /** how many foreign keys each table declares (self-references and unplanned parents included) */
  fkCount: ReadonlyMap<string, number>;
  /** child -> parent edges between two different tables of the graph */
  edges: FkEdge[];
  /** FKs whose parent is the table itself */
  selfReferences: FkEdge[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function buildFkGraph(tables: readonly FkGraphInput[]): FkGraph {
  const priority = new Map<string, number>();
  for (const t of tables) {
    if (priority.has(t.name)) throw new PlanError([t.name], 'the table is listed twice in the run');
    priority.set(t.name, t.priority);
  }
  const sorted = [...tables].sort((a, b) => byName(a.name, b.name));
  const edges: FkEdge[] = [];
  const selfReferences: FkEdge[] = [];
  const fkCount = new Map<string, number>();
  let id = 0;
  for (const t of sorted) {
    fkCount.set(t.name, t.foreignKeys.length);
    for (const fk of t.foreignKeys) {
      // a parent outside the run imposes no order here
      if (!priority.has(fk.refTable)) continue;
      const edge: FkEdge = { id: id++, child: t.name, parent: fk.refTable, columns: [...fk.columns], nullable: fk.nullable };
      (fk.refTable === t.name ? selfReferences : edges).push(edge);
    }
  }
  return { tables: sorted.map((t) => t.name), priority, fkCount, edges, selfReferences };
}

/** Parents of each table along `edges` (child -> parent adjacency). */
export function parentsByTable(tables: readonly string[], edges: readonly FkEdge[]): Map<string, FkEdge[]> {
  const out = new Map<string, FkEdge[]>(tables.map((t) => [t, []]));
  for (const e of edges) out.get(e.child)?.push(e);
  return out;
}

/** "orders.store_id -> stores", or "terminal_stock_levels.(store_id, product_id) -> stock_levels" */
export function describeFk(child: string, columns: readonly string[], parent: string): string {
  const cols = columns.length === 1 ? (columns[0] ?? '') : `(${columns.join(', ')})`;
  return `${child}.${cols} -> ${parent}`;
}
