import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, EXIT } from './cli-error';
import { pickByName } from './resolve';

describe('pickByName', () => {
  const item = (namespace: string, name: string) => ({ namespace, name });

  it('finds a name in one namespace, or nothing', () => {
    assert.deepEqual(pickByName([item('team-a', 'backup'), item('team-a', 'other')], 'backup', 'cron job'), item('team-a', 'backup'));
    assert.equal(pickByName([item('team-a', 'other')], 'backup', 'cron job'), undefined);
  });

  it("takes the one in 'default' when the name is in several namespaces, as the server does for names", () => {
    assert.deepEqual(pickByName([item('team-a', 'backup'), item('default', 'backup')], 'backup', 'cron job'), item('default', 'backup'));
  });

  it("asks for --namespace when none of them is in 'default', naming the namespaces", () => {
    assert.throws(
      () => pickByName([item('team-b', 'backup'), item('team-a', 'backup')], 'backup', 'cron job'),
      (e: unknown) => e instanceof CliError && e.exitCode === EXIT.usage && e.message === "cron job 'backup' is in several namespaces ('team-a', 'team-b'): give --namespace to say which",
    );
  });
});
