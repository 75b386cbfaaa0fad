import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, DEFAULT_RETRY, mayResendWithoutAnswer, parseRetryAfterMs } from './retry-policy';

describe('backoffDelayMs', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles its ceiling per attempt up to maxDelayMs (full jitter: a share of the ceiling)', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 10].map((a) => backoffDelayMs(policy, a, () => 0.999999)), [99, 199, 399, 799, 999, 999]);
    assert.deepEqual([0, 3].map((a) => backoffDelayMs(policy, a, () => 0.5)), [50, 400]);
    assert.equal(backoffDelayMs(policy, 5, () => 0), 0);
  });

  it('stays finite for any attempt', () => {
    assert.equal(backoffDelayMs(policy, 5000, () => 0.5), 500);
  });

  it('defaults to 3 retries from 250 ms, at most 10 s apart', () => {
    assert.deepEqual({ ...DEFAULT_RETRY }, { retries: 3, baseDelayMs: 250, maxDelayMs: 10_000 });
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2030-01-07T09:00:00Z');

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfterMs('2', now), 2000);
    assert.equal(parseRetryAfterMs(' 0 ', now), 0);
  });

  it('reads an HTTP date as the time until it, a past one as 0', () => {
    assert.equal(parseRetryAfterMs('Mon, 07 Jan 2030 09:00:03 GMT', now), 3000);
    assert.equal(parseRetryAfterMs('Mon, 07 Jan 2030 08:00:00 GMT', now), 0);
  });

  it('gives null for an absent or unreadable header', () => {
    assert.equal(parseRetryAfterMs(null, now), null);
    assert.equal(parseRetryAfterMs('soon', now), null);
    assert.equal(parseRetryAfterMs('1.5', now), null);
    assert.equal(parseRetryAfterMs('-1', now), null);
  });
});

describe('mayResendWithoutAnswer', () => {
  it('resends GET and HEAD', () => {
    assert.ok(mayResendWithoutAnswer('GET', undefined));
    assert.ok(mayResendWithoutAnswer('HEAD', undefined));
  });

  it('does not resend a POST, PATCH or DELETE that may have been applied', () => {
    assert.ok(!mayResendWithoutAnswer('POST', { runner: 'command', spec: {} }));
    assert.ok(!mayResendWithoutAnswer('DELETE', undefined));
    assert.ok(!mayResendWithoutAnswer('PATCH', { enabled: false }));
  });

  it('resends a task with an idempotency key, and a batch whose every task has one', () => {
    assert.ok(mayResendWithoutAnswer('POST', { idempotencyKey: 'order-42' }));
    assert.ok(!mayResendWithoutAnswer('POST', { idempotencyKey: '  ' }));
    assert.ok(mayResendWithoutAnswer('POST', { tasks: [{ idempotencyKey: 'a' }, { idempotencyKey: 'b' }], atomic: true }));
    assert.ok(!mayResendWithoutAnswer('POST', { tasks: [{ idempotencyKey: 'a' }, {}] }));
    assert.ok(!mayResendWithoutAnswer('POST', { tasks: [] }));
  });

  it('lets the caller decide with idempotent', () => {
    assert.ok(mayResendWithoutAnswer('PUT', {}, true));
    assert.ok(!mayResendWithoutAnswer('GET', undefined, false));
  });
});
