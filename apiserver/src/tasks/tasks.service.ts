import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { SerializedError, TaskOutput, TaskStatus, TaskUpdate } from '@cronfleet/shared';
import { BatchSender, coerceError, FINAL_TASK_STATUSES, DEFAULT_NAMESPACE } from '@cronfleet/shared';
import { DomainError, notFound } from '../common/errors';
import { validSpec } from '../common/runner-spec';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG } from '../config/tokens';
import { retryDelayMs } from '../dispatcher/core/retry';
import { ClusterEvents } from '../events/cluster-events';
import { TaskReportHandler, WorkersRegistry } from '../workers/workers.registry';
import { CreateTask, ListTasksQuery, toTaskView, TaskView } from './dto/task.dto';
import { TaskEntity } from './task.entity';
import { TaskOutputService } from './task-output.service';
import { TaskReportWriter } from './task-report-writer';
import { TasksRepository, type OutputOwner } from './tasks.repository';
import { Metrics } from '../observability/metrics';
import { LiveEvents } from '../events/live-events';
import { TaskNotifier } from '../notifications/task-notifier';
import { TaskEnds } from './task-ends';
import { TaskTracing } from '../observability/task-tracing';
import { NamespacesService } from '../namespaces/namespaces.service';

/** What `POST /tasks/:id/stop|kill` answers once the worker confirmed. */
export interface ControlResult {
  taskId: number;
  action: 'stop' | 'kill';
  /** Null when the task had not reached a worker and was ended by the server. */
  workerId: number | null;
  confirmed: true;
}

/** Final states after which the task's retry policy applies. */
const RETRYABLE: readonly TaskStatus[] = ['failed', 'timeout', 'lost'];

/** Task history, one-shot tasks, what workers report, killing, cancelling and retrying. */
@Injectable()
export class TasksService implements TaskReportHandler, OnModuleInit {
  private readonly logger = new Logger('tasks');
  /** Output ownership checks under way, by task; those begun in one turn are one query. */
  private readonly ownerChecks = new Map<number, Promise<OutputOwner | null>>();
  private readonly owners = new BatchSender<number, OutputOwner | null>((ids) => this.repo.outputOwners(ids), { maxItems: 500 });
  /** Tracing on: the traceparents of tasks whose results came in one turn, read with one SELECT. */
  private readonly traceParents = new BatchSender<number, string | null>((ids) => this.repo.traceParentsOf(ids), { maxItems: 500 });

  constructor(
    private readonly repo: TasksRepository,
    private readonly registry: WorkersRegistry,
    private readonly writer: TaskReportWriter,
    private readonly outputs: TaskOutputService,
    private readonly events: ClusterEvents,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    private readonly metrics: Metrics,
    private readonly live: LiveEvents,
    private readonly notifier: TaskNotifier,
    private readonly taskEnds: TaskEnds,
    private readonly tracing: TaskTracing,
    private readonly namespaces: NamespacesService,
  ) {}

  onModuleInit(): void {
    this.registry.setReportHandler(this);
    this.live.setJobResolver(async (id) => {
      const t = await this.repo.findById(id);
      return { cronjobId: t?.cronjobId ?? null, namespace: t?.namespace ?? DEFAULT_NAMESPACE };
    });
  }

  async get(id: number): Promise<TaskView> {
    return toTaskView(await this.load(id));
  }

  async list(q: ListTasksQuery): Promise<{ items: TaskView[]; nextCursor: string | null }> {
    const rows = await this.repo.list({
      cronjobId: q.cronjobId,
      status: q.status,
      workerId: q.workerId,
      namespace: q.namespace,
      since: q.since === undefined ? undefined : new Date(q.since),
      until: q.until === undefined ? undefined : new Date(q.until),
      beforeId: q.cursor,
      limit: q.limit,
    });
    const nextCursor = rows.length === q.limit ? String(rows[rows.length - 1].id) : null;
    return { items: rows.map(toTaskView), nextCursor };
  }

  async readOutput(id: number): Promise<string> {
    await this.load(id);
    return this.repo.readOutput(id);
  }

  /** A one-shot task of `namespace` (checked against the caller's scope), now or later; idempotent by key. */
  async create(dto: CreateTask, namespace: string): Promise<{ taskId: number; created: boolean }> {
    await this.namespaces.assertExists(namespace);
    const spec = validSpec(dto.runner, dto.spec);
    const now = Date.now();
    const at = dto.runAt !== undefined ? Date.parse(dto.runAt) : now + (dto.delaySeconds ?? 0) * 1000;
    const make = (traceParent: string | null) => this.repo.createOne({
      cronjobId: null,
      cronjobName: null,
      namespace,
      scheduledAt: new Date(at),
      runAt: new Date(at),
      trigger: 'api',
      runner: dto.runner,
      spec,
      timeoutSeconds: dto.timeoutSeconds,
      retry: dto.retry,
      priority: dto.priority,
      idempotencyKey: dto.idempotencyKey ?? null,
      traceParent,
    });
    const { task, created } = this.tracing.tracer ? await this.tracing.created('api', make) : await make(null);
    if (created) await this.events.publish({ type: 'task.pending', id: task.id });
    if (created) this.live.taskCreated(task);
    return { taskId: task.id, created };
  }

  /** Cancels a task that has not reached a worker (`DELETE /tasks/:id`). */
  async cancel(id: number): Promise<void> {
    const t = await this.load(id);
    if (t.status !== 'pending' || t.workerId !== null) {
      throw new DomainError('TaskNotRunning', `task ${id} cannot be cancelled: it is ${t.status === 'pending' ? 'being sent to a worker; kill it instead' : t.status}`);
    }
    if (!(await this.repo.cancel(id, new Date()))) return this.cancel(id);
    this.metrics.taskEnded(id, 'cancelled');
    this.live.task('task.finished', id, { status: 'cancelled', atMs: Date.now() }, t);
    await this.events.publish({ type: 'task.cancelled', id });
  }

  /** Runs a finished task again as its next attempt (`POST /tasks/:id/retry`). */
  async retry(id: number): Promise<{ taskId: number }> {
    const t = await this.load(id);
    if (!FINAL_TASK_STATUSES.includes(t.status)) throw new DomainError('TaskNotRunning', `task ${id} is still ${t.status}; retry it once it has ended`);
    const next = await this.createAttempt(t, 0);
    return { taskId: next.id };
  }

  /**
   * Kills a task (`POST /tasks/:id/kill`, and concurrencyPolicy replace): a pending one is ended
   * here; a running one is killed by its worker (SIGKILL to its process group), which then reports
   * it `killed`. Resolves once the worker confirmed; 409 if the task has ended, 504 if its worker
   * did not confirm in time (recorded on the task as `control.state: unconfirmed`).
   */
  kill(id: number, reason = 'killed through the API'): Promise<ControlResult> {
    return this.control(id, 'kill', reason, 0);
  }

  /** Stops a task gracefully (`POST /tasks/:id/stop`): SIGTERM, then SIGKILL after `graceSeconds`. */
  stop(id: number, graceSeconds = this.config.stopGraceSeconds, reason = 'stopped through the API'): Promise<ControlResult> {
    return this.control(id, 'stop', reason, graceSeconds);
  }

  private async control(id: number, action: 'stop' | 'kill', reason: string, graceSeconds: number): Promise<ControlResult> {
    const t = await this.load(id);
    if (FINAL_TASK_STATUSES.includes(t.status)) throw new DomainError('TaskNotRunning', `task ${id} has already finished (${t.status})`);
    if (t.workerId === null) {
      const error = { code: action === 'kill' ? 'TaskKilled' : 'TaskStopped', message: `${reason} before it started`, retryable: false };
      if (await this.repo.finish(id, null, { status: 'killed', at: new Date(), error })) {
        this.metrics.taskEnded(id, 'killed');
        this.live.task('task.finished', id, { status: 'killed', atMs: Date.now(), errorCode: error.code }, t);
        await this.events.publish({ type: 'task.cancelled', id });
        return { taskId: id, action, workerId: null, confirmed: true };
      }
      return this.control(id, action, reason, graceSeconds); // it was given to a worker meanwhile: act there
    }
    const workerId = t.workerId;
    const timeoutMs = this.config.ackTimeoutSeconds * 1000;
    const requestedAt = new Date().toISOString();
    const ack =
      action === 'kill' ? await this.registry.sendKill(workerId, id, reason, timeoutMs) : await this.registry.sendStop(workerId, id, graceSeconds, reason, timeoutMs);
    if (ack === null) {
      await this.repo.setControl(id, { action, requestedAt, state: 'unconfirmed', reason });
      const why = this.registry.isOnline(workerId) ? '' : ' (it is not connected to any server)';
      throw new DomainError('WorkerDidNotConfirm', `task ${id}: its worker ${workerId} did not confirm the ${action} within ${timeoutMs / 1000} s${why}; the request is recorded on the task (control.state unconfirmed)`);
    }
    if (!ack.found) {
      // The worker does not run it: it ended a moment ago and its result is on the way (a worker
      // that lost a task altogether reports so when it says hello, and the task is then lost).
      throw new DomainError('TaskNotRunning', `task ${id} is not running on worker ${workerId} any more: it has just ended`);
    }
    await this.repo.setControl(id, { action, requestedAt, state: 'confirmed', reason });
    return { taskId: id, action, workerId, confirmed: true };
  }

  async update(workerId: number, msg: TaskUpdate): Promise<boolean> {
    // Tracing on: the final report's `task.result` span, in the task's trace.
    if (this.tracing.tracer && msg.status !== 'running') return this.tracing.result(workerId, msg, () => this.record(workerId, msg), (id) => this.traceParents.push(id));
    return this.record(workerId, msg);
  }

  private async record(workerId: number, msg: TaskUpdate): Promise<boolean> {
    if (msg.status === 'running') {
      // Before it is stored: the worker's output follows on the same socket, and must not overtake it.
      this.live.task('task.started', msg.taskId, { workerId, atMs: msg.atMs });
      await this.writer.started(workerId, msg.taskId, msg.atMs);
      return true;
    }
    // The worker has finished it: its slot is free now, not once the row is written (the worker keeps
    // the result until that is acked, without holding a slot for it).
    this.registry.release(workerId, msg.taskId);
    // Output that came before the result may still wait for its ownership check: it is kept first
    // (its continuation runs before this one), then the kept tail is stored before the final status,
    // so whoever sees the status sees all of it.
    await this.ownerChecks.get(msg.taskId)?.catch(() => null);
    await this.outputs.ended(msg.taskId);
    if (msg.status === 'success') {
      await this.writer.success(workerId, { ...msg, status: 'success' });
      this.metrics.taskEnded(msg.taskId, 'success');
      this.live.task('task.finished', msg.taskId, { status: 'success', atMs: msg.atMs, exitCode: msg.exitCode ?? null });
      this.notifier.taskEnded({ taskId: msg.taskId, status: 'success', final: true, retryDelayMs: null });
      this.taskEnds.ended(msg.taskId, 'success');
      return true;
    }
    // Failures are rarer and may be retried: written one by one, after what is buffered for the task.
    await this.writer.flushNow();
    const before = RETRYABLE.includes(msg.status) ? await this.repo.findById(msg.taskId) : null;
    const result = { status: msg.status, at: new Date(msg.atMs), exitCode: msg.exitCode, signal: msg.signal, error: msg.error };
    const done = await this.repo.finish(msg.taskId, workerId, result);
    if (done) this.metrics.taskEnded(msg.taskId, msg.status);
    if (done) this.live.task('task.finished', msg.taskId, { status: msg.status, atMs: msg.atMs, exitCode: msg.exitCode ?? null, errorCode: msg.error?.code }, before ?? undefined);
    const retryDelay = done && before ? await this.ended(before, msg.status) : null;
    if (done) this.notifier.taskEnded({ taskId: msg.taskId, status: msg.status, final: retryDelay === null, retryDelayMs: retryDelay });
    if (done && retryDelay === null) this.taskEnds.ended(msg.taskId, msg.status);
    if (!done && (await this.repo.lateResult(msg.taskId, workerId, result))) {
      this.logger.warn(`task ${msg.taskId}: its ${msg.status} result arrived after it was declared lost; recorded`);
    }
    return true;
  }

  /**
   * A worker said hello (or went offline: `stillRunning` empty). Its live tasks it does not hold are
   * lost. Returns the tasks it holds that the server has already ended (declared lost and retried
   * while it was away), for the gateway to kill, so no due time runs twice at once.
   */
  async reconcile(workerId: number, stillRunning: readonly number[]): Promise<number[]> {
    const lost = await this.repo.markLost(workerId, stillRunning, new Date());
    for (const t of lost) {
      this.registry.release(workerId, t.id);
      await this.outputs.ended(t.id);
      this.logger.warn(`task ${t.id} lost: worker ${workerId} no longer runs it`);
      this.metrics.taskEnded(t.id, 'lost');
      this.live.task('task.finished', t.id, { status: 'lost', atMs: Date.now() }, t);
      const retryDelay = await this.ended(t, 'lost');
      this.notifier.taskEnded({ taskId: t.id, status: 'lost', final: retryDelay === null, retryDelayMs: retryDelay });
      if (retryDelay === null) this.taskEnds.ended(t.id, 'lost');
    }
    if (stillRunning.length === 0) return [];
    const ended = (await this.repo.findByIds([...stillRunning])).filter((t) => FINAL_TASK_STATUSES.includes(t.status) && t.workerId === workerId);
    for (const t of ended) this.registry.release(workerId, t.id);
    return ended.map((t) => t.id);
  }

  /**
   * Fails a claimed task that can run on no worker as it is (its secrets cannot be opened with this
   * server's key, or a plugin runner refused its spec): recorded `failed` with `error`, announced,
   * notified and chained like any failure, but never retried: another attempt would fail the same way.
   */
  async failUnrunnable(t: TaskEntity, workerId: number, error: SerializedError): Promise<void> {
    const done = await this.repo.finish(t.id, workerId, { status: 'failed', at: new Date(), error }).catch(() => false);
    this.registry.release(workerId, t.id);
    if (!done) return;
    this.logger.warn(`task ${t.id} failed before it ran: ${error.code}: ${error.message}`);
    this.metrics.taskEnded(t.id, 'failed');
    this.live.task('task.finished', t.id, { status: 'failed', atMs: Date.now(), errorCode: error.code }, t);
    this.notifier.taskEnded({ taskId: t.id, status: 'failed', final: true, retryDelayMs: null });
    this.taskEnds.ended(t.id, 'failed');
  }

  /** The server's own timeout, for a worker that vanished or never reported the end. */
  async expire(id: number): Promise<void> {
    const t = await this.repo.findById(id);
    if (!t || t.status !== 'running' || t.workerId === null) return;
    const error: SerializedError = { code: 'WatchdogTimeout', message: `no end reported within timeoutSeconds (${t.timeoutSeconds}) plus a grace; the server timed it out`, retryable: true };
    if (!(await this.repo.finish(id, t.workerId, { status: 'timeout', at: new Date(), error }))) return;
    this.logger.warn(`task ${id} timed out by the server watchdog`);
    this.metrics.taskEnded(id, 'timeout');
    this.live.task('task.finished', id, { status: 'timeout', atMs: Date.now(), errorCode: error.code }, t);
    void this.registry.sendKill(t.workerId, id, 'server watchdog timeout');
    this.registry.release(t.workerId, id);
    await this.outputs.ended(id);
    const retryDelay = await this.ended(t, 'timeout');
    this.notifier.taskEnded({ taskId: id, status: 'timeout', final: retryDelay === null, retryDelayMs: retryDelay });
    if (retryDelay === null) this.taskEnds.ended(id, 'timeout');
  }

  /**
   * After a task failed, timed out or was lost: schedule the retry its policy asks for. Its delay in
   * ms when there will be another attempt (the task has not ended for good: no chain follows it
   * yet); null when the run has ended.
   */
  private async ended(t: TaskEntity, status: TaskStatus): Promise<number | null> {
    if (!RETRYABLE.includes(status) || !t.retry) return null;
    const delay = retryDelayMs(t.retry, t.attempt);
    if (delay === null) return null;
    try {
      const next = await this.createAttempt(t, delay);
      this.logger.log(`task ${t.id} ${status}: retry ${t.attempt} of ${t.retry.maxRetries} as task ${next.id} in ${Math.round(delay / 1000)} s`);
      return delay;
    } catch (e) {
      this.logger.warn(`task ${t.id}: retry not created: ${coerceError(e).message}`);
      return null;
    }
  }

  private async createAttempt(t: TaskEntity, delayMs: number): Promise<TaskEntity> {
    const runAt = new Date(Date.now() + delayMs);
    const { task } = await this.repo.createOne({
      cronjobId: t.cronjobId,
      cronjobName: t.cronjobName,
      namespace: t.namespace,
      scheduledAt: t.scheduledAt,
      attempt: t.attempt + 1,
      trigger: 'retry',
      runAt,
      runner: t.runner,
      spec: t.spec,
      timeoutSeconds: t.timeoutSeconds,
      retry: t.retry,
      priority: t.priority,
      retryOf: t.id,
      previousWorkerId: t.workerId,
      workerSelector: t.workerSelector,
      routing: t.routing,
      env: t.env,
      secretEnv: t.secretEnv,
      maxOutputBytes: t.maxOutputBytes,
      shardIndex: t.shardIndex,
      shardCount: t.shardCount,
      pinnedWorkerId: t.pinnedWorkerId,
      // The same trace as the first attempt: one tree per due time.
      traceParent: t.traceParent,
    });
    await this.events.publish({ type: 'task.pending', id: task.id });
    this.live.taskCreated(task);
    return task;
  }

  async output(workerId: number, msg: TaskOutput): Promise<void> {
    // Only the worker a task was given to writes its output: a chunk for an unknown task or another
    // worker's is refused (checked once per task, when its output starts). The chunks that come
    // meanwhile wait for the same check, so they are kept in the order they came.
    if (this.outputs.isOpen(msg.taskId)) return this.outputs.add(msg);
    let check = this.ownerChecks.get(msg.taskId);
    if (!check) {
      const started = this.owners.push(msg.taskId);
      check = started.finally(() => this.ownerChecks.delete(msg.taskId));
      this.ownerChecks.set(msg.taskId, check);
    }
    const task = await check;
    if (!task || task.workerId !== workerId) throw new DomainError('TaskNotRunning', `task ${msg.taskId} was not given to worker ${workerId}`);
    return this.outputs.add(msg, task);
  }

  private async load(id: number): Promise<TaskEntity> {
    const t = await this.repo.findById(id);
    if (!t) throw notFound('Task', id);
    return t;
  }
}
