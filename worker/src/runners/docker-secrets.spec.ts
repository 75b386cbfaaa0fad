import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
});
