// POST /tasks/batch end to end, with a real worker: each item answered on its own and in order, the
// atomic form all or nothing, idempotency keys within and across batches, roles and namespace scope
// as for one task, and the tasks made run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiError,
  assertNoLeakedProcesses,
  errorBody,
  expectApiError,
  messageText,
  randomId,
  startServer,
  startWorker,
  type TestProcess,
  type TestServer,
  waitForTaskEnd,
  waitForWorkerOnline,
} from './helpers';

type Item = { taskId: number; created: boolean } | { error: { code: string; message: string; field: string | null } };

for (const backend of ['embedded', 'mysql'] as const) {
  describe(`POST /tasks/batch on the ${backend} backend`, { timeout: 120_000 }, () => {
    let server: TestServer;
    let worker: TestProcess | undefined;
    const tag = randomId();
    const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
    const batch = (body: unknown, api = server.api) => api.call<{ items: Item[] }>('POST', '/tasks/batch', [200], body);
    const echo = (text: string, extra: Record<string, unknown> = {}) => ({ runner: 'command', spec: { command: 'echo', args: [text] }, ...extra });

    before(async () => {
      server = await startServer({ backend });
      worker = startWorker(server, `batch-${tag}`);
      await waitForWorkerOnline(server.api, { name: `batch-${tag}`, details: logs });
    });
    after(async () => {
      await worker?.stop();
      await server?.stop();
      assertNoLeakedProcesses();
    });

    it('answers every item in order, a bad one with its error naming the field, and runs the tasks made', async () => {
      const { items } = await batch({
        tasks: [
          echo('one'),
          { runner: 'command', spec: {} },
          echo('two', { namespace: `nowhere-${tag}` }),
          'not a task',
          echo('three', { delaySeconds: -1 }),
          echo('four'),
        ],
      });
      assert.equal(items.length, 6);
      const [one, noCommand, nowhere, notATask, negative, four] = items;
      assert.ok('taskId' in one && one.created && 'taskId' in four && four.created);
      assert.deepEqual('error' in noCommand && [noCommand.error.code, noCommand.error.field], ['ValidationFailed', 'tasks.1.spec.command']);
      assert.deepEqual('error' in nowhere && [nowhere.error.code, nowhere.error.field], ['ValidationFailed', 'tasks.2.namespace']);
      assert.match('error' in nowhere ? nowhere.error.message : '', /no namespace 'nowhere-/);
      assert.deepEqual('error' in notATask && notATask.error.field, 'tasks.3');
      assert.deepEqual('error' in negative && [negative.error.field, negative.error.message], ['tasks.4.delaySeconds', 'tasks.4.delaySeconds: must be at least 0']);
      for (const [made, text] of [[one, 'one'], [four, 'four']] as const) {
        const id = (made as { taskId: number }).taskId;
        const t = await waitForTaskEnd(server.api, id, { timeoutMs: 30_000, details: logs });
        assert.equal(t.status, 'success');
        assert.equal(await server.api.taskOutput(id), `${text}\n`);
      }
    });

    it('holds idempotency keys within a batch and across batches, and keeps delayed tasks waiting', async () => {
      const key = `key-${tag}`;
      const first = await batch({ tasks: [echo('a', { idempotencyKey: key, delaySeconds: 3600 }), echo('b', { idempotencyKey: key, delaySeconds: 3600 })] });
      const [a, b] = first.items as { taskId: number; created: boolean }[];
      assert.deepEqual([a.created, b.created, b.taskId], [true, false, a.taskId]);
      const again = await batch({ tasks: [echo('c', { idempotencyKey: key })] });
      assert.deepEqual(again.items, [{ taskId: a.taskId, created: false }]);
      assert.equal((await server.api.getTask(a.taskId)).status, 'pending');
    });

    it('atomic: makes all or none, answering the first refusal', async () => {
      const before = (await server.api.listTasks({ limit: 200 })).items.length;
      const e = await expectApiError(batch({ atomic: true, tasks: [echo('x', { delaySeconds: 3600 }), echo('y', { namespace: `nowhere-${tag}`, delaySeconds: 3600 })] }), 400);
      assert.match(messageText(errorBody(e)), /^tasks\.1\.namespace: no namespace/);
      const invalid = await expectApiError(batch({ atomic: true, tasks: [echo('x'), { runner: 'command' }] }), 400);
      assert.match(messageText(errorBody(invalid)), /^tasks\.1\.spec: /);
      assert.equal((await server.api.listTasks({ limit: 200 })).items.length, before, 'nothing was made');
      const ok = await batch({ atomic: true, tasks: [echo('x', { delaySeconds: 3600 }), echo('y', { delaySeconds: 3600 })] });
      assert.ok(ok.items.every((i) => 'taskId' in i && i.created));
    });

    it('takes 1,000 tasks in one request and refuses 1,001 or none naming the field', async () => {
      const many = Array.from({ length: 1000 }, (_, i) => echo(`n${i}`, { delaySeconds: 3600, idempotencyKey: `many-${tag}-${i}` }));
      const { items } = await batch({ tasks: many });
      const ids = items.map((i) => (i as { taskId: number }).taskId);
      assert.equal(new Set(ids).size, 1000);
      const sample = await server.api.call<{ idempotencyKey: string; status: string }>('GET', `/tasks/${ids[737]}`, [200]);
      assert.deepEqual([sample.idempotencyKey, sample.status], [`many-${tag}-737`, 'pending'], 'each item got its own id');
      assert.match(messageText(errorBody(await expectApiError(batch({ tasks: [...many, echo('over')] }), 400))), /^tasks: must hold at most 1000 tasks/);
      assert.match(messageText(errorBody(await expectApiError(batch({ tasks: [] }), 400))), /^tasks: must hold at least one task/);
      assert.match(messageText(errorBody(await expectApiError(batch({ tasks: [echo('z')], extra: 1 }), 400))), /extra: unknown field/);
    });

    it('needs an admin, as one task does, and keeps a scoped token in its namespace', async () => {
      const operator = await server.api.withNewToken({ name: `op-${tag}`, role: 'operator' });
      const refused = await expectApiError(batch({ tasks: [echo('x')] }, operator), 403);
      assert.ok(refused instanceof ApiError);
      const ns = `team-${tag}`;
      await server.api.call('POST', '/namespaces', [201], { name: ns });
      const scoped = await server.api.withNewToken({ name: `scoped-${tag}`, role: 'admin', namespace: ns });
      const { items } = await batch({ tasks: [echo('mine', { delaySeconds: 3600 }), echo('theirs', { namespace: 'default', delaySeconds: 3600 })] }, scoped);
      const mine = items[0] as { taskId: number };
      assert.equal((await server.api.getTask(mine.taskId)).namespace, ns);
      assert.deepEqual('error' in items[1] && [items[1].error.code, items[1].error.field], ['OutsideNamespace', 'tasks.1.namespace']);

      // A key taken in another namespace is refused, never answered with that namespace's task.
      const key = `shared-key-${tag}`;
      const { taskId: theirs } = await server.api.call<{ taskId: number }>('POST', '/tasks', [202], echo('default', { idempotencyKey: key, delaySeconds: 3600 }));
      const taken = await expectApiError(scoped.call('POST', '/tasks', [200, 202], echo('mine', { idempotencyKey: key, delaySeconds: 3600 })), 409);
      assert.equal((taken.json() as { code: string }).code, 'IdempotencyKeyTaken');
      assert.doesNotMatch(taken.message, new RegExp(`\\b${theirs}\\b`));
      const inBatch = await batch({ tasks: [echo('mine', { idempotencyKey: key, delaySeconds: 3600 })] }, scoped);
      assert.deepEqual('error' in inBatch.items[0] && [inBatch.items[0].error.code, inBatch.items[0].error.field], ['IdempotencyKeyTaken', 'tasks.0.idempotencyKey']);
    });
  });
}
