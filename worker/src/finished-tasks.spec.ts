import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FinishedTasks } from './finished-tasks';

describe('FinishedTasks', () => {
  it('remembers finished ids up to its limit, forgetting the oldest first', () => {
    const f = new FinishedTasks(3);
    for (const id of [1, 2, 3]) f.add(id);
    assert.deepEqual([1, 2, 3, 4].map((id) => f.has(id)), [true, true, true, false]);
    f.add(4);
    assert.equal(f.size, 3);
    assert.deepEqual([1, 2, 3, 4].map((id) => f.has(id)), [false, true, true, true]);
  });

  it('counts an id added again as the newest', () => {
    const f = new FinishedTasks(2);
    f.add(1);
    f.add(2);
    f.add(1);
    f.add(3);
    assert.deepEqual([1, 2, 3].map((id) => f.has(id)), [true, false, true]);
  });
});
