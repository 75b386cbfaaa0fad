import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { TaskStatus } from '@cronfleet/shared';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/config';
import { CronJobEntity } from '../../src/cronjobs/cronjob.entity';
import { openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { LocalLease } from '../../src/cluster/lease/leader-lease';
import { LocalClusterEvents } from '../../src/cluster/cluster-events';
import { LiveFeed } from '../../src/live/live-feed';
import { TaskTracing } from '../../src/observability/task-tracing';
import { TaskEvents, type TaskEvent } from '../../src/tasks/lifecycle/task-events';
import { TaskLifecycle } from '../../src/tasks/lifecycle/task-lifecycle';
import { TaskReportWriter } from '../../src/tasks/lifecycle/task-report-writer';
import { TaskOutputEntity } from '../../src/tasks/task-output.entity';
import { TaskOutputService } from '../../src/tasks/task-output.service';
import { TaskEntity } from '../../src/tasks/task.entity';
import { type NewTask, TasksRepository, workerLostError } from '../../src/tasks/tasks.repository';
import { backends } from './support';

/**
 * The task lifecycle in-process on a real database: every transition from every state, reports that
 * are stale, duplicated or from a worker the task was not sent to, and concurrent retries. A
 * transition that does not apply must change nothing and publish nothing.
 */
for (const backend of backends) {
  describe(`task lifecycle on ${backend.name}`, () => {
    const target = backend.make('lifecycle');
    let ds: DataSource;
    let repo: TasksRepository;
    let lifecycle: TaskLifecycle;
    let writer: TaskReportWriter;
    let job: CronJobEntity;
    const cluster = new LocalClusterEvents();
    const events = new TaskEvents();
    const seen: TaskEvent[] = [];
    const clusterSeen: string[] = [];
    let dueMs = Date.parse('2026-05-01T00:00:00.000Z');

    before(async () => {
      ds = await openDatabase(target.db, ENTITIES);
      repo = new TasksRepository(ds.getRepository(TaskEntity), ds.getRepository(TaskOutputEntity));
      const config = loadConfig({});
      const live = new LiveFeed(cluster, new LocalLease(), 'test');
      const outputs = new TaskOutputService(repo, config, live);
      writer = new TaskReportWriter(ds);
      lifecycle = new TaskLifecycle(repo, writer, outputs, events, cluster, new TaskTracing(config));
      events.subscribe((e) => seen.push(e));
      cluster.subscribe((e) => clusterSeen.push(e.type));
      job = await ds.getRepository(CronJobEntity).save({ name: 'job', schedule: '* * * * *', timezone: 'UTC', runner: 'command', spec: { command: 'true' }, timeoutSeconds: 5, enabled: true, nextRunAt: null });
    });
    after(async () => {
      await writer.onApplicationShutdown();
      await ds?.destroy();
      await target.drop();
    });
    beforeEach(() => {
      seen.length = 0;
      clusterSeen.length = 0;
    });

    const row = (over: Partial<NewTask> = {}): NewTask => ({
      cronjobId: job.id,
      cronjobName: job.name,
      namespace: 'default',
      scheduledAt: new Date((dueMs += 60_000)),
      trigger: 'schedule',
      runner: 'command',
      spec: { command: 'true' },
      timeoutSeconds: 5,
      ...over,
    });
    /** A task in `state`, given to worker 7 where it has one. */
    async function taskIn(state: 'pending' | 'claimed' | 'running' | TaskStatus, over: Partial<NewTask> = {}): Promise<TaskEntity> {
      const { task } = await lifecycle.submit(row(over), 'test');
      if (state === 'pending') return task;
      assert.deepEqual(await lifecycle.claim([task.id], 7, 0), [task.id]);
      if (state === 'claimed') return task;
      assert.deepEqual(await lifecycle.report(7, { taskId: task.id, status: 'running', atMs: Date.now() }), { recorded: true });
      if (state === 'running') return task;
      if (state === 'lost') await lifecycle.workerReturned(7, []);
      else assert.deepEqual(await lifecycle.report(7, { taskId: task.id, status: state as 'success', atMs: Date.now() }), { recorded: true });
      return task;
    }
    const statusOf = async (id: number) => (await repo.findById(id))?.status;
    const ends = () => seen.filter((e): e is Extract<TaskEvent, { type: 'ended' }> => e.type === 'ended');

    it('submits a task once per idempotency key and announces only the one it made', async () => {
      const a = await lifecycle.submit(row({ cronjobId: null, cronjobName: null, trigger: 'api', idempotencyKey: 'k-1' }), 'api');
      const b = await lifecycle.submit(row({ cronjobId: null, cronjobName: null, trigger: 'api', idempotencyKey: 'k-1' }), 'api');
      assert.equal(a.created, true);
      assert.equal(b.created, false);
      assert.equal(b.task.id, a.task.id);
      assert.deepEqual(seen.map((e) => e.type), ['created']);
      assert.deepEqual(clusterSeen, ['task.pending'], 'the leader hears of it once');
    });

    it('starts and ends a task only from the worker it was given to, and publishes each change once', async () => {
      const t = await taskIn('claimed');
      seen.length = 0;
      const forged = await lifecycle.report(8, { taskId: t.id, status: 'running', atMs: Date.now() });
      assert.equal(forged.recorded, false);
      assert.equal(forged.error?.code, 'TaskNotYours');
      assert.equal(await statusOf(t.id), 'pending');
      assert.deepEqual(await lifecycle.report(7, { taskId: t.id, status: 'running', atMs: Date.now() }), { recorded: true });
      const stolen = await lifecycle.report(8, { taskId: t.id, status: 'success', atMs: Date.now(), exitCode: 0 });
      assert.equal(stolen.error?.code, 'TaskNotYours');
      assert.equal(await statusOf(t.id), 'running');
      assert.deepEqual(await lifecycle.report(7, { taskId: t.id, status: 'success', atMs: Date.now(), exitCode: 0 }), { recorded: true });
      assert.equal(await statusOf(t.id), 'success');
      assert.deepEqual(seen.map((e) => e.type), ['started', 'ended']);
      const [end] = ends();
      assert.equal(end.final, true);
      assert.equal(end.workerId, 7);
      assert.equal(end.task.runner, 'command', 'what metrics count it by');
      assert.ok(end.durationMs !== null && end.durationMs >= 0);
    });

    it('refuses a report for a task that does not exist or is still unassigned, and publishes nothing', async () => {
      const unknown = await lifecycle.report(7, { taskId: 987_654_321, status: 'success', atMs: Date.now() });
      assert.deepEqual([unknown.recorded, unknown.error?.code, unknown.error?.retryable], [false, 'UnknownTask', false]);
      const pending = await taskIn('pending');
      seen.length = 0;
      for (const status of ['running', 'success', 'failed'] as const) {
        const r = await lifecycle.report(7, { taskId: pending.id, status, atMs: Date.now() });
        assert.equal(r.error?.code, 'TaskNotYours', status);
      }
      assert.equal(await statusOf(pending.id), 'pending');
      assert.deepEqual(seen, []);
    });

    it('acknowledges a duplicate report without a second change or event', async () => {
      const t = await taskIn('running');
      seen.length = 0;
      const msg = { taskId: t.id, status: 'failed' as const, atMs: Date.now(), exitCode: 2 };
      assert.deepEqual(await lifecycle.report(7, msg), { recorded: true });
      assert.deepEqual(await lifecycle.report(7, msg), { recorded: true });
      assert.deepEqual(await lifecycle.report(7, { taskId: t.id, status: 'running', atMs: Date.now() }), { recorded: true });
      assert.equal(ends().length, 1);
      const ok = await taskIn('success');
      seen.length = 0;
      assert.deepEqual(await lifecycle.report(7, { taskId: ok.id, status: 'success', atMs: Date.now() }), { recorded: true });
      assert.deepEqual(seen, []);
    });

    it('refuses a result for a task the server ended another way, keeping the server\'s end', async () => {
      const t = await taskIn('running');
      assert.ok(await lifecycle.expire(t.id));
      seen.length = 0;
      const late = await lifecycle.report(7, { taskId: t.id, status: 'success', atMs: Date.now() });
      assert.deepEqual([late.recorded, late.error?.code], [false, 'TaskAlreadyEnded']);
      assert.equal(await statusOf(t.id), 'timeout');
      assert.deepEqual(seen, []);
      const timedOut = await repo.findById(t.id);
      assert.match(timedOut!.error!.message, /timed out after 5 s \(timeoutSeconds\)/);
    });

    it('records the result a lost task\'s worker kept, without a second run of its effects', async () => {
      const t = await taskIn('running');
      await lifecycle.workerReturned(7, []);
      assert.equal(await statusOf(t.id), 'lost');
      seen.length = 0;
      assert.deepEqual(await lifecycle.report(7, { taskId: t.id, status: 'success', atMs: Date.now(), exitCode: 0 }), { recorded: true });
      assert.equal(await statusOf(t.id), 'success');
      const [end] = ends();
      assert.deepEqual([end.late, end.final, end.from], [true, false, 'lost']);
      const other = await lifecycle.report(8, { taskId: t.id, status: 'failed', atMs: Date.now() });
      assert.equal(other.error?.code, 'TaskNotYours');
    });

    it('records a result whose task was declared lost while the result was being written, as a late one', async () => {
      // The race made to happen: the server's `lose` commits between the report's read and its write.
      class RacingRepository extends TasksRepository {
        raced = false;
        override async transition(...args: Parameters<TasksRepository['transition']>): ReturnType<TasksRepository['transition']> {
          const [id, , workerId, f] = args;
          if (!this.raced && f.status === 'failed') {
            this.raced = true;
            assert.equal(await super.transition(id, ['pending', 'running'], workerId, { status: 'lost', at: new Date(), error: workerLostError(workerId!) }), true);
          }
          return super.transition(...args);
        }
      }
      const racing = new RacingRepository(ds.getRepository(TaskEntity), ds.getRepository(TaskOutputEntity));
      const raced = new TaskLifecycle(racing, writer, new TaskOutputService(racing, loadConfig({}), new LiveFeed(cluster, new LocalLease(), 'test')), events, cluster, new TaskTracing(loadConfig({})));
      const t = await taskIn('running');
      seen.length = 0;
      assert.deepEqual(await raced.report(7, { taskId: t.id, status: 'failed', atMs: Date.now(), exitCode: 3 }), { recorded: true });
      assert.equal(racing.raced, true);
      const row = await repo.findById(t.id);
      assert.deepEqual([row?.status, row?.exitCode], ['failed', 3], 'the worker\'s result is kept, not lost');
      assert.deepEqual(ends().map((e) => [e.status, e.late]), [['failed', true]]);
    });

    it('marks a returning worker\'s live tasks lost, except those it still holds, and names those already ended', async () => {
      const [a, b, c] = [await taskIn('claimed'), await taskIn('running'), await taskIn('running')];
      const ended = await taskIn('running');
      await lifecycle.expire(ended.id);
      seen.length = 0;
      const kill = await lifecycle.workerReturned(7, [a.id, ended.id]);
      assert.deepEqual(kill, [ended.id]);
      assert.deepEqual([await statusOf(a.id), await statusOf(b.id), await statusOf(c.id)], ['pending', 'lost', 'lost']);
      assert.deepEqual(ends().map((e) => [e.task.id, e.status, e.reported]).sort(), [[b.id, 'lost', false], [c.id, 'lost', false]].sort());
      await lifecycle.workerReturned(7, []); // tidy up what worker 7 still holds
    });

    it('cancels, kills and skips only a task no worker has, once', async () => {
      const t = await taskIn('pending');
      await lifecycle.cancel(t.id);
      assert.equal(await statusOf(t.id), 'cancelled');
      await assert.rejects(lifecycle.cancel(t.id), { code: 'TaskNotRunning' });
      const claimed = await taskIn('claimed');
      await assert.rejects(lifecycle.cancel(claimed.id), /being sent to a worker/);
      assert.equal(await lifecycle.killUnstarted(claimed, { code: 'TaskKilled', message: 'x', retryable: false }), false);
      assert.equal(await lifecycle.skip(claimed, { code: 'StartingDeadlineExceeded', message: 'x', retryable: false }), false);
      const p = await taskIn('pending');
      seen.length = 0;
      assert.equal(await lifecycle.killUnstarted(p, { code: 'TaskKilled', message: 'killed before it started', retryable: false }), true);
      assert.equal(await statusOf(p.id), 'killed');
      assert.deepEqual(ends().map((e) => [e.status, e.final, e.workerId]), [['killed', true, null]]);
      assert.ok(clusterSeen.includes('task.cancelled'), 'the leader drops it from its queue');
      await lifecycle.workerReturned(7, []);
    });

    it('fails a task no worker can run without retrying it, and only while its worker holds it', async () => {
      const policy = { maxRetries: 3, backoff: 'fixed' as const, delaySeconds: 1, maxDelaySeconds: 1, jitter: false };
      const t = await taskIn('claimed', { retry: policy });
      seen.length = 0;
      assert.equal(await lifecycle.failUnrunnable(t, 8, { code: 'SecretEnvUnreadable', message: 'x', retryable: false }), false);
      assert.equal(await lifecycle.failUnrunnable(t, 7, { code: 'SecretEnvUnreadable', message: 'x', retryable: false }), true);
      assert.deepEqual(ends().map((e) => [e.status, e.final, e.retryDelayMs]), [['failed', true, null]]);
    });

    it('says in the end event whether a retry follows, and only the last failure is final', async () => {
      const policy = { maxRetries: 1, backoff: 'fixed' as const, delaySeconds: 2, maxDelaySeconds: 2, jitter: false };
      const first = await taskIn('running', { retry: policy });
      seen.length = 0;
      await lifecycle.report(7, { taskId: first.id, status: 'failed', atMs: Date.now(), exitCode: 1 });
      const [end] = ends();
      assert.deepEqual([end.final, end.retryDelayMs], [false, 2000]);
      const second = await lifecycle.retryAfter(end.row!, end.retryDelayMs!);
      assert.equal(second?.attempt, 2);
      assert.equal(await lifecycle.retryAfter(end.row!, end.retryDelayMs!), null, 'one retry per attempt however often asked');
      await lifecycle.claim([second!.id], 7, 0);
      seen.length = 0;
      await lifecycle.report(7, { taskId: second!.id, status: 'timeout', atMs: Date.now() });
      assert.deepEqual(ends().map((e) => [e.final, e.retryDelayMs]), [[true, null]]);
    });

    it('retries a run once from its latest attempt, whoever asks and however many at once', async () => {
      const t = await taskIn('failed');
      const answers = await Promise.allSettled([1, 2, 3, 4, 5].map(() => lifecycle.retry(t.id)));
      const made = answers.filter((a) => a.status === 'fulfilled');
      const refused = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      assert.equal(made.length, 1);
      assert.equal(refused.length, 4);
      for (const r of refused) assert.match(String(r.reason.code), /^(RetryExists)$/, String(r.reason.message));
      const attempts = await ds.getRepository(TaskEntity).findBy({ cronjobId: job.id, scheduledAt: t.scheduledAt });
      assert.deepEqual(attempts.map((a) => a.attempt).sort(), [1, 2]);
      // Its latest attempt is live: a retry of the first one names it.
      await assert.rejects(lifecycle.retry(t.id), (e: { code: string; message: string }) => e.code === 'RetryExists' && /attempt 2/.test(e.message));
    });

    it('retries a one-shot task after the end of its chain of retries', async () => {
      const oneShot = { cronjobId: null, cronjobName: null, trigger: 'api' as const };
      const t = await taskIn('failed', oneShot);
      const { taskId: second } = await lifecycle.retry(t.id);
      await assert.rejects(lifecycle.retry(t.id), { code: 'RetryExists' });
      await lifecycle.claim([second], 7, 0);
      await lifecycle.report(7, { taskId: second, status: 'failed', atMs: Date.now() });
      const { taskId: third } = await lifecycle.retry(t.id);
      assert.equal((await repo.findById(third))?.attempt, 3, 'after the latest attempt, not the one clicked');
      assert.equal((await repo.findById(third))?.retryOf, second);
    });

    it('refuses a retry of a task that has not ended', async () => {
      const t = await taskIn('running');
      await assert.rejects(lifecycle.retry(t.id), { code: 'TaskNotRunning' });
      await lifecycle.workerReturned(7, []);
    });

    it('writes a burst of starts and successes in batches and judges each report on its own', async () => {
      const ts = await Promise.all([1, 2, 3, 4].map(() => taskIn('claimed')));
      seen.length = 0;
      const at = Date.now();
      const answers = await Promise.all([
        lifecycle.report(7, { taskId: ts[0].id, status: 'running', atMs: at }),
        lifecycle.report(7, { taskId: ts[0].id, status: 'success', atMs: at + 5, exitCode: 0 }),
        lifecycle.report(7, { taskId: ts[1].id, status: 'running', atMs: at }),
        lifecycle.report(8, { taskId: ts[2].id, status: 'running', atMs: at }),
        lifecycle.report(8, { taskId: ts[3].id, status: 'success', atMs: at }),
        lifecycle.report(7, { taskId: ts[3].id, status: 'success', atMs: at + 7, exitCode: 0 }),
      ]);
      assert.deepEqual(answers.map((a) => a.recorded), [true, true, true, false, false, true]);
      assert.deepEqual(await Promise.all(ts.map((t) => statusOf(t.id))), ['success', 'running', 'pending', 'success']);
      const first = await repo.findById(ts[0].id);
      assert.equal(first?.startedAt?.getTime(), at, 'the folded start time is kept');
      const byTask = (id: number) => seen.filter((e) => e.task.id === id).map((e) => e.type);
      assert.deepEqual(byTask(ts[0].id), ['started', 'ended']);
      assert.equal(ends().find((e) => e.task.id === ts[0].id)?.durationMs, 5, 'from the folded start to the end');
      assert.deepEqual(byTask(ts[2].id), []);
      assert.deepEqual(byTask(ts[3].id), ['ended']);
      await lifecycle.workerReturned(7, []);
    });

    it("records an http task's response status with its end, batched success or failure, and none for other tasks", async () => {
      const [ok, plain, down] = await Promise.all([1, 2, 3].map(() => taskIn('running')));
      const at = Date.now();
      const answers = await Promise.all([
        lifecycle.report(7, { taskId: ok.id, status: 'success', atMs: at, exitCode: null, httpStatus: 204 }),
        lifecycle.report(7, { taskId: plain.id, status: 'success', atMs: at, exitCode: 0 }),
        lifecycle.report(7, { taskId: down.id, status: 'failed', atMs: at, httpStatus: 503, error: { code: 'UnexpectedStatus', message: 'HTTP 503', retryable: false } }),
      ]);
      assert.deepEqual(answers.map((a) => a.recorded), [true, true, true]);
      const rows = await Promise.all([ok, plain, down].map((t) => repo.findById(t.id)));
      assert.deepEqual(rows.map((r) => [r?.status, r?.httpStatus, r?.exitCode]), [['success', 204, null], ['success', null, 0], ['failed', 503, null]]);
    });

    it('a batch claim gives back only what it took: never a task that already ran on that worker', async () => {
      const done = await taskIn('success');
      const started = await taskIn('running');
      const fresh = await taskIn('pending');
      const fresh2 = await taskIn('pending');
      assert.deepEqual((await lifecycle.claim([fresh.id, done.id, started.id, fresh2.id], 7, 0)).sort((x, y) => x - y), [fresh.id, fresh2.id].sort((x, y) => x - y));
      assert.equal(await statusOf(done.id), 'success');
      await lifecycle.workerReturned(7, []);
    });

    const oneShot = (over: Partial<NewTask> = {}): NewTask => row({ cronjobId: null, cronjobName: null, trigger: 'api', runAt: null, ...over });

    it('writes one-shot tasks submitted together in one group, each announced once, keys answered with the first task', async () => {
      const key = `k-${dueMs}`;
      const made = await Promise.all([
        lifecycle.submitOneShot(oneShot()),
        lifecycle.submitOneShot(oneShot({ idempotencyKey: key })),
        lifecycle.submitOneShot(oneShot({ idempotencyKey: key })),
        lifecycle.submitOneShot(oneShot({ namespace: 'no-such-namespace' })).catch((e: Error) => e),
        lifecycle.submitOneShot(oneShot({ spec: { command: 'echo', args: ['x'.repeat(10)] } })),
      ]);
      const [a, b, c, gone, e] = made as [{ task: TaskEntity; created: boolean }, { task: TaskEntity; created: boolean }, { task: TaskEntity; created: boolean }, Error, { task: TaskEntity; created: boolean }];
      assert.deepEqual([a.created, b.created, c.created, e.created], [true, true, false, true]);
      assert.equal(c.task.id, b.task.id, 'the same key in one group is one task');
      assert.match(gone.message, /^namespace: no namespace 'no-such-namespace'/);
      assert.equal(new Set([a.task.id, b.task.id, e.task.id]).size, 3);
      for (const m of [a, b, e]) {
        const stored = await repo.findById(m.task.id);
        assert.equal(stored?.status, 'pending');
        assert.deepEqual(stored?.spec, m.task.spec, 'the row read back is the row written');
      }
      assert.deepEqual(seen.filter((x) => x.type === 'created').map((x) => x.task.id).sort(), [a.task.id, b.task.id, e.task.id].sort());
      assert.equal(clusterSeen.filter((t) => t === 'task.pending').length, 3);

      const again = await lifecycle.submitOneShot(oneShot({ idempotencyKey: key }));
      assert.deepEqual([again.task.id, again.created], [b.task.id, false], 'a key used by an earlier group');
    });

    it('answers each item of a batch on its own; atomic, makes all or none', async () => {
      const keyed = `batch-${dueMs}`;
      const settled = await lifecycle.submitMany([oneShot(), oneShot({ namespace: 'no-such-namespace' }), oneShot({ idempotencyKey: keyed })], false);
      assert.deepEqual(settled.map((s) => s.ok), [true, false, true]);
      const before = (await repo.list({ limit: 1000 })).length;
      seen.length = 0;
      const atomic = await lifecycle.submitMany([oneShot(), oneShot({ namespace: 'no-such-namespace' })], true);
      assert.deepEqual(atomic.map((s) => s.ok), [false, false]);
      assert.equal((await repo.list({ limit: 1000 })).length, before, 'nothing made');
      assert.deepEqual(seen, [], 'nothing announced');
      const all = await lifecycle.submitMany([oneShot(), oneShot({ idempotencyKey: keyed })], true);
      assert.ok(all.every((s) => s.ok));
      const second = all[1] as { ok: true; value: { task: TaskEntity; created: boolean } };
      assert.equal(second.value.created, false);
      assert.equal(second.value.task.id, (settled[2] as { ok: true; value: { task: TaskEntity } }).value.task.id);
    });

    it('writes 1,000 one-shot tasks at once with the ids each was given', async () => {
      const tag = `many-${dueMs}`;
      const rows = Array.from({ length: 1000 }, (_, i) => oneShot({ idempotencyKey: `${tag}-${i}` }));
      const settled = await lifecycle.submitMany(rows, false);
      assert.ok(settled.every((s) => s.ok));
      const made = settled.map((s) => (s as { ok: true; value: { task: TaskEntity } }).value.task);
      const stored = await repo.findByIds(made.map((t) => t.id));
      const keyOf = new Map(stored.map((t) => [Number(t.id), t.idempotencyKey]));
      made.forEach((t, i) => assert.equal(keyOf.get(t.id), `${tag}-${i}`));
    });
  });
}
