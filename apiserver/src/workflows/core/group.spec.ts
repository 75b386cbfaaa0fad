import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupOutcome, startable } from './group';

describe('groupOutcome', () => {
  it('all: fails at the first failure, succeeds when every member did', () => {
    assert.equal(groupOutcome({ mode: 'all' }, { total: 3, succeeded: 2, failed: 0 }), 'running');
    assert.equal(groupOutcome({ mode: 'all' }, { total: 3, succeeded: 1, failed: 1 }), 'failed');
    assert.equal(groupOutcome({ mode: 'all' }, { total: 3, succeeded: 3, failed: 0 }), 'success');
  });

  it('any: succeeds at the first success, fails only when every member failed', () => {
    assert.equal(groupOutcome({ mode: 'any' }, { total: 3, succeeded: 1, failed: 0 }), 'success');
    assert.equal(groupOutcome({ mode: 'any' }, { total: 3, succeeded: 0, failed: 2 }), 'running');
    assert.equal(groupOutcome({ mode: 'any' }, { total: 3, succeeded: 0, failed: 3 }), 'failed');
  });

  it('atLeast K: decided as soon as K succeeded or K can no longer be reached', () => {
    const p = { mode: 'atLeast', count: 3 } as const;
    assert.equal(groupOutcome(p, { total: 5, succeeded: 3, failed: 2 }), 'success');
    assert.equal(groupOutcome(p, { total: 5, succeeded: 1, failed: 2 }), 'running');
    assert.equal(groupOutcome(p, { total: 5, succeeded: 1, failed: 3 }), 'failed');
  });

  it('an empty group succeeds under any and all', () => {
    assert.equal(groupOutcome({ mode: 'all' }, { total: 0, succeeded: 0, failed: 0 }), 'success');
    assert.equal(groupOutcome({ mode: 'any' }, { total: 0, succeeded: 0, failed: 0 }), 'success');
  });
});

describe('startable', () => {
  it('bounds the members running at once by maxParallel', () => {
    assert.equal(startable(2, 0, 10), 2);
    assert.equal(startable(2, 2, 8), 0);
    assert.equal(startable(2, 1, 8), 1);
    assert.equal(startable(null, 3, 7), 7);
    assert.equal(startable(5, 0, 3), 3);
  });
});
