import { AnyRunnerNameSchema, TASK_STATUSES } from '@cronfleet/shared';
import { z } from 'zod';
import { NamespaceFilterSchema } from '../../namespaces/dto/namespace.dto';
import { fromDecimal } from '../../common/decimal';
import { ParamsViewSchema, RunParamsSchema } from '../../cronjobs/dto/params.dto';
import { RetryPolicySchema, WorkerSelectorSchema } from '../../cronjobs/dto/policies.dto';
import { type GroupCountsView, planRun, type PlanStep } from '../core/run-plan';
import type { StepTaskRow } from '../workflow-runs.repository';
import type { WorkflowRunEntity } from '../workflow-run.entity';
import type { WorkflowEntity } from '../workflow.entity';
import { isGroupStep, memberCount, type WorkflowStep } from './definition.dto';

const positive = () => fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive'));
const limit = (max: number) => fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`));

/** `:idOrName` of `/workflows/...`: an id, or a name (checked like a name, found or 404). */
export const WorkflowRefSchema = z
  .string({ error: 'must be a workflow id or name' })
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\x00-\x1f\x7f]+$/, 'must not contain control characters');

export const RunIdParamSchema = positive();

export const RUN_STATUSES = ['running', 'success', 'failed', 'killed', 'cancelled'] as const;

export const ListWorkflowsQuerySchema = z
  .object({
    /** Part of the name, any case. */
    q: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    namespace: NamespaceFilterSchema,
    limit: limit(1000).optional(),
    cursor: positive().optional(),
  })
  .strict();
export type ListWorkflowsQuery = z.infer<typeof ListWorkflowsQuerySchema>;

const runFilters = {
  status: z.enum(RUN_STATUSES, { error: `must be one of ${RUN_STATUSES.join(', ')}` }).optional(),
  limit: limit(500).default(50),
  cursor: positive().optional(),
};

/** `GET /workflows/:idOrName/runs`. */
export const ListRunsQuerySchema = z.object(runFilters).strict();
/** `GET /workflow-runs`: the same, across workflows or for one. */
export const ListAllRunsQuerySchema = z.object({ ...runFilters, workflowId: positive().optional(), namespace: NamespaceFilterSchema }).strict();
export type ListRunsQuery = z.infer<typeof ListAllRunsQuerySchema>;

/** `POST /workflow-runs/:id/stop` body (optional): seconds from SIGTERM to SIGKILL for its running steps. */
export const StopRunSchema = z
  .object({
    graceSeconds: z.number({ error: 'must be a number of seconds' }).int('must be whole seconds').min(0, 'must be at least 0').max(3600, 'must be at most 3600').optional(),
  })
  .strict();
export type StopRun = z.infer<typeof StopRunSchema>;

/** `POST /workflows/:idOrName/runs` body (optional): values for the workflow's declared params. */
export const RunWorkflowSchema = z
  .object({
    params: RunParamsSchema.optional().meta({ description: "values for the workflow's declared params, given to every task of the run as CRONFLEET_PARAM_<NAME>; defaults fill the rest" }),
  })
  .strict();
export type RunWorkflow = z.infer<typeof RunWorkflowSchema>;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** A workflow as the REST API shows it (and as `cronfleet workflows apply` compares it). */
export function toWorkflowView(w: WorkflowEntity) {
  return {
    id: w.id,
    name: w.name,
    namespace: w.namespace,
    description: w.description,
    schedule: w.schedule,
    timezone: w.timezone,
    enabled: w.enabled,
    params: w.definition.params ?? [],
    steps: w.definition.steps,
    nextRunAt: iso(w.nextRunAt),
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}
export type WorkflowView = ReturnType<typeof toWorkflowView>;

export function toRunSummary(r: WorkflowRunEntity) {
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
export type RunSummary = ReturnType<typeof toRunSummary>;

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

const LIVE = new Set(['pending', 'running']);

/** A group's member counts; once the step is over its members not started never will: skipped, not waiting. */
function memberCounts(c: GroupCountsView, over: boolean): GroupCountsView & { skipped: number } {
  return over ? { ...c, waiting: 0, skipped: c.waiting } : { ...c, skipped: 0 };
}

/**
 * A run with each step's state and tasks: everything a DAG view draws (the steps, their dependsOn and
 * when, a state per step, its tasks with attempts, members and times). A step the run ended without
 * starting is `skipped`.
 */
export function toRunView(run: WorkflowRunEntity, tasks: readonly StepTaskRow[]) {
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
export type RunView = ReturnType<typeof toRunView>;
export type StepStateView = 'waiting' | 'running' | 'success' | 'failed' | 'killed' | 'skipped' | 'cancelled';

// Response schemas for the OpenAPI document (openapi/response-schemas.ts); workflow.dto.spec.ts
// checks the view functions above against them.

const isoTime = z.iso.datetime();
const id = z.number().int().positive();
const GroupMembersView = z.union([
  z.object({ items: z.array(z.object({ runner: AnyRunnerNameSchema, spec: z.record(z.string(), z.unknown()) }).strict()) }).strict(),
  z.object({ forEach: z.array(z.union([z.string(), z.number(), z.boolean()])), runner: AnyRunnerNameSchema, spec: z.record(z.string(), z.unknown()) }).strict(),
]);
const stepCommon = {
  id: z.string(),
  dependsOn: z.array(z.string()),
  when: z.enum(['success', 'failure', 'always']),
  retry: RetryPolicySchema.nullable(),
  timeoutSeconds: z.number().int().nullable(),
  workerSelector: WorkerSelectorSchema.nullable(),
  env: z.record(z.string(), z.string()),
};
const SucceedWhenView = z.union([z.enum(['all', 'any']), z.object({ atLeast: z.number().int() }).strict()]);
export const WorkflowStepViewSchema = z.union([
  z.object({ ...stepCommon, runner: AnyRunnerNameSchema, spec: z.record(z.string(), z.unknown()) }).strict(),
  z.object({ ...stepCommon, group: GroupMembersView, succeedWhen: SucceedWhenView, maxParallel: z.number().int().nullable() }).strict(),
]);

export const WorkflowViewSchema = z.object({
  id,
  name: z.string(),
  namespace: z.string(),
  description: z.string().nullable(),
  schedule: z.string().nullable(),
  timezone: z.string(),
  enabled: z.boolean(),
  params: ParamsViewSchema.meta({ description: 'what a run may set (`params` of POST /workflows/{idOrName}/runs), each given to every task of the run as CRONFLEET_PARAM_<name>' }),
  steps: z.array(WorkflowStepViewSchema),
  nextRunAt: isoTime.nullable().meta({ description: 'the next due time; null when unscheduled or disabled' }),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const RunSummarySchema = z.object({
  id,
  workflowId: id,
  workflowName: z.string(),
  namespace: z.string(),
  trigger: z.enum(['schedule', 'api']),
  status: z.enum(RUN_STATUSES),
  scheduledAt: isoTime.nullable(),
  startedAt: isoTime,
  finishedAt: isoTime.nullable(),
  retries: z.number().int(),
  reason: z.string().nullable(),
});

export const RunViewSchema = RunSummarySchema.extend({
  params: z.record(z.string(), z.string()).meta({ description: 'the values every task of the run got as CRONFLEET_PARAM_<NAME>: given, else the default; a param with neither is absent' }),
  steps: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['task', 'group']),
      dependsOn: z.array(z.string()),
      when: z.enum(['success', 'failure', 'always']),
      runner: AnyRunnerNameSchema.nullable().meta({ description: 'null for a group of items (each has its own)' }),
      state: z
        .enum(['waiting', 'running', 'success', 'failed', 'killed', 'skipped', 'cancelled'])
        .meta({ description: 'failed: its task failed, timed out or was lost (after its retries); killed: its task was killed or stopped, or its run was killed under it (a group: it failed only because members were killed)' }),
      attempts: z.number().int(),
      retry: RetryPolicySchema.nullable(),
      timeoutSeconds: z.number().int().nullable(),
      startedAt: isoTime.nullable(),
      finishedAt: isoTime.nullable(),
      taskIds: z.array(id),
      tasks: z.array(
        z.object({
          taskId: id,
          item: z.number().int().nullable(),
          attempt: z.number().int().positive(),
          status: z.enum(TASK_STATUSES),
          workerId: id.nullable(),
          runAt: isoTime.nullable(),
          startedAt: isoTime.nullable(),
          finishedAt: isoTime.nullable(),
          exitCode: z.number().int().nullable(),
        }),
      ),
      group: z
        .object({
          size: z.number().int(),
          succeedWhen: SucceedWhenView,
          maxParallel: z.number().int().nullable(),
          succeeded: z.number().int(),
          failed: z.number().int(),
          running: z.number().int(),
          waiting: z.number().int(),
          skipped: z.number().int().meta({ description: 'members that never start: the group was decided, or its run ended, before their turn' }),
        })
        .nullable(),
    }),
  ),
});
