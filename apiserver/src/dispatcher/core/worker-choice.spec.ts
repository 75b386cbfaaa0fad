import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pickWorker, type WorkerSnapshot } from './worker-choice';

let nextId = 1;
function worker(name: string, running: number, capacity: number, extra: Partial<WorkerSnapshot> = {}): WorkerSnapshot {
  return { id: nextId++, name, running, capacity, online: true, runners: ['command', 'http'], ...extra };
}

const command = { runner: 'command' };

/** Every ordering of `items`, to show the choice does not depend on the order of the list. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('pickWorker', () => {
  it('returns null when there are no workers', () => {
    assert.equal(pickWorker(command, []), null);
  });

  it('never picks an offline worker, even an idle one', () => {
    const idleOffline = worker('a', 0, 4, { online: false });
    const busyOnline = worker('b', 3, 4);
    assert.equal(pickWorker(command, [idleOffline, busyOnline]), busyOnline);
    assert.equal(pickWorker(command, [idleOffline]), null);
  });

  it('never picks a worker without the task runner', () => {
    const dockerOnly = worker('a', 0, 4, { runners: ['docker'] });
    assert.equal(pickWorker(command, [dockerOnly]), null);
    assert.equal(pickWorker({ runner: 'docker' }, [dockerOnly]), dockerOnly);
  });

  it('never picks a worker that is full, over capacity or has capacity 0', () => {
    const full = worker('a', 4, 4);
    const over = worker('b', 5, 4);
    const none = worker('c', 0, 0);
    assert.equal(pickWorker(command, [full, over, none]), null);
    const oneFree = worker('d', 3, 4);
    assert.equal(pickWorker(command, [full, over, none, oneFree]), oneFree);
  });

  it('prefers the lowest running/capacity ratio over the fewest running tasks', () => {
    const bigAndBusier = worker('a', 3, 10);
    const smallAndHalfFull = worker('b', 1, 2);
    assert.equal(pickWorker(command, [smallAndHalfFull, bigAndBusier]), bigAndBusier);
  });

  it('breaks a ratio tie by fewer running tasks', () => {
    const twoOfEight = worker('a', 2, 8);
    const oneOfFour = worker('b', 1, 4);
    assert.equal(pickWorker(command, [twoOfEight, oneOfFour]), oneOfFour);
  });

  it('treats ratios that are equal but not exact in floating point as equal', () => {
    // 1/3 and 3/9 both print as 0.333..., and cross-multiplying keeps them exactly equal.
    const oneOfThree = worker('b', 1, 3);
    const threeOfNine = worker('a', 3, 9);
    assert.equal(pickWorker(command, [threeOfNine, oneOfThree]), oneOfThree);
  });

  it('breaks a full tie by name, comparing code units rather than locale', () => {
    const lower = worker('alpha', 0, 4);
    const upper = worker('Zeta', 0, 4);
    assert.equal(pickWorker(command, [lower, upper]), upper);
  });

  it('breaks a tie of equal names by id', () => {
    const first = worker('same', 1, 2);
    const second = worker('same', 1, 2);
    assert.equal(pickWorker(command, [second, first]), first);
  });

  it('picks the same worker whatever order the list is in', () => {
    const pool = [
      worker('w1', 2, 4),
      worker('w2', 1, 4),
      worker('w3', 1, 4, { online: false }),
      worker('w4', 0, 4, { runners: ['docker'] }),
      worker('w5', 2, 8),
    ];
    const picked = new Set(permutations(pool).map((order) => pickWorker(command, order)?.name));
    assert.deepEqual([...picked], ['w2']);
  });
});
