/**
 * Load order for a run: parents before children. Tables are grouped into strongly
 * connected components (Tarjan); components load in topological order, ties broken by
 * mapping priority, then name. A self-reference is not a cycle (rows of the table order
 * themselves). A cycle across tables is broken by deferring one nullable FK per round:
 * its columns are written NULL first and set in a second pass once the cycle is loaded.
 */
import { PlanError } from '../../errors.js';
import { buildFkGraph, describeFk, parentsByTable, type FkEdge, type FkGraph, type FkGraphInput } from './fk-graph.js';

export interface OrderedTables {
  order: string[];
  cycles: string[][];
  deferred: { table: string; columns: string[]; refTable: string }[];
}

export function planTableOrder(tables: readonly FkGraphInput[]): OrderedTables {
  const graph = buildFkGraph(tables);
  const deferred = breakCycles(graph);
  const components = stronglyConnected(graph.tables, graph.edges);
  const order = loadOrder(graph, components, deferred);
  const position = new Map(order.map((t, i) => [t, i]));
  const at = (t: string): number => position.get(t) ?? 0;
  const cycles = components
    .filter((c) => c.length > 1)
    .map((c) => [...c].sort((a, b) => at(a) - at(b)))
    .sort((a, b) => at(a[0] ?? '') - at(b[0] ?? ''));
  const deferredList = graph.edges
    .filter((e) => deferred.has(e.id))
    .sort((a, b) => at(a.child) - at(b.child) || a.id - b.id)
    .map((e) => ({ table: e.child, columns: [...e.columns], refTable: e.parent }));
  return { order, cycles, deferred: deferredList };
}

/** Tarjan's algorithm over child -> parent edges. Deterministic: nodes and edges are visited in the given order. */
export function stronglyConnected(tables: readonly string[], edges: readonly FkEdge[]): string[][] {
  const adjacency = parentsByTable(tables, edges);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const lowOf = (t: string): number => low.get(t) ?? Number.MAX_SAFE_INTEGER;

  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const { parent: w } of adjacency.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(lowOf(v), lowOf(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(lowOf(v), index.get(w) ?? Number.MAX_SAFE_INTEGER));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (;;) {
      const w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    out.push(component);
  };

  for (const t of tables) if (!index.has(t)) visit(t);
  return out;
}

/**
 * Defers FKs until no cycle is left: in each remaining cycle, the nullable FK whose child
 * table declares the fewest foreign keys (the cheapest second pass), then by name. One per
 * cycle per round, because deferring one FK may already break a larger cycle.
 */
function breakCycles(graph: FkGraph): Set<number> {
  const deferred = new Set<number>();
  for (;;) {
    const live = graph.edges.filter((e) => !deferred.has(e.id));
    const cycles = stronglyConnected(graph.tables, live).filter((c) => c.length > 1);
    if (cycles.length === 0) return deferred;
    for (const cycle of cycles) {
      const members = new Set(cycle);
      const inside = live.filter((e) => members.has(e.child) && members.has(e.parent));
      const candidates = inside.filter((e) => e.nullable);
      const fkCount = (t: string): number => graph.fkCount.get(t) ?? 0;
      const best = candidates.sort((a, b) => fkCount(a.child) - fkCount(b.child) || a.id - b.id)[0];
      if (!best) throw unbreakable(cycle, inside);
      deferred.add(best.id);
    }
  }
}

function unbreakable(cycle: readonly string[], inside: readonly FkEdge[]): PlanError {
  const tables = [...cycle].sort();
  const fks = inside.map((e) => describeFk(e.child, e.columns, e.parent)).join(', ');
  return new PlanError(
    tables,
    `these tables reference each other in a cycle and every foreign key in it is NOT NULL (${fks}), ` +
      'so no table can be loaded first; make one of these columns nullable, or remove that foreign key from the mapping',
  );
}

/** Kahn's algorithm; among ready nodes the smallest by `compare` goes first. */
function topoSort(nodes: readonly string[], links: readonly { child: string; parent: string }[], compare: (a: string, b: string) => number): string[] {
  const waiting = new Map<string, number>(nodes.map((n) => [n, 0]));
  const children = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const { child, parent } of links) {
    if (child === parent || !waiting.has(child) || !waiting.has(parent)) continue;
    waiting.set(child, (waiting.get(child) ?? 0) + 1);
    children.get(parent)?.push(child);
  }
  const ready = nodes.filter((n) => waiting.get(n) === 0);
  const out: string[] = [];
  while (ready.length > 0) {
    ready.sort(compare);
    const n = ready.shift();
    if (n === undefined) break;
    out.push(n);
    for (const c of children.get(n) ?? []) {
      const left = (waiting.get(c) ?? 0) - 1;
      waiting.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  if (out.length !== nodes.length) throw new Error(`internal: FK order left a cycle among ${nodes.filter((n) => !out.includes(n)).join(', ')}`);
  return out;
}

/** Components in topological order, each loaded whole; inside one, the edges left after deferring order it. */
function loadOrder(graph: FkGraph, components: readonly string[][], deferred: ReadonlySet<number>): string[] {
  const compare = (a: string, b: string): number => (graph.priority.get(a) ?? 0) - (graph.priority.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0);
  // a component is named by its first table under (priority, name)
  const representative = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const c of components) {
    const rep = [...c].sort(compare)[0] ?? '';
    members.set(rep, c);
    for (const t of c) representative.set(t, rep);
  }
  const rep = (t: string): string => representative.get(t) ?? t;
  const componentLinks = graph.edges.map((e) => ({ child: rep(e.child), parent: rep(e.parent) }));
  const live = graph.edges.filter((e) => !deferred.has(e.id));
  return topoSort([...members.keys()], componentLinks, compare).flatMap((r) => topoSort(members.get(r) ?? [r], live, compare));
}
