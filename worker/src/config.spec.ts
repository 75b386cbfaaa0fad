import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { runWorkerCli } from './cli';
import { ConfigError, loadWorkerConfig } from './config';

const required = { server: 'http://scheduler:8080', token: 't0ken' };

describe('loadWorkerConfig', () => {
  it('fills defaults: hostname as name, capacity 4, no labels, 10 s grace', () => {
    assert.deepEqual(loadWorkerConfig(required, {}), {
      serverUrl: 'http://scheduler:8080',
      token: 't0ken',
      name: hostname(),
      capacity: 4,
      labels: {},
      shutdownGraceSeconds: 10,
    });
  });

  it('falls back to the CRONFLEET_* environment, with the command line winning', () => {
    const env = {
      CRONFLEET_SERVER: 'https://cron.example.com/',
      CRONFLEET_WORKER_TOKEN: 'from-env',
      CRONFLEET_WORKER_NAME: 'builder-1',
      CRONFLEET_WORKER_CAPACITY: '8',
      CRONFLEET_WORKER_LABELS: 'region=eu, gpu=true',
      CRONFLEET_SHUTDOWN_GRACE_SECONDS: '2.5',
    };
    const config = loadWorkerConfig({ capacity: '3' }, env);
    assert.deepEqual(config, {
      serverUrl: 'https://cron.example.com',
      token: 'from-env',
      name: 'builder-1',
      capacity: 3,
      labels: { region: 'eu', gpu: 'true' },
      shutdownGraceSeconds: 2.5,
    });
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['a missing server', { token: 't' }, /^--server: required/],
    ['a missing token', { server: 'http://x' }, /^--token: required/],
    ['a capacity that is not a positive integer', { ...required, capacity: '1.5' }, /^--capacity: must be a positive integer/],
    ['a zero capacity', { ...required, capacity: '0' }, /^--capacity: /],
    ['a label without =', { ...required, labels: 'region' }, /^--labels: 'region' is not key=value/],
    ['a label given twice', { ...required, labels: 'a=1,a=2' }, /^--labels: label 'a' is given twice/],
    ['a server URL with a path', { ...required, server: 'http://x/cronfleet' }, /^--server: must be the server's base URL/],
    ['a negative grace', { ...required, shutdownGrace: '-1' }, /^--shutdown-grace: /],
  ];
  for (const [what, options, message] of bad) {
    it(`refuses ${what}, naming the option`, () => {
      assert.throws(() => loadWorkerConfig(options, {}), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }

  it('names the environment variable when the bad value came from there', () => {
    assert.throws(() => loadWorkerConfig(required, { CRONFLEET_WORKER_CAPACITY: 'lots' }), /^Error: CRONFLEET_WORKER_CAPACITY: /);
  });
});

describe('runWorkerCli', () => {
  it('prints one line naming the option and returns 2 on bad input', async () => {
    let stderr = '';
    const code = await runWorkerCli(['--server', 'http://x', '--token', 't', '--capacity', 'abc'], {
      stderr: (t) => (stderr += t),
      env: {},
    });
    assert.equal(code, 2);
    assert.equal(stderr, "cronfleet-worker: --capacity: must be a positive integer up to 10000, got 'abc'\n");
  });

  it('returns 2 for an unknown option', async () => {
    let stderr = '';
    assert.equal(await runWorkerCli(['--frobnicate'], { stderr: (t) => (stderr += t), env: {} }), 2);
    assert.equal(stderr, "cronfleet-worker: unknown option '--frobnicate'\n");
  });
});
