import { TASK_STATUSES } from '@cronfleet/shared';
import { z } from 'zod';
import type { TaskEntity } from '../task.entity';

const positiveInt = () => z.coerce.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive');

export const ListTasksQuerySchema = z
  .object({
    cronjobId: positiveInt().optional(),
    status: z.enum(TASK_STATUSES, { error: `must be one of ${TASK_STATUSES.join(', ')}` }).optional(),
    limit: positiveInt().max(500, 'must be at most 500').default(50),
    cursor: positiveInt().optional(),
  })
  .strict();
export type ListTasksQuery = z.infer<typeof ListTasksQuerySchema>;

export const TaskIdParamSchema = positiveInt();

/** A task as the REST API shows it: times as ISO-8601 UTC. */
export function toTaskView(t: TaskEntity) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: t.id,
    cronjobId: t.cronjobId,
    cronjobName: t.cronjobName,
    status: t.status,
    attempt: t.attempt,
    trigger: t.trigger,
    runner: t.runner,
    scheduledAt: iso(t.scheduledAt),
    startedAt: iso(t.startedAt),
    finishedAt: iso(t.finishedAt),
    exitCode: t.exitCode,
    signal: t.signal,
    workerId: t.workerId,
    error: t.error,
    timeoutSeconds: t.timeoutSeconds,
    createdAt: iso(t.createdAt),
  };
}
export type TaskView = ReturnType<typeof toTaskView>;
