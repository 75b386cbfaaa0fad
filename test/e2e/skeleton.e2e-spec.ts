// The walking skeleton end to end: a real API server process, a real worker process connected to it
// over socket.io, and the REST API, once on embedded SQLite and once on MariaDB + Redis.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FINAL_TASK_STATUSES,
  GiveUp,
  RUN_ID,
  assertNoLeakedProcesses,
  describeProcesses,
  errorBody,
  expectApiError,
  liveProcessesInGroup,
  liveProcessesWithArg,
  messageText,
  processInfo,
  randomId,
  startServer,
  startWorker,
  waitFor,
  type CronJob,
  type CreateCronJobInput,
  type Task,
  type TestProcess,
  type TestServer,
  type WorkerInfo,
  waitForTaskEnd, waitForWorkerOnline } from './helpers';

/** A schedule that does not come due while the test runs, for jobs started with run-now. */
const FAR_SCHEDULE = '0 0 1 1 *';

for (const backend of ['embedded', 'mysql'] as const) {
  describe(`a fleet of one server and one worker on the ${backend} backend`, { timeout: 120_000 }, () => {
    let server: TestServer | undefined;
    let worker: TestProcess | undefined;
    const workerName = `e2e-worker-${randomId()}`;

    const srv = (): TestServer => {
      assert.ok(server, 'the server did not start (see before)');
      return server;
    };
    const logs = (): string => [server?.process.report(), worker?.report()].filter(Boolean).join('\n');

    const workerOnline = (): Promise<WorkerInfo> =>
      waitForWorkerOnline(srv().api, { name: workerName, timeoutMs: 15_000, details: logs });

    const waitForEnd = (taskId: number, timeoutMs = 15_000): Promise<Task> =>
      waitForTaskEnd(srv().api, taskId, { timeoutMs, what: `task ${taskId} to reach a final status`, details: logs });

    const commandJob = (name: string, command: string, args: string[], extra: Partial<CreateCronJobInput> = {}): CreateCronJobInput => ({
      name,
      schedule: FAR_SCHEDULE,
      runner: 'command',
      spec: { command, args },
      ...extra,
    });

    before(
      async () => {
        server = await startServer({ backend });
        worker = startWorker(server, workerName);
        await workerOnline();
      },
      { timeout: 60_000 },
    );

    after(
      async () => {
        await worker?.stop();
        await server?.stop();
        assertNoLeakedProcesses();
      },
      { timeout: 60_000 },
    );

    it('lists a connected worker as online with its name and capacity', async () => {
      const listed = await workerOnline();
      assert.equal(listed.name, workerName);
      assert.equal(listed.capacity, 4);
      assert.equal(typeof listed.hostname, 'string');
      assert.ok(listed.hostname.length > 0, 'hostname is empty');
    });

    it('runs an @every 1s job on the worker, keeps its output, and never schedules the same time twice', async () => {
      const { api } = srv();
      const marker = `hello-${randomId()}`;
      const job = await api.createCronJob(commandJob(`every-second-${randomId()}`, 'echo', [marker], { schedule: '@every 1s' }));
      assert.equal(typeof job.id, 'number');
      assert.equal(job.enabled, true);
      assert.ok(job.nextRunAt && !Number.isNaN(Date.parse(job.nextRunAt)), `nextRunAt is not an ISO time: ${job.nextRunAt}`);
      try {
        const first = await waitFor(
          async () => (await api.listTasks({ cronjobId: job.id, status: 'success', limit: 1 })).items[0],
          { timeoutMs: 15_000, what: `a successful task of job ${job.id}`, details: logs },
        );
        const task = await api.getTask(first.id);
        assert.equal(task.status, 'success');
        assert.equal(task.cronjobId, job.id);
        assert.equal(task.exitCode, 0);
        assert.equal(task.trigger, 'schedule');
        assert.equal(task.attempt, 1);
        assert.ok(task.workerId !== null && task.workerId !== undefined, 'workerId is not set');
        const output = await api.taskOutput(task.id);
        assert.ok(output.includes(marker), `output of task ${task.id} lacks ${marker}: ${JSON.stringify(output)}`);

        // Let a few more ticks come due, so that a tick scheduled twice would show up.
        await waitFor(
          async () => (await api.listTasks({ cronjobId: job.id, limit: 100 })).items.filter((t) => t.trigger === 'schedule').length >= 4,
          { timeoutMs: 15_000, what: `4 scheduled tasks of job ${job.id}`, details: logs },
        );
      } finally {
        await api.updateCronJob(job.id, { enabled: false });
      }

      const { items } = await api.listTasks({ cronjobId: job.id, limit: 100 });
      const ids = items.map((t) => t.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'tasks are not listed newest first');
      const times = items.filter((t) => t.trigger === 'schedule').map((t) => t.scheduledAt);
      assert.ok(times.every((t) => t !== null), 'a scheduled task has no scheduledAt');
      const repeated = times.filter((t, i) => times.indexOf(t) !== i);
      assert.deepEqual(repeated, [], `scheduledAt values scheduled more than once among ${JSON.stringify(times)}`);
    });

    it('runs a disabled job on demand and the task succeeds', async () => {
      const { api } = srv();
      const marker = `hello-${randomId()}`;
      const job = await api.createCronJob(commandJob(`on-demand-${randomId()}`, 'echo', [marker], { enabled: false }));
      assert.equal(job.enabled, false);

      const { taskId } = await api.runCronJob(job.id);
      assert.ok(Number.isInteger(taskId), `taskId is not an integer: ${JSON.stringify(taskId)}`);
      const task = await waitForEnd(taskId);
      assert.equal(task.status, 'success', `task ended ${task.status}: ${JSON.stringify(task.error)}`);
      assert.equal(task.cronjobId, job.id);
      assert.equal(task.exitCode, 0);
      assert.notEqual(task.trigger, 'schedule');
      assert.ok((await api.taskOutput(taskId)).includes(marker), `output of task ${taskId} lacks ${marker}`);
      const { items } = await api.listTasks({ cronjobId: job.id });
      assert.deepEqual(items.map((t) => t.id), [taskId], 'a disabled job got tasks besides the one run on demand');
    });

    it('kills a running task together with every process it started', async () => {
      const { api } = srv();
      // The marker is the script's $0, so it shows in the shell's /proc/<pid>/cmdline.
      const marker = `${RUN_ID}-${randomId()}`;
      const job = await api.createCronJob(
        commandJob(`kill-${randomId()}`, 'sh', ['-c', 'sleep 30 & sleep 30; wait', marker], { enabled: false, timeoutSeconds: 120 }),
      );
      const { taskId } = await api.runCronJob(job.id);
      let pgid: number | undefined;
      try {
        await waitFor(
          async () => {
            const task = await api.getTask(taskId);
            if (FINAL_TASK_STATUSES.includes(task.status)) throw new GiveUp(`task ${taskId} ended ${task.status} before the kill`);
            return task.status === 'running';
          },
          { timeoutMs: 15_000, what: `task ${taskId} to be running`, details: logs },
        );
        const shell = await waitFor(() => liveProcessesWithArg(marker)[0], {
          timeoutMs: 5_000,
          what: `the task's shell (${marker}) in /proc`,
          details: logs,
        });
        const group = shell.pgid;
        const workerGroup = worker?.pid === undefined ? undefined : processInfo(worker.pid)?.pgid;
        assert.ok(
          group !== workerGroup && group !== processInfo(process.pid)?.pgid,
          `the task runs in the worker's process group ${group}: a kill cannot reach its children without the worker`,
        );
        // Only now is the group known to hold nothing but the task, so the cleanup below may kill it.
        pgid = group;
        await waitFor(() => liveProcessesInGroup(group).some((p) => p.argv[0] === 'sleep'), {
          timeoutMs: 5_000,
          what: `the task's sleep children in process group ${group}`,
        });

        await api.killTask(taskId);
        const task = await waitForEnd(taskId, 10_000);
        assert.equal(task.status, 'killed');
        assert.ok(task.finishedAt, 'a killed task has no finishedAt');
        await waitFor(() => liveProcessesInGroup(group).length === 0, {
          timeoutMs: 5_000,
          what: `no process left in the killed task's group ${group}`,
          details: () => describeProcesses(liveProcessesInGroup(group)),
        });
      } finally {
        // Should the test fail half-way, leave no 30 s sleepers behind for the tests after it.
        if (pgid !== undefined && liveProcessesInGroup(pgid).some((p) => p.argv.includes(marker) || p.argv[0] === 'sleep')) {
          try {
            process.kill(-pgid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    });

    it('rejects a bad schedule or a missing name with 400, a duplicate name with 409 and a missing token with 401, storing nothing', async () => {
      const { api } = srv();
      const snapshot = (jobs: CronJob[]): unknown[] =>
        [...jobs]
          .sort((a, b) => a.id - b.id)
          .map(({ id, name, schedule, timezone, runner, spec, timeoutSeconds, enabled }) => ({
            id, name, schedule, timezone, runner, spec, timeoutSeconds, enabled,
          }));
      const valid = (name: string): CreateCronJobInput => commandJob(name, 'true', [], { schedule: '*/5 * * * *', enabled: false });
      const before = (await api.listCronJobs()).items;

      const badSchedule = errorBody(await expectApiError(api.createCronJob({ ...valid(`bad-schedule-${randomId()}`), schedule: '61 * * * *' }), 400));
      assert.match(messageText(badSchedule), /minute/i);

      const { name: _omitted, ...nameless } = valid('unused');
      const missingName = errorBody(await expectApiError(api.createCronJob(nameless), 400));
      assert.match(messageText(missingName), /\bname\b/);

      const original = await api.createCronJob(valid(`duplicate-${randomId()}`));
      await expectApiError(api.createCronJob({ ...valid(original.name), schedule: '*/7 * * * *' }), 409);

      await expectApiError(api.withToken(undefined).createCronJob(valid(`no-token-${randomId()}`)), 401);
      await expectApiError(api.withToken(`wrong-${randomId()}`).createCronJob(valid(`wrong-token-${randomId()}`)), 401);
      await expectApiError(api.withToken(undefined).listCronJobs(), 401);

      const afterwards = (await api.listCronJobs()).items;
      assert.deepEqual(snapshot(afterwards), snapshot([...before, original]));
      assert.deepEqual(snapshot([await api.getCronJob(original.id)]), snapshot([original]), 'the 409 changed the stored job');
    });
  });
}
