import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher } from './batcher';

describe('Batcher', () => {
  it('hands over what came within the delay in one batch, and a full batch at once', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number>(async (batch) => void batches.push(batch), 10, 3);
    b.add(1);
    b.add(2);
    await new Promise((r) => setTimeout(r, 30));
    b.add(3);
    b.add(4);
    b.add(5); // the third of this batch: handed over without waiting
    assert.deepEqual(batches, [[1, 2], [3, 4, 5]]);
  });

  it('flush hands over the rest and waits for every batch in progress', async () => {
    const done: number[] = [];
    const b = new Batcher<number>(async (batch) => {
      await new Promise((r) => setTimeout(r, 20));
      done.push(...batch);
    }, 1000);
    b.add(7);
    b.add(8);
    await b.flush();
    assert.deepEqual(done, [7, 8]);
  });
});
