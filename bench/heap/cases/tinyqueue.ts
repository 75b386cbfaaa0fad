/** tinyqueue 3: values with a comparator, `{ id, key }` objects (what a scheduler needs) or plain numbers. */
import type TinyQueueClass from 'tinyqueue' with { 'resolution-mode': 'import' };
import { bench, byKey, byValue, fold, retain, type Bench, type Case, type Data, type Item, type Workload } from '../model';

// tinyqueue 3 is ESM-only: loaded with require(), as flatqueue (see there).
const TinyQueue = require('tinyqueue').default as typeof TinyQueueClass;

export const TINY_OBJECTS = 'tinyqueue, {id,key} objects';
export const TINY_NUMBERS = 'tinyqueue, plain numbers (no ids)';

export const impls: Partial<Record<Workload, string[]>> = {
  'pop-all': [TINY_OBJECTS, TINY_NUMBERS],
  steady: [TINY_OBJECTS, TINY_NUMBERS],
  load: ['tinyqueue heapify'],
};

export function cases({ workload, impl, n }: Case, data: Data): Bench<unknown> | undefined {
  const { keys } = data;
  switch (`${workload}/${impl}`) {
    case `pop-all/${TINY_OBJECTS}`:
      return bench({
        setup: () => retain(data.items()),
        run(items) {
          const queue = retain(new TinyQueue<Item>([], byKey));
          for (let i = 0; i < n; i++) queue.push(items[i]);
          let sum = 0;
          for (let i = 0; i < n; i++) sum = fold(sum, queue.pop()!.key);
          return sum;
        },
      });
    case `pop-all/${TINY_NUMBERS}`:
      return bench({
        setup: () => undefined,
        run() {
          const queue = retain(new TinyQueue<number>([], byValue));
          for (let id = 0; id < n; id++) queue.push(keys[id]);
          let sum = 0;
          for (let i = 0; i < n; i++) sum = fold(sum, queue.pop()!);
          return sum;
        },
      });
    case `steady/${TINY_OBJECTS}`: {
      const deltas = data.deltas();
      return bench({
        setup() {
          const queue = retain(new TinyQueue<Item>([], byKey));
          for (const item of retain(data.items())) queue.push(item);
          return queue;
        },
        run(queue) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const item = queue.pop()!;
            sum = fold(sum, item.key);
            item.key += deltas[i];
            queue.push(item);
          }
          return sum;
        },
      });
    }
    case `steady/${TINY_NUMBERS}`: {
      const deltas = data.deltas();
      return bench({
        setup() {
          const queue = retain(new TinyQueue<number>([], byValue));
          for (let id = 0; id < n; id++) queue.push(keys[id]);
          return queue;
        },
        run(queue) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const key = queue.pop()!;
            sum = fold(sum, key);
            queue.push(key + deltas[i]);
          }
          return sum;
        },
      });
    }
    case 'load/tinyqueue heapify':
      return bench({
        setup: () => ({ items: retain(data.items()), queue: undefined as TinyQueueClass<Item> | undefined }),
        run(state) {
          state.queue = retain(new TinyQueue<Item>(state.items, byKey));
          return state.queue.length;
        },
        drain(state) {
          let sum = 0;
          for (const queue = state.queue!; queue.length > 0; ) sum = fold(sum, queue.pop()!.key);
          return sum;
        },
      });
  }
  return undefined;
}
