// The server's own timeout: when the worker running a task goes silent (here: frozen with SIGSTOP,
// so it can neither enforce the timeout nor report), the leader's watchdog ends the task as
// `timeout` shortly after timeoutSeconds, instead of leaving it `running` forever. Heartbeats are
// set 30 s apart here, so the frozen worker is not declared offline (its task lost) first.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_ID, assertNoLeakedProcesses, randomId, startServer, startWorker, waitFor, type Task, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

describe('the server watchdog on the embedded backend', { timeout: 90_000 }, () => {
  let server: TestServer | undefined;
  let worker: TestProcess | undefined;
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');

  before(async () => {
    server = await startServer({ backend: 'embedded', env: { CRONFLEET_HEARTBEAT_SECONDS: '30' } });
    worker = startWorker(server, `e2e-frozen-${randomId()}`);
    await waitForWorkerOnline(server!.api, { timeoutMs: 15_000, details: logs });
  });
  after(async () => {
    worker?.child.kill('SIGCONT');
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('times out a task whose worker froze, about 15 s after its timeoutSeconds', async () => {
    const job = await server!.api.createCronJob({
      name: `frozen-${randomId()}`,
      schedule: '0 0 1 1 *',
      runner: 'command',
      spec: { command: 'sh', args: ['-c', 'sleep 60', RUN_ID] },
      timeoutSeconds: 1,
    });
    const { taskId } = await server!.api.runCronJob(job.id);
    await waitFor(async () => (await server!.api.getTask(taskId)).status === 'running', { timeoutMs: 10_000, what: 'the task running', details: logs });
    worker!.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    const t: Task = await waitFor(
      async () => {
        const task = await server!.api.getTask(taskId);
        return task.status !== 'running' && task;
      },
      { timeoutMs: 40_000, what: 'the watchdog to end the task', details: logs },
    );
    assert.equal(t.status, 'timeout');
    assert.match(JSON.stringify(t.error), /WatchdogTimeout/);
    const waited = Date.now() - frozenAt;
    assert.ok(waited < 30_000, `the watchdog took ${waited} ms`);
    // Thawed, the worker enforces its own timeout and kills the process group (checked by the leak guard).
    worker!.child.kill('SIGCONT');
  });
});
