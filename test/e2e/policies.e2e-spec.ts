// Scheduling policies end to end on the real server and a real worker: concurrency (forbid), retries
// with backoff, timeouts, one-shot delayed tasks (idempotency, cancel), the cluster-wide pause with
// the misfire policy applied on resume, and schedule previews.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoLeakedProcesses,
  errorBody,
  expectApiError,
  messageText,
  randomId,
  startServer,
  startWorker,
  waitFor,
  type CreateCronJobWithPolicies,
  type CronJob,
  type Task,
  type TestProcess,
  type TestServer,
  waitForTaskEnd, waitForWorkerOnline } from './helpers';

const backend = (process.env.CRONFLEET_E2E_BACKEND as 'embedded' | 'mysql' | undefined) ?? 'mysql';

describe(`scheduling policies on the ${backend} backend`, { timeout: 180_000 }, () => {
  let server: TestServer | undefined;
  let worker: TestProcess | undefined;
  const srv = (): TestServer => {
    assert.ok(server, 'the server did not start (see before)');
    return server;
  };
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  const tasksOf = async (cronjobId: number): Promise<Task[]> => (await srv().api.listTasks({ cronjobId, limit: 500 })).items;
  const job = (input: Partial<CreateCronJobWithPolicies> & { args: string[] }): Promise<CronJob> => {
    const { args, ...rest } = input;
    return srv().api.createCronJob({ name: `p-${randomId()}`, schedule: '0 0 1 1 *', runner: 'command', spec: { command: 'sh', args: ['-c', ...args] }, ...rest });
  };
  const waitForEnd = (id: number, timeoutMs = 20_000): Promise<Task> => waitForTaskEnd(srv().api, id, { timeoutMs, details: logs });

  before(async () => {
    server = await startServer({ backend });
    worker = startWorker(server, `e2e-policies-${randomId()}`, { capacity: 8 });
    await waitForWorkerOnline(srv().api, { timeoutMs: 15_000, details: logs });
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('skips a due time while the previous task of a forbid job still runs, recording why, and never overlaps', async () => {
    const j = await job({ schedule: '@every 1s', concurrencyPolicy: 'forbid', args: ['sleep 2.2'] });
    assert.equal(j.concurrencyPolicy, 'forbid');
    const skipped = await waitFor(async () => (await tasksOf(j.id)).find((t) => t.status === 'skipped'), { timeoutMs: 15_000, what: 'a skipped task', details: logs });
    assert.match(JSON.stringify(skipped.error), /ConcurrencyForbidden/);
    await srv().api.updateCronJob(j.id, { enabled: false });
    const ran = (await tasksOf(j.id)).filter((t) => t.status !== 'skipped' && t.startedAt);
    for (const a of ran) {
      for (const b of ran) {
        if (a.id === b.id || !a.finishedAt || !b.finishedAt) continue;
        const overlap = Date.parse(a.startedAt!) < Date.parse(b.finishedAt) && Date.parse(b.startedAt!) < Date.parse(a.finishedAt);
        assert.ok(!overlap, `tasks ${a.id} and ${b.id} of a forbid job overlapped`);
      }
    }
  });

  it('retries a failing task with its backoff as new attempts, each a task of its own', async () => {
    const j = await job({ retry: { maxRetries: 2, backoff: 'fixed', delaySeconds: 1, jitter: false }, args: ['exit 3'] });
    const { taskId } = await srv().api.runCronJob(j.id);
    const attempts = await waitFor(
      async () => {
        const ts = (await tasksOf(j.id)).sort((a, b) => a.attempt - b.attempt);
        return ts.length === 3 && ts.every((t) => t.status === 'failed') && ts;
      },
      { timeoutMs: 30_000, what: 'three failed attempts', details: logs },
    );
    assert.deepEqual(attempts.map((t) => t.attempt), [1, 2, 3]);
    assert.equal(attempts[0].id, taskId);
    assert.deepEqual(attempts.slice(1).map((t) => t.trigger), ['retry', 'retry']);
    assert.deepEqual(attempts.slice(1).map((t) => t.retryOf), [attempts[0].id, attempts[1].id]);
    for (let i = 1; i < 3; i++) {
      const gap = Date.parse(attempts[i].startedAt!) - Date.parse(attempts[i - 1].finishedAt!);
      assert.ok(gap >= 900, `retry ${i} started ${gap} ms after the failure, before its 1 s delay`);
    }
    assert.equal(attempts[2].exitCode, 3);
  });

  it('times a task out after timeoutSeconds and kills it, its error naming the limit', async () => {
    const j = await job({ timeoutSeconds: 1, args: ['sleep 20'] });
    const { taskId } = await srv().api.runCronJob(j.id);
    const t = await waitForEnd(taskId);
    assert.equal(t.status, 'timeout', JSON.stringify(t));
    assert.deepEqual(t.error, { code: 'TaskTimeout', message: 'timed out after 1 s (timeoutSeconds)', retryable: true });
  });

  it('runs a delayed one-shot task at its time, returns the same task for a repeated idempotency key, and cancels another', async () => {
    const key = `order-${randomId()}`;
    const body = { runner: 'command', spec: { command: 'echo', args: ['delayed'] }, delaySeconds: 2, idempotencyKey: key };
    const before = Date.now();
    const first = await srv().api.call<{ taskId: number }>('POST', '/tasks', [202], body);
    const again = await srv().api.call<{ taskId: number }>('POST', '/tasks', [200], body);
    assert.equal(again.taskId, first.taskId, 'same idempotency key, same task');
    const doomed = await srv().api.call<{ taskId: number }>('POST', '/tasks', [202], { ...body, idempotencyKey: undefined, delaySeconds: 3 });
    await srv().api.call('DELETE', `/tasks/${doomed.taskId}`, [204]);

    const t = await waitForEnd(first.taskId);
    assert.equal(t.status, 'success', JSON.stringify(t));
    assert.ok(Date.parse(t.startedAt!) >= before + 1900, `started ${Date.parse(t.startedAt!) - before} ms after the request, before its delay`);
    assert.equal(await srv().api.taskOutput(first.taskId), 'delayed\n');
    assert.equal((await srv().api.getTask(doomed.taskId)).status, 'cancelled');
    await expectApiError(srv().api.call('DELETE', `/tasks/${first.taskId}`, [204]), 409);
    const bad = await expectApiError(srv().api.call('POST', '/tasks', [202], { runner: 'command', spec: { command: 'x' }, runAt: 'tomorrow' }), 400);
    assert.match(messageText(errorBody(bad)), /runAt/);
  });

  it('pauses dispatch cluster-wide and, on resume, runs a missed due time once (runOnce) and none for skip', async () => {
    const status = await srv().api.call<{ leader: string; instanceId: string; isLeader: boolean; heapSize: number }>('GET', '/scheduler', [200]);
    assert.equal(status.leader, status.instanceId);
    assert.equal(status.isLeader, true);
    const once = await job({ schedule: '@every 1s', misfirePolicy: 'runOnce', args: ['true'] });
    const skip = await job({ schedule: '@every 1s', misfirePolicy: 'skip', args: ['true'] });
    await waitFor(async () => (await tasksOf(once.id)).length > 0 && (await tasksOf(skip.id)).length > 0, { timeoutMs: 10_000, what: 'first runs', details: logs });

    const paused = await srv().api.call<{ paused: boolean }>('POST', '/scheduler/stop', [200]);
    assert.equal(paused.paused, true);
    const countAt = async () => ({ once: (await tasksOf(once.id)).length, skip: (await tasksOf(skip.id)).length });
    await new Promise((r) => setTimeout(r, 500)); // let a tick in flight settle
    const atPause = await countAt();
    await new Promise((r) => setTimeout(r, 3500));
    assert.deepEqual(await countAt(), atPause, 'no task is created while paused');

    await srv().api.call('POST', '/scheduler/start', [200]);
    await waitFor(async () => (await countAt()).once > atPause.once, { timeoutMs: 10_000, what: 'runs after resume', details: logs });
    await srv().api.updateCronJob(once.id, { enabled: false });
    await srv().api.updateCronJob(skip.id, { enabled: false });
    const catchUps = (ts: Task[]) => ts.filter((t) => t.trigger === 'misfire').length;
    const onceTasks = await tasksOf(once.id);
    const skipTasks = await tasksOf(skip.id);
    assert.equal(catchUps(onceTasks), 1, `runOnce: exactly one catch-up run for the paused due times\n${JSON.stringify(onceTasks.map((t) => [t.scheduledAt, t.trigger]))}`);
    assert.equal(catchUps(skipTasks), 0, 'skip: no run for the paused due times');
    assert.equal(new Set(onceTasks.map((t) => t.scheduledAt)).size, onceTasks.length, 'no due time twice');
  });

  it('kills the running task of a replace job when its next due time comes, then starts the new one', async () => {
    const j = await job({ schedule: '@every 2s', concurrencyPolicy: 'replace', args: ['sleep 30'] });
    const replaced = await waitFor(async () => (await tasksOf(j.id)).find((t) => t.status === 'killed'), { timeoutMs: 15_000, what: 'a replaced (killed) task', details: logs });
    await srv().api.updateCronJob(j.id, { enabled: false });
    const later = (await tasksOf(j.id)).filter((t) => Date.parse(t.scheduledAt!) > Date.parse(replaced.scheduledAt!));
    assert.ok(later.length > 0, 'a newer task took its place');
    for (const t of (await tasksOf(j.id)).filter((x) => x.status === 'running')) await srv().api.killTask(t.id);
  });

  it('runs each missed due time, at most catchUpLimit, after a pause with catchUp', async () => {
    const j = await job({ schedule: '@every 1s', misfirePolicy: 'catchUp', catchUpLimit: 2, args: ['true'] });
    await waitFor(async () => (await tasksOf(j.id)).length > 0, { timeoutMs: 10_000, what: 'a first run', details: logs });
    await srv().api.call('POST', '/scheduler/stop', [200]);
    await new Promise((r) => setTimeout(r, 4000));
    await srv().api.call('POST', '/scheduler/start', [200]);
    await waitFor(async () => (await tasksOf(j.id)).some((t) => t.trigger === 'misfire'), { timeoutMs: 10_000, what: 'catch-up runs', details: logs });
    await srv().api.updateCronJob(j.id, { enabled: false });
    const catchUps = (await tasksOf(j.id)).filter((t) => t.trigger === 'misfire');
    assert.equal(catchUps.length, 2, `catchUp with limit 2: ${JSON.stringify(catchUps.map((t) => t.scheduledAt))}`);
    const times = (await tasksOf(j.id)).map((t) => t.scheduledAt);
    assert.equal(new Set(times).size, times.length, 'no due time twice');
  });

  it('previews schedules in a time zone and refuses one that can never fire', async () => {
    const q = new URLSearchParams({ schedule: '30 2 * * *', timezone: 'America/New_York', from: '2026-03-07T12:00:00Z', count: '3' });
    const { next } = await srv().api.call<{ next: string[] }>('GET', `/schedules/preview?${q}`, [200]);
    // 02:30 on 2026-03-08 does not exist (02:00 -> 03:00 EDT): it runs once, right after the gap.
    assert.deepEqual(next, ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
    const never = await expectApiError(srv().api.call('GET', `/schedules/preview?${new URLSearchParams({ schedule: '0 0 30 2 *' })}`, [200]), 400);
    assert.match(messageText(errorBody(never)), /never/);
    const tooMany = await expectApiError(srv().api.call('GET', `/schedules/preview?${new URLSearchParams({ schedule: '* * * * *', count: '101' })}`, [200]), 400);
    assert.match(messageText(errorBody(tooMany)), /count/);
    const j = await job({ schedule: '*/10 * * * *', timezone: 'Europe/Berlin', args: ['true'] });
    const { next: jobNext } = await srv().api.call<{ next: string[] }>('GET', `/cronjobs/${j.id}/next?count=2`, [200]);
    assert.equal(jobNext.length, 2);
    assert.equal(Date.parse(jobNext[1]) - Date.parse(jobNext[0]), 600_000);
  });
});
