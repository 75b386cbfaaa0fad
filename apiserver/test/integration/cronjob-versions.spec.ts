import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { SecretBox } from '../../src/common/secret-box';
import { CronJobEntity } from '../../src/cronjobs/cronjob.entity';
import { toCronJobView } from '../../src/cronjobs/cronjob.view';
import { CronJobsRepository } from '../../src/cronjobs/cronjobs.repository';
import { CronJobHistory } from '../../src/cronjobs/versions/cronjob-history';
import { CronJobVersionEntity } from '../../src/cronjobs/versions/cronjob-version.entity';
import { openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { TaskEntity } from '../../src/tasks/task.entity';
import { backends } from './support';

const box = new SecretBox(randomBytes(32));
const history = new CronJobHistory(box);
const author = { actor: 'ci-deploy', role: 'admin', tokenId: 7 };

for (const backend of backends) {
  describe(`cron job versions on ${backend.name}`, () => {
    const target = backend.make('versions');
    let a: DataSource;
    let b: DataSource;
    let repoA: CronJobsRepository;
    let repoB: CronJobsRepository;

    const fields = (name: string) => ({
      name, schedule: '@hourly', timezone: 'UTC', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, enabled: true, jitterSeconds: 0, concurrencyPolicy: 'allow' as const,
      misfirePolicy: 'runOnce' as const, catchUpLimit: 10, startingDeadlineSeconds: null, retry: null, priority: 0, workerSelector: null, routing: 'leastLoaded' as const, env: {},
      secretEnv: box.seal({ TOKEN: 'very-secret-value' }), secretEnvKeys: ['TOKEN'], maxOutputBytes: null, notify: [], triggers: null, params: null, historyLimit: null, historyDays: null, nextRunAt: null, createdAt: new Date(), namespace: 'default',
    });
    const create = (repo: CronJobsRepository, name: string) => {
      const f = fields(name);
      return repo.insertWithHistory(f, history.created({ ...f, updatedAt: f.createdAt } as unknown as CronJobEntity, author));
    };
    /** Changes one field through saveWithHistory, as the service does: the version is made from the row read in the transaction. */
    const change = async (repo: CronJobsRepository, id: number, patch: Partial<CronJobEntity>) => {
      const current = (await a.getRepository(CronJobEntity).findOneByOrFail({ id }))!;
      const next = { ...current, ...patch } as CronJobEntity;
      return repo.saveWithHistory(next, (before) => history.changed(before, next, author));
    };
    const versionsOf = async (id: number) => (await a.getRepository(CronJobVersionEntity).find({ where: { cronjobId: id }, order: { version: 'ASC' } })).map((v) => ({ ...v, id: Number(v.id) }));

    before(async () => {
      a = await openDatabase(target.db, ENTITIES);
      // Two pools play two servers on MySQL; SQLite is one server process, with one repository.
      b = backend.name === 'MySQL' ? await openDatabase(target.db, ENTITIES) : a;
      repoA = new CronJobsRepository(a.getRepository(CronJobEntity));
      repoB = b === a ? repoA : new CronJobsRepository(b.getRepository(CronJobEntity));
    });
    after(async () => {
      if (b && b !== a) await b.destroy();
      await a?.destroy();
      await target.drop();
    });

    it('writes a version with every create and change, in the same transaction, numbered from 1', async () => {
      const job = await create(repoA, 'v-basic');
      assert.equal(job.version, 1);
      const saved = await change(repoA, job.id, { schedule: '@daily' });
      assert.equal(saved.version, 2);
      const rows = await versionsOf(job.id);
      assert.deepEqual(rows.map((v) => [v.version, v.kind, v.actor, v.role, v.tokenId]), [[1, 'created', 'ci-deploy', 'admin', 7], [2, 'updated', 'ci-deploy', 'admin', 7]]);
      assert.deepEqual(rows[1].changes, [{ field: 'schedule', before: '@hourly', after: '@daily' }]);
      assert.equal(rows[1].definition.schedule, '@daily');
      assert.deepEqual(box.open(rows[1].definition.secretEnv!), { TOKEN: 'very-secret-value' }, 'secrets are kept sealed, as on the job row');
      const raw = JSON.stringify(await a.query('SELECT definition, changes FROM cronjob_versions'));
      assert.ok(!raw.includes('very-secret-value'), 'no secret value in clear in the table');
      assert.equal((await a.getRepository(CronJobEntity).findOneByOrFail({ id: job.id })).version, 2);
    });

    it('answers a created job as it is stored, without reading it back', async () => {
      const job = await create(repoA, 'v-as-stored');
      const stored = await a.getRepository(CronJobEntity).findOneByOrFail({ id: job.id });
      assert.deepEqual(toCronJobView(job), toCronJobView(stored));
      assert.ok(job instanceof CronJobEntity);
    });

    it('refuses a second job of the same name in the namespace with CronJobNameTaken, storing nothing', async () => {
      await create(repoA, 'v-twice');
      await assert.rejects(create(repoB, 'v-twice'), (e: Error & { code?: string }) => e.code === 'CronJobNameTaken');
      assert.equal(await a.getRepository(CronJobEntity).countBy({ name: 'v-twice' }), 1);
    });

    it('stores neither the change nor its version when the change is refused (a name clash)', async () => {
      await create(repoA, 'v-taken');
      const job = await create(repoA, 'v-renamed');
      await assert.rejects(change(repoA, job.id, { name: 'v-taken', priority: 9 }), (e: Error & { code?: string }) => e.code === 'CronJobNameTaken');
      const row = await a.getRepository(CronJobEntity).findOneByOrFail({ id: job.id });
      assert.deepEqual([row.name, row.priority, row.version], ['v-renamed', 0, 1]);
      assert.deepEqual((await versionsOf(job.id)).map((v) => v.version), [1]);
    });

    it('stores no change without its version: a version that cannot be written undoes the change', async () => {
      const job = await create(repoA, 'v-atomic');
      // Version 2 is taken already (as by a writer that lost its lock): the insert fails, so must the update.
      const { id: _id, ...first } = (await versionsOf(job.id))[0];
      const versions = a.getRepository(CronJobVersionEntity);
      await versions.save(versions.create({ ...first, version: 2, kind: 'updated' }));
      await assert.rejects(change(repoA, job.id, { priority: 3 }));
      const row = await a.getRepository(CronJobEntity).findOneByOrFail({ id: job.id });
      assert.deepEqual([row.priority, row.version], [0, 1]);
    });

    it('numbers changes racing from two servers one after the other, without a gap or a repeat', async () => {
      const job = await create(repoA, 'v-race');
      await Promise.all(Array.from({ length: 10 }, (_, i) => change(i % 2 ? repoB : repoA, job.id, { priority: i + 1 })));
      const rows = await versionsOf(job.id);
      assert.deepEqual(rows.map((v) => v.version), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      assert.equal((await a.getRepository(CronJobEntity).findOneByOrFail({ id: job.id })).version, 11);
      for (let i = 2; i <= 11; i++) assert.equal(rows[i - 1].changes.find((c) => c.field === 'priority')?.after, rows[i - 1].definition.priority, `version ${i} records the change it made`);
    });

    it('keeps the versions of a deleted job, with a last one recording the deletion, while its tasks go', async () => {
      const job = await create(repoA, 'v-deleted');
      await a.getRepository(TaskEntity).insert({ cronjobId: job.id, cronjobName: job.name, status: 'success', attempt: 1, trigger: 'manual', scheduledAt: new Date(), runner: 'command', spec: {}, timeoutSeconds: null });
      assert.equal(await repoA.deleteWithHistory(job.id, (before) => history.deleted(before, author)), true);
      assert.equal(await repoA.deleteWithHistory(job.id, (before) => history.deleted(before, author)), false, 'a second delete finds nothing');
      assert.deepEqual((await versionsOf(job.id)).map((v) => [v.version, v.kind, v.definition.name]), [[1, 'created', 'v-deleted'], [2, 'deleted', 'v-deleted']]);
      assert.equal(await a.getRepository(TaskEntity).countBy({ cronjobId: job.id }), 0);
    });

    it('records how a job made before versioning was, at its first change', async () => {
      const old = await a.getRepository(CronJobEntity).save({ ...fields('v-old'), version: 0 });
      await change(repoA, old.id, { timezone: 'Europe/Berlin' });
      const rows = await versionsOf(old.id);
      assert.deepEqual(rows.map((v) => [v.version, v.kind, v.definition.timezone]), [[1, 'baseline', 'UTC'], [2, 'updated', 'Europe/Berlin']]);
    });
  });
}
