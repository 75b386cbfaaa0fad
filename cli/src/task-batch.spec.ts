import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, EXIT } from './cli-error';
import type { Api } from './client';
import { sendTaskBatches, withDefaults, withinTask, type TaskBatchOutcome } from './task-batch';
import type { TaskFileEntry } from './task-file';

describe('withinTask', () => {
  it("words an item's error for the task itself: the request's tasks.<i> prefix goes", () => {
    assert.deepEqual(withinTask({ code: 'ValidationFailed', message: 'tasks.3.spec.command: must be a string; tasks.3.priority: too big', field: 'tasks.3.spec.command' }, 3), {
      code: 'ValidationFailed',
      message: 'spec.command: must be a string; priority: too big',
      field: 'spec.command',
    });
    assert.deepEqual(withinTask({ code: 'ValidationFailed', message: 'tasks.12: must be an object', field: 'tasks.12' }, 12), { code: 'ValidationFailed', message: 'must be an object', field: null });
  });

  it('leaves a message about something else as it is', () => {
    const quota = { code: 'NamespaceQuotaExceeded', message: "namespace 'a' is full (tasks.1 is not named)", field: null };
    assert.deepEqual(withinTask(quota, 1), quota);
    assert.deepEqual(withinTask({ code: 'X', message: 'tasks.10.spec: bad', field: 'tasks.10.spec' }, 1), { code: 'X', message: 'tasks.10.spec: bad', field: 'tasks.10.spec' });
  });
});

describe('withDefaults', () => {
  const defaults = { namespace: 'team-a', delaySeconds: 60, timeoutSeconds: 30, priority: undefined };

  it("puts the defaults under a task's own fields", () => {
    assert.deepEqual(withDefaults({ runner: 'command', spec: {}, timeoutSeconds: 5 }, defaults), { namespace: 'team-a', delaySeconds: 60, timeoutSeconds: 5, runner: 'command', spec: {} });
  });

  it('keeps a task that gives its own time from getting a second one', () => {
    assert.deepEqual(withDefaults({ runAt: '2030-01-01T00:00:00Z' }, defaults), { namespace: 'team-a', timeoutSeconds: 30, runAt: '2030-01-01T00:00:00Z' });
    assert.deepEqual(withDefaults({ delaySeconds: 0 }, { runAt: '2030-01-01T00:00:00Z' }), { delaySeconds: 0 });
  });

  it('sends what is not an object as it is, for the server to refuse', () => {
    assert.equal(withDefaults('x', defaults), 'x');
    assert.deepEqual(withDefaults([1], defaults), [1]);
    assert.equal(withDefaults(null, defaults), null);
  });
});

describe('sendTaskBatches', () => {
  // A stand-in for the server's POST /tasks/batch (the e2e tier runs the real one): it makes every
  // task, and refuses a request of more than `maxTasks` as a real server refuses a body too large.
  function fakeServer(maxTasks: number) {
    const requests: number[] = [];
    let next = 1;
    const client = {
      tasks: {
        createBatch: async ({ body }: { body: { tasks: unknown[] } }) => {
        requests.push(body.tasks.length);
        if (body.tasks.length > maxTasks) {
          throw new CliError(EXIT.refused, 'too large', { status: 413, code: 'BodyTooLarge', message: 'body: more than the limit' });
        }
        return { items: body.tasks.map(() => ({ taskId: next++, created: true })) };
        },
      },
    } as unknown as Api;
    return { client, requests };
  }
  const entries = (n: number): TaskFileEntry[] => Array.from({ length: n }, (_, i) => ({ at: { line: i + 1 }, body: {} }));

  it('sends at most 1000 tasks per request, and answers them in file order', async () => {
    const { client, requests } = fakeServer(Infinity);
    const out: TaskBatchOutcome[] = [];
    await sendTaskBatches(client, entries(2500), false, 'f', (o) => out.push(...o));
    assert.deepEqual(requests, [1000, 1000, 500]);
    assert.deepEqual(out.map((o) => ('line' in o ? o.line : -1)), Array.from({ length: 2500 }, (_, i) => i + 1));
  });

  it('sends a request the server finds too large again in halves, and a task too large alone is its error', async () => {
    const { client, requests } = fakeServer(2);
    const out: TaskBatchOutcome[] = [];
    await sendTaskBatches(client, entries(5), false, 'f', (o) => out.push(...o));
    assert.deepEqual(requests, [5, 3, 2, 1, 2]);
    assert.equal(out.length, 5);
    assert.ok(out.every((o) => 'taskId' in o));

    const tiny = fakeServer(0);
    const refused: TaskBatchOutcome[] = [];
    await sendTaskBatches(tiny.client, entries(1), false, 'f', (o) => refused.push(...o));
    assert.deepEqual(refused, [{ line: 1, error: { code: 'BodyTooLarge', message: 'body: more than the limit', field: null } }]);
  });

  it('does not split an atomic batch', async () => {
    const { client, requests } = fakeServer(2);
    await assert.rejects(sendTaskBatches(client, entries(3), true, 'f', () => undefined), (e: unknown) => e instanceof CliError && /--atomic: no task was made/.test(e.message));
    assert.deepEqual(requests, [3]);
  });
});
