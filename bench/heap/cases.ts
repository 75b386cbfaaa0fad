/** Which cases exist, in report order, and how each one's result is checked. */
import * as flatqueue from './cases/flatqueue';
import * as heapJs from './cases/heap-js';
import * as quaternary from './cases/quaternary';
import * as tinyqueue from './cases/tinyqueue';
import { fold, type Bench, type Case, type Data, type Workload } from './model';

const LIBRARIES = [quaternary, flatqueue, tinyqueue, heapJs];
const WORKLOADS: Workload[] = ['pop-all', 'steady', 'update', 'remove', 'load'];

/** The implementations measured for each workload, in report order. */
export const IMPLS = Object.fromEntries(
  WORKLOADS.map((w) => [w, LIBRARIES.flatMap((library) => library.impls[w] ?? [])]),
) as Record<Workload, string[]>;

export const TITLES: Record<Workload, string> = {
  'pop-all': 'Push N, then pop all (ops = 2N: every push and every pop)',
  steady: 'Steady state: heap of N, then N × (pop + push back with key + random delta) (ops = N reschedules)',
  update: 'update: N random re-keys at size N (ops = N)',
  remove: 'remove: N/2 random removals from size N (ops = N/2)',
  load: 'Build a heap of N from scratch (ops = N entries)',
};

export function opsOf(c: Case): number {
  if (c.workload === 'pop-all') return 2 * c.n;
  if (c.workload === 'remove') return c.n >> 1;
  return c.n;
}

/** The code of case `c`, from the library that has it. */
export function caseBench(c: Case, data: Data): Bench<unknown> {
  for (const library of LIBRARIES) {
    const b = library.cases(c, data);
    if (b) return b;
  }
  throw new Error(`no benchmark for ${c.workload}/${c.impl}`);
}

/** What draining the heap a case leaves behind must give, computed without any heap: the sorted keys. */
export function expectedDrain(c: Case, data: Data): number {
  const sortedFold = (keys: Float64Array): number => keys.sort().reduce(fold, 0);
  if (c.workload === 'update') {
    const keys = data.keys.slice();
    const ids = data.updateIds();
    const updateKeys = data.updateKeys();
    for (let i = 0; i < c.n; i++) keys[ids[i]] = updateKeys[i];
    return sortedFold(keys);
  }
  if (c.workload === 'remove') {
    const removed = new Uint8Array(c.n);
    for (const id of data.removeIds()) removed[id] = 1;
    return sortedFold(data.keys.filter((_, id) => !removed[id]));
  }
  return sortedFold(data.keys.slice());
}
