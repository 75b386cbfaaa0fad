import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jitterMs } from './jitter';

describe('jitterMs', () => {
  it('is 0 when the job asks for no jitter', () => {
    assert.equal(jitterMs(42, 0), 0);
    assert.equal(jitterMs('nightly-backup', 0), 0);
  });

  it('gives the same offset for the same key every time', () => {
    for (const key of [1, 42, 1_000_000, 'a', 'nightly-backup']) {
      assert.equal(jitterMs(key, 300), jitterMs(key, 300));
    }
  });

  it('treats a numeric id and its decimal text as the same key', () => {
    assert.equal(jitterMs(1234, 60), jitterMs('1234', 60));
  });

  it('stays within [0, jitterSeconds × 1000) and uses whole milliseconds', () => {
    for (let id = 1; id <= 5000; id++) {
      const j = jitterMs(id, 7);
      assert.ok(Number.isInteger(j) && j >= 0 && j < 7000, `id ${id}: ${j}`);
    }
    assert.ok(jitterMs(5, 0.5) < 500);
  });

  it('spreads consecutive ids over the whole range', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let id = 1; id <= 10_000; id++) buckets[Math.floor(jitterMs(id, 60) / 6000)]++;
    for (const count of buckets) assert.ok(count > 850 && count < 1150, `bucket sizes ${buckets.join(',')}`);
  });

  it('refuses a negative or non-finite jitter', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => jitterMs(1, bad), RangeError);
  });
});
