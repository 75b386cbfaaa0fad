import { TASK_STATUSES } from '../protocol/messages';
import { AnyRunnerNameSchema } from '../protocol/runners';
import { z } from 'zod';
import { NamespaceFilterSchema } from './namespaces';
import { fromDecimal } from './decimal';
import { ParamsViewSchema, RunParamsSchema } from './params';
import { RetryPolicySchema, WorkerSelectorSchema } from './policies';
import { isGroupStep, memberCount, type WorkflowStep } from './workflow-definition';

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
/** `GET /workflows/:idOrName/runs` as the route reads it: the runs' filters, and `?namespace=` for a workflow named. */
export const ListRunsOfQuerySchema = ListRunsQuerySchema.extend({ namespace: NamespaceFilterSchema });
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
export type StepStateView = 'waiting' | 'running' | 'success' | 'failed' | 'killed' | 'skipped' | 'cancelled';

// Response schemas of the workflow routes (routes/workflows.routes.ts); workflow.dto.spec.ts
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

export type WorkflowView = z.output<typeof WorkflowViewSchema>;
export type RunSummary = z.output<typeof RunSummarySchema>;
export type RunView = z.output<typeof RunViewSchema>;
