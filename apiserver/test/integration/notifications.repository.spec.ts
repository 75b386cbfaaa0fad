import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { CronJobEntity } from '../../src/cronjobs/cronjob.entity';
import { openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { NotificationsRepository } from '../../src/notifications/notifications.repository';
import { TaskEntity } from '../../src/tasks/task.entity';
import { backends } from './support';

for (const backend of backends) {
  describe(`notifications repository on ${backend.name}`, () => {
    const target = backend.make('notify');
    let ds: DataSource;
    let repo: NotificationsRepository;
    let jobId: number;

    before(async () => {
      ds = await openDatabase(target.db, ENTITIES);
      repo = new NotificationsRepository(ds.getRepository(TaskEntity), ds.getRepository(CronJobEntity));
      const job = await ds.getRepository(CronJobEntity).save({ name: 'n', schedule: '@daily', timezone: 'UTC', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, enabled: true, nextRunAt: null });
      jobId = job.id;
    });
    after(async () => {
      await ds?.destroy();
      await target.drop();
    });

    /** An ended attempt of the run due at `due` (the unique due key: one row per attempt). */
    const attempt = (due: string, n: number, status: TaskEntity['status'], finished: string) =>
      ds.getRepository(TaskEntity).save({
        cronjobId: jobId, cronjobName: 'n', namespace: 'default', status, attempt: n, trigger: n === 1 ? 'schedule' : 'retry', scheduledAt: new Date(due),
        finishedAt: new Date(finished), runner: 'command', spec: { command: 'true' }, timeoutSeconds: null,
      });

    it('reads the outcome of the previous run, not of earlier attempts of the same run', async () => {
      await attempt('2026-01-01T00:00:00.000Z', 1, 'success', '2026-01-01T00:00:01.000Z');
      await attempt('2026-01-02T00:00:00.123Z', 1, 'failed', '2026-01-02T00:00:01.000Z');
      const retried = await attempt('2026-01-02T00:00:00.123Z', 2, 'success', '2026-01-02T00:00:12.000Z');
      assert.equal(await repo.previousRunOutcome(retried), 'success', 'the run of Jan 1 succeeded; the failed first attempt is of the same run');

      const next = await attempt('2026-01-03T00:00:00.000Z', 1, 'success', '2026-01-03T00:00:01.000Z');
      assert.equal(await repo.previousRunOutcome(next), 'success', 'the run of Jan 2 ended with its successful retry');
    });

    it('reads a failed previous run as not a success, so that the next success is a recovery', async () => {
      await attempt('2026-02-01T00:00:00.000Z', 1, 'failed', '2026-02-01T00:00:01.000Z');
      await attempt('2026-02-01T00:00:00.000Z', 2, 'timeout', '2026-02-01T00:00:20.000Z');
      const next = await attempt('2026-02-02T00:00:00.000Z', 1, 'success', '2026-02-02T00:00:01.000Z');
      assert.equal(await repo.previousRunOutcome(next), 'timeout');
    });
  });
}
