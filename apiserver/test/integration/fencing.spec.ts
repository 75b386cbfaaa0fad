import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { CronJobEntity } from '../../src/cronjobs/cronjob.entity';
import { openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { FencedOutError, SchedulerStateRepository } from '../../src/dispatcher/scheduler-state.repository';
import { TaskOutputEntity } from '../../src/tasks/task-output.entity';
import { TaskEntity } from '../../src/tasks/task.entity';
import { TasksRepository } from '../../src/tasks/tasks.repository';
import { backends } from './support';

for (const backend of backends) {
  describe(`lease epoch fencing on ${backend.name}`, () => {
    const target = backend.make('fence');
    let ds: DataSource;
    let state: SchedulerStateRepository;
    let tasks: TasksRepository;
    let jobId: number;

    before(async () => {
      ds = await openDatabase(target.db, ENTITIES);
      state = new SchedulerStateRepository(ds);
      tasks = new TasksRepository(ds.getRepository(TaskEntity), ds.getRepository(TaskOutputEntity));
      const job = await ds.getRepository(CronJobEntity).save({ name: 'fenced', schedule: '* * * * *', timezone: 'UTC', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, enabled: true, nextRunAt: null });
      jobId = job.id;
    });
    after(async () => {
      await ds?.destroy();
      await target.drop();
    });

    const row = (iso: string) => ({ cronjobId: jobId, cronjobName: 'fenced', namespace: 'default', scheduledAt: new Date(iso), trigger: 'schedule' as const, runner: 'command', spec: { command: 'true' }, timeoutSeconds: null });

    it('refuses the writes and claims of a leader whose epoch was overtaken, and only those', async () => {
      assert.equal(await state.takeOver(1, 'old'), true);
      const [t] = await state.fenced(1, (m) => tasks.createDue([row('2026-05-01T00:00:00Z')], m));
      assert.ok(t, 'the current leader writes');

      assert.equal(await state.takeOver(2, 'new'), true);
      assert.equal(await state.takeOver(2, 'again'), false, 'an epoch is taken once');
      assert.equal(await state.takeOver(1, 'older'), false, 'an older epoch cannot take over');
      assert.equal((await state.read()).leader, 'new');

      await assert.rejects(state.fenced(1, (m) => tasks.createDue([row('2026-05-01T00:00:01Z')], m)), FencedOutError);
      assert.equal(await ds.getRepository(TaskEntity).countBy({ cronjobId: jobId }), 1, 'the stale write left nothing behind');
      assert.equal(await tasks.claim(t.id, 1, 1), false, 'a stale leader cannot hand out a task');
      assert.equal(await tasks.claim(t.id, 1, 2), true, 'the current leader can');
    });
  });
}
