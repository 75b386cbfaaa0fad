import { describe, it, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { findRepoRoot } from '../../../test/support/local-host';
import { GatewayStub, TempDirs, leakGuard, workerConfig } from './gateway-stub';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { loadPlugins } from '../../src/plugins/plugin-loader';

const examples = join(findRepoRoot(__dirname), 'examples/plugins');

/**
 * The example plugins, loaded as `--plugin` loads them, run by a real worker over socket.io: the
 * supervisor's path for a plugin task from task:runs to the final task:update.
 */
describe('a worker with plugin runners', () => {
  let guard: ReturnType<typeof leakGuard>;
  const dirs = new TempDirs();
  let server: GatewayStub | null = null;
  let worker: WorkerHandle | null = null;
  let receiver: Server | null = null;
  let logs: string[] = [];

  before(() => {
    guard = leakGuard();
  });

  afterEach(async () => {
    if (worker) await worker.kill();
    if (server) await server.close();
    if (receiver) await new Promise((r) => receiver?.close(r));
    worker = server = receiver = null;
    logs = [];
    dirs.removeAll();
    await guard.check();
  });

  /** `heartbeatSeconds`: how often the worker is told to heartbeat. */
  async function start(heartbeatSeconds = 30): Promise<GatewayStub> {
    const s = await GatewayStub.start();
    server = s;
    s.helloAck = () => ({ ok: true, workerId: 7, heartbeatSeconds });
    const log = (line: string): void => void logs.push(line);
    const plugins = await loadPlugins(
      ['sleep-runner.mjs', 'signed-webhook-runner.js'].map((f) => ({ specifier: join(examples, f), option: '--plugin' })),
      { context: { workerName: 'w1', runAs: null, log, processEnv: () => ({}) } },
    );
    worker = startWorker(workerConfig(s, dirs.make()), { log, runners: [], plugins: plugins.map((p) => p.runner) });
    await s.waitFor('hello', () => s.hellos.length === 1);
    return s;
  }
  const final = (s: GatewayStub, taskId: number) => s.waitFor(`task ${taskId} to end`, () => s.updates(taskId).some((u) => u.status !== 'running'));

  it('names its plugin runners in the hello and logs them at start', async () => {
    const s = await start();
    assert.deepEqual(s.hellos[0]?.runners, ['sleep', 'signed-webhook']);
    assert.ok(logs.some((l) => l.includes('plugin runners sleep,signed-webhook) connecting to')), logs.join('\n'));
  });

  it('runs a plugin task: running, its output in order, then the result; logged by runner name only', async () => {
    const s = await start();
    assert.deepEqual(await s.runTask(1, { runner: 'sleep', spec: { seconds: 0.3, everySeconds: 0.1, message: 'napping' } }), { accepted: true });
    await final(s, 1);
    assert.deepEqual(s.updates(1).map((u) => u.status), ['running', 'success']);
    assert.match(s.output(1), /^napping: 0\.3 s \(task 1, attempt 1\)\n(\d\.\d s\n)+done after 0\.3 s\n$/);
    assert.ok(logs.includes('task 1 started: plugin runner sleep'), logs.join('\n'));
    assert.ok(!logs.some((l) => l.includes('napping')), 'nothing of a plugin spec in the log');

    await s.runTask(2, { runner: 'sleep', spec: { seconds: 0, exitCode: 3 } });
    await final(s, 2);
    const { atMs: _at, ...failed } = s.updates(2).at(-1) ?? { atMs: 0 };
    assert.deepEqual(failed, { taskId: 2, status: 'failed', exitCode: 3, signal: null, error: null });
  });

  it("refuses a task whose spec the plugin's validate rejects, as InvalidSpec naming the field, and never starts it", async () => {
    const s = await start(0.2);
    const ack = await s.runTask(1, { runner: 'sleep', spec: { seconds: 'ten' } });
    assert.deepEqual(ack, { accepted: false, error: { code: 'InvalidSpec', message: 'spec.seconds: must be a number of seconds from 0 to 86400, got "ten"', retryable: false } });
    const unknown = await s.runTask(2, { runner: 'sleep', spec: { seconds: 1, sceonds: 2 } });
    assert.equal(unknown.accepted === false && unknown.error.message, 'spec.sceonds: unknown field (expected seconds, everySeconds, message, exitCode)');
    // A bad spec is the task's fault, not the worker's: the heartbeats after it carry no last error.
    const beats = s.heartbeats.length;
    await s.waitFor('two heartbeats after the refusals', () => s.heartbeats.length >= beats + 2);
    assert.deepEqual(s.heartbeats.map((h) => h.stats?.lastError ?? null), s.heartbeats.map(() => null));
    const other = await s.runTask(3, { runner: 'sql', spec: { query: 'select 1' } });
    assert.deepEqual(other, { accepted: false, error: { code: 'RunnerNotSupported', message: "this worker has no 'sql' runner", retryable: true } });
    assert.deepEqual(s.updates(1), []);
    assert.deepEqual(s.updates(2), []);
    // A runner it lacks is the worker's: that is its last error.
    await s.waitFor('a heartbeat with the missing runner as last error', () => s.heartbeats.some((h) => h.stats?.lastError?.code === 'RunnerNotSupported'));
  });

  it('stops a plugin task on task:stop (killed, TaskStopped) and kills one on task:kill (killed, TaskKilled)', async () => {
    const s = await start();
    await s.runTask(1, { runner: 'sleep', spec: { seconds: 60 } });
    await s.runTask(2, { runner: 'sleep', spec: { seconds: 60 } });
    await s.waitFor('both running', () => s.output(1) !== '' && s.output(2) !== '');
    assert.deepEqual(await s.stop(1, 30, 'cancelled through the API'), { found: true });
    assert.deepEqual(await s.kill(2, 'killed through the API'), { found: true });
    await final(s, 1);
    await final(s, 2);
    const { atMs: _a, ...stopped } = s.updates(1).at(-1) ?? { atMs: 0 };
    assert.deepEqual(stopped, { taskId: 1, status: 'killed', exitCode: null, signal: null, error: { code: 'TaskStopped', message: 'stopped by the server: cancelled through the API', retryable: false } });
    assert.match(s.output(1), /stopped \(grace 30000 ms\)\n$/);
    assert.equal(s.updates(2).at(-1)?.error?.code, 'TaskKilled');
    assert.match(s.output(2), /killed\n$/);
  });

  it('gives a plugin the decrypted secrets and masks them in what it prints (signed-webhook against a real HTTP server)', async () => {
    const s = await start();
    const secret = 'hook-signing-key-42';
    let received: { signature: string | undefined; body: string } | null = null;
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received = { signature: req.headers['x-cronfleet-signature'] as string | undefined, body };
        // A receiver that echoes what it should not: the worker masks it before it leaves.
        res.end(`ok, your key is ${secret}\n`);
      });
    });
    await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await s.runTask(1, { runner: 'signed-webhook', spec: { url, payload: { report: 'sales' } } }, { secretEnv: { WEBHOOK_SECRET: secret }, cronjobName: 'nightly' });
    await final(s, 1);
    assert.equal(s.updates(1).at(-1)?.status, 'success');
    assert.equal(s.output(1), `POST ${url}\nHTTP 200 OK\n\nok, your key is ***\n`);
    const got = received as { signature: string | undefined; body: string } | null;
    assert.equal(got?.signature, `sha256=${createHmac('sha256', secret).update(got?.body ?? '').digest('hex')}`);
    assert.deepEqual(JSON.parse(got?.body ?? '{}').payload, { report: 'sales' });
    assert.equal(JSON.parse(got?.body ?? '{}').task.cronjob, 'nightly');
    assert.ok(!logs.join('\n').includes(secret), 'no secret in the log');

    await s.runTask(2, { runner: 'signed-webhook', spec: { url } });
    await final(s, 2);
    assert.deepEqual(s.updates(2).at(-1)?.error, { code: 'MissingSecret', message: "no WEBHOOK_SECRET variable: add it to the job's secretEnv", retryable: false });
  });
});
