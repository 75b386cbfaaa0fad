/**
 * A layered layout of a workflow's steps for drawing as SVG: pure, no DOM, no React.
 *
 * 1. A step's column is its longest path from a root (a step without `dependsOn`), so every edge
 *    points right and a step stands after everything it waits for.
 * 2. An edge spanning several columns gets a virtual point in each column it crosses, so it passes
 *    between the steps there instead of through them.
 * 3. Within a column, entries are ordered by the mean row of their neighbours in the column before
 *    (sweeping right) or after (sweeping left), a few times; the order with the fewest crossings wins.
 * 4. Columns are stacked top to bottom and centred on each other; an edge is a chain of cubic curves
 *    with horizontal tangents through its points.
 *
 * A definition the server accepted has no cycle and no unknown `dependsOn`; here a back edge of a
 * cycle and a reference to a missing step are left out rather than looping or throwing.
 */

export interface DagStep {
  id: string;
  dependsOn: readonly string[];
}

export interface DagOptions {
  /** Px; default 208. */
  nodeWidth: number;
  /** Px; default 64. */
  nodeHeight: number;
  /** Px between columns; default 56. */
  columnGap: number;
  /** Px between entries of a column; default 20 (room for a tag above a step). */
  rowGap: number;
  /** Px an edge passing through a column takes up there; default 6. */
  laneHeight: number;
  /** Px around the drawing; default 16 (room for a tag above a step at the top). */
  margin: number;
  /** Ordering passes (one right, one left each); default 4. */
  sweeps: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface DagNode {
  id: string;
  /** 0 for a root; otherwise 1 + the largest column of the steps it depends on. */
  column: number;
  /** Position among the steps of its column, top first. */
  row: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DagEdge {
  from: string;
  to: string;
  /** From the right middle of `from`, through the columns in between, to the left middle of `to`. */
  points: Point[];
  /** SVG path data through `points`. */
  path: string;
}

export interface DagLayout {
  /** In the order of the steps given. */
  nodes: DagNode[];
  /** In the order of the steps given, then of their `dependsOn`. */
  edges: DagEdge[];
  columns: number;
  width: number;
  height: number;
}

export const DEFAULT_DAG_OPTIONS: DagOptions = { nodeWidth: 208, nodeHeight: 64, columnGap: 56, rowGap: 20, laneHeight: 6, margin: 16, sweeps: 4 };

/** Each step's column: the length of the longest `dependsOn` path from a root to it. */
export function columnsOf(steps: readonly DagStep[]): Map<string, number> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = column.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return -1; // a cycle: this back edge does not count
    visiting.add(id);
    let c = 0;
    for (const d of byId.get(id)!.dependsOn) if (byId.has(d)) c = Math.max(c, visit(d) + 1);
    visiting.delete(id);
    column.set(id, c);
    return c;
  };
  for (const s of steps) visit(s.id);
  return column;
}

/** The edges worth drawing: upstream → step, once each, pointing right (cycle back edges and unknown ids left out). */
export function edgesOf(steps: readonly DagStep[], column: ReadonlyMap<string, number>): { from: string; to: string }[] {
  const edges: { from: string; to: string }[] = [];
  for (const s of steps) {
    for (const d of new Set(s.dependsOn)) {
      const from = column.get(d);
      if (from !== undefined && from < column.get(s.id)!) edges.push({ from: d, to: s.id });
    }
  }
  return edges;
}

interface Entry {
  key: string;
  virtual: boolean;
  up: Entry[];
  down: Entry[];
  y: number;
}

export function layoutDag(steps: readonly DagStep[], options: Partial<DagOptions> = {}): DagLayout {
  const o = { ...DEFAULT_DAG_OPTIONS, ...options };
  const column = columnsOf(steps);
  const edges = edgesOf(steps, column);
  const columns = steps.length ? Math.max(...column.values()) + 1 : 0;

  const layers: Entry[][] = Array.from({ length: columns }, () => []);
  const entries = new Map<string, Entry>();
  const add = (key: string, c: number, virtual: boolean): Entry => {
    const e: Entry = { key, virtual, up: [], down: [], y: 0 };
    entries.set(key, e);
    layers[c].push(e);
    return e;
  };
  for (const s of steps) add(s.id, column.get(s.id)!, false);
  // "\n" cannot be in a step id, so a virtual key never equals one.
  const chains = edges.map(({ from, to }) => {
    const chain = [entries.get(from)!];
    for (let c = column.get(from)! + 1; c < column.get(to)!; c++) chain.push(add(`${from}\n${to}\n${c}`, c, true));
    chain.push(entries.get(to)!);
    for (let i = 1; i < chain.length; i++) {
      chain[i - 1].down.push(chain[i]);
      chain[i].up.push(chain[i - 1]);
    }
    return chain;
  });

  orderLayers(layers, o.sweeps);

  // Rows and coordinates: each column centred on the tallest.
  const heightOf = (e: Entry) => (e.virtual ? o.laneHeight : o.nodeHeight);
  const columnHeight = (layer: Entry[]) => layer.reduce((h, e) => h + heightOf(e), 0) + Math.max(0, layer.length - 1) * o.rowGap;
  const inner = Math.max(0, ...layers.map(columnHeight));
  layers.forEach((layer) => {
    let y = o.margin + (inner - columnHeight(layer)) / 2;
    for (const e of layer) {
      e.y = y;
      y += heightOf(e) + o.rowGap;
    }
  });
  const xOf = (c: number) => o.margin + c * (o.nodeWidth + o.columnGap);

  const nodes: DagNode[] = steps.map((s) => {
    const c = column.get(s.id)!;
    const e = entries.get(s.id)!;
    return { id: s.id, column: c, row: layers[c].filter((x) => !x.virtual).indexOf(e), x: xOf(c), y: e.y, width: o.nodeWidth, height: o.nodeHeight };
  });

  const placed = edges.map(({ from, to }, i) => {
    const chain = chains[i];
    const c0 = column.get(from)!;
    const points: Point[] = [{ x: xOf(c0) + o.nodeWidth, y: chain[0].y + o.nodeHeight / 2 }];
    for (let k = 1; k < chain.length - 1; k++) {
      const mid = chain[k].y + o.laneHeight / 2;
      points.push({ x: xOf(c0 + k), y: mid }, { x: xOf(c0 + k) + o.nodeWidth, y: mid });
    }
    points.push({ x: xOf(column.get(to)!), y: chain[chain.length - 1].y + o.nodeHeight / 2 });
    return { from, to, points, path: pathThrough(points) };
  });

  return {
    nodes,
    edges: placed,
    columns,
    width: columns ? xOf(columns - 1) + o.nodeWidth + o.margin : 0,
    height: columns ? inner + 2 * o.margin : 0,
  };
}

/** Cubic curves leaving and entering each point horizontally: a straight line where two points are level. */
export function pathThrough(points: readonly Point[]): string {
  const r = (n: number) => Math.round(n * 10) / 10;
  let d = `M${r(points[0].x)},${r(points[0].y)}`;
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1];
    const q = points[i];
    const h = (q.x - p.x) / 2;
    d += p.y === q.y ? ` L${r(q.x)},${r(q.y)}` : ` C${r(p.x + h)},${r(p.y)} ${r(q.x - h)},${r(q.y)} ${r(q.x)},${r(q.y)}`;
  }
  return d;
}

/**
 * Barycentre ordering: down sweeps order a column by its upstream neighbours, up sweeps by the
 * downstream ones; an entry without neighbours on that side keeps its place. Keeps the best seen.
 */
function orderLayers(layers: Entry[][], sweeps: number): void {
  let best = layers.map((l) => [...l]);
  let fewest = crossings(layers);
  const reorder = (layer: Entry[], neighbours: (e: Entry) => Entry[], pos: Map<Entry, number>) => {
    const bary = new Map<Entry, number>();
    layer.forEach((e, i) => {
      const ns = neighbours(e);
      bary.set(e, ns.length ? ns.reduce((s, n) => s + pos.get(n)!, 0) / ns.length : i);
    });
    const index = new Map(layer.map((e, i) => [e, i]));
    layer.sort((a, b) => bary.get(a)! - bary.get(b)! || index.get(a)! - index.get(b)!);
  };
  const positions = (layer: Entry[]) => new Map(layer.map((e, i) => [e, i]));
  for (let s = 0; s < sweeps && fewest > 0; s++) {
    for (let c = 1; c < layers.length; c++) reorder(layers[c], (e) => e.up, positions(layers[c - 1]));
    for (let c = layers.length - 2; c >= 0; c--) reorder(layers[c], (e) => e.down, positions(layers[c + 1]));
    const n = crossings(layers);
    if (n < fewest) {
      fewest = n;
      best = layers.map((l) => [...l]);
    }
  }
  best.forEach((l, c) => (layers[c] = l));
}

/** Pairs of segments that cross between neighbouring columns. */
export function crossings(layers: readonly (readonly { down: readonly unknown[] }[])[]): number {
  let n = 0;
  for (let c = 0; c + 1 < layers.length; c++) {
    const below = new Map(layers[c + 1].map((e, i) => [e as unknown, i]));
    const segments: [number, number][] = [];
    layers[c].forEach((e, i) => e.down.forEach((d) => segments.push([i, below.get(d)!])));
    for (let i = 0; i < segments.length; i++)
      for (let j = i + 1; j < segments.length; j++) {
        const [a1, b1] = segments[i];
        const [a2, b2] = segments[j];
        if ((a1 - a2) * (b1 - b2) < 0) n++;
      }
  }
  return n;
}
