import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextActions, resetForRetry, stepStateOfTask, type StepNode, type StepState } from './run-state';

const step = (id: string, dependsOn: string[] = [], when: StepNode['when'] = 'success'): StepNode => ({ id, dependsOn, when });
const states = (o: Record<string, StepState>) => new Map(Object.entries(o));

// a → (b, c) → d : the diamond.
const diamond = [step('a'), step('b', ['a']), step('c', ['a']), step('d', ['b', 'c'])];

describe('nextActions', () => {
  it('runs a diamond: the root, then both branches, then the join once both ended', () => {
    assert.deepEqual(nextActions(diamond, states({})), { start: ['a'], skip: [], outcome: 'running' });
    assert.deepEqual(nextActions(diamond, states({ a: 'success' })).start, ['b', 'c']);
    assert.deepEqual(nextActions(diamond, states({ a: 'success', b: 'success', c: 'running' })).start, []);
    assert.deepEqual(nextActions(diamond, states({ a: 'success', b: 'success', c: 'success' })).start, ['d']);
    assert.equal(nextActions(diamond, states({ a: 'success', b: 'success', c: 'success', d: 'success' })).outcome, 'success');
  });

  it('skips everything below a failure in one call, and the run fails', () => {
    const r = nextActions(diamond, states({ a: 'failed' }));
    assert.deepEqual(r, { start: [], skip: ['b', 'c', 'd'], outcome: 'failed' });
  });

  it('runs a `when: failure` branch instead of the happy path; the handled failure does not fail the run', () => {
    const steps = [step('build'), step('deploy', ['build']), step('alert', ['build'], 'failure')];
    const failed = nextActions(steps, states({ build: 'failed' }));
    assert.deepEqual(failed.start, ['alert']);
    assert.deepEqual(failed.skip, ['deploy']);
    assert.equal(nextActions(steps, states({ build: 'failed', deploy: 'skipped', alert: 'success' })).outcome, 'success');
    const ok = nextActions(steps, states({ build: 'success' }));
    assert.deepEqual([ok.start, ok.skip], [['deploy'], ['alert']]);
    assert.equal(nextActions(steps, states({ build: 'success', deploy: 'success', alert: 'skipped' })).outcome, 'success');
  });

  it('runs an `always` step whatever came before, but not before it ended', () => {
    const steps = [step('a'), step('b'), step('cleanup', ['a', 'b'], 'always')];
    assert.deepEqual(nextActions(steps, states({ a: 'failed', b: 'running' })).start, []);
    assert.deepEqual(nextActions(steps, states({ a: 'failed', b: 'success' })).start, ['cleanup']);
  });

  it('treats a killed step as a failure: its `when: failure` branch runs, the happy path is skipped, and unhandled it fails the run', () => {
    const steps = [step('build'), step('deploy', ['build']), step('alert', ['build'], 'failure')];
    const killed = nextActions(steps, states({ build: 'killed' }));
    assert.deepEqual([killed.start, killed.skip], [['alert'], ['deploy']]);
    assert.equal(nextActions(steps, states({ build: 'killed', deploy: 'skipped', alert: 'success' })).outcome, 'success');
    assert.deepEqual(nextActions(diamond, states({ a: 'killed' })), { start: [], skip: ['b', 'c', 'd'], outcome: 'failed' });
  });

  it('a failure handler that itself fails fails the run', () => {
    const steps = [step('a'), step('h', ['a'], 'failure')];
    assert.equal(nextActions(steps, states({ a: 'failed', h: 'failed' })).outcome, 'failed');
  });

  it('a killed run skips what has not started and ends cancelled', () => {
    const r = nextActions(diamond, states({ a: 'success', b: 'cancelled', c: 'success' }));
    assert.deepEqual(r, { start: [], skip: ['d'], outcome: 'cancelled' });
  });

  it('never starts a step twice: running and ended steps are left alone', () => {
    assert.deepEqual(nextActions(diamond, states({ a: 'success', b: 'running', c: 'running' })).start, []);
  });
});

describe('resetForRetry', () => {
  it('keeps succeeded steps and puts the failed, killed and skipped ones back to waiting', () => {
    const before = states({ a: 'success', b: 'failed', c: 'killed', d: 'skipped' });
    const after = resetForRetry(before);
    assert.deepEqual(Object.fromEntries(after), { a: 'success', b: 'waiting', c: 'waiting', d: 'waiting' });
    assert.deepEqual(nextActions(diamond, after).start, ['b', 'c']);
  });
});

describe('stepStateOfTask', () => {
  it('maps task statuses, a killed task to a killed step', () => {
    assert.deepEqual(['success', 'pending', 'running', 'timeout', 'lost', 'killed', 'failed', 'skipped', 'cancelled'].map(stepStateOfTask), [
      'success', 'running', 'running', 'failed', 'failed', 'killed', 'failed', 'skipped', 'cancelled',
    ]);
  });
});
