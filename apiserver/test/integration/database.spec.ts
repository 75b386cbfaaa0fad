import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { CronJobEntity } from '../../src/cronjobs/cronjob.entity';
import { dbTime, isNamespaceGone, isNamespaceInUse } from '../../src/database/columns';
import { MIGRATIONS, openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { WorkflowRunParams1765600000000 } from '../../src/database/migrations/1765600000000-workflow-run-params';
import { CronJobVersionNames1765700000000 } from '../../src/database/migrations/1765700000000-cronjob-version-names';
import { TaskHttpStatus1765800000000 } from '../../src/database/migrations/1765800000000-task-http-status';
import { TaskNamespaceKey1765900000000 } from '../../src/database/migrations/1765900000000-task-namespace-key';
import { CronJobVersionEntity } from '../../src/cronjobs/versions/cronjob-version.entity';
import { NamespaceEntity } from '../../src/namespaces/namespace.entity';
import { TaskEntity } from '../../src/tasks/task.entity';
import { WorkflowRunEntity } from '../../src/workflows/workflow-run.entity';
import { WorkflowEntity } from '../../src/workflows/workflow.entity';
import { backends } from './support';

for (const backend of backends) {
  describe(`database on ${backend.name}`, () => {
    const target = backend.make('db');
    let ds: DataSource;
    let job: CronJobEntity;
    /** Takes the migrations down, newest first, until `m` is undone; runMigrations() applies them all again. */
    const undoTo = async (m: (typeof MIGRATIONS)[number]): Promise<void> => {
      const name = new m().name;
      while ((await ds.query('SELECT name FROM migrations')).some((r: { name: string }) => r.name === name)) await ds.undoLastMigration();
    };
    const columns = async (table: string): Promise<string[]> =>
      backend.name === 'MySQL'
        ? (await ds.query(`SHOW COLUMNS FROM ${table}`)).map((c: { Field: string }) => c.Field)
        : (await ds.query(`PRAGMA table_info(${table})`)).map((c: { name: string }) => c.name);

    before(async () => {
      ds = await openDatabase(target.db, ENTITIES);
      job = await ds.getRepository(CronJobEntity).save({
        name: 'db-test',
        schedule: '* * * * *',
        timezone: 'UTC',
        runner: 'command',
        spec: { command: 'true', args: [], env: {} },
        timeoutSeconds: null,
        enabled: true,
        nextRunAt: new Date('2026-01-01T00:00:00.123Z'),
      });
    });
    after(async () => {
      await ds?.destroy();
      await target.drop();
    });

    it('creates the schema through migrations, and a second start applies nothing', async () => {
      const applied = await ds.query('SELECT name FROM migrations');
      assert.equal(applied.length, MIGRATIONS.length);
      assert.equal(await ds.showMigrations(), false);
      const again = await openDatabase(target.db, ENTITIES);
      assert.equal((await again.query('SELECT name FROM migrations')).length, MIGRATIONS.length);
      await again.destroy();
    });

    it('refuses a cron job in a namespace that does not exist, and deleting a namespace that holds one', async () => {
      const fields = { schedule: '* * * * *', timezone: 'UTC', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, enabled: false };
      const e1 = await ds.getRepository(CronJobEntity).save({ ...fields, name: 'db-test-orphan', namespace: 'gone' }).catch((e: unknown) => e);
      assert.equal(isNamespaceGone(e1), true, String(e1));
      await ds.query("INSERT INTO namespaces (name) VALUES ('held')");
      await ds.getRepository(CronJobEntity).save({ ...fields, name: 'db-test-held', namespace: 'held' });
      const e2 = await ds.query("DELETE FROM namespaces WHERE name = 'held'").catch((e: unknown) => e);
      assert.equal(isNamespaceInUse(e2), true, String(e2));
    });

    it('compares names exactly: case and emoji make different names', async () => {
      const fields = { schedule: '* * * * *', timezone: 'UTC', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, enabled: false };
      const repo = ds.getRepository(CronJobEntity);
      for (const name of ['Case-x', 'case-x', 'emo-😀', 'emo-🙂']) await repo.save({ ...fields, name });
      assert.equal((await repo.findOneByOrFail({ name: 'emo-🙂' })).name, 'emo-🙂');
      assert.equal(await repo.findOneBy({ name: 'CASE-X' }), null);
    });

    it('keeps millisecond precision and UTC for times', async () => {
      const back = await ds.getRepository(CronJobEntity).findOneByOrFail({ id: job.id });
      assert.equal(back.nextRunAt?.toISOString(), '2026-01-01T00:00:00.123Z');
    });

    it('keeps milliseconds in the times the database fills in: a task is never read as created before it was due', async () => {
      // Away from a whole second, so a time cut to seconds cannot pass for one that was not.
      while (Date.now() % 1000 < 50 || Date.now() % 1000 > 900) await new Promise((r) => setTimeout(r, 10));
      const due = new Date();
      const tasks = ds.getRepository(TaskEntity);
      const { identifiers } = await tasks.insert({ cronjobId: null, cronjobName: null, status: 'pending', attempt: 1, trigger: 'api', scheduledAt: due, runner: 'command', spec: {}, timeoutSeconds: null });
      const task = await tasks.findOneByOrFail({ id: Number(identifiers[0].id) });
      assert.ok(task.createdAt.getTime() >= due.getTime() - 5, `createdAt ${task.createdAt.toISOString()} is before the due time ${due.toISOString()}`);
      await ds.getRepository(NamespaceEntity).insert({ name: 'db-test-ms', description: null, maxJobs: null, maxConcurrentTasks: null });
      const ns = await ds.getRepository(NamespaceEntity).findOneByOrFail({ name: 'db-test-ms' });
      for (const [field, at] of [['namespace createdAt', ns.createdAt], ['namespace updatedAt', ns.updatedAt]] as const) {
        assert.ok(at.getTime() >= due.getTime() - 5, `${field} ${at.toISOString()} is cut before ${due.toISOString()}`);
      }
      if (backend.name === 'MySQL') {
        const cut = (await ds.query(
          "SELECT table_name AS t, column_name AS c, datetime_precision AS p FROM information_schema.columns WHERE table_schema = DATABASE() AND data_type IN ('datetime', 'timestamp') AND datetime_precision <> 3",
        )) as { t: string; c: string; p: number }[];
        assert.deepEqual(cut.map((r) => `${r.t}.${r.c} (${r.p})`), [], 'every time column keeps milliseconds');
      }
    });

    it('refuses a second task for the same cron job, due time and attempt', async () => {
      const repo = ds.getRepository(TaskEntity);
      const row = { cronjobId: job.id, cronjobName: job.name, status: 'pending' as const, attempt: 1, trigger: 'schedule' as const, scheduledAt: new Date('2026-01-01T00:01:00.000Z'), runner: 'command', spec: {}, timeoutSeconds: null };
      await repo.insert({ ...row });
      await assert.rejects(repo.insert({ ...row }), /duplicate|unique/i);
      await repo.insert({ ...row, attempt: 2 });
      assert.equal(await repo.countBy({ cronjobId: job.id }), 2);
    });

    it('deletes the tasks of a deleted cron job with it', async () => {
      const { id: _id, ...fields } = job;
      const other = await ds.getRepository(CronJobEntity).save({ ...fields, name: 'db-test-2' });
      await ds.getRepository(TaskEntity).insert({ cronjobId: other.id, cronjobName: other.name, status: 'success', attempt: 1, trigger: 'manual', scheduledAt: new Date(), runner: 'command', spec: {}, timeoutSeconds: null });
      await ds.getRepository(CronJobEntity).delete({ id: other.id });
      assert.equal(await ds.getRepository(TaskEntity).countBy({ cronjobId: other.id }), 0);
    });

    // These last ones take the newest migrations down and up again.
    it("keeps a workflow run's param values whole, and its migration goes down and up again", async () => {
      const wf = await ds.getRepository(WorkflowEntity).save({ name: 'db-test-wf', namespace: 'default', description: null, definition: { steps: [] }, schedule: null, timezone: 'UTC', enabled: true, nextRunAt: null });
      // 20 values of 4 KiB, each of characters JSON writes as \u00XX: past TEXT's 64 KiB on MySQL.
      const params = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`P${i}`, '\u0001'.repeat(4096)]));
      const fields = { workflowId: wf.id, workflowName: wf.name, namespace: 'default', trigger: 'api' as const, scheduledAt: null, status: 'running' as const, definition: { steps: [] }, retryFrom: null, retries: 0, reason: null, startedAt: new Date(), finishedAt: null };
      const run = await ds.getRepository(WorkflowRunEntity).save({ ...fields, params });
      assert.deepEqual((await ds.getRepository(WorkflowRunEntity).findOneByOrFail({ id: run.id })).params, params);
      await undoTo(WorkflowRunParams1765600000000);
      assert.equal((await columns('workflow_runs')).includes('params'), false);
      assert.equal((await ds.query('SELECT id FROM workflow_runs')).length, 1, 'the run stays, without its values');
      await ds.runMigrations();
      assert.equal((await columns('workflow_runs')).includes('params'), true);
      assert.equal((await ds.getRepository(WorkflowRunEntity).findOneByOrFail({ id: run.id })).params, null, 'read as a run from before params');
    });

    it("records each version's job name and namespace, fills them in for older versions (a deleted job's namespace stays unknown), and goes down and up again", async () => {
      const versions = ds.getRepository(CronJobVersionEntity);
      const row = (cronjobId: number, version: number, name: string) => ({ cronjobId, version, kind: 'created' as const, rolledBackFrom: null, definition: { name } as never, changes: [], actor: 'admin', role: 'admin', tokenId: null, at: new Date() });
      await versions.insert({ ...row(job.id, 1, job.name), name: job.name, namespace: job.namespace });
      assert.deepEqual(await versions.findOneByOrFail({ cronjobId: job.id, version: 1 }).then((v) => [v.name, v.namespace]), [job.name, 'default']);

      await undoTo(CronJobVersionNames1765700000000);
      assert.deepEqual((await columns('cronjob_versions')).filter((c) => c === 'name' || c === 'namespace'), []);
      // Versions written before the migration: of a live job, and of one deleted since (id 999999).
      const old = [row(job.id, 2, 'renamed-since'), row(999999, 1, 'db-test-gone 😀')];
      for (const v of old) {
        await ds.query('INSERT INTO cronjob_versions (cronjob_id, version, kind, definition, changes, actor, role, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
          v.cronjobId, v.version, v.kind, JSON.stringify(v.definition), '[]', v.actor, v.role, dbTime(ds, v.at),
        ]);
      }
      await ds.runMigrations();
      const back = async (cronjobId: number, version: number) => versions.findOneByOrFail({ cronjobId, version }).then((v) => [v.name, v.namespace]);
      assert.deepEqual(await back(job.id, 1), [job.name, 'default']);
      assert.deepEqual(await back(job.id, 2), ['renamed-since', 'default'], "the name from the version's own definition");
      assert.deepEqual(await back(999999, 1), ['db-test-gone 😀', null], "a deleted job's namespace is not known");
    });

    it("keeps an http task's response status, and its migration goes down and up again", async () => {
      const tasks = ds.getRepository(TaskEntity);
      const { identifiers } = await tasks.insert({ cronjobId: null, cronjobName: null, status: 'success', attempt: 1, trigger: 'api', scheduledAt: new Date(), runner: 'http', spec: {}, timeoutSeconds: null, httpStatus: 204 });
      const id = Number(identifiers[0].id);
      assert.equal((await tasks.findOneByOrFail({ id })).httpStatus, 204);
      await undoTo(TaskHttpStatus1765800000000);
      assert.equal((await columns('tasks')).includes('http_status'), false);
      assert.equal((await ds.query('SELECT id FROM tasks WHERE id = ?', [id])).length, 1, 'the task stays, without its status');
      await ds.runMigrations();
      assert.equal((await tasks.findOneByOrFail({ id })).httpStatus, null, 'read as a task from before the column');
    });

    it(
      'refuses a task in a namespace that does not exist, gives tasks left in a gone namespace their namespace back, and its migration goes down and up again',
      { skip: backend.name !== 'MySQL' && 'MySQL only: on SQLite one-shot tasks are written in a transaction that reads the namespaces first' },
      async () => {
        assert.equal(MIGRATIONS[MIGRATIONS.length - 1], TaskNamespaceKey1765900000000, 'the migration under test is the newest');
        const task = (namespace: string) => ({ cronjobId: null, cronjobName: null, status: 'pending' as const, attempt: 1, trigger: 'api' as const, scheduledAt: new Date(), runner: 'command', spec: {}, timeoutSeconds: null, namespace });
        const tasks = ds.getRepository(TaskEntity);
        const refused = await tasks.insert(task('no-such-ns')).catch((e: unknown) => e);
        assert.equal(isNamespaceGone(refused), true, String(refused));
        await undoTo(TaskNamespaceKey1765900000000);
        const { identifiers } = await tasks.insert(task('left-behind'));
        await ds.runMigrations();
        const [ns] = (await ds.query("SELECT description FROM namespaces WHERE name = 'left-behind'")) as { description: string }[];
        assert.equal(ns?.description, 'recreated: it still held tasks');
        assert.equal((await tasks.findOneByOrFail({ id: Number(identifiers[0].id) })).namespace, 'left-behind', 'the task stays where it was');
        const again = await tasks.insert(task('no-such-ns')).catch((e: unknown) => e);
        assert.equal(isNamespaceGone(again), true, 'the key is back');
      },
    );
  });
}
