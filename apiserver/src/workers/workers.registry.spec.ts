import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerConfig } from '../config/config';
import { LocalClusterEvents, type WorkerAnnouncement } from '../cluster/cluster-events';
import { TaskEvents } from '../tasks/lifecycle/task-events';
import { WorkersRegistry } from './workers.registry';

const worker = (id: number, running: number[], instanceId = 'other'): WorkerAnnouncement => ({
  id, name: `w${id}`, capacity: 4, labels: {}, runners: ['command'], namespace: null,
  drained: false, shuttingDown: false, running, instanceId, sessionId: null,
});

/** The registry's count of what workers hold, driven by cluster events as another instance sends them. */
describe('WorkersRegistry holdings', () => {
  const registries: WorkersRegistry[] = [];
  afterEach(() => {
    for (const r of registries.splice(0)) r.onModuleDestroy();
  });

  function start() {
    const events = new LocalClusterEvents();
    const registry = new WorkersRegistry(events, 'here', { ackTimeoutSeconds: 10 } as ServerConfig, new TaskEvents());
    registry.onModuleInit();
    registries.push(registry);
    const held = () => [...registry.heldTasks()].sort((a, b) => a - b);
    return { events, registry, held };
  }

  it('holds what a worker announced and what is reserved for it, until released or the worker goes offline', async () => {
    const { events, registry, held } = start();
    await events.publish({ type: 'worker.online', worker: worker(1, [10, 11]) });
    registry.reserve(1, 12);
    registry.reserve(2, 99); // not a known worker: nothing to count it against
    assert.deepEqual(held(), [10, 11, 12]);
    assert.equal(registry.holds(12), true);
    assert.equal(registry.holds(99), false);

    registry.release(1, 10);
    await events.publish({ type: 'worker.released', id: 1, taskIds: [11] });
    assert.deepEqual(held(), [12]);
    assert.equal(registry.snapshots()[0]?.running, 1);

    await events.publish({ type: 'worker.offline', id: 1 });
    assert.deepEqual(held(), []);
    assert.equal(registry.holds(12), false);
  });

  it('keeps tasks reserved before a new hello, and counts a task two workers hold until both let go', async () => {
    const { events, registry, held } = start();
    await events.publish({ type: 'worker.online', worker: worker(1, [10]) });
    registry.reserve(1, 11);
    await events.publish({ type: 'worker.online', worker: worker(1, [10, 12]) });
    assert.deepEqual(held(), [10, 11, 12]);
    assert.equal(registry.snapshots()[0]?.running, 3);

    await events.publish({ type: 'worker.online', worker: worker(2, [12]) });
    registry.release(1, 12);
    assert.equal(registry.holds(12), true, 'worker 2 still holds it');
    registry.release(2, 12);
    assert.equal(registry.holds(12), false);
  });

  it('on load, keeps the workers in the rows with their live tasks and forgets the others and theirs', async () => {
    const { events, registry, held } = start();
    await events.publish({ type: 'worker.online', worker: worker(1, [10]) });
    await events.publish({ type: 'worker.online', worker: worker(2, [20]) });
    const row = { id: 1, name: 'w1', capacity: 4, labels: {}, runners: ['command'], namespace: null, drained: false, shuttingDown: false, status: 'online', instanceId: 'other', sessionId: null };
    registry.load([row as never], new Map([[1, [11]]]));
    assert.deepEqual(held(), [10, 11]);
    assert.deepEqual(registry.snapshots().map((s) => [s.id, s.running]), [[1, 2]]);
  });
});
