import { isGroupStep, memberCount, type StepStateView, type WorkflowStep, type RunSummary, type RunView, type WorkflowView } from '@cronfleet/shared';
import { type GroupCountsView, planRun, type PlanStep } from './core/run-plan';
import type { StepTaskRow } from './workflow-runs.repository';
import type { WorkflowRunEntity } from './workflow-run.entity';
import type { WorkflowEntity } from './workflow.entity';
import { isoOrNull as iso } from '../common/iso-time';

const LIVE = new Set(['pending', 'running']);

/** A group's member counts; once the step is over its members not started never will: skipped, not waiting. */
function memberCounts(c: GroupCountsView, over: boolean): GroupCountsView & { skipped: number } {
  return over ? { ...c, waiting: 0, skipped: c.waiting } : { ...c, skipped: 0 };
}

/** A workflow as the REST API shows it (and as `cronfleet workflows apply` compares it). */
export function toWorkflowView(w: WorkflowEntity): WorkflowView {
  return {
    id: w.id,
    name: w.name,
    namespace: w.namespace,
    description: w.description,
    schedule: w.schedule,
    timezone: w.timezone,
    enabled: w.enabled,
    // Stored params and steps were checked by the definition's schema, which fills defaults in.
    params: (w.definition.params ?? []) as WorkflowView['params'],
    steps: w.definition.steps,
    nextRunAt: iso(w.nextRunAt),
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

export function toRunSummary(r: WorkflowRunEntity): RunSummary {
  return {
    id: r.id,
    workflowId: r.workflowId,
    workflowName: r.workflowName,
    namespace: r.namespace,
    trigger: r.trigger,
    status: r.status,
    /** The due time of a scheduled run; null for one started through the API. */
    scheduledAt: iso(r.scheduledAt),
    startedAt: r.startedAt.toISOString(),
    finishedAt: iso(r.finishedAt),
    /** How many times it was retried from its failed steps. */
    retries: r.retries,
    /** Why it ended, when it was killed or stopped through the API. */
    reason: r.reason,
  };
}

/** A step definition as the engine's planner reads it. */
export function planStepOf(s: WorkflowStep): PlanStep {
  const base = { id: s.id, dependsOn: s.dependsOn, when: s.when, retry: s.retry };
  if (!isGroupStep(s)) return { ...base, group: null };
  const w = s.succeedWhen;
  const policy = w === 'all' ? ({ mode: 'all' } as const) : w === 'any' ? ({ mode: 'any' } as const) : ({ mode: 'atLeast', count: w.atLeast } as const);
  return { ...base, group: { size: memberCount(s), policy, maxParallel: s.maxParallel } };
}

export function stepTaskOf(t: StepTaskRow) {
  return { id: t.id, step: t.workflowStep ?? '', item: t.workflowItem, attempt: t.attempt, status: t.status };
}

/**
 * A run with each step's state and tasks: everything a DAG view draws (the steps, their dependsOn and
 * when, a state per step, its tasks with attempts, members and times). A step the run ended without
 * starting is `skipped`.
 */
export function toRunView(run: WorkflowRunEntity, tasks: readonly StepTaskRow[]): RunView {
  const steps = run.definition.steps;
  const plan = planRun(steps.map(planStepOf), tasks.map(stepTaskOf), run.retryFrom ?? {});
  const ended = run.status !== 'running';
  return {
    ...toRunSummary(run),
    /** The run's param values, as each of its tasks got them (CRONFLEET_PARAM_<NAME>). */
    params: run.params ?? {},
    steps: steps.map((s) => {
      const mine = tasks.filter((t) => t.workflowStep === s.id);
      let state: string = plan.states.get(s.id) ?? 'waiting';
      if (plan.skip.includes(s.id) || (ended && state === 'waiting')) state = 'skipped';
      // The run ended under a step that has no live task left (a group with members not started, a
      // retry not yet made): its kill ended the step, or the step failed.
      else if (ended && state === 'running' && !mine.some((t) => LIVE.has(t.status))) state = run.status === 'killed' ? 'killed' : 'failed';
      const starts = mine.map((t) => t.startedAt).filter((d): d is Date => d !== null);
      const ends = mine.map((t) => t.finishedAt).filter((d): d is Date => d !== null);
      const over = !['waiting', 'running'].includes(state);
      const group = isGroupStep(s) ? { size: memberCount(s), succeedWhen: s.succeedWhen, maxParallel: s.maxParallel, ...memberCounts(plan.groups.get(s.id)!, over) } : null;
      return {
        id: s.id,
        kind: isGroupStep(s) ? ('group' as const) : ('task' as const),
        dependsOn: s.dependsOn,
        when: s.when,
        runner: isGroupStep(s) ? ('forEach' in s.group ? s.group.runner : null) : s.runner,
        state: state as StepStateView,
        /** Tasks the step made (all attempts of all members, over every try of the run). */
        attempts: mine.length,
        retry: s.retry,
        timeoutSeconds: s.timeoutSeconds,
        startedAt: starts.length ? new Date(Math.min(...starts.map((d) => d.getTime()))).toISOString() : null,
        finishedAt: over && ends.length ? new Date(Math.max(...ends.map((d) => d.getTime()))).toISOString() : null,
        taskIds: mine.map((t) => t.id),
        tasks: mine.map((t) => ({
          taskId: t.id,
          item: t.workflowItem,
          attempt: t.attempt,
          status: t.status,
          workerId: t.workerId,
          runAt: iso(t.runAt),
          startedAt: iso(t.startedAt),
          finishedAt: iso(t.finishedAt),
          exitCode: t.exitCode,
        })),
        group,
      };
    }),
  };
}
