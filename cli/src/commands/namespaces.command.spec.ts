import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { namespaceBody, registerNamespaces } from './namespaces.command';
import type { Act } from './common';

/** The body `namespaces set ARGS` would send: the real commander parsing, the action's own namespaceBody, no server. */
async function bodyOfSet(args: string[]): Promise<Record<string, unknown>> {
  let body: Record<string, unknown> | undefined;
  // In place of the real act (which would call the server): read the options commander parsed.
  const act = (() => async (...commanderArgs: unknown[]) => {
    body = namespaceBody((commanderArgs[commanderArgs.length - 1] as Command).opts());
  }) as unknown as Act;
  const program = new Command().exitOverride();
  registerNamespaces(program, act);
  await program.parseAsync(['namespaces', 'set', 'team-a', ...args], { from: 'user' });
  return body ?? {};
}

describe('namespaces create and set body', () => {
  it('sends only the options given, a quota of none as null and an empty description as null', () => {
    assert.deepEqual(namespaceBody({}), {});
    assert.deepEqual(namespaceBody({ maxJobs: 10 }), { maxJobs: 10 });
    assert.deepEqual(namespaceBody({ description: '', maxJobs: 'none', maxConcurrentTasks: 0 }), { description: null, maxJobs: null, maxConcurrentTasks: 0 });
    assert.deepEqual(namespaceBody({ description: 'the A team' }), { description: 'the A team' });
  });

  it('clears a quota given as none on the command line (commander keeps a parser\'s null as an empty string)', async () => {
    assert.deepEqual(await bodyOfSet(['--max-jobs', 'none', '--max-concurrent-tasks', '2']), { maxJobs: null, maxConcurrentTasks: 2 });
  });
});
