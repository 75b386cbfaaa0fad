import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { NamespaceEntity } from '../../src/namespaces/namespace.entity';
import { NamespacesRepository } from '../../src/namespaces/namespaces.repository';
import { TaskOutputEntity } from '../../src/tasks/task-output.entity';
import { TaskEntity } from '../../src/tasks/task.entity';
import { type NewTask, TasksRepository } from '../../src/tasks/tasks.repository';
import { mysqlDb } from './support';

/**
 * The race of issue 17 made deterministic on MySQL: a cron job insert into namespace X is in flight
 * (its transaction open, not committed) while X is deleted. Under READ COMMITTED the delete cannot
 * see the uncommitted row; only the foreign key to the namespace makes it wait and then refuse.
 * (SQLite has one writer at a time, so there the delete and the insert cannot overlap: the e2e race
 * test covers it over HTTP.)
 */
describe('deleting a namespace while a cron job or tasks are being inserted into it (MySQL)', () => {
  const target = mysqlDb('nsdel');
  let ds: DataSource;
  let repo: NamespacesRepository;

  before(async () => {
    ds = await openDatabase(target.db, ENTITIES);
    repo = new NamespacesRepository(ds.getRepository(NamespaceEntity));
  });
  after(async () => {
    await ds?.destroy();
    await target.drop();
  });

  it('waits for the insert and then refuses, leaving the namespace and its job', async () => {
    await ds.query("INSERT INTO namespaces (name) VALUES ('racing')");
    const create = ds.createQueryRunner();
    await create.startTransaction();
    try {
      await create.query("INSERT INTO cronjobs (name, namespace, schedule, timezone, runner, spec, enabled) VALUES ('j', 'racing', '@yearly', 'UTC', 'command', '{}', 0)");
      let settled = false;
      const deleting = repo.deleteIfEmpty('racing').finally(() => (settled = true));
      // The delete must be waiting on the insert's lock before the insert commits; had it gone ahead
      // (no key), it would have settled first and the job would now be an orphan.
      for (;;) {
        const [{ n }] = (await ds.query("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND command = 'Query' AND info LIKE '%FROM namespaces WHERE name = %FOR UPDATE'")) as { n: number | string }[];
        if (Number(n) > 0 || settled) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await create.commitTransaction();
      const left = await deleting;
      assert.deepEqual(left, ['1 cron job']);
    } finally {
      if (create.isTransactionActive) await create.rollbackTransaction();
      await create.release();
    }
    const orphans = (await ds.query('SELECT COUNT(*) AS n FROM cronjobs j WHERE NOT EXISTS (SELECT 1 FROM namespaces n WHERE n.name = j.namespace)')) as { n: number | string }[];
    assert.equal(Number(orphans[0].n), 0);
  });

  it('makes one-shot tasks written into it meanwhile fail alone, and leaves no task without its namespace', async () => {
    await ds.query("INSERT INTO namespaces (name) VALUES ('racing-tasks')");
    const tasks = new TasksRepository(ds.getRepository(TaskEntity), ds.getRepository(TaskOutputEntity));
    const row = (namespace: string, i: number) =>
      ({ cronjobId: null, cronjobName: null, namespace, scheduledAt: new Date(Date.parse('2026-06-01T00:00:00.000Z') + i), trigger: 'api', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null }) as NewTask;
    // The delete has locked the namespace (deleteIfEmpty's first step) when the tasks' INSERT comes.
    const del = ds.createQueryRunner();
    await del.startTransaction();
    try {
      await del.query("SELECT name FROM namespaces WHERE name = 'racing-tasks' FOR UPDATE");
      let settled = false;
      const writing = tasks.createMany([row('default', 1), row('racing-tasks', 2), row('default', 3)]).finally(() => (settled = true));
      // The INSERT must be waiting on the namespace's lock (the foreign key's check) before the delete goes on.
      for (;;) {
        const [{ n }] = (await ds.query("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND command = 'Query' AND info LIKE 'INSERT INTO `tasks`%'")) as { n: number | string }[];
        if (Number(n) > 0 || settled) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(settled, false, 'the INSERT waited for the delete');
      await del.query("DELETE FROM tasks WHERE namespace = 'racing-tasks'");
      await del.query("DELETE FROM namespaces WHERE name = 'racing-tasks'");
      await del.commitTransaction();
      const answers = await writing;
      assert.deepEqual(
        answers.map((a) => (a.ok ? `made in ${a.value.task.namespace}` : (a.error as Error).message)),
        ['made in default', "namespace: no namespace 'racing-tasks'; create it first (POST /api/v1/namespaces) or pick an existing one", 'made in default'],
      );
    } finally {
      if (del.isTransactionActive) await del.rollbackTransaction();
      await del.release();
    }
    const orphans = (await ds.query('SELECT COUNT(*) AS n FROM tasks t WHERE NOT EXISTS (SELECT 1 FROM namespaces n WHERE n.name = t.namespace)')) as { n: number | string }[];
    assert.equal(Number(orphans[0].n), 0);
  });
});
