import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetsFor, triggerOrder } from './triggers.dto';

const def = (name: string, triggers: Record<string, string[]> | null = null) => ({ name, job: { triggers } });

describe('triggerOrder', () => {
  it('puts the jobs a job triggers before it, keeping the file order otherwise', () => {
    const defs = [def('extract', { onSuccess: ['load'], onFailure: ['alert'] }), def('other'), def('load', { onComplete: ['report'] }), def('alert'), def('report')];
    assert.deepEqual(triggerOrder(defs).map((d) => d.name), ['other', 'alert', 'report', 'load', 'extract']);
  });

  it('ignores triggers of jobs outside the list and leaves a cycle for the server to refuse', () => {
    assert.deepEqual(triggerOrder([def('a', { onSuccess: ['elsewhere'] }), def('b')]).map((d) => d.name), ['a', 'b']);
    assert.deepEqual(triggerOrder([def('a', { onSuccess: ['b'] }), def('b', { onSuccess: ['a'] })]).map((d) => d.name), ['a', 'b']);
  });
});

describe('targetsFor', () => {
  it('adds onComplete to the outcome\'s own list, once each', () => {
    const t = { onSuccess: ['a', 'c'], onFailure: ['b'], onComplete: ['c'] };
    assert.deepEqual(targetsFor(t, 'success'), ['a', 'c']);
    assert.deepEqual(targetsFor(t, 'failure'), ['b', 'c']);
    assert.deepEqual(targetsFor(null, 'success'), []);
  });
});
