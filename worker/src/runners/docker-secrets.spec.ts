import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { taskRun } from '../test-support/runner-harness';
import { SECRETS_LOADER, encodeSecrets, secretsEntrypoint, splitDockerEnv } from './docker-secrets';

describe('docker secrets', () => {
  it('keeps apart the secrets that win, and leaves no overridden value of theirs in the config env', () => {
    const t = taskRun('docker', { image: 'x', command: [], env: { B: 'spec' }, pull: 'never', volumes: [] }, { env: { A: 'job', B: 'job', C: 'job' }, secretEnv: { C: 'secret', CRONFLEET_TASK_ID: 'forged' } });
    const { env, secrets } = splitDockerEnv(t);
    assert.deepEqual(secrets, { C: 'secret' });
    assert.equal(env.A, 'job');
    assert.equal(env.B, 'spec');
    assert.equal(env.C, undefined);
    assert.equal(env.CRONFLEET_TASK_ID, '42', 'the task id wins over a secret of that name, and is no secret');
  });

  it('encodes one line per secret, backslashes and newlines escaped, then an empty line', () => {
    assert.equal(encodeSecrets({ A: 'x\\ny\nz', B: '' }), 'A=x\\\\ny\\nz\nB=\n\n');
  });

  it('puts the loader in front of the entrypoint and command', () => {
    assert.deepEqual(secretsEntrypoint(['/entry'], ['run', 'it']), { Entrypoint: ['/bin/sh', '-c', SECRETS_LOADER, 'cronfleet-secrets'], Cmd: ['/entry', 'run', 'it'] });
  });

  it('loads every value exactly, with shell built-ins, and then runs the command with the rest of stdin', () => {
    const values = { QUOTES: `'a' "b" $(id) \`id\``, ESCAPES: '\\n \\c \\0101 %s %b \\\\', LINES: 'one\ntwo\n\n', EMPTY: '', SPACES: '  lead and trail  ' };
    for (const shell of ['/bin/sh', 'busybox'].filter((s) => s !== 'busybox' || hasBusybox())) {
      const argv = shell === 'busybox' ? ['busybox', 'sh'] : [shell];
      const script = `for n in QUOTES ESCAPES LINES EMPTY SPACES; do eval "printf '%s=<%s>|' \\"\\$n\\" \\"\\$$n\\""; done; cat`;
      const out = execFileSync(argv[0]!, [...argv.slice(1), '-c', SECRETS_LOADER, 'cronfleet-secrets', '/bin/sh', '-c', script], { input: `${encodeSecrets(values)}rest of stdin`, encoding: 'utf8' });
      assert.equal(out, `${Object.entries(values).map(([k, v]) => `${k}=<${v}>|`).join('')}rest of stdin`, shell);
    }
  });
});

function hasBusybox(): boolean {
  try {
    execFileSync('busybox', ['true']);
    return true;
  } catch {
    return false;
  }
}
