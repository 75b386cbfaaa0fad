import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { RunnerWithSpec, TaskRun } from '@cronfleet/shared';
import type { TaskEntity } from '../tasks/task.entity';
import { TasksRepository } from '../tasks/tasks.repository';
import { WorkersRegistry } from '../workers/workers.registry';
import { ChoiceState, chooseWorker, type Choice, type WorkerSnapshot } from './core/worker-choice';

/** A worker that refused a task gets it offered again after this pause, not in a hot loop. */
const REQUEUE_DELAY_MS = 1000;

/**
 * Sends claimed tasks to workers and takes back what they refuse or do not acknowledge: the task
 * returns to pending and, after a pause, to the dispatcher's queue (`requeue` event).
 */
@Injectable()
export class TaskSender extends EventEmitter<{ requeue: [TaskEntity] }> {
  private readonly logger = new Logger('dispatcher');
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly choices = new ChoiceState();

  constructor(
    private readonly tasks: TasksRepository,
    private readonly registry: WorkersRegistry,
  ) {
    super();
  }

  /**
   * The worker for a task by its job's selector and routing; a retry prefers a worker other than the
   * one that failed; a broadcast shard only its own. With none, the reason it waits.
   */
  choose(task: TaskEntity, workers: readonly WorkerSnapshot[]): Choice {
    return chooseWorker(
      {
        runner: task.runner,
        selector: task.workerSelector,
        routing: task.routing,
        routingKey: task.cronjobId !== null ? `job:${task.cronjobId}` : `task:${task.id}`,
        avoidWorkerId: task.previousWorkerId,
        pinnedWorkerId: task.pinnedWorkerId,
      },
      workers,
      this.choices,
    );
  }

  /** Sends a claimed task (its capacity already reserved on the worker). */
  send(task: TaskEntity, workerId: number): void {
    void this.deliver(task, workerId);
  }

  private async deliver(task: TaskEntity, workerId: number): Promise<void> {
    const ack = await this.registry.sendRun(workerId, toRunMessage(task));
    if (ack.accepted) return;
    this.logger.warn(`worker ${workerId} refused task ${task.id}: ${ack.error.code}: ${ack.error.message}`);
    const back = await this.tasks.unclaim(task.id, workerId).catch(() => false);
    this.registry.release(workerId, task.id);
    if (!back) return;
    // Offered again, it prefers another worker (as a retry avoids the one that failed).
    task.previousWorkerId = workerId;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.emit('requeue', task);
    }, REQUEUE_DELAY_MS);
    this.timers.add(t);
  }

  cancelRequeues(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

function toRunMessage(t: TaskEntity): TaskRun {
  return {
    taskId: t.id,
    cronjobId: t.cronjobId,
    cronjobName: t.cronjobName,
    attempt: t.attempt,
    scheduledAtMs: t.scheduledAt.getTime(),
    timeoutSeconds: t.timeoutSeconds,
    shard: t.pinnedWorkerId !== null ? { index: t.shardIndex, count: t.shardCount } : null,
    ...({ runner: t.runner, spec: t.spec } as RunnerWithSpec),
  };
}
