import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PROTOCOL_VERSION, type WorkerHello } from '@cronfleet/shared';
import { DataSource } from 'typeorm';
import { dataSourceOptions, ensureDatabaseExists, MIGRATIONS, openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { WorkerCredentials1765300000000 } from '../../src/database/migrations/1765300000000-worker-credentials';
import { TaskEntity } from '../../src/tasks/task.entity';
import { WorkerEntity } from '../../src/workers/worker.entity';
import { WorkersRepository } from '../../src/workers/workers.repository';
import { backends } from './support';

const hello = (name: string, over: Partial<WorkerHello> = {}): WorkerHello => ({
  name,
  hostname: 'h',
  version: 'test',
  protocolVersion: PROTOCOL_VERSION,
  capacity: 2,
  labels: {},
  runners: ['command'],
  runningTaskIds: [],
  clockMs: Date.now(),
  draining: false,
  sessionId: 's1',
  ...over,
});
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

for (const backend of backends) {
  describe(`worker enrolment rows on ${backend.name}`, () => {
    const target = backend.make('workers');
    let ds: DataSource;
    let repo: WorkersRepository;
    const row = (name: string) => ds.getRepository(WorkerEntity).findOneByOrFail({ name });

    before(async () => {
      // Every migration but the credentials one first, with a worker row as an older server left it:
      // the upgrade path is part of what is tested.
      const older = new DataSource({ ...dataSourceOptions(target.db, ENTITIES), migrations: MIGRATIONS.filter((m) => m !== WorkerCredentials1765300000000) } as ConstructorParameters<typeof DataSource>[0]);
      await ensureDatabaseExists(target.db);
      await older.initialize();
      await older.runMigrations({ transaction: 'each' });
      await older.query("INSERT INTO workers (name, hostname, version, capacity, labels, runners, status) VALUES ('from-before', 'h', 'old', 1, '{}', '[\"command\"]', 'online')");
      await older.destroy();
      ds = await openDatabase(target.db, ENTITIES);
      repo = new WorkersRepository(ds.getRepository(WorkerEntity), ds.getRepository(TaskEntity));
    });
    after(async () => {
      await ds?.destroy();
      await target.drop();
    });

    it('keeps every column of a worker on a database made by one run of all the migrations', async () => {
      // One run shares TypeORM's cached table schemas between migrations: a rebuild from a stale one drops columns.
      const fresh = backend.make('workers_fresh');
      const one = await openDatabase(fresh.db, ENTITIES);
      try {
        const freshRepo = new WorkersRepository(one.getRepository(WorkerEntity), one.getRepository(TaskEntity));
        await freshRepo.register(hello('fresh', { namespace: 'default' }), 'i1', new Date(), null, HASH_A);
        const back = await one.getRepository(WorkerEntity).findOneByOrFail({ name: 'fresh' });
        assert.deepEqual([back.namespace, back.enrolment, back.credentialHash, back.sessionId, back.drained], ['default', 'enrolled', HASH_A, 's1', false]);
      } finally {
        await one.destroy();
        await fresh.drop();
      }
    });

    it('opens the enrolment of workers from before credentials, so they enrol at their next hello', async () => {
      const old = await row('from-before');
      assert.deepEqual([old.enrolment, old.credentialHash, old.enrolledAt, old.revokedAt, old.sessionId], ['open', null, null, null, null]);
      const enrolled = await repo.register(hello('from-before'), 'i1', new Date(), old, HASH_A);
      assert.equal(enrolled?.enrolment, 'enrolled');
      const back = await row('from-before');
      assert.deepEqual([back.enrolment, back.credentialHash, back.sessionId, back.version], ['enrolled', HASH_A, 's1', 'test']);
      assert.ok(back.enrolledAt);
    });

    it('creates a new name enrolled, or open for a worker that keeps no credential, and refuses a second row for the same name', async () => {
      const made = await repo.register(hello('new-1'), 'i1', new Date(), null, HASH_A);
      assert.deepEqual([made?.enrolment, made?.credentialHash], ['enrolled', HASH_A]);
      assert.equal(await repo.register(hello('new-1', { sessionId: 's2' }), 'i1', new Date(), null, HASH_B), null, 'the name was taken meanwhile');
      assert.equal((await row('new-1')).credentialHash, HASH_A);
      const older = await repo.register(hello('new-2'), 'i1', new Date(), null, null);
      assert.deepEqual([older?.enrolment, (await row('new-2')).credentialHash], ['open', null]);
    });

    it('writes a hello only over the enrolment it was admitted on: a revoke or another enrolment in between wins', async () => {
      await repo.register(hello('race'), 'i1', new Date(), null, HASH_A);
      const seen = await row('race');
      assert.equal(await repo.revoke(seen.id, new Date()), true);
      assert.equal(await repo.register(hello('race'), 'i2', new Date(), seen, null), null);
      const revoked = await row('race');
      assert.deepEqual([revoked.enrolment, revoked.credentialHash, revoked.instanceId], ['revoked', null, 'i1']);
      assert.ok(revoked.revokedAt);
      assert.equal(await repo.revoke(seen.id, new Date()), false, 'revoked already');

      assert.equal(await repo.reopenEnrolment(seen.id), false, 'not while it is online');
      await repo.markUnreachable(seen.id, 'i1');
      assert.equal(await repo.reopenEnrolment(seen.id), true);
      assert.equal(await repo.reopenEnrolment(seen.id), false, 'open already');
      const open = await row('race');
      assert.deepEqual([open.enrolment, open.credentialHash, open.enrolledAt, open.revokedAt], ['open', null, null, null]);
      const first = await repo.register(hello('race', { sessionId: 's3' }), 'i1', new Date(), open, HASH_B);
      assert.equal(first?.enrolment, 'enrolled');
      assert.equal(await repo.register(hello('race', { sessionId: 's4' }), 'i2', new Date(), open, HASH_A), null, 'a second enrolment of the same open name loses');
      assert.deepEqual([(await row('race')).credentialHash, (await row('race')).sessionId], [HASH_B, 's3']);
    });

    it('refreshes an enrolled worker without touching its credential', async () => {
      const seen = await row('race');
      const again = await repo.register(hello('race', { capacity: 9, sessionId: 's5' }), 'i2', new Date(), seen, null);
      assert.equal(again?.capacity, 9);
      const back = await row('race');
      assert.deepEqual([back.enrolment, back.credentialHash, back.capacity, back.instanceId, back.sessionId], ['enrolled', HASH_B, 9, 'i2', 's5']);
      assert.equal(back.enrolledAt?.getTime(), seen.enrolledAt?.getTime());
    });
  });
}
