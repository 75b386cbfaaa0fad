import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TaskStatus } from '@cronfleet/shared';
import { DataSource, In, IsNull, Not } from 'typeorm';
import { CronJobEntity } from '../../src/cronjobs/cronjob.entity';
import { openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { RetentionRepository } from '../../src/retention/retention.repository';
import { RetentionSweeper } from '../../src/retention/retention-sweeper';
import { TaskOutputEntity } from '../../src/tasks/task-output.entity';
import { TaskEntity } from '../../src/tasks/task.entity';
import { checkDefinition } from '../../src/workflows/check-definition';
import { WorkflowRunEntity } from '../../src/workflows/workflow-run.entity';
import { WorkflowEntity } from '../../src/workflows/workflow.entity';
import { backends } from './support';

const NOW = Date.now();
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW - days * DAY);

for (const backend of backends) {
  describe(`retention sweep on ${backend.name}`, () => {
    const target = backend.make('retention');
    let ds: DataSource;
    let dueCounter = 0;
    // Batches of 3: every pass needs several, and a cursor crosses ties between batches.
    const sweeper = (opts: { shouldStop?: () => boolean } = {}) => new RetentionSweeper(new RetentionRepository(ds), { batchSize: 3, pause: async () => undefined, ...opts });

    const job = (name: string, fields: Partial<CronJobEntity> = {}) =>
      ds.getRepository(CronJobEntity).save({ name, schedule: '@yearly', timezone: 'UTC', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, enabled: false, nextRunAt: null, ...fields });
    /** A task of `cronjobId` (null: one-shot) that ended `finishedAt` (null: still live), with two chunks of output. */
    async function task(cronjobId: number | null, finishedAt: Date | null, extra: Partial<TaskEntity> = {}): Promise<number> {
      const status: TaskStatus = extra.status ?? (finishedAt ? 'success' : 'running');
      const scheduledAt = new Date((finishedAt ?? ago(60)).getTime() - 1000 - dueCounter++);
      const r = await ds.getRepository(TaskEntity).insert({ cronjobId, cronjobName: null, status, attempt: 1, trigger: 'schedule', scheduledAt, finishedAt, runner: 'command', timeoutSeconds: null, ...extra, spec: {} });
      const id = Number(r.identifiers[0].id);
      await ds.getRepository(TaskOutputEntity).insert([{ taskId: id, seq: 0, data: 'a' }, { taskId: id, seq: 1, data: 'b' }]);
      return id;
    }
    const remaining = async (ids: number[]) => (await ds.getRepository(TaskEntity).find({ select: { id: true }, where: { id: In(ids) } })).map((t) => Number(t.id)).sort((x, y) => x - y);
    const outputOf = async (ids: number[]) => ds.getRepository(TaskOutputEntity).countBy({ taskId: In(ids) });

    before(async () => {
      ds = await openDatabase(target.db, ENTITIES);
    });
    after(async () => {
      await ds?.destroy();
      await target.drop();
    });

    it('keeps live tasks, the newest N of a limited job, and what is younger than its days; deletes the rest with its output; leaves other jobs alone', async () => {
      const limited = await job('limited', { historyLimit: 2 });
      const shortLived = await job('short-lived', { historyDays: 1 });
      const plain = await job('plain');
      const longLived = await job('long-lived', { historyDays: 365 });

      // limited: six finished (two ending at the same instant), one running, one pending; keep the newest two finished.
      const tie = ago(0.2);
      const limitedOld = [await task(limited.id, ago(3)), await task(limited.id, ago(2)), await task(limited.id, ago(1)), await task(limited.id, tie)];
      const limitedNew = [await task(limited.id, tie), await task(limited.id, ago(0.1))];
      const limitedLive = [await task(limited.id, null), await task(limited.id, null, { status: 'pending' })];

      // short-lived: finished 2 and 40 days ago go, half a day ago stays; a pending task due long ago stays.
      const shortOld = [await task(shortLived.id, ago(2)), await task(shortLived.id, ago(40))];
      const shortKept = [await task(shortLived.id, ago(0.5)), await task(shortLived.id, null, { status: 'pending', scheduledAt: ago(90) })];

      // plain (server default 30 days): 40 and 31 days go; 10 days and a running task due 60 days ago stay.
      // long-lived tasks end at the same instants as plain's old ones: the age scan's cursor passes them.
      const plainOld: number[] = [];
      const longKept: number[] = [];
      for (const d of [40, 35, 31]) {
        longKept.push(await task(longLived.id, ago(d)));
        plainOld.push(await task(plain.id, ago(d)));
        longKept.push(await task(longLived.id, ago(d)));
      }
      const plainKept = [await task(plain.id, ago(10)), await task(plain.id, null, { scheduledAt: ago(60) })];

      // one-shot tasks follow the defaults; a workflow step goes with its run (which ended 5 days ago: kept), never by its own age.
      const oneShotOld = [await task(null, ago(45)), await task(null, ago(33))];
      const oneShotKept = [await task(null, ago(1))];
      const wf = await ds.getRepository(WorkflowEntity).save({ name: 'wf', description: null, definition: { steps: checkDefinition({ name: 'wf', steps: [{ id: 's', runner: 'command', spec: { command: 'true' } }] }).steps }, schedule: null, timezone: 'UTC', enabled: true, nextRunAt: null });
      const run = await ds.getRepository(WorkflowRunEntity).save({ workflowId: wf.id, workflowName: wf.name, trigger: 'api', scheduledAt: null, status: 'success', definition: wf.definition, retryFrom: null, retries: 0, reason: null, startedAt: ago(50), finishedAt: ago(5) });
      const workflowKept = [await task(null, ago(50), { workflowRunId: run.id, workflowStep: 's', trigger: 'workflow' })];

      const r = await sweeper().sweep({ days: 30, limit: null });

      const gone = [...limitedOld, ...shortOld, ...plainOld, ...oneShotOld];
      const kept = [...limitedNew, ...limitedLive, ...shortKept, ...plainKept, ...longKept, ...oneShotKept, ...workflowKept];
      assert.deepEqual(await remaining(gone), [], 'every task past its retention is deleted');
      assert.deepEqual(await remaining(kept), [...kept].sort((x, y) => x - y), 'everything else is kept');
      assert.equal(await outputOf(gone), 0, 'the output of deleted tasks went with them');
      assert.equal(await outputOf(kept), kept.length * 2, 'the output of kept tasks is whole');
      assert.deepEqual([r.deleted, r.byLimit, r.byAge, r.completed], [gone.length, limitedOld.length, gone.length - limitedOld.length, true]);
      assert.ok(r.batches >= 4, `deleted in batches of at most 3 (${r.batches} batches)`);

      const again = await sweeper().sweep({ days: 30, limit: null });
      assert.equal(again.deleted, 0, 'a second sweep finds nothing more');
    });

    it('applies a default count limit to every job without its own, and to one-shot tasks as one group', async () => {
      const a = await job('count-a');
      const own = await job('count-own', { historyLimit: 3 });
      const aTasks = [await task(a.id, ago(3)), await task(a.id, ago(2)), await task(a.id, ago(1))];
      const ownTasks = [await task(own.id, ago(4)), await task(own.id, ago(3)), await task(own.id, ago(2)), await task(own.id, ago(1))];
      const oneShots = [await task(null, ago(2.5)), await task(null, ago(0.01))];

      await sweeper().sweep({ days: null, limit: 1 });

      assert.deepEqual(await remaining(aTasks), [aTasks[2]], 'the newest one of a job without its own limit');
      assert.deepEqual(await remaining(ownTasks), ownTasks.slice(1), 'a job with its own limit keeps that many');
      const oneShotLeft = await ds.getRepository(TaskEntity).find({ where: { cronjobId: IsNull(), workflowRunId: IsNull(), finishedAt: Not(IsNull()) }, select: { id: true } });
      assert.deepEqual(oneShotLeft.map((t) => Number(t.id)), [oneShots[1]], 'one-shot tasks keep their newest one, together');
      assert.equal(await ds.getRepository(TaskEntity).countBy({ workflowRunId: Not(IsNull()) }), 1, 'the workflow step is not a one-shot task');
    });

    it("deletes ended workflow runs past the server's defaults with their step tasks and output, never a running one or one with a live task", async () => {
      const steps = checkDefinition({ name: 'runs', steps: [{ id: 's', runner: 'command', spec: { command: 'true' } }] }).steps;
      const wf = await ds.getRepository(WorkflowEntity).save({ name: 'runs', description: null, definition: { steps }, schedule: null, timezone: 'UTC', enabled: true, nextRunAt: null });
      const other = await ds.getRepository(WorkflowEntity).save({ name: 'runs-other', description: null, definition: { steps }, schedule: null, timezone: 'UTC', enabled: true, nextRunAt: null });
      const run = async (w: WorkflowEntity, finishedAt: Date | null, stepStatus: TaskStatus = 'success') => {
        const r = await ds.getRepository(WorkflowRunEntity).save({ workflowId: w.id, workflowName: w.name, trigger: 'api', scheduledAt: null, status: finishedAt ? 'success' : 'running', definition: { steps }, retryFrom: null, retries: 0, reason: null, startedAt: ago(90), finishedAt });
        const live = stepStatus === 'running' || stepStatus === 'pending';
        const t = [await task(null, live ? null : (finishedAt ?? ago(1)), { workflowRunId: r.id, workflowStep: 's', trigger: 'workflow', status: stepStatus }), await task(null, live ? null : (finishedAt ?? ago(1)), { workflowRunId: r.id, workflowStep: 's', trigger: 'workflow', status: stepStatus })];
        return { id: Number(r.id), tasks: t };
      };
      const runIds = async (ids: number[]) => (await ds.getRepository(WorkflowRunEntity).find({ select: { id: true }, where: { id: In(ids) } })).map((r) => Number(r.id)).sort((x, y) => x - y);

      const old = [await run(wf, ago(40)), await run(wf, ago(35)), await run(other, ago(31))];
      const recent = [await run(wf, ago(2)), await run(wf, ago(1)), await run(other, ago(3))];
      const running = await run(wf, null, 'running');
      const endedWithLiveStep = await run(wf, ago(45), 'running');

      const r = await sweeper().sweep({ days: 30, limit: null });
      assert.equal(r.workflowRuns, old.length);
      assert.deepEqual(await runIds(old.map((x) => x.id)), [], 'the old ended runs are gone');
      assert.deepEqual(await remaining(old.flatMap((x) => x.tasks)), [], 'with their step tasks');
      assert.equal(await outputOf(old.flatMap((x) => x.tasks)), 0, 'and their output');
      const kept = [...recent, running, endedWithLiveStep];
      assert.deepEqual(await runIds(kept.map((x) => x.id)), kept.map((x) => x.id).sort((x, y) => x - y), 'recent, running, and ended with a live step: kept');
      assert.equal((await remaining(kept.flatMap((x) => x.tasks))).length, kept.length * 2);

      // The count default keeps each workflow's newest ended runs: wf has 2 ended recent (+1 with a live step), other 1.
      const counted = await sweeper().sweep({ days: null, limit: 1 });
      assert.deepEqual(await runIds(recent.map((x) => x.id)), [recent[1].id, recent[2].id], "each workflow's newest ended run stays");
      assert.ok(counted.workflowRuns >= 1);
      assert.deepEqual(await runIds([running.id, endedWithLiveStep.id]), [running.id, endedWithLiveStep.id].sort((x, y) => x - y), 'never a running run or one with a live step');
    });

    it('stops between batches when told to, and says it did not finish', async () => {
      const j = await job('stoppable', { historyLimit: 0 });
      const ids: number[] = [];
      for (let i = 0; i < 7; i++) ids.push(await task(j.id, ago(1 + i / 10)));
      let batches = 0;
      const r = await new RetentionSweeper(new RetentionRepository(ds), { batchSize: 3, pause: async () => void batches++, shouldStop: () => batches >= 1 }).sweep({ days: null, limit: null });
      assert.deepEqual([r.completed, r.deleted, r.batches], [false, 3, 1]);
      assert.equal((await remaining(ids)).length, 4);
      const rest = await sweeper().sweep({ days: null, limit: null });
      assert.equal(rest.deleted, 4, 'the next sweep goes on where it stopped');
    });
  });
}
