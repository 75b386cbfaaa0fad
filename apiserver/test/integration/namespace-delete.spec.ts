import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { NamespaceEntity } from '../../src/namespaces/namespace.entity';
import { NamespacesRepository } from '../../src/namespaces/namespaces.repository';
import { mysqlDb } from './support';

/**
 * The race of issue 17 made deterministic on MySQL: a cron job insert into namespace X is in flight
 * (its transaction open, not committed) while X is deleted. Under READ COMMITTED the delete cannot
 * see the uncommitted row; only the foreign key to the namespace makes it wait and then refuse.
 * (SQLite has one writer at a time, so there the delete and the insert cannot overlap: the e2e race
 * test covers it over HTTP.)
 */
describe('deleting a namespace while a cron job is being inserted into it (MySQL)', () => {
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
});
