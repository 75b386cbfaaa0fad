import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { runWorkerCli } from './cli';
import { ConfigError, loadWorkerConfig, pathSegment } from './config';

const required = { server: 'http://scheduler:8080', token: 't0ken' };

describe('loadWorkerConfig', () => {
  it('fills defaults: hostname as name, capacity 4, no labels, no drain limit, 10 s stop grace, state under ~/.local/state', () => {
    assert.deepEqual(loadWorkerConfig(required, {}), {
      serverUrl: 'http://scheduler:8080',
      token: 't0ken',
      name: hostname(),
      capacity: 4,
      labels: {},
      namespace: null,
      shutdownGraceSeconds: null,
      stopGraceSeconds: 10,
      stateDir: join(homedir(), '.local/state/cronfleet-worker', pathSegment(hostname())),
      allowedCommands: null,
      ca: null,
      runAs: null,
      plugins: [],
      tracing: false,
      spawner: 'native', // built by npm run build: see runners/spawner.spec
      spawnerFallback: null,
    });
  });

  it('takes how tasks are started from --spawn or CRONFLEET_WORKER_SPAWN, refusing anything but auto, native or node', () => {
    assert.equal(loadWorkerConfig({ ...required, spawn: 'node' }, {}).spawner, 'node');
    assert.equal(loadWorkerConfig(required, { CRONFLEET_WORKER_SPAWN: 'Native' }).spawner, 'native');
    assert.equal(loadWorkerConfig({ ...required, spawn: 'auto' }, { CRONFLEET_WORKER_SPAWN: 'node' }).spawner, 'native');
    assert.throws(() => loadWorkerConfig({ ...required, spawn: 'fork' }, {}), (e: unknown) => e instanceof ConfigError && e.message === "--spawn: expected auto, native or node, got 'fork'");
  });

  it('takes one namespace to serve from --namespace or CRONFLEET_WORKER_NAMESPACE, and refuses a malformed one naming the option', () => {
    assert.equal(loadWorkerConfig({ ...required, namespace: 'team-a' }, {}).namespace, 'team-a');
    assert.equal(loadWorkerConfig(required, { CRONFLEET_WORKER_NAMESPACE: 'ops' }).namespace, 'ops');
    assert.equal(loadWorkerConfig({ ...required, namespace: 'cli' }, { CRONFLEET_WORKER_NAMESPACE: 'env' }).namespace, 'cli');
    assert.throws(() => loadWorkerConfig({ ...required, namespace: 'Team_A' }, {}), (e: unknown) => e instanceof ConfigError && /^--namespace: 'Team_A' must be 1-63 lower-case/.test(e.message));
    assert.throws(() => loadWorkerConfig(required, { CRONFLEET_WORKER_NAMESPACE: '-x' }), (e: unknown) => e instanceof ConfigError && e.message.startsWith("CRONFLEET_WORKER_NAMESPACE: '-x'"));
  });

  it('puts the default state dir under XDG_STATE_HOME (when absolute) or HOME, one directory per worker name', () => {
    const dir = (env: NodeJS.ProcessEnv, name = 'build-01') => loadWorkerConfig({ ...required, name }, env).stateDir;
    assert.equal(dir({ XDG_STATE_HOME: '/var/lib/state', HOME: '/home/ci' }), '/var/lib/state/cronfleet-worker/build-01');
    assert.equal(dir({ XDG_STATE_HOME: 'relative/state', HOME: '/home/ci' }), '/home/ci/.local/state/cronfleet-worker/build-01');
    assert.equal(dir({ HOME: '/home/ci' }, '../etc/x y'), '/home/ci/.local/state/cronfleet-worker/..%2Fetc%2Fx%20y');
    assert.equal(dir({ HOME: '/home/ci' }, '..'), '/home/ci/.local/state/cronfleet-worker/%2E%2E');
    assert.equal(dir({ HOME: '/home/ci' }, 'café'), '/home/ci/.local/state/cronfleet-worker/caf%C3%A9');
    assert.equal(loadWorkerConfig({ ...required, stateDir: 'rel/dir' }, {}).stateDir, join(process.cwd(), 'rel/dir'));
  });

  it('falls back to the CRONFLEET_* environment, with the command line winning', () => {
    const env = {
      CRONFLEET_SERVER: 'https://cron.example.com/',
      CRONFLEET_WORKER_TOKEN: 'from-env',
      CRONFLEET_WORKER_NAME: 'builder-1',
      CRONFLEET_WORKER_CAPACITY: '8',
      CRONFLEET_WORKER_LABELS: 'region=eu, gpu=true',
      CRONFLEET_SHUTDOWN_GRACE_SECONDS: '2.5',
      CRONFLEET_STOP_GRACE_SECONDS: '0',
      CRONFLEET_WORKER_STATE_DIR: '/var/lib/cronfleet-worker',
      CRONFLEET_WORKER_ALLOWED_COMMANDS: 'pg_dump, sh,/usr/local/bin/backup,,pg_dump',
      ...(process.getuid?.() === 0 ? { CRONFLEET_RUN_AS: 'nobody' } : {}),
    };
    const config = loadWorkerConfig({ capacity: '3' }, env);
    assert.deepEqual(config, {
      serverUrl: 'https://cron.example.com',
      token: 'from-env',
      name: 'builder-1',
      capacity: 3,
      labels: { region: 'eu', gpu: 'true' },
      namespace: null,
      shutdownGraceSeconds: 2.5,
      stopGraceSeconds: 0,
      stateDir: '/var/lib/cronfleet-worker',
      allowedCommands: ['pg_dump', 'sh', '/usr/local/bin/backup'],
      ca: null,
      runAs: process.getuid?.() === 0 ? { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' } : null,
      plugins: [],
      tracing: false,
      spawner: 'native',
      spawnerFallback: null,
    });
  });

  it('turns tracing on with an OTLP endpoint or CRONFLEET_TRACING=otlp, and refuses an unknown CRONFLEET_TRACING naming it', () => {
    assert.equal(loadWorkerConfig(required, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing, true);
    assert.equal(loadWorkerConfig(required, { CRONFLEET_TRACING: 'otlp' }).tracing, true);
    assert.equal(loadWorkerConfig(required, { CRONFLEET_TRACING: 'off', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing, false);
    assert.throws(() => loadWorkerConfig(required, { CRONFLEET_TRACING: 'zipkin' }), /^Error: CRONFLEET_TRACING: expected otlp or off, got 'zipkin'$/);
  });

  it('takes --plugin once per plugin, else the comma-separated CRONFLEET_WORKER_PLUGINS, the command line winning', () => {
    const env = { CRONFLEET_WORKER_PLUGINS: ' ./sql.js, cronfleet-plugin-s3 ,, @acme/runner ' };
    assert.deepEqual(loadWorkerConfig(required, env).plugins, [
      { specifier: './sql.js', option: 'CRONFLEET_WORKER_PLUGINS' },
      { specifier: 'cronfleet-plugin-s3', option: 'CRONFLEET_WORKER_PLUGINS' },
      { specifier: '@acme/runner', option: 'CRONFLEET_WORKER_PLUGINS' },
    ]);
    assert.deepEqual(loadWorkerConfig({ ...required, plugin: ['./a.js', './b.mjs'] }, env).plugins, [
      { specifier: './a.js', option: '--plugin' },
      { specifier: './b.mjs', option: '--plugin' },
    ]);
    assert.throws(() => loadWorkerConfig({ ...required, plugin: ['./a.js', ' ./a.js'] }, {}), /^Error: --plugin: '\.\/a\.js' is given twice$/);
    assert.throws(() => loadWorkerConfig({ ...required, plugin: [' '] }, {}), /^Error: --plugin: must not be empty; give a path such as \.\/my-runner\.js or a package name$/);
  });

  it('takes --allowed-commands over the environment', () => {
    const env = { CRONFLEET_WORKER_ALLOWED_COMMANDS: 'sh' };
    assert.deepEqual(loadWorkerConfig({ ...required, allowedCommands: 'python3,/bin/sh' }, env).allowedCommands, ['python3', '/bin/sh']);
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
    ['a stop grace that is not a number', { ...required, stopGrace: '10s' }, /^--stop-grace: must be a number of seconds/],
    ['an empty state dir', { ...required, stateDir: ' ' }, /^--state-dir: must not be empty/],
    ['an empty allow-list', { ...required, allowedCommands: ' , ' }, /^--allowed-commands: must name at least one command/],
    ['a relative path in the allow-list', { ...required, allowedCommands: 'sh,bin/backup' }, /^--allowed-commands: 'bin\/backup' must be a bare command name .* or an absolute path/],
    process.getuid?.() === 0
      ? ['a --run-as user that does not exist', { ...required, runAs: 'no-such-user-here' }, /^--run-as no-such-user-here: no such user/]
      : ['a --run-as without root', { ...required, runAs: 'nobody' }, /^--run-as nobody: the worker must run as root/],
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

  it('returns 2 with one line naming the plugin and the problem when a plugin cannot be loaded', async () => {
    let stderr = '';
    const code = await runWorkerCli(['--server', 'http://127.0.0.1:1', '--token', 't', '--plugin', './no-such-runner.js', '--plugin', './other.js'], {
      stderr: (t) => (stderr += t),
      env: {},
    });
    assert.equal(code, 2);
    assert.equal(stderr, `cronfleet-worker: --plugin ./no-such-runner.js: no such file: ${join(process.cwd(), 'no-such-runner.js')}\n`);
  });

  it('returns 2 for an unknown option', async () => {
    let stderr = '';
    assert.equal(await runWorkerCli(['--frobnicate'], { stderr: (t) => (stderr += t), env: {} }), 2);
    assert.equal(stderr, "cronfleet-worker: unknown option '--frobnicate'\n");
  });
});
