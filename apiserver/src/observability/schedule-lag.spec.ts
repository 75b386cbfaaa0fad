import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskEntity } from '../tasks/task.entity';
import { scheduleLagMs } from './schedule-lag';

const t = (trigger: TaskEntity['trigger'], scheduledAtMs: number, runAtMs?: number) =>
  ({ trigger, scheduledAt: new Date(scheduledAtMs), runAt: runAtMs === undefined ? null : new Date(runAtMs) }) as Pick<TaskEntity, 'trigger' | 'runAt' | 'scheduledAt'>;

describe('scheduleLagMs', () => {
  it("measures a scheduled task from its due time plus its job's jitter", () => {
    assert.equal(scheduleLagMs(t('schedule', 10_000), 0, 10_004), 4);
    assert.equal(scheduleLagMs(t('schedule', 10_000), 3000, 13_002), 2);
  });

  it('measures delayed tasks and retries from their run-at time', () => {
    assert.equal(scheduleLagMs(t('retry', 10_000, 70_000), 500, 70_030), 30);
    assert.equal(scheduleLagMs(t('api', 5_000, 5_000), 0, 5_001), 1);
  });

  it('counts a send ahead of time (clock steps) as 0 and leaves misfire catch-up runs out', () => {
    assert.equal(scheduleLagMs(t('schedule', 10_000), 0, 9_990), 0);
    assert.equal(scheduleLagMs(t('misfire', 10_000), 0, 600_000), null);
  });
});
