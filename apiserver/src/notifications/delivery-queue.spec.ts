import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryQueue, type Delivery } from './delivery-queue';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function counting(outcome: 'ok' | 'retry' | 'fail'): Delivery & { calls: number } {
  const d = {
    calls: 0,
    what: 'test delivery',
    attempt: async () => {
      d.calls++;
      return { outcome, detail: `HTTP ${outcome === 'fail' ? 404 : 200}` };
    },
  };
  return d;
}

describe('DeliveryQueue', () => {
  it('makes one attempt for a delivery that fails for good, and logs it', async () => {
    const warnings: string[] = [];
    const q = new DeliveryQueue({ warn: (m) => warnings.push(m) });
    const d = counting('fail');
    q.push(d);
    await settle();
    assert.equal(d.calls, 1);
    assert.match(warnings.join('\n'), /test delivery: not delivered after 1 attempt\(s\): HTTP 404/);
    q.close();
  });

  it('drops deliveries past its bound without waiting, and accepts none once closed', async () => {
    const warnings: string[] = [];
    const q = new DeliveryQueue({ warn: (m) => warnings.push(m) }, { maxPending: 1, concurrency: 1 });
    const never: Delivery = { what: 'stuck', attempt: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) };
    assert.equal(q.push(never), true);
    assert.equal(q.push(counting('ok')), false);
    assert.match(warnings.join('\n'), /dropped, 1 notifications already pending/);
    q.close();
    await settle();
    assert.equal(q.push(counting('ok')), false);
  });

  it('schedules a retry after a transient failure and clears it on close', async () => {
    const q = new DeliveryQueue({ warn: () => undefined });
    const d = counting('retry');
    q.push(d);
    await settle();
    assert.equal(d.calls, 1);
    q.close(); // the 1 s retry timer is cleared: the test runner would otherwise wait for it
  });
});
