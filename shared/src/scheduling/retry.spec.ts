import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs } from './retry';

const policy = (overrides: Partial<RetryPolicy>): RetryPolicy => ({ ...DEFAULT_RETRY_POLICY, jitter: false, ...overrides });
const never = (): number => {
  throw new Error('rand must not be called without jitter');
};

describe('retryDelayMs', () => {
  const cases: { name: string; policy: RetryPolicy; delays: (number | null)[] }[] = [
    { name: 'the default policy never retries', policy: { ...DEFAULT_RETRY_POLICY, jitter: false }, delays: [null, null] },
    { name: 'fixed: the same delay for each retry, then none', policy: policy({ maxRetries: 3, backoff: 'fixed', delaySeconds: 5 }), delays: [5000, 5000, 5000, null] },
    { name: 'exponential: delay × 2^(n-1)', policy: policy({ maxRetries: 5, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 3600 }), delays: [10_000, 20_000, 40_000, 80_000, 160_000, null] },
    { name: 'exponential is capped at maxDelaySeconds', policy: policy({ maxRetries: 4, backoff: 'exponential', delaySeconds: 30, maxDelaySeconds: 100 }), delays: [30_000, 60_000, 100_000, 100_000, null] },
    { name: 'fixed is capped at maxDelaySeconds too', policy: policy({ maxRetries: 1, backoff: 'fixed', delaySeconds: 90, maxDelaySeconds: 60 }), delays: [60_000, null] },
    { name: 'a zero delay retries at once', policy: policy({ maxRetries: 2, backoff: 'exponential', delaySeconds: 0 }), delays: [0, 0, null] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(c.delays.map((_, i) => retryDelayMs(c.policy, i + 1, never)), c.delays);
    });
  }

  it('does not overflow after very many attempts', () => {
    const p = policy({ maxRetries: 100, backoff: 'exponential', delaySeconds: 10, maxDelaySeconds: 600 });
    assert.equal(retryDelayMs(p, 100, never), 600_000);
    assert.equal(retryDelayMs({ ...p, delaySeconds: 0 }, 100, never), 0);
  });

  it('with jitter, draws the delay from [delay / 2, delay]', () => {
    const p = policy({ maxRetries: 3, backoff: 'exponential', delaySeconds: 10, jitter: true });
    assert.equal(retryDelayMs(p, 1, () => 0), 5000);
    assert.equal(retryDelayMs(p, 1, () => 0.5), 7500);
    assert.equal(retryDelayMs(p, 2, () => 0.999_999_9), 20_000);
    assert.equal(retryDelayMs(p, 3, () => 0.25), 25_000);
  });

  it('with jitter and Math.random stays in range', () => {
    const p = policy({ maxRetries: 1, backoff: 'fixed', delaySeconds: 8, jitter: true });
    for (let i = 0; i < 1000; i++) {
      const d = retryDelayMs(p, 1);
      assert.ok(d !== null && d >= 4000 && d <= 8000, String(d));
    }
  });

  it('clamps a random source that strays outside [0, 1)', () => {
    const p = policy({ maxRetries: 1, backoff: 'fixed', delaySeconds: 8, jitter: true });
    assert.equal(retryDelayMs(p, 1, () => 7), 8000);
    assert.equal(retryDelayMs(p, 1, () => -3), 4000);
  });

  it('refuses attempt numbers below 1 or not whole', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => retryDelayMs(policy({ maxRetries: 3 }), bad), RangeError);
  });

  it('refuses a policy with negative or non-finite numbers', () => {
    for (const bad of [{ maxRetries: -1 }, { maxRetries: 1.5 }, { delaySeconds: -1 }, { maxDelaySeconds: Number.NaN }, { delaySeconds: Number.POSITIVE_INFINITY }]) {
      assert.throws(() => retryDelayMs(policy({ maxRetries: 1, ...bad }), 1), RangeError, JSON.stringify(bad));
    }
  });
});
