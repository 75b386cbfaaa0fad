import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchSender } from './batch-sender';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BatchSender', () => {
  it('sends what is pushed in one turn as one batch and gives each caller its own answer', async () => {
    const sent: number[][] = [];
    const b = new BatchSender<number, string>(async (items) => {
      sent.push(items);
      return items.map((n) => `answer ${n}`);
    });
    const answers = await Promise.all([b.push(1), b.push(2), b.push(3)]);
    assert.deepEqual(sent, [[1, 2, 3]]);
    assert.deepEqual(answers, ['answer 1', 'answer 2', 'answer 3']);
    assert.equal(await b.push(4), 'answer 4');
    assert.deepEqual(sent, [[1, 2, 3], [4]]);
  });

  it('splits by item count and by size, an oversized item going alone', async () => {
    const sent: string[][] = [];
    const b = new BatchSender<string, number>(async (items) => (sent.push(items), items.map((s) => s.length)), { maxItems: 3, maxBytes: 10, sizeOf: (s) => s.length });
    await Promise.all(['a', 'b', 'c', 'd', 'eeeeeeeeeeeeeee', 'ff', 'gggggggg', 'hhh'].map((s) => b.push(s)));
    assert.deepEqual(sent, [['a', 'b', 'c'], ['d'], ['eeeeeeeeeeeeeee'], ['ff', 'gggggggg'], ['hhh']]);
  });

  it('rejects every item of a batch whose send fails (or throws), and an item its ack has no answer for', async () => {
    const failing = new BatchSender<number, number>(() => Promise.reject(new Error('socket closed')));
    const results = await Promise.allSettled([failing.push(1), failing.push(2)]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    const throwing = new BatchSender<number, number>(() => {
      throw new Error('not connected');
    });
    await assert.rejects(throwing.push(1), /not connected/);
    const short = new BatchSender<number, number>(async () => [10]);
    const [a, b] = await Promise.allSettled([short.push(1), short.push(2)]);
    assert.deepEqual(a, { status: 'fulfilled', value: 10 });
    assert.match(String((b as PromiseRejectedResult).reason), /no answer for this item/);
  });

  it('with delayMs gathers what comes within the delay, across turns', async () => {
    const sent: number[][] = [];
    const b = new BatchSender<number, void>(async (items) => (sent.push(items), items.map(() => undefined)), { delayMs: 30 });
    const first = b.push(1);
    await turn();
    const second = b.push(2);
    await Promise.all([first, second]);
    assert.deepEqual(sent, [[1, 2]]);
  });

  it('leaves the flush to its owner when given schedule, so two senders flush in a fixed order', async () => {
    const order: string[] = [];
    let scheduled = 0;
    const outputs = new BatchSender<string, void>(async (i) => (order.push(`outputs ${i.join()}`), i.map(() => undefined)), { schedule: () => scheduled++ });
    const updates = new BatchSender<string, void>(async (i) => (order.push(`updates ${i.join()}`), i.map(() => undefined)), { schedule: () => scheduled++ });
    const done = [updates.push('u1'), outputs.push('o1'), outputs.push('o2')];
    assert.equal(scheduled, 2, 'once per sender, on its first item');
    await turn();
    assert.deepEqual(order, [], 'nothing sent before the owner flushes');
    outputs.flush();
    updates.flush();
    await Promise.all(done);
    assert.deepEqual(order, ['outputs o1,o2', 'updates u1']);
  });
});
