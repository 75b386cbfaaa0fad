/**
 * Directed graphs by node name: cycle finding (for job chains and workflow steps alike) and a
 * topological order. Framework-free; plain strings in, plain strings out.
 */

/** Edges `from → to[]`. Nodes that only appear as targets count as nodes too. */
export type Graph = ReadonlyMap<string, readonly string[]>;

/**
 * One cycle of the graph as the path that closes it (`['a', 'b', 'c', 'a']`), or null when there is
 * none. Iterative depth-first search (no recursion limit on long chains); visits nodes and edges in
 * the order given, so the answer is deterministic.
 */
export function findCycle(graph: Graph): string[] | null {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  for (const root of graph.keys()) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, 1);
    while (path.length) {
      const node = path[path.length - 1];
      const edges = graph.get(node) ?? [];
      const i = next[next.length - 1]++;
      if (i >= edges.length) {
        state.set(node, 2);
        path.pop();
        next.pop();
        continue;
      }
      const to = edges[i];
      const s = state.get(to);
      if (s === 1) return [...path.slice(path.indexOf(to)), to];
      if (s === undefined) {
        state.set(to, 1);
        path.push(to);
        next.push(0);
      }
    }
  }
  return null;
}

/** `a → b → a`, for error messages. */
export function describeCycle(cycle: readonly string[]): string {
  return cycle.join(' → ');
}

/** Nodes so that every edge goes forwards (Kahn's algorithm, ties in the order given); throws on a cycle. */
export function topologicalOrder(graph: Graph): string[] {
  const indegree = new Map<string, number>();
  for (const [from, tos] of graph) {
    if (!indegree.has(from)) indegree.set(from, 0);
    for (const to of tos) indegree.set(to, (indegree.get(to) ?? 0) + 1);
  }
  const queue = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
  const order: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i];
    order.push(n);
    for (const to of graph.get(n) ?? []) {
      const d = indegree.get(to)! - 1;
      indegree.set(to, d);
      if (d === 0) queue.push(to);
    }
  }
  if (order.length !== indegree.size) throw new Error(`cycle: ${describeCycle(findCycle(graph) ?? [])}`);
  return order;
}
