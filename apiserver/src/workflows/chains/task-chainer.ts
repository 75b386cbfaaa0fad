import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { coerceError, type TaskStatus, type ChainTarget, targetsFor, resolveParams } from '@cronfleet/shared';
import { taskOfJob } from '../../cronjobs/job-task';
import { TaskEvents } from '../../tasks/lifecycle/task-events';
import { TaskLifecycle } from '../../tasks/lifecycle/task-lifecycle';
import { TasksRepository, type NewTask } from '../../tasks/tasks.repository';
import { chainResult, resultEnv } from '../core/chain-result';
import { ChainsRepository } from './chains.repository';
import { Batcher } from '../../common/batcher';

/** Task ends are collected this long, then one query finds those whose job has triggers. */
const LOOKUP_DELAY_MS = 20;
const LOOKUP_BATCH = 500;
const FAILURE: readonly TaskStatus[] = ['failed', 'timeout', 'lost', 'killed'];

/**
 * Job chains: when a task's run has ended for good (success, or a failure its retry policy does not retry),
 * starts the cron jobs its job's `triggers` name for that outcome, each with the task's result as
 * environment (CRONFLEET_UPSTREAM_*; see core/chain-result.ts) and the param values its entry gives
 * (defaults for the rest). A target whose params no longer take those values is not started, and
 * the server log says why, as for a target that no longer exists. A chained task's idempotency key is
 * `chain:<task>:<job>`, so an end reported twice, or by two servers, starts each job once.
 */
@Injectable()
export class TaskChainer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('chains');
  private unsubscribe: (() => void) | null = null;
  private readonly ends = new Batcher<{ taskId: number; status: TaskStatus }>((batch) => this.chainBatch(batch), LOOKUP_DELAY_MS, LOOKUP_BATCH);

  constructor(
    private readonly repo: ChainsRepository,
    private readonly tasks: TasksRepository,
    private readonly taskEvents: TaskEvents,
    private readonly lifecycle: TaskLifecycle,
  ) {}

  onModuleInit(): void {
    // A run's end for good: not an attempt that is retried, nor a late result (the run moved on at `lost`).
    this.unsubscribe = this.taskEvents.subscribe((e) => {
      if (e.type === 'ended' && e.final) this.taskEnded(e.task.id, e.status);
    });
  }

  /** Never throws and never waits: the chained tasks are made in the background. */
  taskEnded(taskId: number, status: TaskStatus): void {
    if (status !== 'success' && !FAILURE.includes(status)) return;
    this.ends.add({ taskId, status });
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.ends.flush();
  }

  private async chainBatch(batch: { taskId: number; status: TaskStatus }[]): Promise<void> {
    let chained: Awaited<ReturnType<ChainsRepository['withTriggers']>>;
    try {
      chained = await this.repo.withTriggers(batch.map((e) => e.taskId));
    } catch (e) {
      this.logger.warn(`${batch.length} task end(s): chains not followed: ${coerceError(e).message}`);
      return;
    }
    for (const e of batch) {
      const c = chained.get(e.taskId);
      if (!c) continue;
      await this.chain(e.taskId, e.status, c.cronjobName, c.namespace, targetsFor(c.triggers, e.status === 'success' ? 'success' : 'failure')).catch((err: unknown) =>
        this.logger.warn(`task ${e.taskId}: chained jobs not started: ${coerceError(err).message}`),
      );
    }
  }

  private async chain(taskId: number, status: TaskStatus, from: string, namespace: string, targets: ChainTarget[]): Promise<void> {
    if (targets.length === 0) return;
    const result = chainResult(await this.tasks.outputTail(taskId));
    if (result.kind === 'error') this.logger.warn(`task ${taskId} (${from}): result not passed on: ${result.message}`);
    const env = resultEnv(result, { taskId, status });
    const jobs = await this.repo.jobsByName(targets.map((t) => t.job), namespace);
    for (const t of targets.filter((t) => !jobs.some((j) => j.name === t.job))) this.logger.warn(`task ${taskId} (${from}): triggers '${t.job}', which no longer exists`);
    for (const job of jobs) {
      const given = targets.find((t) => t.job === job.name)!.params;
      // Checked when the trigger was saved; the target's params may have changed since.
      const params = resolveParams(job.params ?? [], given);
      if (!params.ok) {
        const why = Object.keys(given).length
          ? `the values the trigger of '${from}' gives no longer fit the params of '${job.name}'; change that trigger`
          : 'the trigger gives no values, and its defaults do not do';
        this.logger.warn(`task ${taskId} (${from}): triggers '${job.name}', not started: ${params.problems.join('; ')} (${why})`);
        continue;
      }
      const base = taskOfJob(job, { trigger: 'chain', scheduledAt: new Date(), oneWorker: true, params: params.values });
      const row: NewTask = {
        ...base,
        env: { ...(base.env ?? {}), ...env },
        idempotencyKey: `chain:${taskId}:${job.id}`,
      };
      const { task, created } = await this.lifecycle.submit(row, 'chain');
      if (!created) continue;
      this.logger.log(`task ${taskId} (${from}) ${status}: started ${job.name} as task ${task.id}`);
    }
  }
}
