import { describeCycle, findCycle } from '../util/graph';

/** A step as the graph of a workflow sees it: its id, the steps it waits for, and when it runs after them. */
export interface StepLinks {
  id: string;
  dependsOn: readonly string[];
  when: 'success' | 'failure' | 'always';
}

export interface StepProblem {
  /** Index of the step in the definition. */
  index: number;
  field: 'id' | 'dependsOn' | 'when';
  /** For a problem with one entry of `dependsOn`: its index there. */
  item?: number;
  message: string;
}

/**
 * What is wrong with a workflow's steps as a graph: duplicate ids, dependencies on steps that do not
 * exist or on themselves, a `when` that can never hold, and cycles (named: `a → b → a`).
 */
export function checkSteps(steps: readonly StepLinks[]): StepProblem[] {
  const problems: StepProblem[] = [];
  const seen = new Map<string, number>();
  steps.forEach((s, index) => {
    const first = seen.get(s.id);
    if (first !== undefined) problems.push({ index, field: 'id', message: `'${s.id}' is already the id of step ${first}` });
    else seen.set(s.id, index);
  });
  steps.forEach((s, index) => {
    s.dependsOn.forEach((d, item) => {
      if (d === s.id) problems.push({ index, field: 'dependsOn', item, message: `step '${s.id}' depends on itself` });
      else if (!seen.has(d)) problems.push({ index, field: 'dependsOn', item, message: `no step has the id '${d}'` });
    });
    if (new Set(s.dependsOn).size !== s.dependsOn.length) problems.push({ index, field: 'dependsOn', message: 'names a step twice' });
    if (s.when !== 'success' && s.dependsOn.length === 0) problems.push({ index, field: 'when', message: `'${s.when}' needs dependsOn: it is about upstream steps` });
  });
  if (problems.length) return problems;
  // Edges upstream → downstream; a cycle is reported on the first step of it.
  const graph = new Map<string, string[]>(steps.map((s) => [s.id, []]));
  for (const s of steps) for (const d of s.dependsOn) graph.get(d)!.push(s.id);
  const cycle = findCycle(graph);
  if (cycle) problems.push({ index: seen.get(cycle[0])!, field: 'dependsOn', message: `steps form a cycle: ${describeCycle(cycle)}` });
  return problems;
}
