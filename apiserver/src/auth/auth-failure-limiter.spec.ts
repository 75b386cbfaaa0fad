import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthFailureLimiter } from './auth-failure-limiter';

describe('AuthFailureLimiter', () => {
  it('blocks an address after `limit` failures in its window, until the window ends', () => {
    const l = new AuthFailureLimiter(3, 60_000);
    for (const t of [0, 10, 20]) {
      assert.equal(l.blockedForMs('10.0.0.1', t), 0);
      l.fail('10.0.0.1', t);
    }
    assert.equal(l.blockedForMs('10.0.0.1', 1000), 59_000);
    assert.equal(l.blockedForMs('10.0.0.1', 59_999), 1);
    assert.equal(l.blockedForMs('10.0.0.1', 60_000), 0);
  });

  it('counts each address on its own', () => {
    const l = new AuthFailureLimiter(2, 60_000);
    l.fail('a', 0);
    l.fail('a', 1);
    l.fail('b', 1);
    assert.ok(l.blockedForMs('a', 2) > 0);
    assert.equal(l.blockedForMs('b', 2), 0);
  });

  it('starts a new window after the old one ends: old failures do not add up', () => {
    const l = new AuthFailureLimiter(2, 1000);
    l.fail('a', 0);
    l.fail('a', 1500);
    assert.equal(l.blockedForMs('a', 1600), 0);
    l.fail('a', 1700);
    assert.equal(l.blockedForMs('a', 1800), 700);
  });

  it('says when to retry in whole seconds, at least 1', () => {
    assert.deepEqual(AuthFailureLimiter.refusal(1), { retryAfterSeconds: 1, message: 'too many failed authentication attempts from this address: try again in 1 s' });
    assert.equal(AuthFailureLimiter.refusal(59_001).retryAfterSeconds, 60);
  });
});
