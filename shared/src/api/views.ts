import { NOTIFY_EVENTS } from './notify-events';
import { SerializedErrorSchema } from '../protocol/errors';
import { TASK_STATUSES, WorkerStatsSchema } from '../protocol/messages';
import { AnyRunnerNameSchema } from '../protocol/runners';
import { z } from 'zod';
import { ParamsViewSchema } from './params';
import { PolicyFields, RetentionFields, RoutingFields, RunFields } from './policies';
import { RunSummarySchema, RunViewSchema, WorkflowViewSchema } from './workflows';

/**
 * What the REST API answers, as zod schemas for the OpenAPI document only (nothing validates
 * responses at run time). The view functions they describe (toCronJobView, toTaskView, the workers'
 * toView) are checked against them in openapi-document.spec.ts, so a field added there fails it.
 */

const isoTime = z.iso.datetime();
const id = z.number().int().positive();

/** A trigger list as stored: job names, and `{ job, params }` entries where values are given. */
const triggerEntries = z.array(
  z.union([
    z.string().meta({ description: "a cron job's name: it runs with its params' defaults" }),
    z
      .object({ job: z.string(), params: z.record(z.string(), z.string()).optional().meta({ description: "values for the job's declared params (CRONFLEET_PARAM_<NAME>); defaults fill the rest" }) })
      .strict(),
  ]),
);

/** Every error: `{ statusCode, error, code, message }` (see common/http-exception.filter.ts). */
export const ErrorBodySchema = z.object({
  statusCode: z.number().int().meta({ description: 'the HTTP status' }),
  error: z.string().meta({ description: "the status' name, e.g. Not Found" }),
  code: z.string().meta({ description: 'stable error code to check by, e.g. CronJobNotFound, ValidationFailed' }),
  message: z.string().meta({ description: 'what is wrong, naming the field, e.g. "schedule \'61 * * * *\': minute 61 is out of range 0-59"' }),
});

export const CronJobViewSchema = z.object({
  id,
  name: z.string(),
  namespace: z.string(),
  schedule: z.string(),
  timezone: z.string(),
  runner: AnyRunnerNameSchema,
  spec: z.record(z.string(), z.unknown()),
  timeoutSeconds: z.number().int().nullable(),
  enabled: z.boolean(),
  jitterSeconds: PolicyFields.jitterSeconds,
  concurrencyPolicy: PolicyFields.concurrencyPolicy,
  misfirePolicy: PolicyFields.misfirePolicy,
  catchUpLimit: PolicyFields.catchUpLimit,
  startingDeadlineSeconds: PolicyFields.startingDeadlineSeconds,
  retry: PolicyFields.retry,
  priority: PolicyFields.priority,
  workerSelector: RoutingFields.workerSelector,
  routing: RoutingFields.routing,
  env: z.record(z.string(), z.string()),
  secretEnvKeys: z.array(z.string()).meta({ description: 'names of the secret variables; their values are never returned' }),
  maxOutputBytes: RunFields.maxOutputBytes,
  notify: z
    .array(
      z
        .object({
          on: z.array(z.enum(NOTIFY_EVENTS)).meta({ description: 'failure, timeout, lost, success, recovered: once per run, by its last attempt; attemptFailure: every failed, timed-out or lost attempt' }),
          webhook: z.object({ url: z.string(), headerNames: z.array(z.string()).meta({ description: 'names of the headers sent; their values are never returned' }) }).strict().optional(),
          email: z.object({ to: z.array(z.string()) }).strict().optional(),
        })
        .strict(),
    )
    .meta({ description: 'notifications when a run ends (failure, timeout, lost, success, recovered: once per run) or an attempt fails (attemptFailure, saying whether a retry follows); webhooks signed with X-Cronfleet-Signature, emails' }),
  triggers: z
    .object({ onSuccess: triggerEntries.optional(), onFailure: triggerEntries.optional(), onComplete: triggerEntries.optional() })
    .strict()
    .meta({
      description:
        'cron jobs started when a task of this one has ended for good, with its result as CRONFLEET_UPSTREAM_* / CRONFLEET_RESULT_* environment; each entry a job name (its params take their defaults) or { job, params } giving values for its params',
    }),
  params: ParamsViewSchema.meta({ description: "what a run may set (run now's `params`): the only thing an operator may vary" }),
  historyLimit: RetentionFields.historyLimit.meta({ description: "newest finished tasks kept; null: the server's CRONFLEET_HISTORY_LIMIT" }),
  historyDays: RetentionFields.historyDays.meta({ description: "finished tasks older than this many days are deleted; null: the server's CRONFLEET_HISTORY_DAYS" }),
  version: z.number().int().min(0).meta({ description: 'number of its latest version (see GET /cronjobs/{id}/versions); 0 for a job made before versioning and not changed since' }),
  nextRunAt: isoTime.nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

const FieldChangeSchema = z
  .object({
    field: z.string().meta({ description: 'the field, with a path into objects: schedule, spec.args, env.TZ, retry.maxRetries' }),
    before: z.unknown(),
    after: z.unknown(),
    redacted: z.literal(true).optional().meta({ description: 'the values hide secrets: secretEnv shows its variable names only, notify its header names only' }),
  })
  .strict();

export const CronJobVersionSummarySchema = z.object({
  cronjobId: id,
  version: z.number().int().positive(),
  kind: z.enum(['created', 'updated', 'rollback', 'deleted', 'baseline']).meta({
    description: 'updated includes pause and resume; rollback wrote an older definition again; baseline is how a job made before versioning was, recorded at its first change',
  }),
  rolledBackFrom: z.number().int().positive().nullable().meta({ description: 'for a rollback: the version written again' }),
  actor: z.string().meta({ description: "who, as the audit log names them: the token's name (admin for the bootstrap token), or `job file <name>`" }),
  role: z.string().meta({ description: 'viewer, operator, admin, or system' }),
  tokenId: id.nullable(),
  at: isoTime,
  changes: z.array(FieldChangeSchema).meta({ description: 'what changed from the version before; empty for created, deleted and baseline' }),
});

export const CronJobVersionSchema = CronJobVersionSummarySchema.extend({
  definition: CronJobViewSchema.omit({ id: true, namespace: true, version: true, nextRunAt: true, createdAt: true, updatedAt: true }).meta({
    description: 'the whole job at this version (before the deletion, for deleted); secret values are never shown, only their names',
  }),
});

export const TaskViewSchema = z.object({
  id,
  cronjobId: id.nullable(),
  cronjobName: z.string().nullable(),
  namespace: z.string(),
  status: z.enum(TASK_STATUSES),
  attempt: z.number().int().positive(),
  trigger: z.enum(['schedule', 'manual', 'retry', 'api', 'misfire', 'chain', 'workflow']),
  runner: z.string(),
  scheduledAt: isoTime,
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  httpStatus: z.number().int().nullable().meta({ description: "an http task's response status; null for other runners or when no response came" }),
  workerId: id.nullable(),
  error: SerializedErrorSchema.nullable(),
  timeoutSeconds: z.number().int().nullable(),
  priority: z.number().int(),
  runAt: isoTime.nullable(),
  retryOf: id.nullable(),
  idempotencyKey: z.string().nullable(),
  routing: RoutingFields.routing,
  workerSelector: RoutingFields.workerSelector,
  shard: z.object({ index: z.number().int(), count: z.number().int() }).nullable(),
  pendingReason: z.string().nullable().meta({ description: 'why a pending task has not reached a worker yet' }),
  control: z
    .object({ action: z.enum(['stop', 'kill']), requestedAt: isoTime, state: z.enum(['confirmed', 'unconfirmed']), reason: z.string() })
    .nullable()
    .meta({ description: 'a stop or kill asked for through the API, and whether the worker confirmed it' }),
  workflow: z
    .object({ runId: id, step: z.string().nullable(), item: z.number().int().nullable() })
    .nullable()
    .meta({ description: 'the workflow run, step and group member (null for a one-task step) this task is part of' }),
  createdAt: isoTime,
});

export const WorkerViewSchema = z.object({
  id,
  name: z.string(),
  hostname: z.string(),
  version: z.string(),
  status: z.enum(['online', 'unreachable', 'offline']),
  draining: z.boolean(),
  drained: z.boolean(),
  shuttingDown: z.boolean(),
  capacity: z.number().int(),
  running: z.number().int(),
  labels: z.record(z.string(), z.string()),
  runners: z.array(z.string()),
  namespace: z.string().nullable().meta({ description: 'the one namespace whose tasks it runs; null: every namespace' }),
  lastHeartbeatAt: isoTime.nullable(),
  stats: WorkerStatsSchema.nullable(),
  enrolment: z
    .object({
      state: z.enum(['enrolled', 'revoked', 'open']),
      enrolledAt: isoTime.nullable().meta({ description: 'when its current credential was issued' }),
      revokedAt: isoTime.nullable(),
    })
    .meta({ description: 'its credential: `enrolled` (hellos must carry it), `open` (the next hello is issued one), `revoked` (hellos refused)' }),
});

export const WorkerDetailSchema = WorkerViewSchema.extend({
  tasks: z.array(
    z.object({
      id,
      cronjobId: id.nullable(),
      cronjobName: z.string().nullable(),
      status: z.string(),
      startedAt: isoTime.nullable(),
      scheduledAt: isoTime,
      rssBytes: z.number().int().nullable(),
    }),
  ),
});

export const SchedulerStatusSchema = z.object({
  leader: z.string().nullable().meta({ description: 'instance id of the current leader' }),
  instanceId: z.string(),
  paused: z.boolean(),
  isLeader: z.boolean(),
  epoch: z.number().int().nullable(),
  heapSize: z.number().int().nullable(),
  pending: z.number().int().nullable(),
  nextDueAt: isoTime.nullable(),
  lagMs: z.number().nullable(),
});

export const TaskIdSchema = z.object({ taskId: id });
export const TimelineSchema = z.object({
  items: z.array(
    z.object({
      cronjobId: id,
      runs: z.array(
        z.object({
          taskId: id,
          status: z.enum(TASK_STATUSES),
          attempt: z.number().int().positive(),
          scheduledAt: isoTime,
          startedAt: isoTime.nullable(),
          finishedAt: isoTime.nullable(),
          exitCode: z.number().int().nullable(),
        }),
      ),
    }),
  ),
});
export const SweepReportSchema = z.object({
  deleted: z.number().int().meta({ description: 'finished tasks deleted, with their output' }),
  byAge: z.number().int().meta({ description: 'of them, older than their historyDays' }),
  byLimit: z.number().int().meta({ description: 'of them, past their historyLimit newest' }),
  workflowRuns: z.number().int().meta({ description: "ended workflow runs deleted with their step tasks, past the server's defaults" }),
  batches: z.number().int().meta({ description: 'DELETE statements run (at most 500 ids each)' }),
  durationMs: z.number().int(),
  completed: z.boolean().meta({ description: 'false when the sweep was stopped early (shutdown); the next one goes on' }),
  defaults: z.object({ historyDays: z.number().int().nullable(), historyLimit: z.number().int().nullable() }).meta({ description: "the server's defaults applied to jobs that set none (null: unlimited)" }),
});
export const NextRunsSchema = z.object({ next: z.array(isoTime) });
export const ControlResultSchema = z.object({ taskId: id, action: z.enum(['stop', 'kill']), workerId: id.nullable(), confirmed: z.literal(true) });
export const HealthSchema = z.object({ status: z.literal('ok'), leader: z.boolean() });
const CheckSchema = z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: z.string() })]);
export const ReadinessSchema = z.object({
  status: z.enum(['ready', 'not ready']),
  notReady: z.array(z.string()),
  checks: z.record(z.string(), CheckSchema).meta({ description: 'database, migrations and (when configured) redis' }),
});

/** The body of a notification webhook (core/notification-message.ts NotificationPayload). */
export const NotificationPayloadSchema = z.object({
  event: z.enum(NOTIFY_EVENTS).meta({ description: 'failure, timeout, lost, success, recovered: once per run (a due time and its retries), by its last attempt; attemptFailure: every failed, timed-out or lost attempt' }),
  job: z.object({ id, name: z.string() }),
  task: z.object({
    id,
    status: z.string(),
    attempt: z.number().int().meta({ description: "this attempt's number, from 1" }),
    attempts: z.number().int().meta({ description: 'attempts the retry policy allows (maxRetries + 1; 1 without one), never less than attempt' }),
    scheduledAt: isoTime,
    startedAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
    exitCode: z.number().int().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable().meta({ description: "this attempt's error; for failure, timeout and lost the run's final error" }),
  }),
  final: z.boolean().meta({ description: 'true: no retry follows, the run has ended with this attempt (always for success)' }),
  retry: z.object({ delayMs: z.number().int(), at: isoTime }).nullable().meta({ description: 'the retry that follows (final false): its wait after this attempt ended, and when it is due; null when the run has ended' }),
  at: isoTime.meta({ description: 'when the notification was made' }),
});

/** Schemas shown once under components/schemas and referenced by name. */
export const COMPONENT_SCHEMAS = {
  Error: ErrorBodySchema,
  CronJob: CronJobViewSchema,
  CronJobVersionSummary: CronJobVersionSummarySchema,
  CronJobVersion: CronJobVersionSchema,
  Task: TaskViewSchema,
  Worker: WorkerViewSchema,
  WorkerDetail: WorkerDetailSchema,
  SchedulerStatus: SchedulerStatusSchema,
  Workflow: WorkflowViewSchema,
  WorkflowRunSummary: RunSummarySchema,
  WorkflowRun: RunViewSchema,
  NotificationPayload: NotificationPayloadSchema,
} as const;

/** What the API answers, as TypeScript types (the JSON form: times as ISO-8601 strings). */
export type ErrorBody = z.output<typeof ErrorBodySchema>;
export type CronJobView = z.output<typeof CronJobViewSchema>;
export type VersionSummary = z.output<typeof CronJobVersionSummarySchema>;
export type VersionView = z.output<typeof CronJobVersionSchema>;
/**
 * One field that changed: `spec.args`, `env.TZ`, `retry.maxRetries` (objects are compared key by
 * key, lists and values whole), `absent` values as null. `redacted`: the values hide secrets;
 * `secretEnv` shows only its variable names, `notify` only header names, and a change of a secret
 * value alone is still listed.
 */
export type FieldChange = z.output<typeof FieldChangeSchema>;
export type TaskView = z.output<typeof TaskViewSchema>;
export type WorkerView = z.output<typeof WorkerViewSchema>;
export type WorkerDetailView = z.output<typeof WorkerDetailSchema>;
export type SchedulerStatus = z.output<typeof SchedulerStatusSchema>;
export type Timeline = z.output<typeof TimelineSchema>;
export type SweepReport = z.output<typeof SweepReportSchema>;
export type ControlResult = z.output<typeof ControlResultSchema>;
export type Readiness = z.output<typeof ReadinessSchema>;
export type NotificationPayload = z.output<typeof NotificationPayloadSchema>;
