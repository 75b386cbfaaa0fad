import { QuaternaryHeap } from './heap';
import type { TaskEntity } from '../tasks/task.entity';

/** Priorities are -1000..1000; due times fit in 41 bits until the year 2039 × 32. */
const TIME_SPAN = 2 ** 41;

/**
 * Tasks waiting for a worker: higher priority first, then the older due time.
 * One heap of composite numeric keys, so the order costs O(log n) per task and no sorting.
 */
export class PendingQueue {
  private readonly heap = new QuaternaryHeap<number>();
  private readonly tasks = new Map<number, TaskEntity>();

  get size(): number {
    return this.tasks.size;
  }

  add(t: TaskEntity): void {
    const dueMs = (t.runAt ?? t.scheduledAt).getTime();
    this.tasks.set(t.id, t);
    this.heap.push(t.id, (1000 - t.priority) * TIME_SPAN + Math.min(dueMs, TIME_SPAN - 1));
  }

  has(id: number): boolean {
    return this.tasks.has(id);
  }

  get(id: number): TaskEntity | undefined {
    return this.tasks.get(id);
  }

  delete(id: number): boolean {
    this.heap.remove(id);
    return this.tasks.delete(id);
  }

  /** Removes and returns the first task in order. */
  shift(): TaskEntity | undefined {
    const id = this.heap.pop();
    if (id === undefined) return undefined;
    const t = this.tasks.get(id)!;
    this.tasks.delete(id);
    return t;
  }

  /** Removes every task that matches. */
  deleteWhere(pred: (t: TaskEntity) => boolean): void {
    for (const [id, t] of this.tasks) if (pred(t)) this.delete(id);
  }

  clear(): void {
    this.heap.clear();
    this.tasks.clear();
  }
}
