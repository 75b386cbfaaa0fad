// Tasks started as another account (`--run-as`), for real: needs the tests to run as root, as CI does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRunAs } from '../../src/run-as';
import { capture, taskRun } from '../../src/test-support/runner-harness';
import { CommandRunner } from '../../src/runners/command.runner';
import { ScriptRunner } from '../../src/runners/script.runner';

const root = process.getuid?.() === 0;

describe('tasks run as the --run-as user', { skip: root ? false : 'needs root (CI runs as root)' }, () => {
  const nobody = root ? resolveRunAs('nobody') : null;

  it('starts a command with the user\'s uid, gid and login variables, not the worker\'s', async () => {
    const io = capture();
    const runner = new CommandRunner({ runAs: nobody });
    const r = await runner.start(taskRun('command', { command: 'sh', args: ['-c', 'echo "$(id -u):$(id -g) $USER $HOME"'], env: {}, shell: false }), io).done;
    assert.equal(r.status, 'success', io.text());
    assert.equal(io.text(), `${nobody!.uid}:${nobody!.gid} nobody ${nobody!.home}\n`);
  });

  it('gives a script task a file only that user can read, and cannot write where root can', async () => {
    const io = capture();
    const runner = new ScriptRunner({ runAs: nobody });
    const content = 'id -u; stat -c %u "$0"; touch /root/cronfleet-run-as-probe 2>/dev/null && echo wrote-root || echo refused\n';
    const r = await runner.start(taskRun('script', { interpreter: 'sh', content, args: [], env: {} }), io).done;
    assert.equal(r.status, 'success', io.text());
    assert.equal(io.text(), `${nobody!.uid}\n${nobody!.uid}\nrefused\n`);
  });
});
