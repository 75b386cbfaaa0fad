/** QuaternaryHeap: number ids 0..N-1 as the dispatcher's (dense mode), and string ids for comparison. */
import { QuaternaryHeap } from '../../../apiserver/src/dispatcher/heap';
import { bench, fold, retain, type Bench, type Case, type Data, type Workload } from '../model';

export const impls: Partial<Record<Workload, string[]>> = {
  'pop-all': ['QuaternaryHeap'],
  steady: ['QuaternaryHeap', 'QuaternaryHeap, peek + update'],
  update: ['QuaternaryHeap, number ids', 'QuaternaryHeap, string ids'],
  remove: ['QuaternaryHeap, number ids', 'QuaternaryHeap, string ids'],
  load: ['QuaternaryHeap.load, number ids', 'QuaternaryHeap.load, string ids', 'QuaternaryHeap.push × N, number ids'],
};

function drainQuaternary<Id extends string | number>(heap: QuaternaryHeap<Id>): number {
  let sum = 0;
  for (let key = heap.peekKey(); key !== undefined; key = heap.peekKey()) {
    sum = fold(sum, key);
    heap.pop();
  }
  return sum;
}

/**
 * The code of each case, written the way a user would write it. Called once per process, so every
 * `run` is one function that the JIT optimises once (a closure made per run would start in the
 * interpreter each time).
 */
export function cases({ workload, impl, n }: Case, data: Data): Bench<unknown> | undefined {
  const { keys } = data;
  switch (`${workload}/${impl}`) {
    case 'pop-all/QuaternaryHeap':
      return bench({
        setup: () => undefined,
        run() {
          const heap = retain(new QuaternaryHeap<number>());
          for (let id = 0; id < n; id++) heap.push(id, keys[id]);
          let sum = 0;
          for (let i = 0; i < n; i++) {
            sum = fold(sum, heap.peekKey()!);
            heap.pop();
          }
          return sum;
        },
      });
    case 'steady/QuaternaryHeap': {
      const deltas = data.deltas();
      return bench({
        setup() {
          const heap = retain(new QuaternaryHeap<number>());
          for (let id = 0; id < n; id++) heap.push(id, keys[id]);
          return heap;
        },
        run(heap) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const key = heap.peekKey()!;
            sum = fold(sum, key);
            heap.push(heap.pop()!, key + deltas[i]);
          }
          return sum;
        },
      });
    }
    case 'steady/QuaternaryHeap, peek + update': {
      const deltas = data.deltas();
      return bench({
        setup() {
          const heap = retain(new QuaternaryHeap<number>());
          for (let id = 0; id < n; id++) heap.push(id, keys[id]);
          return heap;
        },
        run(heap) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const key = heap.peekKey()!;
            sum = fold(sum, key);
            heap.update(heap.peek()!, key + deltas[i]);
          }
          return sum;
        },
      });
    }
  }
  const ids: (number | string)[] = impl.endsWith('string ids') ? data.stringIds() : data.numberIds();
  switch (`${workload}/${impl}`) {
    case 'update/QuaternaryHeap, number ids':
    case 'update/QuaternaryHeap, string ids': {
      const updateIds = data.updateIds();
      const updateKeys = data.updateKeys();
      return bench({
        setup: () => retain(QuaternaryHeap.from(ids, keys)),
        run(heap) {
          let updated = 0;
          for (let i = 0; i < n; i++) updated += +heap.update(ids[updateIds[i]], updateKeys[i]);
          return updated;
        },
        drain: drainQuaternary,
      });
    }
    case 'remove/QuaternaryHeap, number ids':
    case 'remove/QuaternaryHeap, string ids': {
      const removeIds = data.removeIds();
      return bench({
        setup: () => retain(QuaternaryHeap.from(ids, keys)),
        run(heap) {
          let removed = 0;
          for (let i = 0; i < removeIds.length; i++) removed += +heap.remove(ids[removeIds[i]]);
          return removed;
        },
        drain: drainQuaternary,
      });
    }
    case 'load/QuaternaryHeap.load, number ids':
    case 'load/QuaternaryHeap.load, string ids':
      return bench({
        setup: () => ({ heap: undefined as QuaternaryHeap<number | string> | undefined }),
        run(state) {
          state.heap = retain(QuaternaryHeap.from(ids, keys));
          return state.heap.size;
        },
        drain: (state) => drainQuaternary(state.heap!),
      });
    case 'load/QuaternaryHeap.push × N, number ids':
      return bench({
        setup: () => ({ heap: undefined as QuaternaryHeap<number> | undefined }),
        run(state) {
          const heap = (state.heap = retain(new QuaternaryHeap<number>()));
          for (let id = 0; id < n; id++) heap.push(id, keys[id]);
          return heap.size;
        },
        drain: (state) => drainQuaternary(state.heap!),
      });
  }
  return undefined;
}
