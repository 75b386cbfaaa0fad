import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { SerializedError, TaskStatus } from '@cronfleet/shared';
import { DataSource, In, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { isUniqueViolation } from '../database/columns';
import { TaskOutputEntity } from './task-output.entity';
import { TaskEntity, TaskTrigger } from './task.entity';

export type NewTask = Pick<TaskEntity, 'cronjobId' | 'cronjobName' | 'scheduledAt' | 'runner' | 'spec' | 'timeoutSeconds'> & {
  trigger: TaskTrigger;
  attempt?: number;
};

export interface TaskQuery {
  cronjobId?: number;
  status?: TaskStatus;
  /** Only tasks with an id below this (the previous page's `nextCursor`). */
  beforeId?: number;
  limit: number;
}

const LIVE: TaskStatus[] = ['pending', 'running'];

/** Task rows and their output. Every state change is a conditional UPDATE, so racing writers cannot both win. */
@Injectable()
export class TasksRepository {
  constructor(
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    @InjectRepository(TaskOutputEntity) private readonly output: Repository<TaskOutputEntity>,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  /**
   * Inserts the tasks of due times, skipping any that exist already (another dispatcher made them:
   * the unique key on cronjob, due time and attempt decides), and returns the rows that are still
   * waiting for a worker.
   */
  async createDue(rows: NewTask[]): Promise<TaskEntity[]> {
    if (rows.length === 0) return [];
    const values = rows.map((r) => ({ ...r, attempt: r.attempt ?? 1, status: 'pending' as const })) as QueryDeepPartialEntity<TaskEntity>[];
    for (let i = 0; i < values.length; i += 500) {
      await this.tasks.createQueryBuilder().insert().into(TaskEntity).values(values.slice(i, i + 500)).orIgnore().updateEntity(false).execute();
    }
    const jobIds = [...new Set(rows.map((r) => r.cronjobId).filter((x): x is number => x !== null))];
    const times = [...new Set(rows.map((r) => r.scheduledAt.getTime()))].map((t) => new Date(t));
    const wanted = new Set(rows.map((r) => `${r.cronjobId}@${r.scheduledAt.getTime()}@${r.attempt ?? 1}`));
    const found = await this.tasks.find({ where: { cronjobId: In(jobIds), scheduledAt: In(times), status: 'pending' } });
    return found.filter((t) => t.workerId === null && wanted.has(`${t.cronjobId}@${t.scheduledAt.getTime()}@${t.attempt}`));
  }

  /** A task outside the schedule (run now). Nudges the due time by 1 ms in the unlikely case of a clash. */
  async createOne(row: NewTask): Promise<TaskEntity> {
    for (let nudge = 0; ; nudge++) {
      try {
        const scheduledAt = new Date(row.scheduledAt.getTime() + nudge);
        return await this.tasks.save(this.tasks.create({ ...row, scheduledAt, attempt: row.attempt ?? 1, status: 'pending' }));
      } catch (e) {
        if (!isUniqueViolation(e) || nudge >= 5) throw e;
      }
    }
  }

  findById(id: number): Promise<TaskEntity | null> {
    return this.tasks.findOneBy({ id });
  }

  /** Tasks waiting for a worker, oldest due time first (loaded by a new leader). */
  unassigned(): Promise<TaskEntity[]> {
    return this.tasks
      .createQueryBuilder('t')
      .where("t.status = 'pending'")
      .andWhere('t.worker_id IS NULL')
      .orderBy('t.scheduled_at', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .getMany();
  }

  /** Gives a pending task to a worker; false if someone else got there first. */
  async claim(id: number, workerId: number): Promise<boolean> {
    const r = await this.tasks
      .createQueryBuilder()
      .update()
      .set({ workerId })
      .where("id = :id AND status = 'pending' AND worker_id IS NULL", { id })
      .execute();
    return r.affected === 1;
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

  async markRunning(id: number, workerId: number, at: Date): Promise<boolean> {
    const r = await this.tasks
      .createQueryBuilder()
      .update()
      .set({ status: 'running', startedAt: at })
      .where("id = :id AND status = 'pending' AND worker_id = :workerId", { id, workerId })
      .execute();
    return r.affected === 1;
  }

  /** Records a final state; only a live task of that worker (or an unassigned pending one) can end. */
  async finish(
    id: number,
    workerId: number | null,
    f: { status: TaskStatus; at: Date; exitCode?: number | null; signal?: string | null; error?: SerializedError | null },
  ): Promise<boolean> {
    const qb = this.tasks
      .createQueryBuilder()
      .update()
      .set({ status: f.status, finishedAt: f.at, exitCode: f.exitCode ?? null, signal: f.signal ?? null, error: f.error ?? null })
      .where('id = :id AND status IN (:...live)', { id, live: LIVE });
    if (workerId === null) qb.andWhere('worker_id IS NULL');
    else qb.andWhere('worker_id = :workerId', { workerId });
    const r = await qb.execute();
    return r.affected === 1;
  }

  /** Live tasks of a worker that it no longer runs become `lost`; returns their ids. */
  async markLost(workerId: number, stillRunning: readonly number[], at: Date): Promise<number[]> {
    const live = await this.tasks.find({ select: { id: true }, where: { workerId, status: In(LIVE) } });
    const keep = new Set(stillRunning);
    const lost = live.map((t) => t.id).filter((id) => !keep.has(id));
    const error: SerializedError = { code: 'WorkerLost', message: `worker ${workerId} stopped running this task (disconnected or restarted)`, retryable: true };
    for (const id of lost) await this.finish(id, workerId, { status: 'lost', at, error });
    return lost;
  }

  list(q: TaskQuery): Promise<TaskEntity[]> {
    const qb = this.tasks.createQueryBuilder('t').orderBy('t.id', 'DESC').take(q.limit);
    if (q.cronjobId !== undefined) qb.andWhere('t.cronjob_id = :cronjobId', { cronjobId: q.cronjobId });
    if (q.status !== undefined) qb.andWhere('t.status = :status', { status: q.status });
    if (q.beforeId !== undefined) qb.andWhere('t.id < :beforeId', { beforeId: q.beforeId });
    return qb.getMany();
  }

  /** Stores a chunk of output once (a chunk resent after a reconnect is ignored by its sequence number). */
  async appendOutput(taskId: number, seq: number, data: string): Promise<void> {
    await this.output.createQueryBuilder().insert().into(TaskOutputEntity).values({ taskId, seq, data }).orIgnore().updateEntity(false).execute();
  }

  async readOutput(taskId: number): Promise<string> {
    const chunks = await this.output.find({ where: { taskId }, order: { seq: 'ASC' } });
    return chunks.map((c) => c.data).join('');
  }

  get dataSource(): DataSource {
    return this.ds;
  }
}
