import { RunnerNameSchema } from '@cronfleet/shared';
import { z } from 'zod';
import type { CronJobEntity } from '../cronjob.entity';

const name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\x00-\x1f\x7f]+$/, 'must not contain control characters');

const timeoutSeconds = z
  .number({ error: 'must be a number of seconds' })
  .int('must be a whole number of seconds')
  .min(1, 'must be at least 1')
  .max(7 * 24 * 3600, 'must be at most 604800 (7 days)')
  .nullable();

/**
 * Body of `POST /api/v1/cronjobs`. `spec` is checked against the schema of `runner` by the service,
 * which also parses `schedule` and `timezone` (errors name the field and the problem).
 */
export const CreateCronJobSchema = z
  .object({
    name,
    schedule: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
    timezone: z.string({ error: 'must be a string' }).trim().min(1).max(64).default('UTC'),
    runner: RunnerNameSchema,
    spec: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
    timeoutSeconds: timeoutSeconds.default(null),
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .strict();
export type CreateCronJob = z.infer<typeof CreateCronJobSchema>;

/** Body of `PATCH /api/v1/cronjobs/:id`: any subset of the create fields. */
export const UpdateCronJobSchema = z
  .object({
    name: name.optional(),
    schedule: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(255).optional(),
    timezone: z.string({ error: 'must be a string' }).trim().min(1).max(64).optional(),
    runner: RunnerNameSchema.optional(),
    spec: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
    timeoutSeconds: timeoutSeconds.optional(),
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();
export type UpdateCronJob = z.infer<typeof UpdateCronJobSchema>;

export const CronJobIdParamSchema = z.coerce.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive');

/** A cron job as the REST API shows it: times as ISO-8601 UTC. */
export function toCronJobView(j: CronJobEntity) {
  return {
    id: j.id,
    name: j.name,
    schedule: j.schedule,
    timezone: j.timezone,
    runner: j.runner,
    spec: j.spec,
    timeoutSeconds: j.timeoutSeconds,
    enabled: j.enabled,
    nextRunAt: j.nextRunAt ? j.nextRunAt.toISOString() : null,
    createdAt: j.createdAt.toISOString(),
    updatedAt: j.updatedAt.toISOString(),
  };
}
export type CronJobView = ReturnType<typeof toCronJobView>;
