import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventsFor } from './notify-rule';

describe('eventsFor', () => {
  it('raises failure, timeout or lost once, with the run’s last attempt, when no retry follows', () => {
    assert.deepEqual(eventsFor({ status: 'failed', final: true }, 'success'), ['failure', 'attemptFailure']);
    assert.deepEqual(eventsFor({ status: 'timeout', final: true }, null), ['timeout', 'attemptFailure']);
    assert.deepEqual(eventsFor({ status: 'lost', final: true }, 'failed'), ['lost', 'attemptFailure']);
  });

  it('raises only attemptFailure for a failed, timed-out or lost attempt that a retry follows', () => {
    for (const status of ['failed', 'timeout', 'lost']) assert.deepEqual(eventsFor({ status, final: false }, 'success'), ['attemptFailure']);
  });

  it('raises success for a success, final or not: a success always ends its run', () => {
    assert.deepEqual(eventsFor({ status: 'success', final: true }, 'success'), ['success']);
    assert.deepEqual(eventsFor({ status: 'success', final: false }, 'success'), ['success']);
  });

  it('raises recovered for a success after a run that ended failed, timed out, lost or killed', () => {
    for (const prev of ['failed', 'timeout', 'lost', 'killed']) assert.deepEqual(eventsFor({ status: 'success', final: true }, prev), ['success', 'recovered']);
  });

  it('does not raise recovered for the first success of a job', () => {
    assert.deepEqual(eventsFor({ status: 'success', final: true }, null), ['success']);
  });

  it('raises nothing for killed, skipped or cancelled tasks', () => {
    for (const status of ['killed', 'skipped', 'cancelled']) {
      for (const final of [true, false]) assert.deepEqual(eventsFor({ status, final }, 'failed'), []);
    }
  });
});
