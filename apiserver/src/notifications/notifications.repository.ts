import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { dbTime } from '../database/columns';
import { CronJobEntity } from '../cronjobs/cronjob.entity';
import { TaskEntity } from '../tasks/task.entity';
import { OUTCOME_STATUSES } from './core/notify-rule';

/** The reads a notification needs: the task, its job's rules, and the outcome of the job's previous run. */
@Injectable()
export class NotificationsRepository {
  constructor(
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    @InjectRepository(CronJobEntity) private readonly jobs: Repository<CronJobEntity>,
  ) {}

  task(id: number): Promise<TaskEntity | null> {
    return this.tasks.findOneBy({ id });
  }

  /**
   * Of these tasks, the ones whose cron job has at least one notification rule: one query for a
   * batch of task ends, so that the usual task, of a job without rules, costs no read of its own.
   */
  async withRules(taskIds: readonly number[]): Promise<Set<number>> {
    if (taskIds.length === 0) return new Set();
    const rows = await this.tasks
      .createQueryBuilder('t')
      .innerJoin(CronJobEntity, 'j', 'j.id = t.cronjobId')
      .select('t.id', 'id')
      .addSelect('j.notify', 'notify')
      .where('t.id IN (:...ids)', { ids: taskIds })
      .andWhere('j.notify IS NOT NULL')
      .getRawMany<{ id: number | string; notify: unknown }>();
    return new Set(rows.filter((r) => hasRules(r.notify)).map((r) => Number(r.id)));
  }

  job(id: number): Promise<Pick<CronJobEntity, 'id' | 'name' | 'notify'> | null> {
    return this.jobs.findOne({ select: { id: true, name: true, notify: true }, where: { id } });
  }

  /**
   * Status of the job's latest task with an outcome, of another run (another due time or shard: the
   * attempts of `t`'s own run do not count), that finished no later than `t`; null: none. The latest
   * attempt of a run is how it ended, so a retry that succeeds is not a recovery from its own run's
   * earlier attempts, which raised no `failure`.
   */
  async previousRunOutcome(t: Pick<TaskEntity, 'id' | 'cronjobId' | 'scheduledAt' | 'shardIndex' | 'finishedAt'>): Promise<string | null> {
    if (t.cronjobId === null) return null;
    // Better-sqlite3 cannot bind a Date: dbTime gives it the stored text form.
    const ds = this.tasks.manager.connection;
    const qb = this.tasks
      .createQueryBuilder('t')
      .select('t.status', 'status')
      .where('t.cronjob_id = :job AND t.id <> :id AND t.status IN (:...outcomes)', { job: t.cronjobId, id: t.id, outcomes: [...OUTCOME_STATUSES] })
      .andWhere('NOT (t.scheduled_at = :due AND t.shard_index = :shard)', { due: dbTime(ds, t.scheduledAt), shard: t.shardIndex })
      .orderBy('t.finished_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(1);
    if (t.finishedAt) qb.andWhere('t.finished_at <= :at', { at: dbTime(ds, t.finishedAt) });
    const row = await qb.getRawOne<{ status: string }>();
    return row?.status ?? null;
  }
}

/** A raw `notify` column (simple-json text, or already parsed by a driver) holding a non-empty list. */
function hasRules(raw: unknown): boolean {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return false;
    }
  }
  return Array.isArray(value) && value.length > 0;
}
