import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyHttpStatus, classifySmtpError, MAX_DELIVERY_ATTEMPTS, nextAttemptDelayMs, signBody } from './delivery-policy';

describe('signBody', () => {
  it('gives the HMAC-SHA256 of the body in hex, prefixed sha256= (RFC 4231 test case 2)', () => {
    assert.equal(signBody('Jefe', 'what do ya want for nothing?'), 'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('changes when one byte of the body changes', () => {
    assert.notEqual(signBody('k', '{"a":1}'), signBody('k', '{"a":2}'));
  });
});

describe('classifyHttpStatus', () => {
  it('accepts any 2xx', () => {
    for (const s of [200, 201, 202, 204]) assert.equal(classifyHttpStatus(s), 'ok');
  });

  it('retries server errors and 429 Too Many Requests', () => {
    for (const s of [500, 502, 503, 504, 429]) assert.equal(classifyHttpStatus(s), 'retry');
  });

  it('does not retry other client errors or redirects', () => {
    for (const s of [301, 400, 401, 403, 404, 410, 422]) assert.equal(classifyHttpStatus(s), 'fail');
  });
});

describe('classifySmtpError', () => {
  it('retries network errors and transient 4xx replies, not permanent 5xx ones', () => {
    assert.equal(classifySmtpError(undefined), 'retry');
    assert.equal(classifySmtpError(421), 'retry');
    assert.equal(classifySmtpError(451), 'retry');
    assert.equal(classifySmtpError(550), 'fail');
    assert.equal(classifySmtpError(535), 'fail');
  });
});

describe('nextAttemptDelayMs', () => {
  it('doubles from 1 s after each failed attempt', () => {
    assert.deepEqual([1, 2, 3, 4].map(nextAttemptDelayMs), [1000, 2000, 4000, 8000]);
  });

  it('gives up after the fifth attempt', () => {
    assert.equal(MAX_DELIVERY_ATTEMPTS, 5);
    assert.equal(nextAttemptDelayMs(5), null);
    assert.equal(nextAttemptDelayMs(6), null);
  });
});
