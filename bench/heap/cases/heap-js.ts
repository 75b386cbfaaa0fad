/** heap-js 2: values with a comparator, through `add()` (its `push(...items)` copies `arguments`). */
import { Heap } from 'heap-js';
import { bench, byKey, byValue, fold, retain, type Bench, type Case, type Data, type Item, type Workload } from '../model';

export const HEAPJS_OBJECTS = 'heap-js, {id,key} objects';
export const HEAPJS_NUMBERS = 'heap-js, plain numbers (no ids)';

export const impls: Partial<Record<Workload, string[]>> = {
  'pop-all': [HEAPJS_OBJECTS, HEAPJS_NUMBERS],
  steady: [HEAPJS_OBJECTS, HEAPJS_NUMBERS],
};

export function cases({ workload, impl, n }: Case, data: Data): Bench<unknown> | undefined {
  const { keys } = data;
  switch (`${workload}/${impl}`) {
    case `pop-all/${HEAPJS_OBJECTS}`:
      return bench({
        setup: () => retain(data.items()),
        run(items) {
          const queue = retain(new Heap<Item>(byKey));
          for (let i = 0; i < n; i++) queue.add(items[i]);
          let sum = 0;
          for (let i = 0; i < n; i++) sum = fold(sum, queue.pop()!.key);
          return sum;
        },
      });
    case `pop-all/${HEAPJS_NUMBERS}`:
      return bench({
        setup: () => undefined,
        run() {
          const queue = retain(new Heap<number>(byValue));
          for (let id = 0; id < n; id++) queue.add(keys[id]);
          let sum = 0;
          for (let i = 0; i < n; i++) sum = fold(sum, queue.pop()!);
          return sum;
        },
      });
    case `steady/${HEAPJS_OBJECTS}`: {
      const deltas = data.deltas();
      return bench({
        setup() {
          const queue = retain(new Heap<Item>(byKey));
          for (const item of retain(data.items())) queue.add(item);
          return queue;
        },
        run(queue) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const item = queue.pop()!;
            sum = fold(sum, item.key);
            item.key += deltas[i];
            queue.add(item);
          }
          return sum;
        },
      });
    }
    case `steady/${HEAPJS_NUMBERS}`: {
      const deltas = data.deltas();
      return bench({
        setup() {
          const queue = retain(new Heap<number>(byValue));
          for (let id = 0; id < n; id++) queue.add(keys[id]);
          return queue;
        },
        run(queue) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const key = queue.pop()!;
            sum = fold(sum, key);
            queue.add(key + deltas[i]);
          }
          return sum;
        },
      });
    }
  }
  return undefined;
}
