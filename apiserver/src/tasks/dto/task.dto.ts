import { AnyRunnerNameSchema, TASK_STATUSES } from '@cronfleet/shared';
import { RetryPolicySchema } from '../../cronjobs/dto/policies.dto';
import { z } from 'zod';
import { fromDecimal } from '../../common/decimal';
import type { TaskEntity } from '../task.entity';
import { NamespaceFieldSchema, NamespaceFilterSchema } from '../../namespaces/dto/namespace.dto';

const positiveNumber = () => z.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive');
const positiveInt = () => fromDecimal(positiveNumber());

export const ListTasksQuerySchema = z
  .object({
    cronjobId: positiveInt().optional(),
    status: z.enum(TASK_STATUSES, { error: `must be one of ${TASK_STATUSES.join(', ')}` }).optional(),
    workerId: positiveInt().optional(),
    namespace: NamespaceFilterSchema,
    /** Due time (scheduledAt) at or after this instant. */
    since: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant with Z or an offset' }).optional(),
    /** Due time (scheduledAt) before this instant. */
    until: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant with Z or an offset' }).optional(),
    limit: fromDecimal(positiveNumber().max(500, 'must be at most 500')).default(50),
    cursor: positiveInt().optional(),
  })
  .strict()
  .refine((q) => q.since === undefined || q.until === undefined || Date.parse(q.since) < Date.parse(q.until), { message: 'must be before until', path: ['since'] });
export type ListTasksQuery = z.infer<typeof ListTasksQuerySchema>;

export const TaskIdParamSchema = positiveInt();

/** A task as the REST API shows it: times as ISO-8601 UTC. */
/** The columns a task's view shows: what the task list reads (PlainSelect), and no more (no spec, env or secrets). */
export const TASK_VIEW_COLUMNS = [
  'id', 'cronjobId', 'cronjobName', 'namespace', 'status', 'attempt', 'trigger', 'runner', 'scheduledAt', 'startedAt', 'finishedAt', 'exitCode', 'signal',
  'workerId', 'error', 'httpStatus', 'timeoutSeconds', 'priority', 'runAt', 'retryOf', 'idempotencyKey', 'routing', 'workerSelector', 'shardIndex', 'shardCount',
  'pinnedWorkerId', 'pendingReason', 'control', 'workflowRunId', 'workflowStep', 'workflowItem', 'createdAt',
] as const satisfies readonly (keyof TaskEntity)[];
export type TaskViewRow = Pick<TaskEntity, (typeof TASK_VIEW_COLUMNS)[number]>;

export function toTaskView(t: TaskViewRow) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: t.id,
    cronjobId: t.cronjobId,
    cronjobName: t.cronjobName,
    namespace: t.namespace,
    status: t.status,
    attempt: t.attempt,
    trigger: t.trigger,
    runner: t.runner,
    scheduledAt: iso(t.scheduledAt),
    startedAt: iso(t.startedAt),
    finishedAt: iso(t.finishedAt),
    exitCode: t.exitCode,
    signal: t.signal,
    /** An http task's response status (null: another runner, no response, or a worker from before it was reported). */
    httpStatus: t.httpStatus ?? null,
    workerId: t.workerId,
    error: t.error,
    timeoutSeconds: t.timeoutSeconds,
    priority: t.priority,
    runAt: iso(t.runAt),
    retryOf: t.retryOf,
    idempotencyKey: t.idempotencyKey,
    routing: t.routing,
    workerSelector: t.workerSelector,
    shard: t.shardCount > 1 || t.pinnedWorkerId !== null ? { index: t.shardIndex, count: t.shardCount } : null,
    /** Why a pending task has not reached a worker yet. */
    pendingReason: t.status === 'pending' ? t.pendingReason : null,
    /** A stop or kill asked for through the API and whether the worker confirmed it. */
    control: t.control,
    /** The workflow run, step and group member (null for a one-task step) this task is part of. */
    workflow: t.workflowRunId ? { runId: t.workflowRunId, step: t.workflowStep, item: t.workflowItem } : null,
    createdAt: iso(t.createdAt),
  };
}

/** `GET /tasks/:id/output?follow=true|false`. */
export const OutputQuerySchema = z
  .object({
    follow: z.enum(['true', 'false', '1', '0'], { error: "must be 'true' or 'false'" }).optional().transform((v) => v === 'true' || v === '1'),
  })
  .strict();
export type OutputQuery = z.infer<typeof OutputQuerySchema>;

/** `POST /tasks/:id/stop` body (optional): seconds between SIGTERM and SIGKILL. */
export const StopTaskSchema = z
  .object({
    graceSeconds: z.number({ error: 'must be a number of seconds' }).int('must be whole seconds').min(0, 'must be at least 0').max(3600, 'must be at most 3600').optional(),
  })
  .strict();
export type StopTask = z.infer<typeof StopTaskSchema>;
export type TaskView = ReturnType<typeof toTaskView>;

/**
 * `POST /api/v1/tasks`: a one-shot task outside any cron job, run at `runAt` or after
 * `delaySeconds` (now when neither is given). `spec` is checked against the runner's schema (a plugin
 * runner's only as a bounded JSON object: see validSpec).
 */
export const CreateTaskSchema = z
  .object({
    runner: AnyRunnerNameSchema,
    spec: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
    namespace: NamespaceFieldSchema,
    runAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant with Z or an offset' }).optional(),
    delaySeconds: z.number({ error: 'must be a number of seconds' }).int('must be whole seconds').min(0, 'must be at least 0').max(366 * 86_400, 'must be at most a year').optional(),
    timeoutSeconds: z.number({ error: 'must be a number of seconds' }).int('must be whole seconds').min(1, 'must be at least 1').max(604_800, 'must be at most 604800').nullable().default(null),
    retry: RetryPolicySchema.nullable().default(null),
    priority: z.number({ error: 'must be a number' }).int('must be a whole number').min(-1000).max(1000).default(0),
    /** A second request with the same key returns the first task instead of making another. */
    idempotencyKey: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  })
  .strict()
  .refine((v) => !(v.runAt !== undefined && v.delaySeconds !== undefined), { message: 'give runAt or delaySeconds, not both', path: ['runAt'] });
export type CreateTask = z.infer<typeof CreateTaskSchema>;

/** Most tasks in one `POST /tasks/batch`. */
export const MAX_TASK_BATCH = 1000;

/**
 * `POST /tasks/batch`: the envelope only; each item is checked against CreateTaskSchema on its own,
 * so one bad item is answered with its error and does not refuse the others (unless `atomic`).
 */
export const CreateTaskBatchSchema = z
  .object({
    tasks: z.array(z.unknown(), { error: 'must be an array of tasks' }).min(1, 'must hold at least one task').max(MAX_TASK_BATCH, `must hold at most ${MAX_TASK_BATCH} tasks`),
    /** All or nothing: any item refused refuses the whole batch, and none is made. */
    atomic: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .strict();
export type CreateTaskBatch = z.infer<typeof CreateTaskBatchSchema>;
/** The batch as the OpenAPI document shows it: each item a CreateTask (checked one by one, see CreateTaskBatchSchema). */
export const CreateTaskBatchDocSchema = CreateTaskBatchSchema.extend({ tasks: z.array(CreateTaskSchema).min(1).max(MAX_TASK_BATCH) });
/** One item's answer in `POST /tasks/batch`. */
export const TaskBatchItemSchema = z.union([
  z.object({ taskId: z.number().int(), created: z.boolean() }),
  z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().nullable() }) }),
]);
export const TaskBatchAnswerSchema = z.object({ items: z.array(TaskBatchItemSchema) });

/** One item's answer in `POST /tasks/batch`, in the order sent. */
export type TaskBatchItem = { taskId: number; created: boolean } | { error: { code: string; message: string; field: string | null } };
