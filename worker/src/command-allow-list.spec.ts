import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandSpec } from '@cronfleet/shared';
import { CommandAllowList } from './command-allow-list';
import { taskRun } from './test-support/runner-harness';

const command = (spec: Partial<CommandSpec> & { command: string }) => taskRun('command', { args: [], env: {}, shell: false, ...spec });
const script = (interpreter: string) => taskRun('script', { interpreter, content: 'echo hi', args: [], env: {} });
const OPTION = '--allowed-commands / CRONFLEET_WORKER_ALLOWED_COMMANDS';

describe('CommandAllowList', () => {
  const list = new CommandAllowList(['pg_dump', 'python3', '/usr/local/bin/backup']);

  it('allows a bare name from any directory, and an absolute path only exactly', () => {
    assert.equal(list.allows('pg_dump'), true);
    assert.equal(list.allows('/usr/bin/pg_dump'), true);
    assert.equal(list.allows('/usr/local/bin/backup'), true);
    assert.equal(list.allows('backup'), false, 'an absolute entry does not allow the bare name, found on whatever PATH');
    assert.equal(list.allows('/opt/backup'), false);
    assert.equal(list.allows('rm'), false);
  });

  it('refuses a command task whose command is not allowed as CommandNotAllowed, naming the command and the option', () => {
    assert.equal(list.refusal(command({ command: 'pg_dump', args: ['-Fc'] })), null);
    assert.deepEqual(list.refusal(command({ command: 'rm', args: ['-rf', '/'] })), {
      code: 'CommandNotAllowed',
      message: `command 'rm' is not allowed on this worker (${OPTION}: pg_dump, python3, /usr/local/bin/backup)`,
      retryable: true,
    });
  });

  it('judges a shell: true task by the shell, allowed by sh or /bin/sh only', () => {
    assert.deepEqual(list.refusal(command({ command: 'pg_dump -Fc db', shell: true })), {
      code: 'CommandNotAllowed',
      message: `shell commands run /bin/sh, which is not allowed on this worker (${OPTION}: pg_dump, python3, /usr/local/bin/backup)`,
      retryable: true,
    });
    assert.equal(new CommandAllowList(['sh']).refusal(command({ command: 'anything at all', shell: true })), null);
    assert.equal(new CommandAllowList(['/bin/sh']).refusal(command({ command: 'anything at all', shell: true })), null);
    assert.notEqual(new CommandAllowList(['/bin/sh']).refusal(command({ command: 'sh' })), null, 'the bare sh may be another one on PATH');
  });

  it('judges a script task by its interpreter', () => {
    assert.equal(list.refusal(script('python3')), null);
    assert.equal(list.refusal(script('/usr/bin/python3')), null);
    assert.equal(list.refusal(script('bash'))?.message, `interpreter 'bash' is not allowed on this worker (${OPTION}: pg_dump, python3, /usr/local/bin/backup)`);
  });

  it('does not limit runners that start no local program', () => {
    assert.equal(list.refusal(taskRun('http', { method: 'GET', url: 'http://127.0.0.1/', headers: {}, followRedirects: true })), null);
  });
});
