import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskEntity } from '../tasks/task.entity';
import { PendingQueue } from './pending-queue';

const task = (id: number, priority: number, dueIso: string, runAtIso?: string) =>
  ({ id, priority, scheduledAt: new Date(dueIso), runAt: runAtIso ? new Date(runAtIso) : null }) as TaskEntity;

describe('PendingQueue', () => {
  it('gives higher priority first, then the older due time (run-at when set)', () => {
    const q = new PendingQueue();
    q.add(task(1, 0, '2026-01-01T00:00:02Z'));
    q.add(task(2, 5, '2026-01-01T00:00:09Z'));
    q.add(task(3, 0, '2026-01-01T00:00:01Z'));
    q.add(task(4, -3, '2025-01-01T00:00:00Z'));
    q.add(task(5, 0, '2025-12-31T00:00:00Z', '2026-01-01T00:00:03Z'));
    const order: number[] = [];
    for (let t = q.shift(); t; t = q.shift()) order.push(t.id);
    assert.deepEqual(order, [2, 3, 1, 5, 4]);
  });

  it('forgets deleted tasks and those matching a predicate', () => {
    const q = new PendingQueue();
    for (let i = 1; i <= 5; i++) q.add(task(i, 0, `2026-01-01T00:00:0${i}Z`));
    assert.equal(q.delete(2), true);
    assert.equal(q.delete(2), false);
    q.deleteWhere((t) => t.id > 3);
    assert.equal(q.size, 2);
    assert.deepEqual([q.shift()!.id, q.shift()!.id], [1, 3]);
    assert.equal(q.shift(), undefined);
  });
});
