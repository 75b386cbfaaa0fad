import { toNotifyView, type CronJobView } from '@cronfleet/shared';
import type { CronJobEntity } from './cronjob.entity';

/** A cron job as the REST API shows it: times as ISO-8601 UTC. */
export function toCronJobView(j: CronJobEntity): CronJobView {
  return {
    id: j.id,
    name: j.name,
    namespace: j.namespace,
    schedule: j.schedule,
    timezone: j.timezone,
    runner: j.runner,
    spec: j.spec,
    timeoutSeconds: j.timeoutSeconds,
    enabled: j.enabled,
    jitterSeconds: j.jitterSeconds,
    concurrencyPolicy: j.concurrencyPolicy,
    misfirePolicy: j.misfirePolicy,
    catchUpLimit: j.catchUpLimit,
    startingDeadlineSeconds: j.startingDeadlineSeconds,
    retry: j.retry,
    priority: j.priority,
    // Stored selectors are read-only values of the kernel's type; the view hands them out as they are.
    workerSelector: j.workerSelector as CronJobView['workerSelector'],
    routing: j.routing,
    env: j.env ?? {},
    /** Names only: the values are never returned. */
    secretEnvKeys: j.secretEnvKeys ?? [],
    maxOutputBytes: j.maxOutputBytes,
    /** Webhook header names only: their values are never returned. */
    notify: toNotifyView(j.notify),
    /** Cron jobs started when a task of this one has ended for good. */
    triggers: j.triggers ?? {},
    /** What a run may set (run now's `params`), given to the task as CRONFLEET_PARAM_<NAME>. */
    // Stored params were checked by ParamsSchema, which fills `required` in.
    params: (j.params ?? []) as CronJobView['params'],
    /** Finished tasks kept: the newest N, and none older than D days; null: the server's defaults. */
    historyLimit: j.historyLimit ?? null,
    historyDays: j.historyDays ?? null,
    /** The latest version number (GET /cronjobs/:id/versions); 0 until a job made before versioning is changed. */
    version: j.version ?? 0,
    nextRunAt: j.nextRunAt ? j.nextRunAt.toISOString() : null,
    createdAt: j.createdAt.toISOString(),
    updatedAt: j.updatedAt.toISOString(),
  };
}
