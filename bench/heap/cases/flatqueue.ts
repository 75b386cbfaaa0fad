/** flatqueue 3: `push(id, key)`, `peekValue()` then `pop()`; growable arrays, or typed arrays of fixed capacity. */
import type FlatQueueClass from 'flatqueue' with { 'resolution-mode': 'import' };
import { bench, fold, retain, type Bench, type Case, type Data, type Workload } from '../model';

// flatqueue 3 is ESM-only; Node >= 20.19 loads it with require(), which TypeScript's node16 mode only
// allows for type imports, so the value comes through a plain require.
const FlatQueue = require('flatqueue').default as typeof FlatQueueClass;

export const impls: Partial<Record<Workload, string[]>> = {
  'pop-all': ['flatqueue', 'flatqueue, fixed capacity'],
  steady: ['flatqueue', 'flatqueue, fixed capacity'],
  load: ['flatqueue.push × N'],
};

export function cases({ workload, impl, n }: Case, data: Data): Bench<unknown> | undefined {
  const { keys } = data;
  const newFlatQueue = () =>
    impl.includes('fixed capacity') ? new FlatQueue<number>(n, Float64Array, Uint32Array) : new FlatQueue<number>();
  switch (`${workload}/${impl}`) {
    case 'pop-all/flatqueue':
    case 'pop-all/flatqueue, fixed capacity':
      return bench({
        setup: () => undefined,
        run() {
          const queue = retain(newFlatQueue());
          for (let id = 0; id < n; id++) queue.push(id, keys[id]);
          let sum = 0;
          for (let i = 0; i < n; i++) {
            sum = fold(sum, queue.peekValue()!);
            queue.pop();
          }
          return sum;
        },
      });
    case 'steady/flatqueue':
    case 'steady/flatqueue, fixed capacity': {
      const deltas = data.deltas();
      return bench({
        setup() {
          const queue = retain(newFlatQueue());
          for (let id = 0; id < n; id++) queue.push(id, keys[id]);
          return queue;
        },
        run(queue) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const key = queue.peekValue()!;
            sum = fold(sum, key);
            queue.push(queue.pop()!, key + deltas[i]);
          }
          return sum;
        },
      });
    }
    case 'load/flatqueue.push × N':
      return bench({
        setup: () => ({ queue: undefined as FlatQueueClass<number> | undefined }),
        run(state) {
          const queue = (state.queue = retain(new FlatQueue<number>()));
          for (let id = 0; id < n; id++) queue.push(id, keys[id]);
          return queue.length;
        },
        drain(state) {
          let sum = 0;
          for (const queue = state.queue!; queue.length > 0; queue.pop()) sum = fold(sum, queue.peekValue()!);
          return sum;
        },
      });
  }
  return undefined;
}
