import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskEndBuffer } from './task-end-buffer';

describe('TaskEndBuffer', () => {
  it('calls onFull when a batch is full and hands batches out oldest first', () => {
    let full = 0;
    const b = new TaskEndBuffer<string>(3, () => full++);
    for (let i = 1; i <= 7; i++) b.add(i, i % 2 ? 'success' : 'failed');
    assert.equal(full, 1, 'once, at the third end; the buffer is not drained meanwhile');
    assert.deepEqual(b.take(), { ids: [1, 2, 3], statuses: ['success', 'failed', 'success'] });
    assert.deepEqual(b.take().ids, [4, 5, 6]);
    assert.deepEqual(b.take(), { ids: [7], statuses: ['success'] });
    assert.deepEqual(b.take(), { ids: [], statuses: [] });
    assert.equal(b.size, 0);
  });
});
