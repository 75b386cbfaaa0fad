import { EnvSchema } from '../protocol/runners';
import { z } from 'zod';
import { RunParamsSchema } from './params';

const wholeSeconds = (min: number, max: number) =>
  z.number({ error: 'must be a number of seconds' }).int('must be a whole number of seconds').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** `retry`: how failed or timed-out attempts are retried. Omitted or null: never. */
export const RetryPolicySchema = z
  .object({
    /** Retries after the first attempt (0-100). */
    maxRetries: z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be at least 0').max(100, 'must be at most 100'),
    /** `fixed`: always `delaySeconds`; `exponential` (default): delaySeconds × 2^(retry-1). */
    backoff: z.enum(['fixed', 'exponential'], { error: "must be 'fixed' or 'exponential'" }).default('exponential'),
    delaySeconds: wholeSeconds(0, 86_400).default(10),
    maxDelaySeconds: wholeSeconds(1, 604_800).default(3600),
    /** Spread retries of many tasks failing together. Default true. */
    jitter: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .strict();

/** Scheduling policies of a cron job, with their defaults (shown in every response). */
export const PolicyFields = {
  /** 0..jitterSeconds s added to every due time, the same for every run of the job. Default 0. */
  jitterSeconds: wholeSeconds(0, 3600),
  /** `allow` (default): overlap; `forbid`: skip a due time while a task runs; `replace`: kill it, then start. */
  concurrencyPolicy: z.enum(['allow', 'forbid', 'replace'], { error: "must be 'allow', 'forbid' or 'replace'" }),
  /** Due times missed while no dispatcher ran: `skip`, `runOnce` (default) or `catchUp` (each, oldest first, at most catchUpLimit). */
  misfirePolicy: z.enum(['skip', 'runOnce', 'catchUp'], { error: "must be 'skip', 'runOnce' or 'catchUp'" }),
  catchUpLimit: z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000'),
  /** A due time older than this is skipped rather than run late. Null (default): no deadline. */
  startingDeadlineSeconds: wholeSeconds(1, 604_800).nullable(),
  retry: RetryPolicySchema.nullable(),
  /** Higher runs first when tasks wait for capacity (-1000..1000, default 0). */
  priority: z.number({ error: 'must be a number' }).int('must be a whole number').min(-1000, 'must be at least -1000').max(1000, 'must be at most 1000'),
};

/** `workerSelector`: which workers may run the job's tasks. Null (default): any worker. */
export const WorkerSelectorSchema = z
  .object({
    /** Every label must be present on the worker with exactly this value. */
    labels: z.record(z.string().min(1, 'label names must not be empty').max(63, 'label names are at most 63 characters'), z.string({ error: 'label values must be strings' }).max(255), { error: 'must be an object of label: value' }).optional(),
    /** Only workers with one of these names. */
    names: z.array(z.string({ error: 'must be worker names' }).min(1).max(128), { error: 'must be an array of worker names' }).min(1, 'must list at least one name').max(1000).optional(),
  })
  .strict();

export const ROUTING_NAMES = ['leastLoaded', 'roundRobin', 'random', 'consistentHash', 'broadcast'] as const;

/** Where a job's tasks run. */
export const RoutingFields = {
  workerSelector: WorkerSelectorSchema.nullable(),
  /** `leastLoaded` (default), `roundRobin`, `random`, `consistentHash` (same job → same worker while it is up), `broadcast` (one task per matching worker). */
  routing: z.enum(ROUTING_NAMES, { error: `must be one of ${ROUTING_NAMES.map((r) => `'${r}'`).join(', ')}` }),
};

/** What every run of a job gets besides its spec. */
export const RunFields = {
  /** Environment of every run, under the spec's own `env`. Default `{}`. */
  env: EnvSchema,
  /** Secret environment: stored encrypted, given to the task over everything else, never returned (only its names) nor logged, masked as *** in output. */
  secretEnv: EnvSchema.nullable(),
  /** Output kept per task, bytes: the first and last halves, with a marker of what was cut between. Null: the server's default. */
  maxOutputBytes: z.number({ error: 'must be a number of bytes' }).int('must be whole bytes').min(1024, 'must be at least 1024').max(64 * 1024 * 1024, 'must be at most 67108864 (64 MiB)').nullable(),
};

/** Most `historyLimit` a job may set: a cap, not a target (the sweep walks this many index entries per job). */
export const MAX_HISTORY_LIMIT = 1_000_000;
/** Most `historyDays` a job may set: 100 years. */
export const MAX_HISTORY_DAYS = 36_500;

/**
 * How long the retention sweep keeps a job's finished tasks (live ones are never deleted). Null
 * (default): the server's `CRONFLEET_HISTORY_LIMIT` / `CRONFLEET_HISTORY_DAYS`. 0 keeps none.
 */
export const RetentionFields = {
  /** The newest N finished tasks of the job are kept, older ones deleted. */
  historyLimit: z
    .number({ error: 'must be a number of tasks' })
    .int('must be a whole number of tasks')
    .min(0, 'must be at least 0')
    .max(MAX_HISTORY_LIMIT, `must be at most ${MAX_HISTORY_LIMIT}`)
    .nullable(),
  /** Finished tasks older than this many days (by their end) are deleted. */
  historyDays: z
    .number({ error: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(0, 'must be at least 0')
    .max(MAX_HISTORY_DAYS, `must be at most ${MAX_HISTORY_DAYS} (100 years)`)
    .nullable(),
};

export const POLICY_DEFAULTS = {
  jitterSeconds: 0,
  concurrencyPolicy: 'allow',
  misfirePolicy: 'runOnce',
  catchUpLimit: 10,
  startingDeadlineSeconds: null,
  retry: null,
  priority: 0,
  workerSelector: null,
  routing: 'leastLoaded',
} as const;

/**
 * `POST /cronjobs/:id/run` body. `params`: values of the job's declared params (any role that may
 * run). `args` and `env`: free-form overrides of the spec's arguments and environment for this run,
 * admin only (RUN_OVERRIDES_ROLE in access.ts): they change what runs.
 */
export const RunNowSchema = z
  .object({
    params: RunParamsSchema.optional(),
    args: z.array(z.string().max(32_768), { error: 'must be an array of strings' }).max(1000).optional(),
    env: EnvSchema.optional(),
  })
  .strict();
export type RunNow = z.infer<typeof RunNowSchema>;
