import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventsFor } from './notify-rule';

describe('eventsFor', () => {
  it('raises recovered for a success after a failed, timed-out, lost or killed task', () => {
    for (const prev of ['failed', 'timeout', 'lost', 'killed']) assert.deepEqual(eventsFor('success', prev), ['success', 'recovered']);
  });

  it('does not raise recovered for a success after a success', () => {
    assert.deepEqual(eventsFor('success', 'success'), ['success']);
  });

  it('does not raise recovered for the first success of a job', () => {
    assert.deepEqual(eventsFor('success', null), ['success']);
  });

  it('maps failed, timeout and lost to their events, and raises nothing for killed, skipped or cancelled', () => {
    assert.deepEqual(eventsFor('failed', 'success'), ['failure']);
    assert.deepEqual(eventsFor('timeout', null), ['timeout']);
    assert.deepEqual(eventsFor('lost', 'failed'), ['lost']);
    for (const s of ['killed', 'skipped', 'cancelled']) assert.deepEqual(eventsFor(s, 'failed'), []);
  });
});
