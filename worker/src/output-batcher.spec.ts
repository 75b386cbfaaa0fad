import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskOutput } from '@cronfleet/shared';
import { OutputBatcher } from './output-batcher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OutputBatcher', () => {
  it('sends writes made within the interval as one message, numbered from 0', async () => {
    const sent: TaskOutput[] = [];
    const batcher = new OutputBatcher(4, (m) => sent.push(m), { intervalMs: 50 });
    batcher.write('a');
    batcher.write('b\n');
    assert.deepEqual(sent, []);
    await sleep(80);
    batcher.write('c');
    await sleep(80);
    assert.deepEqual(sent, [
      { taskId: 4, seq: 0, data: 'ab\n' },
      { taskId: 4, seq: 1, data: 'c' },
    ]);
  });

  it('sends at once when a batch reaches maxBatchBytes, counting UTF-8 bytes', () => {
    const sent: TaskOutput[] = [];
    const batcher = new OutputBatcher(4, (m) => sent.push(m), { intervalMs: 10_000, maxBatchBytes: 4 });
    batcher.write('é');
    assert.equal(sent.length, 0);
    batcher.write('é');
    assert.deepEqual(sent, [{ taskId: 4, seq: 0, data: 'éé' }]);
  });

  it('flush() sends what is pending and leaves no timer behind', () => {
    const sent: TaskOutput[] = [];
    const batcher = new OutputBatcher(4, (m) => sent.push(m));
    batcher.write('tail');
    batcher.flush();
    batcher.flush();
    assert.deepEqual(sent, [{ taskId: 4, seq: 0, data: 'tail' }]);
    assert.equal(process.getActiveResourcesInfo().includes('Timeout'), false);
  });
});
