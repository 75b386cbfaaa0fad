import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NamespaceQuotas } from './namespace-quota';

describe('NamespaceQuotas', () => {
  it('admits tasks of a namespace up to its quota, counting what already runs, then says why the rest wait', () => {
    const q = new NamespaceQuotas();
    q.setLimits(new Map([['team-a', 3]]));
    q.begin(['team-a', 'default', 'team-a']);
    assert.equal(q.running('team-a'), 2);
    assert.equal(q.admit('team-a'), null);
    assert.equal(q.admit('team-a'), "namespace 'team-a' is at its quota of 3 concurrent tasks");
    assert.equal(q.running('team-a'), 3);
  });

  it('never limits a namespace without a quota, nor counts it', () => {
    const q = new NamespaceQuotas();
    q.setLimits(new Map([['team-a', 1]]));
    q.begin(['default', 'default', 'team-b']);
    for (let i = 0; i < 100; i++) assert.equal(q.admit('default'), null);
    assert.equal(q.running('default'), 0);
    assert.equal(q.running('team-b'), 0);
  });

  it('gives back an admission whose task found no worker', () => {
    const q = new NamespaceQuotas();
    q.setLimits(new Map([['ops', 1]]));
    q.begin([]);
    assert.equal(q.admit('ops'), null);
    q.undo('ops');
    assert.equal(q.admit('ops'), null);
    assert.equal(q.admit('ops'), "namespace 'ops' is at its quota of 1 concurrent task");
  });

  it('starts each drain from the running tasks it is given, and a quota of 0 admits nothing', () => {
    const q = new NamespaceQuotas();
    q.setLimits(new Map([['ops', 2], ['frozen', 0]]));
    q.begin(['ops', 'ops']);
    assert.notEqual(q.admit('ops'), null);
    q.begin(['ops']);
    assert.equal(q.admit('ops'), null);
    assert.equal(q.admit('frozen'), "namespace 'frozen' is at its quota of 0 concurrent tasks");
  });

  it('is inactive without quotas, and replacing the quotas drops the old ones', () => {
    const q = new NamespaceQuotas();
    assert.equal(q.active, false);
    q.setLimits(new Map([['ops', 1]]));
    assert.equal(q.active, true);
    q.setLimits(new Map());
    assert.equal(q.active, false);
    q.begin(['ops', 'ops']);
    assert.equal(q.admit('ops'), null);
  });
});
