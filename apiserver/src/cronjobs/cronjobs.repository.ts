import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { DomainError } from '../common/errors';
import { isUniqueViolation } from '../database/columns';
import { CronJobEntity } from './cronjob.entity';

/** Cron job rows. A name clash surfaces as `CronJobNameTaken`, whichever writer won the race. */
@Injectable()
export class CronJobsRepository {
  constructor(@InjectRepository(CronJobEntity) private readonly jobs: Repository<CronJobEntity>) {}

  findById(id: number): Promise<CronJobEntity | null> {
    return this.jobs.findOneBy({ id });
  }

  list(): Promise<CronJobEntity[]> {
    return this.jobs.find({ order: { id: 'ASC' } });
  }

  /** Enabled jobs, the dispatcher's working set; only the columns it needs. */
  enabled(): Promise<CronJobEntity[]> {
    return this.jobs.find({ where: { enabled: true } });
  }

  async insert(fields: Omit<CronJobEntity, 'id' | 'updatedAt'>): Promise<CronJobEntity> {
    try {
      return await this.jobs.save(this.jobs.create(fields));
    } catch (e) {
      throw this.clash(e, fields.name);
    }
  }

  async save(job: CronJobEntity): Promise<CronJobEntity> {
    try {
      return await this.jobs.save(job);
    } catch (e) {
      throw this.clash(e, job.name);
    }
  }

  async delete(id: number): Promise<boolean> {
    const r = await this.jobs.delete({ id });
    return (r.affected ?? 0) > 0;
  }

  /** Moves due times forward for many jobs at once without touching `updatedAt` (not a user change). */
  async setNextRuns(next: Map<number, Date | null>): Promise<void> {
    const byTime = new Map<number | null, number[]>();
    for (const [id, at] of next) {
      const k = at ? at.getTime() : null;
      const ids = byTime.get(k) ?? [];
      ids.push(id);
      byTime.set(k, ids);
    }
    for (const [t, ids] of byTime) {
      for (let i = 0; i < ids.length; i += 1000) {
        await this.jobs
          .createQueryBuilder()
          .update()
          .set({ nextRunAt: t === null ? null : new Date(t), updatedAt: () => 'updated_at' })
          .where({ id: In(ids.slice(i, i + 1000)) })
          .execute();
      }
    }
  }

  private clash(e: unknown, name: string): unknown {
    return isUniqueViolation(e) ? new DomainError('CronJobNameTaken', `name: a cron job named '${name}' already exists`) : e;
  }
}
