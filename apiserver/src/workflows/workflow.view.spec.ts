import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepTaskRow } from './workflow-runs.repository';
import type { WorkflowRunEntity } from './workflow-run.entity';
import type { WorkflowEntity } from './workflow.entity';
import { checkDefinition } from './check-definition';
import { RunSummarySchema, RunViewSchema, RunWorkflowSchema, WorkflowViewSchema } from '@cronfleet/shared';
import { toRunSummary, toRunView, toWorkflowView } from './workflow.view';

const at = new Date('2026-01-01T00:00:00Z');
const later = (s: number) => new Date(at.getTime() + s * 1000);
const def = checkDefinition({
  name: 'etl',
  schedule: '@daily',
  steps: [
    { id: 'a', runner: 'command', spec: { command: 'true' }, retry: { maxRetries: 1 } },
    { id: 'fan', dependsOn: ['a'], group: { forEach: ['x', 'y', 'z'], runner: 'command', spec: { command: 'true' } }, succeedWhen: 'any', maxParallel: 1 },
    { id: 'items', dependsOn: ['a'], group: { items: [{ runner: 'command', spec: { command: 'true' } }] } },
    { id: 'last', dependsOn: ['fan', 'items'], runner: 'command', spec: { command: 'true' } },
    { id: 'alert', dependsOn: ['last'], when: 'failure', runner: 'command', spec: { command: 'true' } },
  ],
});
const run = (status: WorkflowRunEntity['status']): WorkflowRunEntity => ({
  id: 7, workflowId: 3, workflowName: 'etl', namespace: 'default', trigger: 'api', scheduledAt: null, status, definition: { steps: def.steps }, params: { X: 'x' },
  retryFrom: null, retries: 0, reason: null, startedAt: at, finishedAt: status === 'running' ? null : later(9),
});
const row = (id: number, step: string, status: string, attempt = 1, item: number | null = null): StepTaskRow => ({
  id, status: status as StepTaskRow['status'], attempt, workflowStep: step, workflowItem: item, workerId: 1, startedAt: later(id), finishedAt: ['pending', 'running'].includes(status) ? null : later(id + 1), exitCode: status === 'success' ? 0 : null, runAt: null, createdAt: later(id),
});

describe('the workflow views', () => {
  it('describe what toWorkflowView, toRunSummary and toRunView return, field for field', () => {
    const w = { id: 3, name: 'etl', namespace: 'default', description: null, definition: { steps: def.steps }, schedule: def.schedule, timezone: 'UTC', enabled: true, nextRunAt: later(60), createdAt: at, updatedAt: at } as WorkflowEntity;
    WorkflowViewSchema.strict().parse(toWorkflowView(w));
    RunSummarySchema.strict().parse(toRunSummary(run('failed')));
    RunViewSchema.strict().parse(toRunView(run('running'), [row(1, 'a', 'failed'), row(2, 'a', 'success', 2), row(3, 'fan', 'running', 1, 0), row(4, 'items', 'success', 1, 0)]));
  });

  it("shows each step's state, attempts, tasks and times, and a group's counts", () => {
    const v = toRunView(run('running'), [row(1, 'a', 'failed'), row(2, 'a', 'success', 2), row(3, 'fan', 'failed', 1, 0), row(4, 'fan', 'running', 1, 1), row(5, 'items', 'success', 1, 0)]);
    const by = new Map(v.steps.map((s) => [s.id, s]));
    assert.deepEqual([by.get('a')!.state, by.get('a')!.attempts, by.get('a')!.taskIds], ['success', 2, [1, 2]]);
    assert.deepEqual([by.get('a')!.startedAt, by.get('a')!.finishedAt], [later(1).toISOString(), later(3).toISOString()]);
    const fan = by.get('fan')!;
    assert.deepEqual([fan.kind, fan.state, fan.finishedAt, fan.runner], ['group', 'running', null, 'command']);
    assert.deepEqual(fan.group, { size: 3, succeedWhen: 'any', maxParallel: 1, succeeded: 0, failed: 1, running: 1, waiting: 1, skipped: 0 });
    assert.deepEqual(fan.tasks.map((t) => [t.taskId, t.item, t.status]), [[3, 0, 'failed'], [4, 1, 'running']]);
    assert.equal(by.get('items')!.runner, null, 'a group of items has no one runner');
    assert.deepEqual([by.get('last')!.state, by.get('last')!.dependsOn, by.get('alert')!.when], ['waiting', ['fan', 'items'], 'failure']);
  });

  it('shows the steps a killed run did not reach as skipped, and the group it killed as killed', () => {
    const v = toRunView(run('killed'), [row(1, 'a', 'success'), row(2, 'fan', 'killed', 1, 0), row(3, 'items', 'success', 1, 0)]);
    assert.deepEqual(v.steps.map((s) => [s.id, s.state]), [['a', 'success'], ['fan', 'killed'], ['items', 'success'], ['last', 'skipped'], ['alert', 'skipped']]);
  });

  it("counts a decided group's members that never started as skipped, not waiting, while the run goes on and after it ended", () => {
    // `any` one at a time: the first member's success decides the group; the other two never start.
    const tasks = [row(1, 'a', 'success'), row(2, 'fan', 'success', 1, 0), row(3, 'items', 'success', 1, 0)];
    for (const status of ['running', 'success'] as const) {
      const fan = toRunView(run(status), tasks).steps.find((s) => s.id === 'fan')!;
      assert.equal(fan.state, 'success');
      assert.deepEqual(fan.group, { size: 3, succeedWhen: 'any', maxParallel: 1, succeeded: 1, failed: 0, running: 0, waiting: 0, skipped: 2 }, `run ${status}`);
    }
    // Killed with its second member running: the third never starts either.
    const killed = toRunView(run('killed'), [row(1, 'a', 'success'), row(2, 'fan', 'failed', 1, 0), row(3, 'fan', 'killed', 1, 1)]).steps.find((s) => s.id === 'fan')!;
    assert.deepEqual([killed.state, killed.group], ['killed', { size: 3, succeedWhen: 'any', maxParallel: 1, succeeded: 0, failed: 2, running: 0, waiting: 0, skipped: 1 }]);
  });

  it('shows a step whose task was killed as killed, not failed, and runs its failure handler as for a failure', () => {
    const v = toRunView(run('running'), [row(1, 'a', 'success'), row(2, 'fan', 'success', 1, 0), row(3, 'items', 'success', 1, 0), row(4, 'last', 'killed')]);
    const by = new Map(v.steps.map((s) => [s.id, s]));
    assert.deepEqual([by.get('last')!.state, by.get('last')!.tasks.map((t) => t.status)], ['killed', ['killed']]);
    assert.equal(by.get('alert')!.state, 'waiting', 'its `when: failure` step is due (it is started by the engine, not the view)');
    RunViewSchema.strict().parse(v);
  });
});

describe('run now of a workflow', () => {
  it('takes params as NAME: value strings, and nothing else', () => {
    assert.deepEqual(RunWorkflowSchema.parse({}), {});
    assert.deepEqual(RunWorkflowSchema.parse({ params: { X: 'a b', REGION: 'eu' } }), { params: { X: 'a b', REGION: 'eu' } });
    assert.equal(RunWorkflowSchema.safeParse({ params: { X: 1 } }).success, false);
    assert.equal(RunWorkflowSchema.safeParse({ params: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`P${i}`, 'v'])) }).success, false, 'at most 20 values');
    assert.equal(RunWorkflowSchema.safeParse({ params: {}, args: ['x'] }).success, false, 'no free-form overrides');
  });

  it("shows a run's values, none for a run from before params, and a workflow's declared params, [] for one stored before them", () => {
    assert.deepEqual(toRunView(run('running'), []).params, { X: 'x' });
    assert.deepEqual(toRunView({ ...run('running'), params: null }, []).params, {});
    const w = { id: 3, name: 'etl', namespace: 'default', description: null, schedule: null, timezone: 'UTC', enabled: true, nextRunAt: null, createdAt: at, updatedAt: at } as Omit<WorkflowEntity, 'definition'>;
    assert.deepEqual(toWorkflowView({ ...w, definition: { steps: def.steps } }).params, []);
    const params = [{ name: 'X', required: true }];
    assert.deepEqual(toWorkflowView({ ...w, definition: { steps: def.steps, params } }).params, params);
  });
});
