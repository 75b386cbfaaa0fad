// Retention of finished tasks end to end (issue 9): a job's historyLimit and historyDays, the sweep
// run on demand through POST /api/v1/retention/run (admin only), its counts, the output of deleted
// tasks gone with them, and the leader's own timer sweeping without being asked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeakedProcesses, errorBody, expectApiError, messageText, randomId, startServer, startWorker, waitFor, waitForTaskEnd, type TestProcess, type TestServer, waitForWorkerOnline } from './helpers';

interface SweepReport {
  deleted: number;
  byAge: number;
  byLimit: number;
  batches: number;
  completed: boolean;
  defaults: { historyDays: number | null; historyLimit: number | null };
}

describe('retention: a sweep on demand', { timeout: 180_000 }, () => {
  let server: TestServer;
  let worker: TestProcess;
  const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');
  const tag = randomId();
  const job = (name: string, extra: Record<string, unknown> = {}) =>
    server.api.createCronJob({ name: `${name}-${tag}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'sh', args: ['-c', 'echo "run $CRONFLEET_TASK_ID"'] }, ...extra });
  const runToEnd = async (jobId: number): Promise<number> => {
    const { taskId } = await server.api.runCronJob(jobId);
    assert.equal((await waitForTaskEnd(server.api, taskId, { timeoutMs: 30_000, details: logs })).status, 'success');
    return taskId;
  };
  const taskIdsOf = async (jobId: number) => (await server.api.listTasks({ cronjobId: jobId, limit: 100 })).items.map((t) => t.id).sort((a, b) => a - b);

  before(async () => {
    // No timer: every sweep in this suite is one the test asked for, so its counts are exact.
    server = await startServer({ backend: 'embedded', env: { CRONFLEET_RETENTION_INTERVAL_SECONDS: '0' } });
    worker = startWorker(server, `e2e-retention-${randomId()}`);
    await waitForWorkerOnline(server.api, { details: logs });
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('leaves a job with historyLimit 2 with its 2 newest finished tasks after several runs, and other jobs with all of theirs', async () => {
    const limited = await job('limited', { historyLimit: 2 });
    assert.equal((limited as unknown as { historyLimit: number }).historyLimit, 2);
    const other = await job('unlimited');
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push(await runToEnd(limited.id));
    const others = [await runToEnd(other.id), await runToEnd(other.id)];

    const report = await server.api.call<SweepReport>('POST', '/retention/run', [200]);
    assert.deepEqual([report.byLimit, report.completed], [3, true], JSON.stringify(report));
    assert.deepEqual(report.defaults, { historyDays: 30, historyLimit: null }, "the server's defaults");
    assert.deepEqual(await taskIdsOf(limited.id), runs.slice(-2), 'the two newest runs are kept');
    assert.deepEqual(await taskIdsOf(other.id), others, 'a job without a limit keeps all its runs (none is 30 days old)');
    assert.equal(await server.api.taskOutput(runs[4]), `run ${runs[4]}\n`, 'a kept task keeps its output');
    await expectApiError(server.api.getTask(runs[0]), 404);
    await expectApiError(server.api.taskOutput(runs[0]), 404);

    const again = await server.api.call<SweepReport>('POST', '/retention/run', [200]);
    assert.equal(again.deleted, 0, 'nothing more to delete');
  });

  it('applies a changed historyDays of 0 at the next sweep: every finished task of the job goes', async () => {
    const j = await job('days');
    const ids = [await runToEnd(j.id), await runToEnd(j.id)];
    assert.deepEqual(await taskIdsOf(j.id), ids);
    await server.api.call('PATCH', `/cronjobs/${j.id}`, [200], { historyDays: 0 });
    const report = await server.api.call<SweepReport>('POST', '/retention/run', [200]);
    assert.ok(report.byAge >= 2, JSON.stringify(report));
    assert.deepEqual(await taskIdsOf(j.id), []);
    await server.api.call('PATCH', `/cronjobs/${j.id}`, [200], { historyDays: null });
    assert.equal(((await server.api.getCronJob(j.id)) as unknown as { historyDays: unknown }).historyDays, null, "null goes back to the server's default");
  });

  it('refuses a bad historyLimit or historyDays with a 400 naming the field', async () => {
    const j = await job('bad-values');
    for (const [field, value, why] of [
      ['historyLimit', -1, 'must be at least 0'],
      ['historyLimit', 2.5, 'whole number'],
      ['historyLimit', '10', 'must be a number'],
      ['historyLimit', 1_000_001, 'must be at most 1000000'],
      ['historyDays', -3, 'must be at least 0'],
      ['historyDays', 36_501, 'must be at most 36500'],
    ] as const) {
      // One request at a time: both sent at once, the second's refusal could come while the first
      // was awaited and count as an unhandled rejection (it did, once the server answered faster).
      for (const attempt of [() => job(`bad-${field}-${randomId()}`, { [field]: value }), () => server.api.call('PATCH', `/cronjobs/${j.id}`, [200], { [field]: value })]) {
        const message = messageText(errorBody(await expectApiError(attempt(), 400)));
        assert.ok(message.includes(field) && message.includes(why), `${field}=${JSON.stringify(value)}: ${message}`);
      }
    }
  });

  it('lets only admins run a sweep', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const { token } = await server.api.createToken({ name: `${role}-${tag}`, role });
      const e = await expectApiError(server.api.withToken(token).call('POST', '/retention/run', [200]), 403);
      assert.match(messageText(errorBody(e)), /needs admin/);
    }
  });
});

describe('retention: the leader sweeps by itself (MySQL + Redis)', { timeout: 180_000 }, () => {
  let server: TestServer;

  before(async () => {
    server = await startServer({ backend: 'mysql', localWorker: true, env: { CRONFLEET_RETENTION_INTERVAL_SECONDS: '1' } });
  });
  after(async () => {
    await server?.stop();
    assertNoLeakedProcesses();
  });

  it('deletes past a job\'s historyLimit on its timer, and counts it in the metrics', async () => {
    const logs = () => server.process.report();
    await waitForWorkerOnline(server.api, { timeoutMs: 30_000, what: 'the local worker online', details: logs });
    const j = await server.api.createCronJob({ name: `timer-${randomId()}`, schedule: '@yearly', enabled: false, runner: 'command', spec: { command: 'true' }, historyLimit: 1 });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { taskId } = await server.api.runCronJob(j.id);
      await waitForTaskEnd(server.api, taskId, { timeoutMs: 30_000, details: logs });
      ids.push(taskId);
    }
    const left = await waitFor(
      async () => {
        const items = (await server.api.listTasks({ cronjobId: j.id })).items;
        return items.length === 1 && items;
      },
      { timeoutMs: 20_000, what: 'the timer sweep to leave one task', details: logs },
    );
    assert.equal(left[0].id, ids[2], 'the newest run is the one kept');
    // A sweep counts its deletions when it ends, which can be a moment after its last DELETE is
    // visible: wait for the count rather than reading it once.
    let metrics = '';
    await waitFor(
      async () => {
        metrics = await (await fetch(`${server.url}/metrics`)).text();
        const deleted = /cronfleet_retention_deleted_tasks_total\{reason="limit"\} (\d+)/.exec(metrics);
        return deleted !== null && Number(deleted[1]) >= 2;
      },
      { timeoutMs: 10_000, what: 'the sweeps to count 2 deletions by limit', details: () => metrics.split('\n').filter((l) => l.includes('retention')).join('\n') },
    );
    assert.match(server.process.output(200_000), /retention sweep \(timer\): deleted \d+ finished task/);
  });
});
