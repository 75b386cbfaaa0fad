import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetsFor, triggerOrder, type Triggers } from './triggers';

const def = (name: string, triggers: Triggers | null = null) => ({ name, job: { triggers } });

describe('triggerOrder', () => {
  it('puts the jobs a job triggers before it, keeping the file order otherwise', () => {
    const defs = [def('extract', { onSuccess: ['load'], onFailure: ['alert'] }), def('other'), def('load', { onComplete: ['report'] }), def('alert'), def('report')];
    assert.deepEqual(triggerOrder(defs).map((d) => d.name), ['other', 'alert', 'report', 'load', 'extract']);
    const withParams = [def('extract', { onSuccess: [{ job: 'load', params: { MODE: 'full' } }] }), def('load')];
    assert.deepEqual(triggerOrder(withParams).map((d) => d.name), ['load', 'extract']);
  });

  it('ignores triggers of jobs outside the list and leaves a cycle for the server to refuse', () => {
    assert.deepEqual(triggerOrder([def('a', { onSuccess: ['elsewhere'] }), def('b')]).map((d) => d.name), ['a', 'b']);
    assert.deepEqual(triggerOrder([def('a', { onSuccess: ['b'] }), def('b', { onSuccess: ['a'] })]).map((d) => d.name), ['a', 'b']);
  });
});

describe('targetsFor', () => {
  it('adds onComplete to the outcome\'s own list, once each', () => {
    const t = { onSuccess: ['a', 'c'], onFailure: ['b'], onComplete: ['c'] };
    assert.deepEqual(targetsFor(t, 'success').map((x) => x.job), ['a', 'c']);
    assert.deepEqual(targetsFor(t, 'failure').map((x) => x.job), ['b', 'c']);
    assert.deepEqual(targetsFor(null, 'success'), []);
  });

  it('gives each target the values of its entry, the outcome\'s own before onComplete\'s, and none for a plain name', () => {
    const t = { onSuccess: [{ job: 'c', params: { REGION: 'us' } }], onComplete: ['a', { job: 'c', params: { REGION: 'eu' } }] };
    assert.deepEqual(targetsFor(t, 'success'), [{ job: 'c', params: { REGION: 'us' } }, { job: 'a', params: {} }]);
    assert.deepEqual(targetsFor(t, 'failure'), [{ job: 'a', params: {} }, { job: 'c', params: { REGION: 'eu' } }]);
  });
});
