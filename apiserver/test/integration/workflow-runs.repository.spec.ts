import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { openDatabase } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { TaskOutputEntity } from '../../src/tasks/task-output.entity';
import { TaskEntity } from '../../src/tasks/task.entity';
import { TasksRepository } from '../../src/tasks/tasks.repository';
import { checkDefinition } from '../../src/workflows/check-definition';
import { WorkflowRunEntity } from '../../src/workflows/workflow-run.entity';
import { WorkflowRunsRepository } from '../../src/workflows/workflow-runs.repository';
import { WorkflowEntity } from '../../src/workflows/workflow.entity';
import { WorkflowsRepository } from '../../src/workflows/workflows.repository';
import { backends } from './support';

const runsOn = (ds: DataSource) => new WorkflowRunsRepository(ds.getRepository(WorkflowRunEntity), ds.getRepository(TaskEntity));
const tasksOn = (ds: DataSource) => new TasksRepository(ds.getRepository(TaskEntity), ds.getRepository(TaskOutputEntity));

for (const backend of backends) {
  describe(`workflow runs repository on ${backend.name}`, () => {
    const target = backend.make('workflows');
    // Two independent connection pools play two servers (or a stale and a new leader) racing.
    let a: DataSource;
    let b: DataSource;
    let workflow: WorkflowEntity;
    const def = checkDefinition({ name: 'nightly', steps: [{ id: 'a', runner: 'command', spec: { command: 'true' } }] });
    const newRun = (scheduledAt: Date | null) => ({ workflowId: workflow.id, workflowName: workflow.name, namespace: 'default', trigger: scheduledAt ? ('schedule' as const) : ('api' as const), scheduledAt, status: 'running' as const, definition: { steps: def.steps }, startedAt: new Date() });

    before(async () => {
      a = await openDatabase(target.db, ENTITIES);
      // SQLite is the embedded default: one server process with one connection, so its racers share it
      // (two pools on one file would only meet SQLite's own writer lock).
      b = backend.name === 'MySQL' ? await openDatabase(target.db, ENTITIES) : a;
      workflow = await new WorkflowsRepository(a.getRepository(WorkflowEntity)).insert({ ...def, namespace: 'default', definition: { steps: def.steps }, nextRunAt: null, createdAt: new Date() });
    });
    after(async () => {
      if (b && b !== a) await b.destroy();
      await a?.destroy();
      await target.drop();
    });

    it('starts one run for a due time however many leaders race for it, and any number of runs on demand', async () => {
      const due = new Date('2026-05-01T02:30:00.000Z');
      const results = await Promise.all([runsOn(a).create(newRun(due)), runsOn(b).create(newRun(due)), runsOn(a).create(newRun(due))]);
      assert.equal(results.filter((r) => r.created).length, 1, 'one of them made it');
      assert.equal(new Set(results.map((r) => r.run.id)).size, 1, 'the others got that run');
      const onDemand = await Promise.all([runsOn(a).create(newRun(null)), runsOn(b).create(newRun(null))]);
      assert.ok(onDemand.every((r) => r.created) && onDemand[0].run.id !== onDemand[1].run.id);
    });

    it('ends a run once when two servers decide at the same time, and restarts it only from the status read', async () => {
      const { run } = await runsOn(a).create(newRun(null));
      const ends = await Promise.all([runsOn(a).finish(run.id, 'success', new Date()), runsOn(b).finish(run.id, 'failed', new Date())]);
      assert.equal(ends.filter(Boolean).length, 1);
      const ended = (await runsOn(a).findById(run.id))!;
      const restarts = await Promise.all([runsOn(a).restart(run.id, ended.status, { a: 2 }, 1), runsOn(b).restart(run.id, ended.status, { a: 2 }, 1)]);
      assert.equal(restarts.filter(Boolean).length, 1, 'one retry of an ended run wins');
      assert.deepEqual([(await runsOn(b).findById(run.id))!.status, (await runsOn(b).findById(run.id))!.retryFrom], ['running', { a: 2 }]);
    });

    it('creates a step task once per run, step and attempt, and finds the runs of ended tasks', async () => {
      const { run } = await runsOn(a).create(newRun(null));
      const task = { cronjobId: null, cronjobName: null, namespace: 'default', scheduledAt: new Date(), trigger: 'workflow' as const, runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, workflowRunId: run.id, workflowStep: 'a', workflowItem: null };
      const made = await Promise.all([tasksOn(a).createOne({ ...task, idempotencyKey: `wf:${run.id}:a:1` }), tasksOn(b).createOne({ ...task, idempotencyKey: `wf:${run.id}:a:1` })]);
      assert.equal(made.filter((m) => m.created).length, 1);
      assert.equal(made[0].task.id, made[1].task.id);
      const rows = await runsOn(b).stepTasks(run.id);
      assert.deepEqual(rows.map((r) => [r.workflowStep, r.workflowItem, r.attempt, r.status]), [['a', null, 1, 'pending']]);
      assert.deepEqual(await runsOn(a).runsOfTasks([made[0].task.id, 987_654]), [run.id]);
      assert.deepEqual((await runsOn(a).liveTasks(run.id)).map((t) => t.id), [made[0].task.id]);
    });

    it("deletes a workflow's runs and their tasks with it", async () => {
      const w = await new WorkflowsRepository(a.getRepository(WorkflowEntity)).insert({ ...def, namespace: 'default', name: 'doomed', definition: { steps: def.steps }, nextRunAt: null, createdAt: new Date() });
      const { run } = await runsOn(a).create({ ...newRun(null), workflowId: w.id, workflowName: w.name });
      const { task } = await tasksOn(a).createOne({ cronjobId: null, cronjobName: null, namespace: 'default', scheduledAt: new Date(), trigger: 'workflow', runner: 'command', spec: { command: 'true' }, timeoutSeconds: null, workflowRunId: run.id, workflowStep: 'a', idempotencyKey: `wf:${run.id}:a:1` });
      assert.ok(await new WorkflowsRepository(a.getRepository(WorkflowEntity)).delete(w.id));
      assert.equal(await runsOn(a).findById(run.id), null);
      assert.equal(await tasksOn(a).findById(task.id), null);
    });

    it('moves the next due time on only from the value it read', async () => {
      const repo = new WorkflowsRepository(a.getRepository(WorkflowEntity));
      const at = new Date('2026-05-01T02:30:00.123Z');
      await a.getRepository(WorkflowEntity).update({ id: workflow.id }, { nextRunAt: at });
      const moves = await Promise.all([repo.advanceNextRun(workflow.id, at, new Date('2026-05-02T02:30:00.123Z')), new WorkflowsRepository(b.getRepository(WorkflowEntity)).advanceNextRun(workflow.id, at, new Date('2026-05-02T02:30:00.123Z'))]);
      assert.equal(moves.filter(Boolean).length, 1);
      assert.equal((await repo.findById(workflow.id))!.nextRunAt!.toISOString(), '2026-05-02T02:30:00.123Z');
    });
  });
}
