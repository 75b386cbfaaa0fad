// One owner for a task's life, end to end: a real server, a real worker process and a forger holding
// the shared worker token. A report for a task the forger was never given changes nothing and causes
// nothing (no chain, no webhook, no live event); the real worker's reports still take effect once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { ApiError, assertNoLeakedProcesses, sayWorkerHello, expectApiError, randomId, startServer, startWorker, waitFor, waitForTaskEnd, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

interface Live {
  type: string;
  data: { taskId?: number; workerId?: number; status?: string; cronjobId?: number | null };
}

/** A socket that said hello as a worker of its own, as anyone holding the worker token can. */
async function forger(server: TestServer, name: string): Promise<{ socket: Socket; workerId: number }> {
  const { ack, socket } = await sayWorkerHello(server, { name, hostname: 'forger', labels: { pool: 'forgers' } });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  return { socket, workerId: ack.workerId! };
}

for (const backend of ['mysql', 'embedded'] as const) {
  describe(`task lifecycle against a forger on the ${backend} backend`, { timeout: 180_000 }, () => {
    let server: TestServer;
    let worker: TestProcess;
    let receiver: Server;
    let hookUrl = '';
    const hooks: { event: string; taskId: number }[] = [];
    const live: Live[] = [];
    let events: Socket;
    const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');

    before(async () => {
      receiver = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event: string; task: { id: number } };
          hooks.push({ event: body.event, taskId: body.task.id });
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      server = await startServer({ backend });
      worker = startWorker(server, `e2e-life-${randomId()}`, { labels: { pool: 'real' } });
      await waitForWorkerOnline(server.api, { details: logs });
      events = io(`${server.url}/events`, { auth: { token: server.adminToken }, transports: ['websocket'], reconnection: false, forceNew: true });
      events.on('event', (e: Live) => live.push(e));
      assert.deepEqual(await events.timeout(10_000).emitWithAck('subscribe', {}), { ok: true });
    });
    after(async () => {
      events?.disconnect();
      await worker?.stop();
      await server?.stop();
      await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
      assertNoLeakedProcesses();
    });

    it('changes nothing and fires no chain, webhook or live event for results of tasks the reporter was not given', async () => {
      const child = await server.api.createCronJob({ name: `child-${randomId()}`, schedule: '0 0 1 1 *', enabled: false, runner: 'command', spec: { command: 'true' } });
      const notify = [{ on: ['success', 'failure'], webhook: { url: hookUrl } }];
      const triggers = { onSuccess: [child.name], onFailure: [child.name] };
      const running = await server.api.createCronJob({ name: `long-${randomId()}`, schedule: '0 0 1 1 *', enabled: false, runner: 'command', spec: { command: 'sh', args: ['-c', 'sleep 4'] }, notify, triggers } as never);
      const waiting = await server.api.createCronJob({ name: `stuck-${randomId()}`, schedule: '0 0 1 1 *', enabled: false, runner: 'command', spec: { command: 'true' }, workerSelector: { labels: { pool: 'nobody' } }, notify, triggers } as never);
      const { taskId: runningId } = await server.api.runCronJob(running.id);
      const { taskId: pendingId } = await server.api.runCronJob(waiting.id);
      await waitFor(async () => (await server.api.getTask(runningId)).status === 'running', { timeoutMs: 20_000, what: 'the real task running', details: logs });

      const { socket, workerId: forgerId } = await forger(server, `forger-${randomId()}`);
      try {
        const now = Date.now();
        const ack = (await socket.timeout(10_000).emitWithAck('task:updates', {
          updates: [
            { taskId: pendingId, status: 'running', atMs: now },
            { taskId: pendingId, status: 'success', atMs: now, exitCode: 0 },
            { taskId: runningId, status: 'success', atMs: now, exitCode: 0 },
            { taskId: runningId, status: 'failed', atMs: now, exitCode: 1 },
            { taskId: 987_654_321, status: 'success', atMs: now, exitCode: 0 },
          ],
        })) as { recorded: boolean[]; refusals?: ({ code: string; retryable: boolean } | null)[] };
        assert.deepEqual(ack.recorded, [false, false, false, false, false]);
        assert.deepEqual(ack.refusals?.map((r) => r?.code), ['TaskNotYours', 'TaskNotYours', 'TaskNotYours', 'TaskNotYours', 'UnknownTask']);
        assert.ok(ack.refusals?.every((r) => r?.retryable === false), 'the forger is told not to try again');
        const out = (await socket.timeout(10_000).emitWithAck('task:outputs', { outputs: [{ taskId: runningId, seq: 0, data: 'FORGED OUTPUT\n' }] })) as { stored: boolean[] };
        assert.deepEqual(out.stored, [false]);
      } finally {
        socket.disconnect();
      }
      await sleep(1500);
      assert.equal((await server.api.getTask(pendingId)).status, 'pending');
      const real = await server.api.getTask(runningId);
      assert.equal(real.status, 'running', 'the real worker\'s task keeps running');
      assert.deepEqual((await server.api.listTasks({ cronjobId: child.id })).items, [], 'no chained task');
      assert.deepEqual(hooks, [], 'no webhook');
      const forged = live.filter((e) => (e.type.startsWith('task.') && e.data.workerId === forgerId) || ((e.type === 'task.finished' || e.type === 'task.started') && e.data.taskId === pendingId));
      assert.deepEqual(forged, [], 'no live event of the forged reports');

      // The real end still takes effect, once.
      const ended = await waitForTaskEnd(server.api, runningId, { timeoutMs: 20_000, details: logs });
      assert.equal(ended.status, 'success');
      assert.doesNotMatch(await server.api.taskOutput(runningId), /FORGED/);
      await waitFor(async () => (await server.api.listTasks({ cronjobId: child.id })).items.length === 1, { timeoutMs: 15_000, what: 'the chained task', details: logs });
      await waitFor(() => hooks.length === 1, { timeoutMs: 15_000, what: 'the success webhook', details: logs });
      assert.deepEqual(hooks, [{ event: 'success', taskId: runningId }]);
      await sleep(500);
      assert.equal(live.filter((e) => e.type === 'task.finished' && e.data.taskId === runningId).length, 1, 'one task.finished');
      await server.api.call('DELETE', `/tasks/${pendingId}`, [204]);
    });

    const retry = (id: number) => server.api.call<{ taskId: number }>('POST', `/tasks/${id}/retry`, [202]);

    it('answers a double or parallel retry with 409 naming the attempt that exists, never a 5xx', async () => {
      const job = await server.api.createCronJob({ name: `retry-${randomId()}`, schedule: '0 0 1 1 *', enabled: false, runner: 'command', spec: { command: 'sh', args: ['-c', 'sleep 1; exit 1'] } });
      const { taskId } = await server.api.runCronJob(job.id);
      assert.equal((await waitForTaskEnd(server.api, taskId, { timeoutMs: 20_000, details: logs })).status, 'failed');
      const answers = await Promise.allSettled([1, 2, 3, 4, 5].map(() => retry(taskId)));
      const made = answers.filter((a) => a.status === 'fulfilled');
      assert.equal(made.length, 1, JSON.stringify(answers));
      for (const a of answers) {
        if (a.status === 'fulfilled') continue;
        const e = a.reason as ApiError;
        assert.equal(e.status, 409, e.message);
        assert.match(e.text, /RetryExists/);
      }
      const second = (made[0] as PromiseFulfilledResult<{ taskId: number }>).value.taskId;
      assert.equal((await waitForTaskEnd(server.api, second, { timeoutMs: 20_000, details: logs })).attempt, 2);
      // The first attempt again: its run's latest is attempt 2, so the retry is attempt 3.
      const { taskId: third } = await retry(taskId);
      assert.equal((await server.api.getTask(third)).attempt, 3);
      const again = await expectApiError(retry(taskId), 409);
      assert.match(again.text, /attempt 3 \(task \d+\)/);
    });
  });
}
