import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { SerializedError, TaskStatus } from '@cronfleet/shared';
import { EntityManager, In, IsNull, MoreThan, Not, Repository } from 'typeorm';
import { dbTime, isNamespaceGone, isPacketTooLarge, isUniqueViolation, rawTimeMs } from '../database/columns';
import { DomainError } from '../common/errors';
import type { Settled } from '../common/group-commit';
import { completeRow, idsAreReturned, insertIgnore, insertReturningIds } from '../database/bulk-insert';
import { PlainSelect } from '../database/plain-rows';
import { TASK_VIEW_COLUMNS, type TaskViewRow } from './task.view';
import { unknownNamespace } from '../namespaces/namespaces.service';
import { TaskOutputEntity } from './task-output.entity';
import { TaskEntity, TaskTrigger } from './task.entity';

/** Who may write a task's output, and how much of it is kept. */
export type OutputOwner = Pick<TaskEntity, 'id' | 'workerId' | 'maxOutputBytes' | 'cronjobId' | 'namespace'>;

export type NewTask = Pick<TaskEntity, 'cronjobId' | 'cronjobName' | 'namespace' | 'scheduledAt' | 'runner' | 'spec' | 'timeoutSeconds'> & {
  trigger: TaskTrigger;
  attempt?: number;
  /** Default `pending`; the dispatcher records due times it skips as `skipped` with the reason. */
  status?: 'pending' | 'skipped';
  error?: SerializedError | null;
  priority?: number;
  runAt?: Date | null;
  leaseEpoch?: number | null;
  retry?: TaskEntity['retry'];
  retryOf?: number | null;
  previousWorkerId?: number | null;
  idempotencyKey?: string | null;
  workerSelector?: TaskEntity['workerSelector'];
  env?: TaskEntity['env'];
  secretEnv?: TaskEntity['secretEnv'];
  maxOutputBytes?: TaskEntity['maxOutputBytes'];
  routing?: TaskEntity['routing'];
  shardIndex?: number;
  shardCount?: number;
  pinnedWorkerId?: number | null;
  workflowRunId?: number | null;
  workflowStep?: string | null;
  workflowItem?: number | null;
  traceParent?: string | null;
};

export interface TaskQuery {
  cronjobId?: number;
  status?: TaskStatus;
  workerId?: number;
  namespace?: string;
  /** Due time window: scheduledAt >= since and < until. */
  since?: Date;
  until?: Date;
  /** Only tasks with an id below this (the previous page's `nextCursor`). */
  beforeId?: number;
  limit: number;
}

const LIVE: TaskStatus[] = ['pending', 'running'];

/** Why a task ended `lost`: its worker no longer runs it. */
export function workerLostError(workerId: number): SerializedError {
  return { code: 'WorkerLost', message: `worker ${workerId} stopped running this task (disconnected or restarted)`, retryable: true };
}

/** Task rows and their output. Every state change is a conditional UPDATE, so racing writers cannot both win. */
/** A key a task of another namespace holds: refused without naming that task. */
const keyTaken = (key: string): DomainError =>
  new DomainError('IdempotencyKeyTaken', `idempotencyKey: '${key.slice(0, 200)}' is taken by a task of another namespace (keys are unique across the server); pick another`);

/** Thrown by an atomic createMany: row `index` was refused with `error`, and nothing was written. */
export class RowRefused extends Error {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {
    super(`row ${index}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A one-shot task's row as createMany writes and answers it: attempt 1 unless given, pending, the rest defaulted. */
function newRow(m: EntityManager, r: NewTask, now: Date): TaskEntity {
  return completeRow(m, TaskEntity, { ...r, attempt: r.attempt ?? 1, status: 'pending' } as Partial<TaskEntity>, now);
}

@Injectable()
export class TasksRepository {
  /** The task list's read (see list), made on first use. */
  private taskViews?: PlainSelect<TaskEntity, (typeof TASK_VIEW_COLUMNS)[number]>;

  constructor(
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    @InjectRepository(TaskOutputEntity) private readonly output: Repository<TaskOutputEntity>,
  ) {}

  /**
   * Inserts the tasks of due times, skipping any that exist already (another dispatcher made them:
   * the unique key on cronjob, due time and attempt decides), and returns the rows that are still
   * waiting for a worker.
   */
  async createDue(rows: NewTask[], m?: EntityManager): Promise<TaskEntity[]> {
    if (rows.length === 0) return [];
    const repo = m ? m.getRepository(TaskEntity) : this.tasks;
    const at = new Date();
    const values = rows.map((r) => ({
      ...r,
      attempt: r.attempt ?? 1,
      status: r.status ?? 'pending',
      finishedAt: r.status === 'skipped' ? at : null,
    })) as Partial<TaskEntity>[];
    await insertIgnore(repo.manager, TaskEntity, values);
    const jobIds = [...new Set(rows.map((r) => r.cronjobId).filter((x): x is number => x !== null))];
    const times = [...new Set(rows.map((r) => r.scheduledAt.getTime()))].map((t) => new Date(t));
    const key = (jobId: number | null, at: Date, attempt: number, shard: number) => `${jobId}@${at.getTime()}@${attempt}@${shard}`;
    const wanted = new Set(rows.map((r) => key(r.cronjobId, r.scheduledAt, r.attempt ?? 1, r.shardIndex ?? 0)));
    const found = await repo.find({ where: { cronjobId: In(jobIds), scheduledAt: In(times), status: 'pending' } });
    return found.filter((t) => t.workerId === null && wanted.has(key(t.cronjobId, t.scheduledAt, t.attempt, t.shardIndex)));
  }

  /** The traceparents kept on tasks, in the order of `ids` (tracing only: a result's span joins the task's trace). */
  async traceParentsOf(ids: readonly number[]): Promise<(string | null)[]> {
    const rows = await this.tasks.find({ select: { id: true, traceParent: true }, where: { id: In([...new Set(ids)]) } });
    const byId = new Map(rows.map((r) => [Number(r.id), r.traceParent]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * A task outside the schedule (run now, retry, API). Nudges the due time by 1 ms in the unlikely
   * case of a clash; with an idempotency key already used, returns the task made the first time.
   */
  async createOne(row: NewTask): Promise<{ task: TaskEntity; created: boolean }> {
    for (let nudge = 0; ; nudge++) {
      try {
        const scheduledAt = new Date(row.scheduledAt.getTime() + nudge);
        const task = await this.tasks.save(this.tasks.create({ ...row, scheduledAt, attempt: row.attempt ?? 1, status: 'pending' }));
        return { task, created: true };
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        if (row.idempotencyKey) {
          const existing = await this.tasks.findOneBy({ idempotencyKey: row.idempotencyKey });
          if (existing && existing.namespace !== row.namespace) throw keyTaken(row.idempotencyKey);
          if (existing) return { task: existing, created: false };
        }
        // A retry whose attempt exists already was made by another instance: that one stands.
        if (row.trigger === 'retry' || nudge >= 5) throw e;
      }
    }
  }

  /**
   * Tasks outside the schedule with no due key to clash on (one-shot tasks of the API), written with
   * one multi-row INSERT: on MariaDB first alone (see insertUnchecked), else, or when the database
   * refused that, in one transaction that checks each row first. Each row settles on its own:
   * - one whose namespace does not exist fails with NamespaceNotFound. The namespaces are read in
   *   the transaction with a shared lock (MySQL), so a namespace delete that locked its row first
   *   makes these rows fail, and one that comes later waits and then counts them as live tasks;
   * - one whose idempotency key is taken (before, or by an earlier row of the same call) answers
   *   with that task, `created: false`.
   * `atomic`: the first failing row's error is thrown and nothing is written. A key written by
   * another transaction meanwhile fails the INSERT (a unique violation, thrown): the caller then
   * writes the rows one by one with createOne.
   */
  async createMany(rows: readonly NewTask[], atomic = false): Promise<Settled<{ task: TaskEntity; created: boolean }>[]> {
    if (!atomic) {
      const written = await this.insertUnchecked(rows);
      if (written) return written;
    }
    return this.tasks.manager.transaction(async (m) => {
      const repo = m.getRepository(TaskEntity);
      const share = m.connection.options.type === 'mysql' ? ' LOCK IN SHARE MODE' : '';
      const names = [...new Set(rows.map((r) => r.namespace))];
      const found = (await m.query(`SELECT name FROM namespaces WHERE name IN (${names.map(() => '?').join(', ')})${share}`, names)) as { name: string }[];
      const known = new Set(found.map((r) => r.name));
      const keys = [...new Set(rows.map((r) => r.idempotencyKey).filter((k): k is string => !!k))];
      const byKey = new Map<string, TaskEntity>();
      if (keys.length > 0) for (const t of await repo.findBy({ idempotencyKey: In(keys) })) byKey.set(t.idempotencyKey!, t);
      const now = new Date();
      const fresh: TaskEntity[] = [];
      /** Per row: its error, the existing task it answers with, or the index of its new row in `fresh`. */
      const plan: (DomainError | TaskEntity | number)[] = [];
      const freshByKey = new Map<string, number>();
      for (const r of rows) {
        if (!known.has(r.namespace)) {
          const error = unknownNamespace(r.namespace);
          if (atomic) throw new RowRefused(plan.length, error);
          plan.push(error);
          continue;
        }
        const key = r.idempotencyKey || null;
        const existing = key === null ? undefined : byKey.get(key) ?? freshByKey.get(key);
        if (existing !== undefined) {
          // Keys are unique across the server: one taken in another namespace must not answer with
          // that namespace's task.
          const holder = typeof existing === 'number' ? fresh[existing].namespace : existing.namespace;
          if (holder !== r.namespace) {
            if (atomic) throw new RowRefused(plan.length, keyTaken(key!));
            plan.push(keyTaken(key!));
            continue;
          }
          plan.push(existing);
          continue;
        }
        if (key !== null) freshByKey.set(key, fresh.length);
        plan.push(fresh.length);
        fresh.push(newRow(m, r, now));
      }
      const ids = await insertReturningIds(m, TaskEntity, fresh);
      fresh.forEach((t, i) => (t.id = ids[i]));
      if (!(await idsAreReturned(m))) await checkIds(m, fresh);
      const answered = new Set<number>();
      return plan.map((p): Settled<{ task: TaskEntity; created: boolean }> => {
        if (p instanceof DomainError) return { ok: false, error: p };
        if (typeof p !== 'number') return { ok: true, value: { task: p, created: false } };
        const created = !answered.has(p);
        answered.add(p);
        return { ok: true, value: { task: fresh[p], created } };
      });
    });
  }

  /**
   * createMany's common case on MariaDB, in one INSERT … RETURNING and no transaction (one statement
   * where the transaction took four): every namespace exists and no key is taken. Otherwise the
   * database refuses the whole statement and writes nothing (the foreign key fk_tasks_namespace, the
   * unique key on idempotency_key, a statement over max_allowed_packet), and null sends the rows
   * through createMany's transaction, which settles each row on its own. MySQL, which answers no
   * ids, and SQLite (a transaction costs no round trips there) always take the transaction.
   */
  private async insertUnchecked(rows: readonly NewTask[]): Promise<Settled<{ task: TaskEntity; created: boolean }>[] | null> {
    const m = this.tasks.manager;
    if (m.connection.options.type !== 'mysql' || !(await idsAreReturned(m))) return null;
    const now = new Date();
    const fresh = rows.map((r) => newRow(m, r, now));
    try {
      const ids = await insertReturningIds(m, TaskEntity, fresh, { oneStatement: true });
      fresh.forEach((t, i) => (t.id = ids[i]));
    } catch (e) {
      if (isUniqueViolation(e) || isNamespaceGone(e) || isPacketTooLarge(e)) return null;
      throw e;
    }
    return fresh.map((task) => ({ ok: true, value: { task, created: true } }));
  }

  findByIds(ids: number[]): Promise<TaskEntity[]> {
    return ids.length ? this.tasks.findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  /** Pending or running tasks of these cron jobs (concurrency policies). */
  liveOf(cronjobIds: number[]): Promise<TaskEntity[]> {
    if (cronjobIds.length === 0) return Promise.resolve([]);
    return this.tasks.find({ where: { cronjobId: In(cronjobIds), status: In(LIVE) } });
  }

  /** Running tasks with a timeout: a new leader arms a watchdog for each. */
  runningWithTimeout(): Promise<TaskEntity[]> {
    return this.tasks.createQueryBuilder('t').where("t.status = 'running'").andWhere('t.timeout_seconds IS NOT NULL').getMany();
  }

  findById(id: number): Promise<TaskEntity | null> {
    return this.tasks.findOneBy({ id });
  }

  /** The worker and output cap of each task (null: no such task), in the order of `ids`: one query. */
  async outputOwners(ids: readonly number[]): Promise<(OutputOwner | null)[]> {
    const rows = await this.tasks.find({ select: { id: true, workerId: true, maxOutputBytes: true, cronjobId: true, namespace: true }, where: { id: In([...new Set(ids)]) } });
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * Id and run-at time (run_at, else scheduled_at) of every task waiting for a worker or for its
   * time: what a new leader loads, as raw rows, so 100k delayed tasks cost a few MB.
   */
  async unassignedRunTimes(): Promise<{ ids: number[]; runAtMs: number[] }> {
    const rows = await this.tasks
      .createQueryBuilder('t')
      .select('t.id', 'id')
      .addSelect('COALESCE(t.run_at, t.scheduled_at)', 'at')
      .where("t.status = 'pending'")
      .andWhere('t.worker_id IS NULL')
      .getRawMany<{ id: number | string; at: Date | string }>();
    return {
      ids: rows.map((r) => Number(r.id)),
      runAtMs: rows.map((r) => rawTimeMs(r.at)),
    };
  }

  /**
   * Gives a pending task to a worker; false if someone else got there first, or if `epoch` is no
   * longer the current lease epoch (a stale leader must not hand out tasks).
   */
  async claim(id: number, workerId: number, epoch: number): Promise<boolean> {
    const r = await this.tasks
      .createQueryBuilder()
      .update()
      .set({ workerId })
      .where("id = :id AND status = 'pending' AND worker_id IS NULL", { id })
      .andWhere('EXISTS (SELECT 1 FROM scheduler_state s WHERE s.id = 1 AND s.epoch = :epoch)', { epoch })
      .execute();
    return r.affected === 1;
  }

  /**
   * Gives several pending tasks to one worker in one statement; returns the ids it got (all of them,
   * unless some were cancelled or taken meanwhile, or `epoch` is stale).
   */
  async claimMany(ids: number[], workerId: number, epoch: number): Promise<number[]> {
    if (ids.length === 0) return [];
    if (ids.length === 1) return (await this.claim(ids[0], workerId, epoch)) ? ids : [];
    const r = await this.tasks
      .createQueryBuilder()
      .update()
      .set({ workerId })
      .where("id IN (:...ids) AND status = 'pending' AND worker_id IS NULL", { ids })
      .andWhere('EXISTS (SELECT 1 FROM scheduler_state s WHERE s.id = 1 AND s.epoch = :epoch)', { epoch })
      .execute();
    if (r.affected === ids.length) return ids;
    if (!r.affected) return [];
    // Which ones it got: those now claimed for this worker and not started. Not merely claimed for
    // it: a row of the batch that had run on this worker already (a stale queue entry) was counted as
    // claimed and sent again, and a restarted worker, which no longer knew it, ran it a second time
    // (the long chaos run). One claimed for it before and still pending is sent again, as a resend is.
    const got = await this.tasks.find({ select: { id: true }, where: { id: In(ids), workerId, status: 'pending' } });
    return got.map((t) => t.id);
  }

  /** Takes a task back from a worker that refused it or never answered. */
  async unclaim(id: number, workerId: number): Promise<boolean> {
    const r = await this.tasks
      .createQueryBuilder()
      .update()
      .set({ workerId: null })
      .where("id = :id AND status = 'pending' AND worker_id = :workerId", { id, workerId })
      .execute();
    return r.affected === 1;
  }

  /**
   * One transition of TaskLifecycle, as a conditional write: the task changes only from one of
   * `from`, and only while it is given to `workerId` (null: to no worker). True when it changed.
   */
  async transition(
    id: number,
    from: readonly TaskStatus[],
    workerId: number | null,
    f: { status: TaskStatus; at: Date; exitCode?: number | null; signal?: string | null; error?: SerializedError | null; httpStatus?: number | null },
  ): Promise<boolean> {
    const qb = this.tasks
      .createQueryBuilder()
      .update()
      .set({ status: f.status, finishedAt: f.at, exitCode: f.exitCode ?? null, signal: f.signal ?? null, error: f.error ?? null, httpStatus: f.httpStatus ?? null })
      .where('id = :id AND status IN (:...from)', { id, from: [...from] });
    if (workerId === null) qb.andWhere('worker_id IS NULL');
    else qb.andWhere('worker_id = :workerId', { workerId });
    const r = await qb.execute();
    return r.affected === 1;
  }

  /**
   * The latest attempt of `t`'s run: of a job's due time (and shard), the highest attempt; of a
   * one-shot task, the end of its chain of retries.
   */
  async latestAttempt(t: TaskEntity): Promise<TaskEntity> {
    if (t.cronjobId !== null) {
      const latest = await this.tasks.findOne({ where: { cronjobId: t.cronjobId, scheduledAt: t.scheduledAt, shardIndex: t.shardIndex }, order: { attempt: 'DESC' } });
      return latest ?? t;
    }
    let latest = t;
    for (let next = await this.tasks.findOneBy({ retryOf: t.id }); next; next = await this.tasks.findOneBy({ retryOf: next.id })) latest = next;
    return latest;
  }

  /** Why a pending task waits; written only when it changes. */
  async setPendingReason(ids: readonly number[], reason: string | null): Promise<void> {
    if (ids.length === 0) return;
    await this.tasks.createQueryBuilder().update().set({ pendingReason: reason }).where("id IN (:...ids) AND status = 'pending'", { ids }).execute();
  }

  async setControl(id: number, control: TaskEntity['control']): Promise<void> {
    await this.tasks.update({ id }, { control });
  }

  /** Live tasks (claimed or running) per worker: the load of each worker as the database knows it. */
  async liveByWorker(): Promise<Map<number, number[]>> {
    const rows = await this.tasks.find({ select: { id: true, workerId: true }, where: { status: In(LIVE), workerId: Not(IsNull()) } });
    const by = new Map<number, number[]>();
    for (const r of rows) {
      const list = by.get(r.workerId!);
      if (list) list.push(r.id);
      else by.set(r.workerId!, [r.id]);
    }
    return by;
  }

  /** The namespace of every task that holds a worker's slot (claimed or running): for the concurrency quotas. */
  async namespacesOfLive(): Promise<Map<number, string>> {
    const rows = await this.tasks.find({ select: { id: true, namespace: true }, where: { status: In(LIVE), workerId: Not(IsNull()) } });
    return new Map(rows.map((r) => [Number(r.id), r.namespace]));
  }

  /** The live tasks (claimed or running) given to a worker. */
  liveOfWorker(workerId: number): Promise<TaskEntity[]> {
    return this.tasks.find({ where: { workerId, status: In(LIVE) } });
  }

  /** A page of tasks, newest first, with the columns of their views only. */
  list(q: TaskQuery): Promise<TaskViewRow[]> {
    const ds = this.tasks.manager.connection;
    const where: string[] = [];
    const params: unknown[] = [];
    const and = (condition: string, value: unknown): void => {
      where.push(condition);
      params.push(value);
    };
    if (q.cronjobId !== undefined) and('t.cronjob_id = ?', q.cronjobId);
    if (q.status !== undefined) and('t.status = ?', q.status);
    if (q.workerId !== undefined) and('t.worker_id = ?', q.workerId);
    if (q.namespace !== undefined) and('t.namespace = ?', q.namespace);
    if (q.since !== undefined) and('t.scheduled_at >= ?', dbTime(ds, q.since));
    if (q.until !== undefined) and('t.scheduled_at < ?', dbTime(ds, q.until));
    if (q.beforeId !== undefined) and('t.id < ?', q.beforeId);
    this.taskViews ??= new PlainSelect(ds, TaskEntity, TASK_VIEW_COLUMNS, 't');
    return this.taskViews.read(`${where.length ? `WHERE ${where.join(' AND ')} ` : ''}ORDER BY t.id DESC LIMIT ?`, [...params, q.limit]);
  }

  /**
   * The latest `limit` tasks of each job, newest due time first: one small query per job, each
   * answered from the (cronjob_id, scheduled_at, ...) unique index however long the history is.
   */
  async recentByJob(cronjobIds: readonly number[], limit: number): Promise<Map<number, TaskEntity[]>> {
    const out = new Map<number, TaskEntity[]>();
    await Promise.all(
      cronjobIds.map(async (cronjobId) => {
        const rows = await this.tasks.find({
          where: { cronjobId },
          order: { scheduledAt: 'DESC', attempt: 'DESC' },
          take: limit,
          select: { id: true, cronjobId: true, status: true, attempt: true, scheduledAt: true, startedAt: true, finishedAt: true, exitCode: true },
        });
        out.set(cronjobId, rows);
      }),
    );
    return out;
  }

  /** Stores chunks of output once each (a chunk resent after a reconnect is ignored by its sequence number). */
  async appendOutput(rows: readonly { taskId: number; seq: number; data: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.output.createQueryBuilder().insert().into(TaskOutputEntity).values([...rows]).orIgnore().updateEntity(false).execute();
  }

  /** Stored chunks of a task after stored sequence number `afterSeq`, in order. */
  outputAfter(taskId: number, afterSeq: number): Promise<TaskOutputEntity[]> {
    return this.output.find({ where: { taskId, seq: MoreThan(afterSeq) }, order: { seq: 'ASC' }, take: 1000 });
  }

  /** The end of a task's stored output: its last `chunks` chunks (the kept tail of a capped output). */
  async outputTail(taskId: number, chunks = 16): Promise<string> {
    const rows = await this.output.find({ where: { taskId }, order: { seq: 'DESC' }, take: chunks });
    return rows
      .reverse()
      .map((c) => c.data)
      .join('');
  }

  async readOutput(taskId: number): Promise<string> {
    const chunks = await this.output.find({ where: { taskId }, order: { seq: 'ASC' } });
    return chunks.map((c) => c.data).join('');
  }
}

/**
 * On MySQL the ids are worked out from the INSERT's first (see insertReturningIds), and the tasks
 * are answered as written, not read back: the rows under those ids must be the ones written (their
 * due times and keys), else the assumption broke and no task may be handed out. One light read of
 * three columns.
 */
async function checkIds(m: EntityManager, written: readonly TaskEntity[]): Promise<void> {
  if (written.length === 0) return;
  const rows = (await m.query(`SELECT id, scheduled_at AS at, idempotency_key AS k FROM tasks WHERE id IN (${written.map(() => '?').join(', ')})`, written.map((t) => t.id))) as { id: number | string; at: Date | string; k: string | null }[];
  const stored = new Map(rows.map((r) => [Number(r.id), r]));
  for (const t of written) {
    const r = stored.get(t.id);
    if (!r || rawTimeMs(r.at) !== t.scheduledAt.getTime() || r.k !== t.idempotencyKey) throw new Error(`bulk insert: row ${t.id} read back is not the task written`);
  }
}
