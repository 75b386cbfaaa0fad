import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { byNamespaceAndName, defaultNamespaceOf, namespaceArg, namespaceLabel, namespaceProblem, quotaArg, takeNamespace, usageOfQuota } from './namespace';

describe('namespace names and options', () => {
  it('takes DNS labels as namespace names and says what is wrong with anything else', () => {
    for (const ok of ['default', 'a', 'team-a', '0', 'x'.repeat(63)]) assert.equal(namespaceProblem(ok), null, ok);
    for (const bad of ['', 'Team', 'team_a', '-a', 'a-', 'a.b', 'x'.repeat(64)]) assert.match(namespaceProblem(bad) ?? '', /must be 1-63 lowercase letters, digits or -/, bad);
    assert.equal(namespaceProblem(7), 'must be a string');
  });

  it('refuses a bad --namespace naming the value, and passes a good one through', () => {
    assert.equal(namespaceArg('team-a'), 'team-a');
    assert.throws(() => namespaceArg('Team A'), (e: unknown) => e instanceof InvalidArgumentError && /^namespace 'Team A' must be/.test(e.message));
  });

  it("reads a quota as a whole number, or 'none' as no limit, and names the option when it is neither", () => {
    const maxJobs = quotaArg('--max-jobs');
    assert.equal(maxJobs('0'), 0);
    assert.equal(maxJobs('25'), 25);
    assert.equal(maxJobs('none'), null);
    for (const bad of ['-1', '2.5', 'ten', '', '1e3']) assert.throws(() => maxJobs(bad), /--max-jobs must be a whole number of at least 0, or 'none' for no limit$/, bad);
  });

  it('shows a token or worker of every namespace (null) as *', () => {
    assert.equal(namespaceLabel(null), '*');
    assert.equal(namespaceLabel('team-a'), 'team-a');
    assert.equal(usageOfQuota(3, null), '3');
    assert.equal(usageOfQuota(3, 10), '3 of 10');
  });
});

describe('the namespace of a create without one', () => {
  it("is the only namespace a scoped token sees, and 'default' for a cluster-wide token", () => {
    assert.equal(defaultNamespaceOf([{ name: 'team-a' }]), 'team-a');
    assert.equal(defaultNamespaceOf([{ name: 'default' }]), 'default');
    assert.equal(defaultNamespaceOf([{ name: 'default' }, { name: 'team-a' }]), 'default');
  });
});

describe('namespace of a file item', () => {
  it('takes namespace out of the item, checked, leaving the rest for the API schemas', () => {
    assert.deepEqual(takeNamespace({ name: 'a', namespace: 'team-a' }), { namespace: 'team-a', rest: { name: 'a' }, problem: null });
    assert.deepEqual(takeNamespace({ name: 'a' }), { namespace: undefined, rest: { name: 'a' }, problem: null });
    assert.match(takeNamespace({ name: 'a', namespace: 'Team A' }).problem ?? '', /^namespace: must be 1-63 lowercase/);
    assert.equal(takeNamespace({ name: 'a', namespace: null }).problem, 'namespace: must be a string');
  });

  it('finds a server item by namespace and name, not by name alone', () => {
    const items = [{ namespace: 'default', name: 'backup', id: 1 }, { namespace: 'team-a', name: 'backup', id: 2 }];
    const find = byNamespaceAndName(items);
    assert.equal(find('default', 'backup')?.id, 1);
    assert.equal(find('team-a', 'backup')?.id, 2);
    assert.equal(find('team-b', 'backup'), undefined);
  });
});
