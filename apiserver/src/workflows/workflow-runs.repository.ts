import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/columns';
import { TaskEntity } from '../tasks/task.entity';
import { WorkflowRunEntity, type WorkflowRunStatus } from './workflow-run.entity';

/** A step task as the engine and the run view read it: no spec, no environment. */
export type StepTaskRow = Pick<TaskEntity, 'id' | 'status' | 'attempt' | 'workflowStep' | 'workflowItem' | 'workerId' | 'startedAt' | 'finishedAt' | 'exitCode' | 'runAt' | 'createdAt'>;

export interface RunQuery {
  workflowId?: number;
  namespace?: string;
  status?: WorkflowRunStatus;
  /** Only runs with an id below this (the previous page's `nextCursor`). */
  beforeId?: number;
  limit: number;
}

/**
 * Workflow runs and the tasks of their steps. Every change of a run's status is a conditional UPDATE
 * (`WHERE status = ...`), so servers advancing, killing or retrying the same run agree on one outcome.
 */
@Injectable()
export class WorkflowRunsRepository {
  constructor(
    @InjectRepository(WorkflowRunEntity) private readonly runs: Repository<WorkflowRunEntity>,
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
  ) {}

  /**
   * A new run; for a scheduled one whose due time has a run already (another leader made it), that
   * run, with `created: false`.
   */
  async create(fields: Omit<WorkflowRunEntity, 'id' | 'retryFrom' | 'retries' | 'reason' | 'finishedAt' | 'params'> & { params?: Record<string, string> }): Promise<{ run: WorkflowRunEntity; created: boolean }> {
    try {
      const run = await this.runs.save(this.runs.create({ ...fields, params: fields.params ?? null, retryFrom: null, retries: 0, reason: null, finishedAt: null }));
      return { run, created: true };
    } catch (e) {
      if (!isUniqueViolation(e) || fields.scheduledAt === null) throw e;
      const existing = await this.runs.findOneBy({ workflowId: fields.workflowId, scheduledAt: fields.scheduledAt });
      if (!existing) throw e;
      return { run: existing, created: false };
    }
  }

  findById(id: number): Promise<WorkflowRunEntity | null> {
    return this.runs.findOneBy({ id });
  }

  /** Newest first, without the definitions (a list does not draw graphs). */
  list(q: RunQuery): Promise<WorkflowRunEntity[]> {
    const qb = this.runs
      .createQueryBuilder('r')
      .select(['r.id', 'r.workflowId', 'r.workflowName', 'r.namespace', 'r.trigger', 'r.scheduledAt', 'r.status', 'r.retries', 'r.reason', 'r.startedAt', 'r.finishedAt'])
      .orderBy('r.id', 'DESC')
      .take(q.limit);
    if (q.workflowId !== undefined) qb.andWhere('r.workflow_id = :wf', { wf: q.workflowId });
    if (q.status !== undefined) qb.andWhere('r.status = :status', { status: q.status });
    if (q.namespace !== undefined) qb.andWhere('r.namespace = :namespace', { namespace: q.namespace });
    if (q.beforeId !== undefined) qb.andWhere('r.id < :beforeId', { beforeId: q.beforeId });
    return qb.getMany();
  }

  async runningIds(): Promise<number[]> {
    const rows = await this.runs.find({ select: { id: true }, where: { status: 'running' }, order: { id: 'ASC' } });
    return rows.map((r) => r.id);
  }

  async runningOf(workflowId: number): Promise<number[]> {
    const rows = await this.runs.find({ select: { id: true }, where: { workflowId, status: 'running' } });
    return rows.map((r) => r.id);
  }

  /** Ends a running run; false when it had ended already (another server decided first). */
  async finish(id: number, status: Exclude<WorkflowRunStatus, 'running'>, at: Date, reason: string | null = null): Promise<boolean> {
    const r = await this.runs.createQueryBuilder().update().set({ status, finishedAt: at, reason }).where("id = :id AND status = 'running'", { id }).execute();
    return r.affected === 1;
  }

  /** Runs an ended run again from the given attempt floors; false when it was not in `from` any more. */
  async restart(id: number, from: WorkflowRunStatus, retryFrom: Record<string, number>, retries: number): Promise<boolean> {
    const r = await this.runs
      .createQueryBuilder()
      .update()
      .set({ status: 'running', finishedAt: null, reason: null, retryFrom, retries })
      .where('id = :id AND status = :from', { id, from })
      .execute();
    return r.affected === 1;
  }

  /** Every task of the run's steps, oldest first. */
  stepTasks(runId: number): Promise<StepTaskRow[]> {
    return this.tasks.find({
      select: { id: true, status: true, attempt: true, workflowStep: true, workflowItem: true, workerId: true, startedAt: true, finishedAt: true, exitCode: true, runAt: true, createdAt: true },
      where: { workflowRunId: runId },
      order: { id: 'ASC' },
    });
  }

  /** Of these tasks, the runs of those that are workflow steps: one query per batch of task ends. */
  async runsOfTasks(taskIds: readonly number[]): Promise<number[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.tasks
      .createQueryBuilder('t')
      .select('DISTINCT t.workflow_run_id', 'run')
      .where('t.id IN (:...ids)', { ids: taskIds })
      .andWhere('t.workflow_run_id IS NOT NULL')
      .getRawMany<{ run: number | string }>();
    return rows.map((r) => Number(r.run));
  }

  /** Pending or running tasks of the run (to stop when it is killed). */
  liveTasks(runId: number): Promise<Pick<TaskEntity, 'id' | 'status' | 'workerId'>[]> {
    return this.tasks.find({ select: { id: true, status: true, workerId: true }, where: { workflowRunId: runId, status: In(['pending', 'running']) } });
  }
}
