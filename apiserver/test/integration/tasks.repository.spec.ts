import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { CronJobEntity } from '../../src/cronjobs/cronjob.entity';
import { openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { TaskOutputEntity } from '../../src/tasks/task-output.entity';
import { TaskEntity } from '../../src/tasks/task.entity';
import { NewTask, TasksRepository } from '../../src/tasks/tasks.repository';
import { toTaskView } from '../../src/tasks/task.view';
import { backends } from './support';

function repoOn(ds: DataSource): TasksRepository {
  return new TasksRepository(ds.getRepository(TaskEntity), ds.getRepository(TaskOutputEntity));
}

for (const backend of backends) {
  describe(`tasks repository on ${backend.name}`, () => {
    const target = backend.make('tasks');
    let a: DataSource;
    let b: DataSource;
    let jobs: CronJobEntity[];

    before(async () => {
      a = await openDatabase(target.db, ENTITIES);
      // A second, independent connection pool plays the racing second dispatcher.
      b = await openDatabase(target.db, ENTITIES);
      jobs = [];
      for (let i = 0; i < 20; i++) {
        jobs.push(
          await a.getRepository(CronJobEntity).save({ name: `job-${i}`, schedule: '* * * * * *', timezone: 'UTC', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, enabled: true, nextRunAt: null }),
        );
      }
    });
    after(async () => {
      await a?.destroy();
      await b?.destroy();
      await target.drop();
    });

    const due = (at: Date): NewTask[] =>
      jobs.map((j) => ({ cronjobId: j.id, cronjobName: j.name, namespace: 'default', scheduledAt: at, trigger: 'schedule', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null }));

    it('does not create a task twice when two dispatchers race for the same due times', async () => {
      const at = new Date('2026-03-01T10:00:00.000Z');
      const [ra, rb] = await Promise.all([repoOn(a).createDue(due(at)), repoOn(b).createDue(due(at))]);
      const rows = await a.getRepository(TaskEntity).findBy({ scheduledAt: at });
      assert.equal(rows.length, jobs.length, 'one row per job and due time');
      // Both callers may see the pending rows, but each row exists once.
      assert.equal(new Set([...ra, ...rb].map((t) => t.id)).size, jobs.length);
    });

    it('writes every field of a due task as TypeORM would read it back (JSON, times, bigints, defaults)', async () => {
      const at = new Date('2026-03-01T10:00:09.123Z');
      const [base] = due(at);
      const [t] = await repoOn(a).createDue([
        {
          ...base,
          runner: 'http',
          spec: { method: 'GET', url: 'http://127.0.0.1:1/x', headers: { a: 'b' } },
          timeoutSeconds: 30,
          retry: { maxRetries: 2, backoff: 'exponential', delaySeconds: 5, maxDelaySeconds: 60, jitter: false },
          env: { A: 'ü 1' },
          secretEnv: 'sealed-text',
          runAt: new Date('2026-03-01T10:00:10.456Z'),
          leaseEpoch: 9_007_199_254_740,
          workerSelector: { labels: { zone: 'a' } },
          shardIndex: 1,
          shardCount: 3,
        } as NewTask,
      ]);
      const back = await a.getRepository(TaskEntity).findOneByOrFail({ id: t.id });
      assert.deepEqual(
        [back.status, back.attempt, back.runner, back.spec, back.timeoutSeconds, back.retry, back.env, back.secretEnv, back.runAt?.toISOString(), back.leaseEpoch, back.workerSelector, back.shardIndex, back.shardCount],
        ['pending', 1, 'http', { method: 'GET', url: 'http://127.0.0.1:1/x', headers: { a: 'b' } }, 30, { maxRetries: 2, backoff: 'exponential', delaySeconds: 5, maxDelaySeconds: 60, jitter: false }, { A: 'ü 1' }, 'sealed-text', '2026-03-01T10:00:10.456Z', 9_007_199_254_740, { labels: { zone: 'a' } }, 1, 3],
      );
      assert.equal(back.scheduledAt.toISOString(), at.toISOString());
      assert.equal(back.routing, 'leastLoaded', 'a column default when the row names none');
      assert.equal(back.priority, 0);
      assert.ok(Math.abs(back.createdAt.getTime() - Date.now()) < 60_000, 'created_at is now');
    });

    it('lets exactly one of two dispatchers claim a pending task', async () => {
      const [t] = await repoOn(a).createDue(due(new Date('2026-03-01T10:00:01.000Z')).slice(0, 1));
      const wins = await Promise.all([repoOn(a).claim(t.id, 1, 0), repoOn(b).claim(t.id, 2, 0)]);
      assert.deepEqual(wins.filter(Boolean).length, 1);
    });

    it('stores output chunks once each and returns them in order', async () => {
      const repo = repoOn(a);
      const [t] = await repo.createDue(due(new Date('2026-03-01T10:00:04.000Z')).slice(0, 1));
      await repo.appendOutput([{ taskId: t.id, seq: 1, data: 'world\n' }]);
      await repo.appendOutput([{ taskId: t.id, seq: 0, data: 'hello ' }]);
      await repo.appendOutput([{ taskId: t.id, seq: 1, data: 'world\n' }]); // resent after a reconnect
      assert.equal(await repo.readOutput(t.id), 'hello world\n');
      // Several rows in one statement; the one stored already is skipped, the new one kept.
      await repo.appendOutput([{ taskId: t.id, seq: 0, data: 'hello ' }, { taskId: t.id, seq: 2, data: 'again' }]);
      assert.equal(await repo.readOutput(t.id), 'hello world\nagain');
    });

    it('lists each task with the same view as the task read whole, and without its spec, env or secrets', async () => {
      const repo = repoOn(a);
      const [base] = due(new Date('2026-03-02T08:00:00.321Z'));
      const [t] = await repo.createDue([
        {
          ...base,
          runner: 'http',
          spec: { method: 'GET', url: 'http://127.0.0.1:1/x' },
          timeoutSeconds: 30,
          env: { A: 'b' },
          secretEnv: 'sealed-text',
          runAt: new Date('2026-03-02T08:00:10.456Z'),
          workerSelector: { labels: { zone: 'a' } },
          shardIndex: 1,
          shardCount: 3,
        } as NewTask,
      ]);
      await a.getRepository(TaskEntity).update({ id: t.id }, { status: 'failed', error: { code: 'Boom', message: 'x' }, control: { action: 'kill', requestedAt: '2026-03-02T08:00:11.000Z' } as TaskEntity['control'], retryOf: t.id, exitCode: 3, signal: 'SIGKILL', finishedAt: new Date('2026-03-02T08:00:12.789Z') });
      const whole = await a.getRepository(TaskEntity).findOneByOrFail({ id: t.id });
      const [listed] = await repo.list({ limit: 1, beforeId: t.id + 1 });
      assert.deepEqual(toTaskView(listed), toTaskView(whole));
      assert.equal(toTaskView(listed).finishedAt, '2026-03-02T08:00:12.789Z');
      assert.equal(toTaskView(listed).retryOf, t.id);
      assert.deepEqual(Object.keys(listed).filter((k) => ['spec', 'env', 'secretEnv', 'retry'].includes(k)), []);
    });

    it('answers the one-shot tasks it writes together exactly as they are stored, without reading them back whole', async () => {
      const repo = repoOn(a);
      const one = (i: number) =>
        ({ cronjobId: null, cronjobName: null, namespace: 'default', scheduledAt: new Date(Date.parse('2026-05-01T00:00:00.000Z') + i * 1001), trigger: 'api', runner: 'command', spec: { command: 'echo', args: [String(i)] }, timeoutSeconds: i, idempotencyKey: `k-${i}`, env: { I: String(i) }, runAt: new Date('2026-05-01T01:00:00.250Z') }) as NewTask;
      const answers = await repo.createMany([one(1), one(2), one(1), one(3)]);
      assert.deepEqual(answers.map((x) => x.ok && x.value.created), [true, true, false, true], 'the repeated key answers the task made by its first row');
      for (const x of answers) {
        assert.ok(x.ok);
        const stored = await a.getRepository(TaskEntity).findOneByOrFail({ id: x.value.task.id });
        assert.deepEqual({ ...x.value.task }, { ...stored });
        assert.ok(x.value.task instanceof TaskEntity);
      }
    });

    it('writes one-shot tasks in one go and, when one of them cannot be written, settles each on its own', async () => {
      const repo = repoOn(a);
      const one = (namespace: string, key?: string) =>
        ({ cronjobId: null, cronjobName: null, namespace, scheduledAt: new Date('2026-07-01T00:00:00.000Z'), trigger: 'api', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, idempotencyKey: key }) as NewTask;
      const plain = await repo.createMany([one('default'), one('default'), one('default', 'settle-1')]);
      assert.deepEqual(plain.map((x) => x.ok && x.value.created), [true, true, true]);
      const ids = plain.map((x) => (x.ok ? x.value.task.id : 0));
      assert.equal(new Set(ids).size, 3);
      const mixed = await repo.createMany([one('default'), one('no-such-namespace'), one('default', 'settle-1'), one('default', 'settle-2')]);
      assert.deepEqual(
        mixed.map((x) => (x.ok ? (x.value.created ? 'created' : `existing ${x.value.task.id}`) : (x.error as Error).message.split(';')[0])),
        ['created', "namespace: no namespace 'no-such-namespace'", `existing ${ids[2]}`, 'created'],
      );
      const stored = await a.getRepository(TaskEntity).countBy({ namespace: 'no-such-namespace' });
      assert.equal(stored, 0);
    });

    it('lists tasks newest first with a cursor', async () => {
      const repo = repoOn(a);
      const first = await repo.list({ limit: 2 });
      const second = await repo.list({ limit: 2, beforeId: first[1].id });
      assert.ok(first[0].id > first[1].id);
      assert.ok(second[0].id < first[1].id);
    });

    it('filters the history by worker and due-time window, and gives each job its latest runs from the index', async () => {
      const repo = repoOn(a);
      const base = Date.parse('2026-04-01T00:00:00.000Z');
      const made = await repo.createDue([0, 1, 2, 3].map((i) => due(new Date(base + i * 60_000))[0]));
      await repo.claim(made[1].id, 70_001, 0);
      await repo.claim(made[2].id, 70_002, 0);
      const byWorker = await repo.list({ workerId: 70_001, limit: 50 });
      assert.deepEqual(byWorker.map((t) => t.id), [made[1].id]);
      const window = await repo.list({ cronjobId: jobs[0].id, since: new Date(base + 60_000), until: new Date(base + 3 * 60_000), limit: 50 });
      assert.deepEqual(window.map((t) => t.id), [made[2].id, made[1].id], 'since is inclusive, until exclusive, newest first');
      const pending = await repo.list({ cronjobId: jobs[0].id, status: 'pending', namespace: made[0].namespace, limit: 50 });
      assert.ok(pending.some((t) => t.id === made[0].id));
      assert.deepEqual(await repo.list({ cronjobId: jobs[0].id, status: 'success', limit: 50 }), []);
      assert.deepEqual(await repo.list({ cronjobId: jobs[0].id, namespace: 'elsewhere', limit: 50 }), []);

      const recent = await repo.recentByJob([jobs[0].id, jobs[1].id, 999_999], 3);
      assert.deepEqual(recent.get(jobs[0].id)!.map((t) => t.scheduledAt.getTime()), [base + 180_000, base + 120_000, base + 60_000]);
      assert.ok(recent.get(jobs[1].id)!.length <= 3);
      assert.deepEqual(recent.get(999_999), []);
    });
  });
}
