// @cronfleet/client against the real server and a real worker (embedded backend): the delayed task
// per order of docs/client.md (an idempotency key, found again, cancelled), refusals read by code and
// field, a batch, and a task followed through the live events and its output. The task routes are
// stated here with defineRoute from the shared schemas until the shared contract states them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { CreateTaskBatchSchema, CreateTaskSchema, defineRoute, resource, TaskBatchAnswerSchema, TaskIdParamSchema, TaskIdSchema, TaskViewSchema } from '@cronfleet/shared';
import { createClient, isCronfleetApiError, type CronfleetApiError, type LiveEventMessage } from '@cronfleet/client';
import { assertNoLeakedProcesses, randomId, startServer, startWorker, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

/** The task routes as the shared contract will state them, from the server's own schemas. */
const id = z.object({ id: TaskIdParamSchema });
const TASK_ROUTES = {
  create: defineRoute({ method: 'POST', path: '/tasks', access: 'admin', scope: 'scoped', tag: 'tasks', summary: 'A one-shot task', body: CreateTaskSchema, status: 202, result: TaskIdSchema }),
  createBatch: defineRoute({ method: 'POST', path: '/tasks/batch', access: 'admin', scope: 'scoped', tag: 'tasks', summary: 'Tasks in one request', body: CreateTaskBatchSchema, status: 200, result: TaskBatchAnswerSchema }),
  get: defineRoute({ method: 'GET', path: '/tasks/:id', access: 'viewer', scope: resource('task'), tag: 'tasks', summary: 'A task', params: id, status: 200, result: TaskViewSchema }),
  cancel: defineRoute({ method: 'DELETE', path: '/tasks/:id', access: 'operator', scope: resource('task'), tag: 'tasks', summary: 'Cancel a task', params: id, status: 204 }),
};

describe('@cronfleet/client against the real server', { timeout: 120_000 }, () => {
  let server: TestServer;
  let worker: TestProcess | undefined;
  const tag = randomId();
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  const client = () => createClient({ baseUrl: `${server.url}/api/v1`, token: server.adminToken, routes: { tasks: TASK_ROUTES } });
  const echo = (text: string) => ({ runner: 'command', spec: { command: 'echo', args: [text] } });

  before(async () => {
    server = await startServer({ backend: 'embedded' });
    worker = startWorker(server, `client-${tag}`);
    await waitForWorkerOnline(server.api, { name: `client-${tag}`, details: logs });
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('enqueues a delayed task per order once, finds it by its key, and cancels it when the order is paid', async () => {
    const api = client();
    const order = { runner: 'http', spec: { url: 'http://127.0.0.1:9/orders/42/expire', method: 'POST' }, delaySeconds: 1800, idempotencyKey: `shop:order-${tag}:expire` };
    const first = await api.enqueue(order);
    const again = await api.enqueue(order);
    assert.deepEqual([first.created, again.created, again.taskId], [true, false, first.taskId]);
    const pending = await api.tasks.get({ params: { id: first.taskId } });
    assert.deepEqual([pending.status, pending.idempotencyKey], ['pending', order.idempotencyKey]);
    assert.equal(await api.tasks.cancel({ params: { id: first.taskId } }), undefined);
    assert.equal((await api.tasks.get({ params: { id: first.taskId } })).status, 'cancelled');
    const twice = await refusal(api.tasks.cancel({ params: { id: first.taskId } }));
    assert.deepEqual([twice.status, twice.code, twice.retryable], [409, 'TaskNotRunning', false]);
    const missing = await refusal(api.tasks.get({ params: { id: 999_999 } }));
    assert.deepEqual([missing.status, missing.code], [404, 'TaskNotFound']);
  });

  it('reads a refusal by code and field, and a batch item by item', async () => {
    const api = client();
    const bad = await refusal(api.tasks.create({ body: { runner: 'command', spec: { args: ['x'] } } }));
    assert.deepEqual([bad.status, bad.code, bad.field], [400, 'ValidationFailed', 'spec.command']);
    const { items } = await api.enqueueBatch([echo(`batch-${tag}`), { runner: 'command', spec: {} }]);
    assert.ok('taskId' in items[0] && items[0].created);
    assert.deepEqual('error' in items[1] && [items[1].error.code, items[1].error.field], ['ValidationFailed', 'tasks.1.spec.command']);
    const atomic = await refusal(api.enqueueBatch([echo('a'), { runner: 'command', spec: {} }], { atomic: true }));
    assert.deepEqual([atomic.status, atomic.field], [400, 'tasks.1.spec.command']);
  });

  it("sees a task's run in the live events and follows its output to its end", async () => {
    const api = client();
    const ctl = new AbortController();
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    let taskId = 0;
    const seen: LiveEventMessage[] = [];
    const watching = (async () => {
      for await (const e of api.events({ signal: ctl.signal, type: 'task.', onOpen: () => open() })) {
        // All are kept: task.created may come before the answer that gives the task's id.
        seen.push(e);
        if (e.event === 'task.finished' && e.data.taskId === taskId) return;
      }
    })();
    await opened;
    taskId = (await api.enqueue(echo(`live-${tag}`))).taskId;
    const output: string[] = [];
    let status = '';
    for await (const e of api.followOutput(taskId)) {
      if (e.event === 'output') output.push(e.data.data);
      else status = e.data.status;
    }
    await watching;
    ctl.abort();
    assert.deepEqual([output.join(''), status], [`live-${tag}\n`, 'success']);
    const order = seen.filter((e) => 'taskId' in e.data && e.data.taskId === taskId && e.event !== 'task.output').map((e) => e.event);
    assert.deepEqual(order, ['task.created', 'task.started', 'task.finished'], logs());
  });
});

async function refusal(p: Promise<unknown>): Promise<CronfleetApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isCronfleetApiError(e), `not a CronfleetApiError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a refusal');
}
