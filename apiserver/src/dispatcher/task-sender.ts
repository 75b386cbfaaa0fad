import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { coerceError, type RunnerWithSpec, type SerializedError, type TaskRun, ChoiceState, chooseWorker, type Choice, type WorkerSnapshot } from '@cronfleet/shared';
import type { TaskEntity } from '../tasks/task.entity';
import { SecretBox } from '../common/secret-box';
import { TaskLifecycle } from '../tasks/lifecycle/task-lifecycle';
import { TaskTracing } from '../observability/task-tracing';
import { WorkersRegistry } from '../workers/workers.registry';

/** A worker that refused a task gets it offered again after this pause, not in a hot loop. */
const REQUEUE_DELAY_MS = 1000;
/** Refusals that say nothing about the task: the same worker may take it a moment later. */
/** Unanswered sends of a task to its worker before it goes back to the queue, to another worker. */
const MAX_UNANSWERED_SENDS = 3;
const TRANSIENT_REFUSALS = new Set(['WorkerAtCapacity', 'WorkerDraining', 'WorkerUnavailable', 'AckTimeout', 'WorkerShuttingDown']);

/**
 * Sends claimed tasks to workers and takes back what they refuse: the task returns to pending and,
 * after a pause, to the dispatcher's queue (`requeue` event). What a worker does not acknowledge
 * stays claimed for it and is sent to it again (`unacked` event): it may have arrived.
 */
@Injectable()
export class TaskSender extends EventEmitter<{ requeue: [TaskEntity]; unacked: [TaskEntity] }> {
  private readonly logger = new Logger('dispatcher');
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly choices = new ChoiceState();
  /**
   * Workers that refused a task for a reason that will not pass by itself (a command not on their
   * allow-list, a runner they lack), with their message: the task is not offered to them again.
   * Forgotten when the task leaves the queue for good (see forget) or the worker says hello again.
   */
  private readonly refusals = new Map<number, Map<number, string>>();
  /** Tasks sent to their worker without an answer, and how many times in a row. */
  private readonly unanswered = new Map<number, number>();

  constructor(
    private readonly registry: WorkersRegistry,
    private readonly secrets: SecretBox,
    private readonly tracing: TaskTracing,
    private readonly lifecycle: TaskLifecycle,
  ) {
    super();
  }

  /**
   * The worker for a task by its job's selector and routing; a retry prefers a worker other than the
   * one that failed; a broadcast shard only its own. With none, the reason it waits.
   */
  choose(task: TaskEntity, workers: readonly WorkerSnapshot[]): Choice {
    const refused = this.refusals.get(task.id);
    if (refused) {
      const others = workers.filter((w) => !refused.has(w.id));
      const choice = this.chooseAmong(task, others);
      if (choice.worker || !this.chooseAmong(task, workers).worker) return choice;
      const [workerId, message] = [...refused][refused.size - 1];
      return { worker: null, reason: `refused by ${refused.size === 1 ? 'worker' : `${refused.size} workers, last`} ${workerId}: ${message}` };
    }
    return this.chooseAmong(task, workers);
  }

  /** The task ran, ended or was cancelled: its refusals no longer matter. */
  forget(taskId: number): void {
    this.refusals.delete(taskId);
    this.unanswered.delete(taskId);
  }

  /** A worker said hello again (its allow-list or runners may have changed): ask it again. */
  forgetWorker(workerId: number): void {
    for (const [taskId, byWorker] of this.refusals) if (byWorker.delete(workerId) && byWorker.size === 0) this.refusals.delete(taskId);
  }

  private chooseAmong(task: TaskEntity, workers: readonly WorkerSnapshot[]): Choice {
    return chooseWorker(
      {
        runner: task.runner,
        selector: task.workerSelector,
        namespace: task.namespace,
        routing: task.routing,
        routingKey: task.cronjobId !== null ? `job:${task.cronjobId}` : `task:${task.id}`,
        avoidWorkerId: task.previousWorkerId,
        pinnedWorkerId: task.pinnedWorkerId,
      },
      workers,
      this.choices,
    );
  }

  /**
   * Sends a claimed task (its capacity already reserved on the worker). `again`: it was sent to
   * this worker before without an answer (see `unacked`). `claimedSinceMs`: when its claim began
   * (tracing only: the start of its `task.dispatch` span).
   */
  send(task: TaskEntity, workerId: number, again = false, claimedSinceMs?: number): void {
    void this.deliver(task, workerId, again, claimedSinceMs);
  }

  private async deliver(task: TaskEntity, workerId: number, again: boolean, claimedSinceMs: number | undefined): Promise<void> {
    let msg: TaskRun;
    const span = this.tracing.tracer ? this.tracing.dispatchStarted(task, workerId, again, claimedSinceMs) : null;
    try {
      msg = this.toRunMessage(task);
      if (span) msg.traceparent = this.tracing.tracer!.traceparent(span);
    } catch (e) {
      // Its secrets cannot be opened with this server's key: it cannot run anywhere; say why.
      const error = { code: 'SecretEnvUnreadable', message: coerceError(e).message, retryable: false };
      this.logger.error(`task ${task.id}: ${error.message}`);
      await this.failUnrunnable(task, workerId, error);
      if (span) this.tracing.dispatchEnded(span, { accepted: false, error });
      return;
    }
    const ack = await this.registry.sendRun(workerId, msg);
    if (span) this.tracing.dispatchEnded(span, ack);
    if (ack.accepted) return this.forget(task.id);
    if (ack.error.code === 'InvalidSpec') {
      // A plugin runner's own check refused the spec: it is the job's definition that is wrong, not
      // the worker; waiting for another worker would leave the task pending for ever.
      this.forget(task.id);
      return this.failUnrunnable(task, workerId, { ...ack.error, message: `refused by worker ${workerId}: ${ack.error.message}` });
    }
    const silent = ack.error.code === 'AckTimeout' || (again && ack.error.code === 'WorkerUnavailable');
    const times = silent ? (this.unanswered.get(task.id) ?? 0) + 1 : 0;
    if (silent && times < MAX_UNANSWERED_SENDS) {
      this.unanswered.set(task.id, times);
      // No answer is not a refusal: the worker may have the task, its ack (or its connection) lost
      // on the way back. Given to another worker, it could run twice (found by the chaos suite); it
      // stays claimed and is sent to this worker again (`unacked`), which runs it only if it does not
      // hold it. A worker gone meanwhile reports what it holds when it reconnects, or goes offline:
      // either way the task ends `lost` if the worker does not have it, as any task of a lost worker.
      this.logger.warn(`worker ${workerId} did not acknowledge task ${task.id} (${ack.error.message}); it stays claimed for that worker and is sent again`);
      this.emit('unacked', task);
      return;
    }
    this.unanswered.delete(task.id);
    // Sent MAX_UNANSWERED_SENDS times without an answer from a worker that still heartbeats: it is
    // taken to be broken and the task goes to another (the one case a task can still run twice:
    // when all those answers were lost but the task did arrive).
    if (silent) this.logger.warn(`worker ${workerId} did not answer task ${task.id} ${times} times; giving it to another worker`);
    else this.logger.warn(`worker ${workerId} refused task ${task.id}: ${ack.error.code}: ${ack.error.message}`);
    if (!TRANSIENT_REFUSALS.has(ack.error.code)) {
      const byWorker = this.refusals.get(task.id) ?? new Map<number, string>();
      byWorker.set(workerId, `${ack.error.code}: ${ack.error.message}`);
      this.refusals.set(task.id, byWorker);
    }
    const back = await this.lifecycle.unclaim(task.id, workerId).catch(() => false);
    this.registry.release(workerId, task.id);
    if (!back) return this.forget(task.id);
    // Offered again, it prefers another worker (as a retry avoids the one that failed).
    task.previousWorkerId = workerId;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.emit('requeue', task);
    }, REQUEUE_DELAY_MS);
    this.timers.add(t);
  }

  /** Fails a task no worker can run as it is; its slot on `workerId` is freed whether or not that applied. */
  private async failUnrunnable(task: TaskEntity, workerId: number, error: SerializedError): Promise<void> {
    await this.lifecycle.failUnrunnable(task, workerId, error).catch((e: unknown) => this.logger.warn(`task ${task.id}: not failed: ${coerceError(e).message}`));
    this.registry.release(workerId, task.id);
  }

  private toRunMessage(t: TaskEntity): TaskRun {
    return {
      taskId: t.id,
      cronjobId: t.cronjobId,
      cronjobName: t.cronjobName,
      attempt: t.attempt,
      scheduledAtMs: t.scheduledAt.getTime(),
      timeoutSeconds: t.timeoutSeconds,
      env: t.env ?? {},
      secretEnv: t.secretEnv ? this.secrets.open(t.secretEnv) : {},
      shard: t.pinnedWorkerId !== null ? { index: t.shardIndex, count: t.shardCount } : null,
      ...({ runner: t.runner, spec: t.spec } as RunnerWithSpec),
    };
  }

  cancelRequeues(): void {
    this.refusals.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
