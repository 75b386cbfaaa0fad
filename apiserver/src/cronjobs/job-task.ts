import type { NewTask } from '../tasks/tasks.repository';
import type { TaskTrigger } from '../tasks/task.entity';
import type { CronJobEntity } from './cronjob.entity';
import { defaultParams, paramEnv } from '@cronfleet/shared';

/**
 * A new task of `job`: how to run, retry, route and cap it, copied from the job as it is now (a later
 * edit of the job leaves tasks made already as they are). A run outside the schedule (run now, a
 * chain) goes to one worker, also for a broadcast job. `params`: the run's resolved param values
 * (params/job-params.ts), by default the job's defaults; they go over the job's env as
 * CRONFLEET_PARAM_<NAME>, never into the spec.
 */
export function taskOfJob(job: CronJobEntity, run: { trigger: TaskTrigger; scheduledAt: Date; oneWorker?: boolean; params?: Record<string, string> }): NewTask {
  const params = paramEnv(run.params ?? defaultParams(job.params));
  return {
    cronjobId: job.id,
    cronjobName: job.name,
    namespace: job.namespace,
    scheduledAt: run.scheduledAt,
    trigger: run.trigger,
    runner: job.runner,
    spec: job.spec,
    timeoutSeconds: job.timeoutSeconds,
    retry: job.retry,
    priority: job.priority,
    workerSelector: job.workerSelector,
    routing: run.oneWorker && job.routing === 'broadcast' ? 'leastLoaded' : job.routing,
    env: Object.keys(params).length ? { ...(job.env ?? {}), ...params } : job.env,
    secretEnv: job.secretEnv,
    maxOutputBytes: job.maxOutputBytes,
  };
}
