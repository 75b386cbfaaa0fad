import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { CronJobEntity } from '../cronjobs/cronjob.entity';
import { dbTime, rawTimeMs, retryOnLockConflict } from '../database/columns';
import { TaskEntity } from '../tasks/task.entity';
import { WorkflowRunEntity } from '../workflows/workflow-run.entity';
import { WorkflowEntity } from '../workflows/workflow.entity';
import type { JobRetention } from './core/retention-plan';
import type { FinishedMark, FinishedRow, RetentionStore } from './retention-sweeper';

type RawId = number | string;
type RawTime = Date | string;

/**
 * The retention sweep's reads and deletes on `tasks`. Reads go through `ix_tasks_finished`
 * (finished_at) or `ix_tasks_cronjob_finished` (cronjob_id, finished_at) and stop at `limit` rows;
 * under READ COMMITTED (MySQL) and WAL (SQLite) they take no locks the dispatcher waits for. A
 * delete is one statement by primary key; the foreign key `fk_task_output_task` (ON DELETE CASCADE,
 * enforced on SQLite by `PRAGMA foreign_keys = ON`) removes the tasks' output rows with them.
 */
@Injectable()
export class RetentionRepository implements RetentionStore {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async jobsWithOwnRetention(): Promise<JobRetention[]> {
    const rows = await this.ds
      .getRepository(CronJobEntity)
      .createQueryBuilder('j')
      .select('j.id', 'id')
      .addSelect('j.history_limit', 'historyLimit')
      .addSelect('j.history_days', 'historyDays')
      .where('j.history_limit IS NOT NULL OR j.history_days IS NOT NULL')
      .getRawMany<{ id: RawId; historyLimit: RawId | null; historyDays: RawId | null }>();
    return rows.map((r) => ({ id: Number(r.id), historyLimit: r.historyLimit === null ? null : Number(r.historyLimit), historyDays: r.historyDays === null ? null : Number(r.historyDays) }));
  }

  async jobIdsAfter(afterId: number, limit: number): Promise<number[]> {
    const rows = await this.ds.getRepository(CronJobEntity).createQueryBuilder('j').select('j.id', 'id').where('j.id > :afterId', { afterId }).orderBy('j.id', 'ASC').limit(limit).getRawMany<{ id: RawId }>();
    return rows.map((r) => Number(r.id));
  }

  async finishedBefore(cutoff: Date, after: FinishedMark | null, limit: number): Promise<FinishedRow[]> {
    const qb = this.tasks()
      .select('t.id', 'id')
      .addSelect('t.cronjob_id', 'cronjobId')
      .addSelect('t.workflow_run_id', 'workflowRunId')
      .addSelect('t.finished_at', 'finishedAt')
      .where('t.finished_at < :cutoff', { cutoff: this.time(cutoff) })
      .orderBy('t.finished_at', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .limit(limit);
    // The redundant `>=` keeps the index range starting at the cursor; the OR only splits ties.
    if (after) qb.andWhere('t.finished_at >= :at AND (t.finished_at > :at OR t.id > :id)', { at: this.time(after.finishedAt), id: after.id });
    const rows = await qb.getRawMany<{ id: RawId; cronjobId: RawId | null; workflowRunId: RawId | null; finishedAt: RawTime }>();
    return rows.map((r) => ({
      id: Number(r.id),
      cronjobId: r.cronjobId === null ? null : Number(r.cronjobId),
      workflowRunId: r.workflowRunId === null ? null : Number(r.workflowRunId),
      finishedAt: new Date(rawTimeMs(r.finishedAt)),
    }));
  }

  async jobFinishedBefore(cronjobId: number, cutoff: Date, limit: number): Promise<number[]> {
    const rows = await this.tasks()
      .select('t.id', 'id')
      .where('t.cronjob_id = :cronjobId AND t.finished_at < :cutoff', { cronjobId, cutoff: this.time(cutoff) })
      .limit(limit)
      .getRawMany<{ id: RawId }>();
    return rows.map((r) => Number(r.id));
  }

  async firstBeyond(group: number | null, keep: number): Promise<FinishedMark | null> {
    const row = await this.inGroup(this.tasks().select('t.id', 'id').addSelect('t.finished_at', 'finishedAt'), group)
      .andWhere('t.finished_at IS NOT NULL')
      .orderBy('t.finished_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .offset(keep)
      .limit(1)
      .getRawOne<{ id: RawId; finishedAt: RawTime }>();
    return row ? { id: Number(row.id), finishedAt: new Date(rawTimeMs(row.finishedAt)) } : null;
  }

  async finishedUpTo(group: number | null, mark: FinishedMark, limit: number): Promise<number[]> {
    const at = this.time(mark.finishedAt);
    const rows = await this.inGroup(this.tasks().select('t.id', 'id'), group)
      .andWhere('t.finished_at <= :at AND (t.finished_at < :at OR t.id <= :id)', { at, id: mark.id })
      .limit(limit)
      .getRawMany<{ id: RawId }>();
    return rows.map((r) => Number(r.id));
  }

  async deleteFinished(ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await retryOnLockConflict(() =>
      this.ds
        .createQueryBuilder()
        .delete()
        .from(TaskEntity)
        .where('id IN (:...ids)', { ids: [...ids] })
        .andWhere("finished_at IS NOT NULL AND status NOT IN ('pending', 'running')")
        .execute(),
    );
    return r.affected ?? 0;
  }

  async runsEndedBefore(cutoff: Date, limit: number): Promise<number[]> {
    const rows = await this.runs()
      .select('r.id', 'id')
      .where('r.finished_at < :cutoff', { cutoff: this.time(cutoff) })
      .orderBy('r.finished_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: RawId }>();
    return rows.map((r) => Number(r.id));
  }

  async workflowIdsAfter(afterId: number, limit: number): Promise<number[]> {
    const rows = await this.ds.getRepository(WorkflowEntity).createQueryBuilder('w').select('w.id', 'id').where('w.id > :afterId', { afterId }).orderBy('w.id', 'ASC').limit(limit).getRawMany<{ id: RawId }>();
    return rows.map((r) => Number(r.id));
  }

  async runBeyond(workflowId: number, keep: number): Promise<FinishedMark | null> {
    const row = await this.runs()
      .select('r.id', 'id')
      .addSelect('r.finished_at', 'finishedAt')
      .where('r.workflow_id = :workflowId AND r.finished_at IS NOT NULL', { workflowId })
      .orderBy('r.finished_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .offset(keep)
      .limit(1)
      .getRawOne<{ id: RawId; finishedAt: RawTime }>();
    return row ? { id: Number(row.id), finishedAt: new Date(rawTimeMs(row.finishedAt)) } : null;
  }

  async runsUpTo(workflowId: number, mark: FinishedMark, limit: number): Promise<number[]> {
    const at = this.time(mark.finishedAt);
    const rows = await this.runs()
      .select('r.id', 'id')
      .where('r.workflow_id = :workflowId', { workflowId })
      .andWhere('r.finished_at <= :at AND (r.finished_at < :at OR r.id <= :id)', { at, id: mark.id })
      .limit(limit)
      .getRawMany<{ id: RawId }>();
    return rows.map((r) => Number(r.id));
  }

  /** Step tasks and their output go by the cascades of fk_tasks_workflow_run and fk_task_output_task. */
  async deleteEndedRuns(ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await retryOnLockConflict(() =>
      this.ds
        .createQueryBuilder()
        .delete()
        .from(WorkflowRunEntity)
        .where('id IN (:...ids)', { ids: [...ids] })
        .andWhere("status <> 'running' AND finished_at IS NOT NULL")
        .andWhere("NOT EXISTS (SELECT 1 FROM tasks t WHERE t.workflow_run_id = workflow_runs.id AND t.status IN ('pending', 'running'))")
        .execute(),
    );
    return r.affected ?? 0;
  }

  private runs(): SelectQueryBuilder<WorkflowRunEntity> {
    return this.ds.getRepository(WorkflowRunEntity).createQueryBuilder('r');
  }

  private tasks(): SelectQueryBuilder<TaskEntity> {
    return this.ds.getRepository(TaskEntity).createQueryBuilder('t');
  }

  /** A job's tasks, or one-shot tasks: no job, and not a step of a workflow run. */
  private inGroup(qb: SelectQueryBuilder<TaskEntity>, group: number | null): SelectQueryBuilder<TaskEntity> {
    return group === null ? qb.where('t.cronjob_id IS NULL AND t.workflow_run_id IS NULL') : qb.where('t.cronjob_id = :group', { group });
  }

  private time(d: Date): Date | string {
    return dbTime(this.ds, d);
  }
}
