import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TASK_STATUSES, type TaskStatus } from '@cronfleet/shared';
import { judgeReport, retryAfterEnd, TRANSITIONS, watchdogError, type ReportedStatus } from './task-transitions';

const policy = { maxRetries: 2, backoff: 'fixed' as const, delaySeconds: 3, maxDelaySeconds: 3, jitter: false };
const verdict = (status: TaskStatus, workerId: number | null, reported: ReportedStatus, by = 7) => {
  const v = judgeReport(1, { status, workerId }, by, reported);
  return v.kind === 'refuse' ? v.error.code : v.kind === 'apply' ? v.transition : v.kind;
};

describe('task transitions', () => {
  it('leads out of a final state by no transition but a lost task\'s late result', () => {
    for (const [name, t] of Object.entries(TRANSITIONS)) {
      for (const from of t.from) assert.ok(from === 'pending' || from === 'running' || (name === 'late' && from === 'lost'), `${name} from ${from}`);
    }
  });

  it('judges every report from every state of a task given to the reporter', () => {
    const table = TASK_STATUSES.map((s) => [s, verdict(s, 7, 'running'), verdict(s, 7, 'success'), verdict(s, 7, 'failed')]);
    assert.deepEqual(table, [
      ['pending', 'start', 'end', 'end'],
      ['running', 'duplicate', 'end', 'end'],
      ['success', 'duplicate', 'duplicate', 'TaskAlreadyEnded'],
      ['failed', 'duplicate', 'TaskAlreadyEnded', 'duplicate'],
      ['timeout', 'duplicate', 'TaskAlreadyEnded', 'TaskAlreadyEnded'],
      ['killed', 'duplicate', 'TaskAlreadyEnded', 'TaskAlreadyEnded'],
      ['lost', 'TaskAlreadyEnded', 'late', 'late'],
      ['skipped', 'duplicate', 'TaskAlreadyEnded', 'TaskAlreadyEnded'],
      ['cancelled', 'duplicate', 'TaskAlreadyEnded', 'TaskAlreadyEnded'],
    ]);
  });

  it('refuses every report on a task not given to the reporter, whatever its state', () => {
    for (const s of TASK_STATUSES) {
      for (const r of ['running', 'success', 'failed', 'timeout', 'killed'] as const) {
        assert.equal(verdict(s, 8, r), 'TaskNotYours', `${s} ${r} by another worker`);
        assert.equal(verdict(s, null, r), 'TaskNotYours', `${s} ${r} unassigned`);
      }
    }
    const unknown = judgeReport(42, null, 7, 'success');
    assert.deepEqual(unknown, { kind: 'refuse', error: { code: 'UnknownTask', message: 'task 42 does not exist', retryable: false } });
  });

  it('retries a failed, timed-out or lost attempt while its policy allows, and nothing else', () => {
    assert.equal(retryAfterEnd('failed', policy, 1), 3000);
    assert.equal(retryAfterEnd('timeout', policy, 2), 3000);
    assert.equal(retryAfterEnd('lost', policy, 3), null, 'retries exhausted: the run has ended');
    for (const s of ['success', 'killed', 'cancelled', 'skipped'] as const) assert.equal(retryAfterEnd(s, policy, 1), null, s);
    assert.equal(retryAfterEnd('failed', null, 1), null);
  });

  it('names the limit in the watchdog\'s error', () => {
    assert.match(watchdogError(5, 15_000).message, /^timed out after 5 s \(timeoutSeconds\)/);
  });
});
