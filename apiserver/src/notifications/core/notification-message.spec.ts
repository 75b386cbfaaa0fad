import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emailText, toPayload, type NotifiedTask } from './notification-message';

const JOB = { id: 7, name: 'nightly' };
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

function task(attempt: number, maxRetries: number | null): NotifiedTask {
  return {
    id: 40 + attempt,
    attempt,
    retry: maxRetries === null ? null : { maxRetries },
    scheduledAt: new Date(T0),
    startedAt: new Date(T0 + 1000),
    finishedAt: new Date(T0 + 2000),
    exitCode: 3,
    error: { code: 'NonZeroExit', message: 'exited with code 3' },
  };
}

describe('toPayload', () => {
  it('names the attempt, the attempts the policy allows and the final error of a run that failed for good', () => {
    const p = toPayload('failure', JOB, task(3, 2), { status: 'failed', final: true, retryDelayMs: null, endedAtMs: T0 + 2000 }, T0 + 2500);
    assert.equal(p.task.attempt, 3);
    assert.equal(p.task.attempts, 3);
    assert.deepEqual(p.task.error, { code: 'NonZeroExit', message: 'exited with code 3' });
    assert.equal(p.final, true);
    assert.equal(p.retry, null);
    assert.equal(p.at, '2030-01-01T00:00:02.500Z');
  });

  it('says when the retry that follows an attempt is due', () => {
    const p = toPayload('attemptFailure', JOB, task(1, 2), { status: 'timeout', final: false, retryDelayMs: 10_000, endedAtMs: T0 + 2000 }, T0 + 2001);
    assert.equal(p.task.status, 'timeout');
    assert.equal(p.task.attempts, 3);
    assert.equal(p.final, false);
    assert.deepEqual(p.retry, { delayMs: 10_000, at: '2030-01-01T00:00:12.000Z' });
  });

  it('counts one attempt without a retry policy, and never fewer attempts than the attempt number', () => {
    assert.equal(toPayload('failure', JOB, task(1, null), { status: 'failed', final: true, retryDelayMs: null, endedAtMs: T0 }, T0).task.attempts, 1);
    assert.equal(toPayload('failure', JOB, task(4, 2), { status: 'failed', final: true, retryDelayMs: null, endedAtMs: T0 }, T0).task.attempts, 4);
  });

  it('treats a success as the end of its run', () => {
    const p = toPayload('success', JOB, task(2, 2), { status: 'success', final: false, retryDelayMs: 5000, endedAtMs: T0 }, T0);
    assert.equal(p.final, true);
    assert.equal(p.retry, null);
  });
});

describe('emailText', () => {
  it('says the attempt of how many and when the retry follows', () => {
    const text = emailText(toPayload('attemptFailure', JOB, task(1, 2), { status: 'failed', final: false, retryDelayMs: 10_000, endedAtMs: T0 }, T0));
    assert.match(text, /^task: +41 \(attempt 1 of 3\)$/m);
    assert.match(text, /^retry: +attempt 2 in 10 s, at 2030-01-01T00:00:10.000Z$/m);
  });

  it('says the run has ended when no retry follows, with the final error', () => {
    const text = emailText(toPayload('failure', JOB, task(3, 2), { status: 'failed', final: true, retryDelayMs: null, endedAtMs: T0 }, T0));
    assert.match(text, /^task: +43 \(attempt 3 of 3\)$/m);
    assert.match(text, /^error: +NonZeroExit: exited with code 3$/m);
    assert.match(text, /^retry: +none: the run has ended$/m);
  });
});
