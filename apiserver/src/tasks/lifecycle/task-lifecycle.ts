import { Injectable, Logger } from '@nestjs/common';
import type { SerializedError, TaskStatus, TaskUpdate } from '@cronfleet/shared';
import { BatchSender, FINAL_TASK_STATUSES } from '@cronfleet/shared';
import type { EntityManager } from 'typeorm';
import { DomainError, notFound } from '../../common/errors';
import { GroupCommit, type Settled } from '../../common/group-commit';
import { isUniqueViolation } from '../../database/columns';
import { type ClusterEvent, ClusterEvents } from '../../cluster/cluster-events';
import { TaskTracing } from '../../observability/task-tracing';
import type { TaskEntity } from '../task.entity';
import { TaskOutputService } from '../task-output.service';
import { type NewTask, RowRefused, TasksRepository, workerLostError } from '../tasks.repository';
import { TaskEvents, type TaskRef } from './task-events';
import { TaskReportWriter, type ReportOutcome } from './task-report-writer';
import { judgeReport, retryAfterEnd, type ReportVerdict, type TransitionName, TRANSITIONS, watchdogError } from './task-transitions';

/** What a worker is answered for one report: recorded, or not with the reason. */
export interface ReportAnswer {
  recorded: boolean;
  /** Why not: retryable when the server could not store it now, not when it never will. */
  error?: SerializedError;
}

type Made = { task: TaskEntity; created: boolean };

type EndFields = { status: TaskStatus; at: Date; exitCode?: number | null; signal?: string | null; error?: SerializedError | null; httpStatus?: number | null };

/** The answer of the other rows of an atomic batch one row of which was refused. */
export const NOT_MADE = new DomainError('ValidationFailed', 'not made: another task of this atomic batch was refused');

/** What tells the leader of a new task: its run-at time too, when it has one, so it need not read the row until then. */
function pendingEvent(task: TaskEntity): ClusterEvent {
  return task.runAt ? { type: 'task.pending', id: task.id, runAtMs: task.runAt.getTime() } : { type: 'task.pending', id: task.id };
}

/** The server times a task out this long after the worker should have (its own kill grace is 5 s). */
export const WATCHDOG_GRACE_MS = 15_000;

/**
 * The only writer of a task's status (see task-transitions.ts for the state machine). Every way a
 * task is made goes through `submit` (or `submitDue` for the dispatcher's due times), every change
 * through one transition applied as a conditional write, and every change that committed is
 * published as a TaskEvent; a change that did not apply publishes nothing.
 */
@Injectable()
export class TaskLifecycle {
  private readonly logger = new Logger('tasks');
  /** `running` reports being written: output of the task waits for them, so it never overtakes its start. */
  private readonly starting = new Map<number, Promise<unknown>>();
  /** Tracing on: the traceparents of tasks whose results came in one turn, read with one SELECT. */
  private readonly traceParents = new BatchSender<number, string | null>((ids) => this.repo.traceParentsOf(ids), { maxItems: 500 });
  /**
   * One-shot tasks of the API being written: concurrent requests share a transaction (see
   * submitOneShot). One group at a time: two in flight split 16 callers into groups half as large,
   * for about 10 % more server CPU and 15-25 % more MariaDB CPU per task and no higher rate (A/B
   * of bench:api's request).
   */
  private readonly oneShots = new GroupCommit<NewTask, Made>((rows) => this.writeOneShots(rows), { maxItems: 1000, maxInFlight: 1 });

  constructor(
    private readonly repo: TasksRepository,
    private readonly writer: TaskReportWriter,
    private readonly outputs: TaskOutputService,
    private readonly events: TaskEvents,
    private readonly cluster: ClusterEvents,
    private readonly tracing: TaskTracing,
  ) {}

  // ---- creation ---------------------------------------------------------------------------------

  /**
   * Makes a task outside the schedule (run now, API, retry, chain, workflow step) and tells the
   * leader. With an idempotency key already used, answers the task made the first time (`created:
   * false`, nothing published). `via` names the span's trigger when tracing is on; a row that carries
   * its traceParent (a retry: one trace per due time) keeps it.
   */
  async submit(row: NewTask, via: string): Promise<Made> {
    const make = (traceParent: string | null) => this.repo.createOne({ ...row, traceParent: row.traceParent ?? traceParent });
    const made = this.tracing.tracer && row.traceParent === undefined ? await this.tracing.created(via, make) : await make(null);
    await this.announce([made]);
    return made;
  }

  /**
   * A one-shot task of the API (`POST /tasks`, each item of `POST /tasks/batch`): written together
   * with the ones other requests submit meanwhile, in one transaction (one commit) instead of one
   * each, and answered once that has committed. Idempotency keys hold as in `submit`; a row that
   * cannot be written (its namespace deleted meanwhile) fails alone.
   */
  submitOneShot(row: NewTask): Promise<Made> {
    return this.tracing.tracer ? this.tracing.created('api', (traceParent) => this.oneShots.push({ ...row, traceParent })) : this.oneShots.push(row);
  }

  /**
   * `POST /tasks/batch`: each row settles on its own (grouped as submitOneShot); `atomic`, all are
   * written in one transaction of their own, or none is (every row then fails with the first error).
   */
  async submitMany(rows: readonly NewTask[], atomic: boolean): Promise<Settled<Made>[]> {
    if (!atomic) {
      const settled = await Promise.allSettled(rows.map((r) => this.submitOneShot(r)));
      return settled.map((s) => (s.status === 'fulfilled' ? { ok: true, value: s.value } : { ok: false, error: s.reason as unknown }));
    }
    let answers: Settled<Made>[];
    try {
      // A key another request wrote meanwhile fails the INSERT: once more, the read then finds it.
      answers = await this.repo.createMany(rows, true).catch((e: unknown) => {
        if (isUniqueViolation(e)) return this.repo.createMany(rows, true);
        throw e;
      });
    } catch (e) {
      // The row refused answers with its error; the others were not made because of it.
      if (e instanceof RowRefused) return rows.map((_, i) => ({ ok: false, error: i === e.index ? e.error : NOT_MADE }));
      return rows.map(() => ({ ok: false, error: e }));
    }
    await this.announce(answers.flatMap((a) => (a.ok ? [a.value] : [])));
    return answers;
  }

  private async writeOneShots(rows: NewTask[]): Promise<Settled<Made>[]> {
    let answers: Settled<Made>[];
    try {
      answers = await this.repo.createMany(rows);
    } catch {
      // One row's trouble (its key written by another server meanwhile, its namespace deleted) must
      // not refuse the others: each is written on its own, and fails alone.
      answers = await Promise.all(rows.map((r) => this.writeOneShot(r)));
    }
    await this.announce(answers.flatMap((a) => (a.ok ? [a.value] : [])));
    return answers;
  }

  private async writeOneShot(row: NewTask): Promise<Settled<Made>> {
    try {
      return (await this.repo.createMany([row]))[0];
    } catch (e) {
      if (!isUniqueViolation(e)) return { ok: false, error: e };
      // Its idempotency key was written by another transaction meanwhile: that task answers.
      return this.repo.createOne(row).then((value): Settled<Made> => ({ ok: true, value }), (error: unknown): Settled<Made> => ({ ok: false, error }));
    }
  }

  /**
   * Tells the leader and the task's followers about tasks made (once committed); one made the first
   * time by an earlier request is not new. The `created` events are published in the same turn as
   * the `task.pending` ones, so the live feed's copies go to Redis in the same message: published
   * after the leader's had been sent, they took a second PUBLISH per group (bench:api).
   */
  private async announce(made: readonly Made[]): Promise<void> {
    const fresh = made.filter((m) => m.created);
    const sent = Promise.all(fresh.map((m) => this.cluster.publish(pendingEvent(m.task))));
    for (const m of fresh) this.events.publish({ type: 'created', task: m.task });
    await sent;
  }

  /**
   * The dispatcher's due times: `commit` runs the insert in its fenced transaction (with the jobs'
   * next due times); the tasks are announced once it has committed. Returns the pending ones made.
   */
  async submitDue(rows: NewTask[], commit: (insert: (m: EntityManager) => Promise<TaskEntity[]>) => Promise<TaskEntity[]>): Promise<TaskEntity[]> {
    const made = await commit((m) => this.repo.createDue(rows, m));
    for (const task of made) this.events.publish({ type: 'created', task });
    return made;
  }

  /**
   * `POST /tasks/:id/retry`: the attempt after its run's latest one. 409 while the task or its run's
   * latest attempt is live, or when another retry of that attempt exists (a double click, a second
   * server, the retry policy).
   */
  async retry(id: number): Promise<{ taskId: number }> {
    const t = await this.repo.findById(id);
    if (!t) throw notFound('Task', id);
    if (!FINAL_TASK_STATUSES.includes(t.status)) throw new DomainError('TaskNotRunning', `task ${id} is still ${t.status}; retry it once it has ended`);
    const latest = await this.repo.latestAttempt(t);
    if (latest.id !== t.id && !FINAL_TASK_STATUSES.includes(latest.status)) {
      throw new DomainError('RetryExists', `task ${id}: its run's attempt ${latest.attempt} (task ${latest.id}) is ${latest.status}; retry once it has ended`);
    }
    try {
      const { task, created } = await this.submit(nextAttempt(latest, Date.now()), 'retry');
      if (!created) throw retryExists(id, task);
      return { taskId: task.id };
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      const other = await this.repo.latestAttempt(latest);
      throw retryExists(id, other);
    }
  }

  /** The retry its policy asks for after `row` ended; null when one exists already (made elsewhere). */
  async retryAfter(row: TaskEntity, delayMs: number): Promise<TaskEntity | null> {
    try {
      const { task, created } = await this.submit(nextAttempt(row, Date.now() + delayMs), 'retry');
      return created ? task : null;
    } catch (e) {
      if (isUniqueViolation(e)) return null;
      throw e;
    }
  }

  // ---- assignment (the dispatcher) --------------------------------------------------------------

  /** Gives pending tasks to a worker (fenced by the lease epoch); returns the ids it got. */
  claim(ids: number[], workerId: number, epoch: number): Promise<number[]> {
    return this.repo.claimMany(ids, workerId, epoch);
  }

  /** Takes a task back from a worker that refused it or never answered. */
  unclaim(id: number, workerId: number): Promise<boolean> {
    return this.repo.unclaim(id, workerId);
  }

  // ---- the worker's reports ---------------------------------------------------------------------

  /**
   * A report from worker `workerId` (the one its socket said hello as). Recorded only when the task
   * was given to that worker and its state allows it; a duplicate is answered recorded; anything
   * else is answered not recorded, with the reason, and changes nothing.
   */
  async report(workerId: number, msg: TaskUpdate): Promise<ReportAnswer> {
    // Tracing on: the final report's `task.result` span, in the task's trace.
    if (this.tracing.tracer && msg.status !== 'running') return this.tracing.result(workerId, msg, () => this.record(workerId, msg), (id) => this.traceParents.push(id));
    return this.record(workerId, msg);
  }

  /** Resolves once a `running` report of the task being written has been (so output follows its start). */
  startOf(taskId: number): Promise<unknown> | undefined {
    return this.starting.get(taskId);
  }

  private async record(workerId: number, msg: TaskUpdate): Promise<ReportAnswer> {
    if (msg.status === 'running') {
      const writing = this.writer.started(workerId, msg.taskId, msg.atMs);
      const settled = writing.catch(() => undefined);
      this.starting.set(msg.taskId, settled);
      void settled.then(() => this.starting.get(msg.taskId) === settled && this.starting.delete(msg.taskId));
      const o = await writing;
      if (o.verdict.kind === 'apply') this.events.publish({ type: 'started', task: o.task!, workerId, atMs: msg.atMs });
      return this.answer(workerId, msg, o.verdict);
    }
    // The kept tail of its output is stored before the final status, so whoever sees the status sees all of it.
    await this.outputs.ended(msg.taskId, workerId);
    if (msg.status === 'success') {
      const o: ReportOutcome = await this.writer.success(workerId, { ...msg, status: 'success' });
      if (o.verdict.kind === 'apply') {
        if (o.foldedStartMs !== null) this.events.publish({ type: 'started', task: o.task!, workerId, atMs: o.foldedStartMs });
        const startedAtMs = o.startedAtMs ?? o.foldedStartMs ?? msg.atMs;
        this.publishEnd(o.task!, null, o.verdict.transition === 'late' ? 'lost' : 'running', 'success', workerId, { status: 'success', at: new Date(msg.atMs), exitCode: msg.exitCode }, o.verdict.transition === 'late', true, startedAtMs);
      }
      return this.answer(workerId, msg, o.verdict);
    }
    // Failures are rarer and may be retried: judged and written one by one, after what is buffered.
    await this.writer.flushNow();
    const fields: EndFields = { status: msg.status, at: new Date(msg.atMs), exitCode: msg.exitCode, signal: msg.signal, error: msg.error, httpStatus: msg.httpStatus };
    // A change that raced in between (the server declared it lost, or timed it out) is judged again
    // against the row as it is now: a lost task's result is still recorded, as a late one.
    for (let tries = 0; tries < 3; tries++) {
      const before = await this.repo.findById(msg.taskId);
      const verdict = judgeReport(msg.taskId, before, workerId, msg.status);
      if (verdict.kind !== 'apply') return this.answer(workerId, msg, verdict);
      if (await this.write(verdict.transition, msg.taskId, workerId, fields)) {
        if (verdict.transition === 'late') this.logger.warn(`task ${msg.taskId}: its ${msg.status} result arrived after it was declared lost; recorded`);
        this.publishEnd(before!, before, before!.status, msg.status, workerId, fields, verdict.transition === 'late', true, before!.startedAt?.getTime() ?? null);
        return { recorded: true };
      }
    }
    return this.answer(workerId, msg, { kind: 'refuse', error: { code: 'NotRecorded', message: `task ${msg.taskId} changed while its result was written; send it again`, retryable: true } });
  }

  private answer(workerId: number, msg: TaskUpdate, verdict: ReportVerdict): ReportAnswer {
    if (verdict.kind !== 'refuse') return { recorded: true };
    this.logger.warn(`worker ${workerId}: ${msg.status} report of task ${msg.taskId} not recorded: ${verdict.error.message}`);
    return { recorded: false, error: verdict.error };
  }

  // ---- the server's own ends --------------------------------------------------------------------

  /** `DELETE /tasks/:id`: a task that has not reached a worker. */
  async cancel(id: number): Promise<void> {
    const t = await this.repo.findById(id);
    if (!t) throw notFound('Task', id);
    if (t.status !== 'pending' || t.workerId !== null) {
      throw new DomainError('TaskNotRunning', `task ${id} cannot be cancelled: it is ${t.status === 'pending' ? 'being sent to a worker; kill it instead' : t.status}`);
    }
    const error = { code: 'Cancelled', message: 'cancelled through the API before it started', retryable: false };
    if (!(await this.endServerSide('cancel', t, null, error))) return this.cancel(id);
  }

  /** Kills a task no worker has yet (stop/kill through the API); false when it was given to one meanwhile. */
  killUnstarted(t: TaskEntity, error: SerializedError): Promise<boolean> {
    return this.endServerSide('kill', t, null, error);
  }

  /** A queued due time past its starting deadline. */
  skip(t: TaskEntity, error: SerializedError): Promise<boolean> {
    return this.endServerSide('skip', t, null, error);
  }

  /**
   * A claimed task that can run on no worker as it is (its secrets cannot be opened with this
   * server's key, a plugin runner refused its spec): failed, and never retried.
   */
  async failUnrunnable(t: TaskEntity, workerId: number, error: SerializedError): Promise<boolean> {
    const done = await this.endServerSide('unrunnable', t, workerId, error, false);
    if (done) this.logger.warn(`task ${t.id} failed before it ran: ${error.code}: ${error.message}`);
    return done;
  }

  /** The server's watchdog: a running task whose worker reported no end in time. True when it ended it. */
  async expire(id: number): Promise<TaskEntity | null> {
    const t = await this.repo.findById(id);
    if (!t || t.status !== 'running' || t.workerId === null) return null;
    if (!(await this.endServerSide('expire', t, t.workerId, watchdogError(t.timeoutSeconds, WATCHDOG_GRACE_MS)))) return null;
    this.logger.warn(`task ${id} timed out by the server watchdog`);
    return t;
  }

  /**
   * A worker said hello again (or is gone for good: `stillRunning` empty): its live tasks it does not
   * hold are lost. Returns the tasks in `stillRunning` that the server has already ended (declared
   * lost while it was away), for the caller to have killed, so no due time runs twice at once.
   */
  async workerReturned(workerId: number, stillRunning: readonly number[]): Promise<number[]> {
    const keep = new Set(stillRunning);
    const error = workerLostError(workerId);
    for (const t of await this.repo.liveOfWorker(workerId)) {
      if (keep.has(t.id)) continue;
      if (await this.endServerSide('lose', t, workerId, error)) this.logger.warn(`task ${t.id} lost: worker ${workerId} no longer runs it`);
    }
    if (stillRunning.length === 0) return [];
    const ended = (await this.repo.findByIds([...stillRunning])).filter((t) => FINAL_TASK_STATUSES.includes(t.status) && t.workerId === workerId);
    return ended.map((t) => t.id);
  }

  /** One of the server's transitions on `t`, by `workerId` (null: no worker's); publishes the end when it applied. */
  private async endServerSide(name: TransitionName, t: TaskEntity, workerId: number | null, error: SerializedError, retryable = true): Promise<boolean> {
    const to = TRANSITIONS[name].to!;
    if (workerId !== null) await this.outputs.ended(t.id, workerId);
    const fields: EndFields = { status: to, at: new Date(), error };
    if (!(await this.write(name, t.id, workerId, fields))) return false;
    this.publishEnd(t, retryable ? t : null, t.status, to, workerId, fields, false, false, t.startedAt?.getTime() ?? null);
    if (TRANSITIONS[name].by === 'none') await this.cluster.publish({ type: 'task.cancelled', id: t.id });
    return true;
  }

  /** The conditional write of one transition (not the batched start and success: the writer's). */
  private write(name: TransitionName, id: number, workerId: number | null, f: EndFields): Promise<boolean> {
    const { from, by } = TRANSITIONS[name];
    return this.repo.transition(id, from, by === 'none' ? null : workerId, f);
  }

  /**
   * Publishes a committed end. `retryRow`: the row whose retry policy applies (null: never retried,
   * or the policy is not known here because the end was a success).
   */
  private publishEnd(
    task: TaskRef,
    retryRow: TaskEntity | null,
    from: TaskStatus,
    status: TaskStatus,
    workerId: number | null,
    f: EndFields,
    late: boolean,
    reported: boolean,
    startedAtMs: number | null,
  ): void {
    const retryDelayMs = late || !retryRow ? null : retryAfterEnd(status, retryRow.retry, retryRow.attempt);
    this.events.publish({
      type: 'ended',
      task: { id: task.id, cronjobId: task.cronjobId, namespace: task.namespace, workflowRunId: task.workflowRunId, runner: task.runner },
      status,
      from,
      workerId,
      reported,
      atMs: f.at.getTime(),
      durationMs: startedAtMs === null ? null : Math.max(0, f.at.getTime() - startedAtMs),
      exitCode: f.exitCode ?? null,
      errorCode: f.error?.code ?? null,
      late,
      final: !late && retryDelayMs === null,
      retryDelayMs,
      row: retryRow,
    });
  }
}

function retryExists(id: number, t: Pick<TaskEntity, 'id' | 'attempt' | 'status'>): DomainError {
  return new DomainError('RetryExists', `task ${id}: its run was retried already: attempt ${t.attempt} is task ${t.id} (${t.status})`);
}

/** The attempt after `t`, due at `runAtMs`: the same run (job, due time, shard), the same snapshot of the job. */
export function nextAttempt(t: TaskEntity, runAtMs: number): NewTask {
  return {
    cronjobId: t.cronjobId,
    cronjobName: t.cronjobName,
    namespace: t.namespace,
    scheduledAt: t.scheduledAt,
    attempt: t.attempt + 1,
    trigger: 'retry',
    runAt: new Date(runAtMs),
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
    // One retry of an attempt, however many ask at once: a job's due key, and this key for the rest.
    idempotencyKey: `retry:${t.id}`,
    // The same trace as the first attempt: one tree per due time.
    traceParent: t.traceParent,
  };
}
