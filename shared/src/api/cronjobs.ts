import { AnyRunnerNameSchema } from '../protocol/runners';
import { POLICY_DEFAULTS, PolicyFields, RetentionFields, RoutingFields, RunFields } from './policies';
import { z } from 'zod';
import { fromDecimal } from './decimal';
import { NotifySchema, toNotifyView } from './notify';
import { TriggersSchema } from './triggers';
import { ParamsSchema } from './params';
import { NamespaceFieldSchema, NamespaceFilterSchema } from './namespaces';

/** A job's (or workflow's) name: trimmed, 1-200 characters, no control characters. */
export const NameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\x00-\x1f\x7f]+$/, 'must not contain control characters');

/** A schedule as text (5- or 6-field cron, `@every 30s`, `@daily`, `@at <ISO>`) or a config-file object. */
const schedule = z.union(
  [
    z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
    z
      .object({
        type: z.enum(['duration', 'daily', 'cron'], { error: "must be 'duration', 'daily' or 'cron'" }),
        schedule: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(255),
      })
      .strict(),
  ],
  { error: "must be a string such as '*/5 * * * *' or '@every 30s', or { type, schedule }" },
);

const timeoutSeconds = z
  .number({ error: 'must be a number of seconds' })
  .int('must be a whole number of seconds')
  .min(1, 'must be at least 1')
  .max(7 * 24 * 3600, 'must be at most 604800 (7 days)')
  .nullable();

/**
 * Body of `POST /api/v1/cronjobs`. `runner` is a built-in or a plugin runner's name; `spec` is checked
 * against the schema of `runner` (a plugin's only as a bounded JSON object) by the service,
 * which also parses `schedule` and `timezone` (errors name the field and the problem).
 */
export const CreateCronJobSchema = z
  .object({
    name: NameSchema,
    namespace: NamespaceFieldSchema,
    schedule,
    timezone: z.string({ error: 'must be a string' }).trim().min(1).max(64).default('UTC'),
    runner: AnyRunnerNameSchema,
    spec: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
    timeoutSeconds: timeoutSeconds.default(null),
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    jitterSeconds: PolicyFields.jitterSeconds.default(POLICY_DEFAULTS.jitterSeconds),
    concurrencyPolicy: PolicyFields.concurrencyPolicy.default(POLICY_DEFAULTS.concurrencyPolicy),
    misfirePolicy: PolicyFields.misfirePolicy.default(POLICY_DEFAULTS.misfirePolicy),
    catchUpLimit: PolicyFields.catchUpLimit.default(POLICY_DEFAULTS.catchUpLimit),
    startingDeadlineSeconds: PolicyFields.startingDeadlineSeconds.default(POLICY_DEFAULTS.startingDeadlineSeconds),
    retry: PolicyFields.retry.default(POLICY_DEFAULTS.retry),
    priority: PolicyFields.priority.default(POLICY_DEFAULTS.priority),
    workerSelector: RoutingFields.workerSelector.default(POLICY_DEFAULTS.workerSelector),
    routing: RoutingFields.routing.default(POLICY_DEFAULTS.routing),
    env: RunFields.env.default({}),
    secretEnv: RunFields.secretEnv.default(null),
    maxOutputBytes: RunFields.maxOutputBytes.default(null),
    notify: NotifySchema.default([]),
    historyLimit: RetentionFields.historyLimit.default(null),
    historyDays: RetentionFields.historyDays.default(null),
    params: ParamsSchema.default([]),
    // {} rather than null when absent: what the API shows, so a job file without triggers is unchanged.
    triggers: TriggersSchema.nullable()
      .default({})
      .transform((t) => t ?? {}),
  })
  .strict();
export type CreateCronJob = z.infer<typeof CreateCronJobSchema>;

/** Body of `PATCH /api/v1/cronjobs/:id`: any subset of the create fields. */
export const UpdateCronJobSchema = z
  .object({
    name: NameSchema.optional(),
    /** Only its current namespace: a job never moves (export it and apply it in the other one). */
    namespace: NamespaceFieldSchema,
    schedule: schedule.optional(),
    timezone: z.string({ error: 'must be a string' }).trim().min(1).max(64).optional(),
    runner: AnyRunnerNameSchema.optional(),
    spec: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
    timeoutSeconds: timeoutSeconds.optional(),
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
    jitterSeconds: PolicyFields.jitterSeconds.optional(),
    concurrencyPolicy: PolicyFields.concurrencyPolicy.optional(),
    misfirePolicy: PolicyFields.misfirePolicy.optional(),
    catchUpLimit: PolicyFields.catchUpLimit.optional(),
    startingDeadlineSeconds: PolicyFields.startingDeadlineSeconds.optional(),
    retry: PolicyFields.retry.optional(),
    priority: PolicyFields.priority.optional(),
    workerSelector: RoutingFields.workerSelector.optional(),
    routing: RoutingFields.routing.optional(),
    env: RunFields.env.optional(),
    /** Replaces all secret variables; null or {} removes them. */
    secretEnv: RunFields.secretEnv.optional(),
    maxOutputBytes: RunFields.maxOutputBytes.optional(),
    /** Replaces all rules (header values included: send them again); [] removes them. */
    notify: NotifySchema.optional(),
    /** Replaces all triggers; null removes them. */
    triggers: TriggersSchema.nullable().optional(),
    /** Replaces all params; [] removes them. */
    params: ParamsSchema.optional(),
    /** null: back to the server's default. */
    historyLimit: RetentionFields.historyLimit.optional(),
    historyDays: RetentionFields.historyDays.optional(),
  })
  .strict();
export type UpdateCronJob = z.infer<typeof UpdateCronJobSchema>;

export const CronJobIdParamSchema = fromDecimal(z.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive'));

/** `GET /cronjobs` query. */
export const ListCronJobsQuerySchema = z
  .object({
    /** Part of the name, any case. */
    q: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    enabled: z.enum(['true', 'false'], { error: "must be 'true' or 'false'" }).transform((v) => v === 'true').optional(),
    namespace: NamespaceFilterSchema,
    limit: fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000')).optional(),
    cursor: fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive')).optional(),
  })
  .strict();
export type ListCronJobsQuery = z.infer<typeof ListCronJobsQuerySchema>;

/** `GET /cronjobs/timeline` query: the latest `limit` runs of each of `ids`. */
export const TimelineQuerySchema = z
  .object({
    ids: z
      .string({ error: 'is required: a comma list of cron job ids' })
      .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
      .pipe(z.array(z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be positive whole numbers').transform(Number)).min(1, 'must name at least one cron job').max(100, 'must name at most 100 cron jobs')),
    limit: fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100')).default(20),
  })
  .strict();
export type TimelineQuery = z.infer<typeof TimelineQuerySchema>;
