import { Injectable, Logger } from '@nestjs/common';
import type { SerializedError, Schedule } from '@cronfleet/shared';
import { coerceError, broadcastTargets, type WorkerSnapshot } from '@cronfleet/shared';
import type { CronJobEntity } from '../cronjobs/cronjob.entity';
import { CronJobsRepository } from '../cronjobs/cronjobs.repository';
import { taskOfJob } from '../cronjobs/job-task';
import type { TaskEntity } from '../tasks/task.entity';
import { NewTask, TasksRepository } from '../tasks/tasks.repository';
import { TaskLifecycle } from '../tasks/lifecycle/task-lifecycle';
import { TaskControl } from '../workers/task-control';
import { Metrics } from '../observability/metrics';
import { SchedulerStateRepository } from './scheduler-state.repository';
import { TaskTracing } from '../observability/task-tracing';

/** A cron job as the leader holds it: the row, its parsed schedule and its fixed jitter. */
export interface ScheduledJob {
  job: CronJobEntity;
  schedule: Schedule;
  jitterMs: number;
}

/**
 * Turns the due times of a tick into task rows, applying each job's concurrency policy against the
 * tasks the database says are live: `forbid` records a skipped task with the reason, `replace`
 * kills the live ones before the new one is sent. All rows and the jobs' next due times are
 * written in one transaction fenced by the lease epoch.
 */
@Injectable()
export class DueRuns {
  private readonly logger = new Logger('dispatcher');

  constructor(
    private readonly tasks: TasksRepository,
    private readonly lifecycle: TaskLifecycle,
    private readonly control: TaskControl,
    private readonly cronjobs: CronJobsRepository,
    private readonly state: SchedulerStateRepository,
    private readonly metrics: Metrics,
    private readonly tracing: TaskTracing,
  ) {}

  /**
   * `missed` due times run as catch-up runs (trigger `misfire`), `onTime` ones as `schedule`. A
   * `broadcast` job gets one task per worker that matches it now (`workers`), each pinned to its
   * worker with its shard index; with none, the due time is recorded as skipped with the reason.
   */
  async create(
    due: { job: ScheduledJob; missed: number[]; onTime: number[] }[],
    nextRuns: Map<number, Date | null>,
    epoch: number,
    workers: readonly WorkerSnapshot[],
  ): Promise<TaskEntity[]> {
    const guarded = due.filter((d) => d.job.job.concurrencyPolicy !== 'allow').map((d) => d.job.job.id);
    const live = new Map<number, TaskEntity[]>();
    for (const t of await this.tasks.liveOf(guarded)) {
      const list = live.get(t.cronjobId!);
      if (list) list.push(t);
      else live.set(t.cronjobId!, [t]);
    }

    const rows: NewTask[] = [];
    const toKill: TaskEntity[] = [];
    for (const { job: { job }, missed, onTime } of due) {
      let busy = live.get(job.id) ?? [];
      [...missed, ...onTime].forEach((at, i) => {
        const row: NewTask = { ...taskOfJob(job, { trigger: i < missed.length ? 'misfire' : 'schedule', scheduledAt: new Date(at) }), leaseEpoch: epoch };
        if (job.concurrencyPolicy === 'forbid' && (busy.length > 0 || i > 0)) {
          const error: SerializedError = {
            code: 'ConcurrencyForbidden',
            message: `skipped: ${busy.length > 0 ? `task ${busy.map((t) => t.id).join(', ')} of this job was still ${busy[0].status}` : 'an earlier due time of this job runs now'} (concurrencyPolicy forbid)`,
            retryable: false,
          };
          rows.push({ ...row, status: 'skipped', error });
          return;
        }
        if (job.concurrencyPolicy === 'replace' && busy.length > 0) {
          toKill.push(...busy);
          busy = [];
        }
        if (job.routing !== 'broadcast') {
          rows.push(row);
          return;
        }
        const targets = broadcastTargets({ runner: job.runner, selector: job.workerSelector, namespace: job.namespace }, workers);
        if (targets.length === 0) {
          const error: SerializedError = { code: 'NoWorkerForBroadcast', message: 'skipped: no online worker matches this broadcast job (runner and workerSelector)', retryable: false };
          rows.push({ ...row, status: 'skipped', error });
          return;
        }
        targets.forEach((w, shard) => rows.push({ ...row, shardIndex: shard, shardCount: targets.length, pinnedWorkerId: w.id }));
      });
    }
    // Tracing on: each row's `task.due` root, its traceparent kept on the row.
    const spans = this.tracing.tracer ? this.tracing.dueStarted(rows) : null;
    let created: TaskEntity[];
    try {
      created = await this.lifecycle.submitDue(rows, (insert) =>
        this.state.fenced(epoch, async (m) => {
          const made = await insert(m);
          await this.cronjobs.setNextRuns(nextRuns, m);
          return made;
        }),
      );
    } catch (e) {
      if (spans) this.tracing.dueWritten(spans, [], e);
      throw e;
    }
    if (spans) this.tracing.dueWritten(spans, created);
    // Written (the unique key ignores a row another dispatcher made first: rare, counted anyway).
    for (const r of rows) if (r.status === 'skipped') this.metrics.tasksSkipped(r.runner);
    // replace: the old task is killed (and the kill confirmed) before the new one is sent.
    await Promise.all(
      toKill.map((t) =>
        this.control.kill(t.id, 'replaced by the next due time (concurrencyPolicy replace)').catch((e: unknown) => this.logger.warn(`concurrencyPolicy replace: killing task ${t.id}: ${coerceError(e).message}`)),
      ),
    );
    return created;
  }
}
