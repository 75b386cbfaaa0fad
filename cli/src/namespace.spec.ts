import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { byNamespaceAndName, namespaceArg, namespaceLabel, quotaArg, usageOfQuota } from './namespace';

describe('namespace options', () => {
  it('refuses a bad --namespace naming the value and the rule, and passes a DNS label through', () => {
    for (const ok of ['default', 'a', 'team-a', '0', 'x'.repeat(63)]) assert.equal(namespaceArg(ok), ok);
    for (const bad of ['', 'Team', 'team_a', '-a', 'a-', 'a.b', 'x'.repeat(64)]) {
      assert.throws(() => namespaceArg(bad), (e: unknown) => e instanceof InvalidArgumentError && e.message.startsWith(`namespace '${bad}' must be 1-63 lower-case letters, digits or inner hyphens`), bad);
    }
  });

  it("reads a quota as a whole number up to the API's limit, or 'none' as no limit, and names the option when it is neither", () => {
    const maxJobs = quotaArg('--max-jobs');
    assert.equal(maxJobs('0'), 0);
    assert.equal(maxJobs('25'), 25);
    assert.equal(maxJobs('1000000'), 1_000_000);
    assert.equal(maxJobs('none'), 'none', "kept as the word: commander would turn a parser's null into ''");
    for (const bad of ['-1', '2.5', 'ten', '', '1e3', '1000001']) assert.throws(() => maxJobs(bad), /--max-jobs must be a whole number from 0 to 1000000, or 'none' for no limit$/, bad);
  });

  it('shows a token or worker of every namespace (null) as *, and usage against a quota', () => {
    assert.equal(namespaceLabel(null), '*');
    assert.equal(namespaceLabel('team-a'), 'team-a');
    assert.equal(usageOfQuota(3, null), '3');
    assert.equal(usageOfQuota(3, 10), '3 of 10');
  });
});

describe('matching by namespace and name', () => {
  it('finds a server item by namespace and name, not by name alone', () => {
    const items = [{ namespace: 'default', name: 'backup', id: 1 }, { namespace: 'team-a', name: 'backup', id: 2 }];
    const find = byNamespaceAndName(items);
    assert.equal(find('default', 'backup')?.id, 1);
    assert.equal(find('team-a', 'backup')?.id, 2);
    assert.equal(find('team-b', 'backup'), undefined);
  });
});
