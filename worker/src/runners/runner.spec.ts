import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { taskRun } from '../test-support/runner-harness';
import { inheritedEnv, taskEnv } from './runner';

describe('taskEnv', () => {
  it('layers the job env, the spec env, the secrets, then the CRONFLEET_* variables, each over the one before', () => {
    const task = taskRun(
      'script',
      { interpreter: 'sh', content: '', args: [], env: { B: 'spec', C: 'spec', D: 'spec' } },
      {
        env: { A: 'job', B: 'job', CRONFLEET_ATTEMPT: 'job' },
        secretEnv: { C: 'secret', CRONFLEET_TASK_ID: 'secret' },
        shard: { index: 1, count: 3 },
      },
    );
    assert.deepEqual(taskEnv(task), {
      A: 'job',
      B: 'spec',
      C: 'secret',
      D: 'spec',
      CRONFLEET_TASK_ID: '42',
      CRONFLEET_CRONJOB: 'nightly-backup',
      CRONFLEET_SCHEDULED_AT: '2030-01-02T03:04:05.000Z',
      CRONFLEET_ATTEMPT: '2',
      CRONFLEET_SHARD_INDEX: '1',
      CRONFLEET_SHARD_COUNT: '3',
    });
  });

  it('takes the job env and secrets for a runner whose spec has no env', () => {
    const task = taskRun('http', { method: 'GET', url: 'http://127.0.0.1/', headers: {}, followRedirects: true }, { env: { A: 'job' }, secretEnv: { S: 'secret' } });
    assert.equal(taskEnv(task).A, 'job');
    assert.equal(taskEnv(task).S, 'secret');
  });
});

describe('inheritedEnv', () => {
  it("keeps the worker's environment but its CRONFLEET_* configuration (token, server secret key)", () => {
    const env = { PATH: '/usr/bin', HOME: '/home/w', CRONFLEET_WORKER_TOKEN: 't', CRONFLEET_SECRET_KEY: 'k', NOT_CRONFLEET_X: 'x', EMPTY: undefined };
    assert.deepEqual(inheritedEnv(env), { PATH: '/usr/bin', HOME: '/home/w', NOT_CRONFLEET_X: 'x' });
  });
});
