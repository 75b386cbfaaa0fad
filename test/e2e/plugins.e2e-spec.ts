// Plugin runners end to end: a real API server on MariaDB and a real worker process started with
// `--plugin examples/plugins/...`. The worker names the plugins' runners in its hello; a cron job
// and a one-shot task of a plugin runner run there, their output stored and the job's secrets
// masked; a job of a runner no worker offers is saved and its task waits, saying why; a spec the
// plugin refuses fails the task with the worker's InvalidSpec, without retries; a worker whose plugin
// cannot be loaded exits 2 with the reason before it ever connects.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  assertNoLeakedProcesses,
  errorBody,
  expectApiError,
  messageText,
  randomId,
  repoRoot,
  startServer,
  startWorker,
  waitFor,
  waitForTaskEnd,
  type Task,
  type TestProcess,
  type TestServer,
  type WorkerInfo, waitForWorkerOnline } from './helpers';

const SLEEP = join(repoRoot, 'examples/plugins/sleep-runner.mjs');
const WEBHOOK = join(repoRoot, 'examples/plugins/signed-webhook-runner.js');
const SECRET = `whsec-${randomId(8)}`;

describe('plugin runners', { timeout: 180_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  let receiver: Server;
  let hookUrl = '';
  const procs: TestProcess[] = [];
  const name = `plugins-${randomId()}`;
  const logs = (): string => [server?.process.report(3000), ...procs.map((p) => p.report(3000))].filter(Boolean).join('\n');
  const until = (id: number, pred: (t: Task) => boolean, what: string, timeoutMs = 30_000): Promise<Task> =>
    waitFor(async () => {
      const t = await server.api.getTask(id);
      return pred(t) && t;
    }, { timeoutMs, what: `task ${id} ${what}`, details: logs });
  const job = (runner: string, spec: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    server.api.createCronJob({ name: `plugin-${randomId()}`, schedule: '@yearly', enabled: false, runner, spec, ...extra });

  before(async () => {
    // The webhook's receiver: checks the signature over the exact body, as a real receiver would.
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const expected = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
        const ok = req.headers['x-cronfleet-signature'] === expected;
        const { task, payload } = JSON.parse(body) as { task: { id: number }; payload: unknown };
        res.writeHead(ok ? 200 : 401).end(`${ok ? 'signature ok' : 'bad signature'} for task ${task.id}, payload ${JSON.stringify(payload)}, key ${SECRET}\n`);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    server = await startServer({ backend: 'mysql' });
    worker = startWorker(server, name, { extraArgs: ['--plugin', SLEEP, '--plugin', WEBHOOK] });
    procs.push(worker);
  });
  after(async () => {
    for (const p of procs) await p.stop();
    await server?.stop();
    await new Promise((r) => receiver?.close(r));
    assertNoLeakedProcesses();
  });

  it("lists a worker's plugin runners after its built-in ones (GET /workers), as its hello named them", async () => {
    const info = await waitForWorkerOnline(server.api, { name, details: logs });
    // docker joins the built-ins when this machine has an engine that answers.
    assert.deepEqual((info as WorkerInfo).runners?.filter((r) => r !== 'docker'), ['command', 'script', 'http', 'sleep', 'signed-webhook']);
    assert.match(worker.output(), new RegExp(`plugin runner 'sleep' loaded from ${SLEEP.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('runs a cron job of a plugin runner and stores its output, the decrypted secret it signed with masked', async () => {
    const created = await job('signed-webhook', { url: hookUrl, payload: { report: 'sales' } }, { secretEnv: { WEBHOOK_SECRET: SECRET } });
    assert.deepEqual([created.runner, created.spec], ['signed-webhook', { url: hookUrl, payload: { report: 'sales' } }], 'the spec stored as given');
    const { taskId } = await server.api.runCronJob(created.id);
    const done = await waitForTaskEnd(server.api, taskId, { timeoutMs: 30_000, details: logs });
    assert.equal(done.status, 'success', JSON.stringify(done));
    assert.equal(await server.api.taskOutput(taskId), `POST ${hookUrl}\nHTTP 200 OK\n\nsignature ok for task ${taskId}, payload {"report":"sales"}, key ***\n`);
    const shown = JSON.stringify(await server.api.getCronJob(created.id));
    assert.ok(shown.includes('"secretEnvKeys":["WEBHOOK_SECRET"]') && !shown.includes(SECRET), shown);
    assert.ok(!worker.output(100_000).includes(SECRET) && !server.process.output(100_000).includes(SECRET), 'no secret in the logs');
  });

  it('runs a one-shot task of a plugin runner and stops it through the API', async () => {
    const { taskId } = await server.api.call<{ taskId: number }>('POST', '/tasks', [202], { runner: 'sleep', spec: { seconds: 300, everySeconds: 0.2, message: 'napping' } });
    await until(taskId, (t) => t.status === 'running', 'to run');
    await waitFor(async () => (await server.api.taskOutput(taskId)).includes(' s\n'), { timeoutMs: 10_000, what: 'its first tick', details: logs });
    const res = await server.api.stopTask(taskId, 30);
    assert.equal(res.confirmed, true);
    const ended = await until(taskId, (t) => t.status === 'killed', 'to be killed');
    assert.equal(ended.signal, null);
    assert.deepEqual(ended.error, { code: 'TaskStopped', message: 'stopped by the server: stopped through the API', retryable: false });
    const output = await server.api.taskOutput(taskId);
    assert.match(output, /^napping: 300 s \(task \d+, attempt 1\)\n/);
    assert.match(output, /stopped \(grace 30000 ms\)\n$/);
  });

  it('saves a job of a runner no worker offers; its task waits, saying so', async () => {
    const created = await job('no-such-plugin', { anything: ['goes', 1] });
    const { taskId } = await server.api.runCronJob(created.id);
    const waiting = await until(taskId, (t) => t.pendingReason === "no online worker supports runner 'no-such-plugin'", 'to wait for a worker offering its runner');
    assert.equal(waiting.status, 'pending');
    await server.api.send('DELETE', `/tasks/${taskId}`, [204]);
  });

  it("fails a task whose spec the plugin's validate refuses, with the worker's InvalidSpec naming the field, and does not retry it", async () => {
    const created = await job('sleep', { seconds: 'soon' }, { retry: { maxRetries: 3, backoff: 'fixed', delaySeconds: 1 } });
    const { taskId } = await server.api.runCronJob(created.id);
    const failed = await waitForTaskEnd(server.api, taskId, { timeoutMs: 20_000, details: logs });
    assert.equal(failed.status, 'failed');
    const error = failed.error as { code?: string; message?: string } | null;
    assert.equal(error?.code, 'InvalidSpec');
    assert.match(error?.message ?? '', /^refused by worker \d+: spec\.seconds: must be a number of seconds from 0 to 86400, got "soon"$/);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual((await server.api.listTasks({ cronjobId: created.id })).items.map((t) => t.id), [taskId], 'no retry of a spec that cannot run');
  });

  it('refuses a runner name that is not one, and a plugin spec that is not a bounded object, naming the field', async () => {
    const badName = errorBody(await expectApiError(job('My Plugin', {}), 400));
    assert.match(messageText(badName), /^runner: must be a built-in runner \(command, script, docker, http\) or a plugin runner's name/);
    const deep = errorBody(await expectApiError(job('sleep', { text: 'x'.repeat(70_000) }), 400));
    assert.equal(messageText(deep), 'spec: must be at most 65536 bytes as JSON, got 70011');
  });

  it('a worker whose plugin cannot be loaded exits 2 with the reason, and never connects', async () => {
    writeFileSync(join(server.dataDir, 'half-runner.js'), "module.exports = { name: 'half' };\n");
    const cases: Array<[string, string]> = [
      ['./half-runner.js', "--plugin ./half-runner.js: runner 'half' has no start(task, io) method"],
      ['./missing-runner.js', `--plugin ./missing-runner.js: no such file: ${join(server.dataDir, 'missing-runner.js')}`],
    ];
    for (const [specifier, message] of cases) {
      const broken = startWorker(server, `broken-${randomId()}`, { extraArgs: ['--plugin', specifier] });
      procs.push(broken);
      assert.ok(await broken.waitForExit(20_000), `the worker with ${specifier} did not exit\n${broken.report()}`);
      assert.equal(broken.child.exitCode, 2, broken.report());
      assert.equal(broken.output(), `cronfleet-worker: ${message}\n`);
    }
    const names = (await server.api.listWorkers()).items.map((w) => w.name);
    assert.ok(!names.some((n) => n.startsWith('broken-')), names.join(', '));
  });
});
