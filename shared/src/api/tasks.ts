import { TASK_STATUSES } from '../protocol/messages';
import { AnyRunnerNameSchema } from '../protocol/runners';
import { RetryPolicySchema } from './policies';
import { z } from 'zod';
import { fromDecimal } from './decimal';
import { NamespaceFieldSchema, NamespaceFilterSchema } from './namespaces';

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
