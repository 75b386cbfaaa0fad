import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { DomainError } from '../common/errors';
import { dbTime, isUniqueViolation, rawTimeMs, retryOnLockConflict } from '../database/columns';
import { CronJobEntity } from './cronjob.entity';

/** Cron job rows. A name clash surfaces as `CronJobNameTaken`, whichever writer won the race. */
@Injectable()
export class CronJobsRepository {
  constructor(@InjectRepository(CronJobEntity) private readonly jobs: Repository<CronJobEntity>) {}

  findById(id: number): Promise<CronJobEntity | null> {
    return this.jobs.findOneBy({ id });
  }

  /** Id, name and triggers of every job that triggers others (the chain graph). */
  withTriggers(): Promise<Pick<CronJobEntity, 'id' | 'name' | 'triggers'>[]> {
    return this.jobs.createQueryBuilder('j').select(['j.id', 'j.name', 'j.triggers']).where('j.triggers IS NOT NULL').getMany();
  }

  /** Of these names, the ones a job has. */
  async existingNames(names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows = await this.jobs.find({ select: { name: true }, where: { name: In([...names]) } });
    return new Set(rows.map((r) => r.name));
  }

  list(q: { q?: string; enabled?: boolean; limit?: number; cursor?: number } = {}): Promise<CronJobEntity[]> {
    const qb = this.jobs.createQueryBuilder('j').orderBy('j.id', 'ASC');
    if (q.q !== undefined) qb.andWhere("LOWER(j.name) LIKE :q ESCAPE '!'", { q: `%${q.q.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%` });
    if (q.enabled !== undefined) qb.andWhere('j.enabled = :enabled', { enabled: q.enabled });
    if (q.cursor !== undefined) qb.andWhere('j.id > :cursor', { cursor: q.cursor });
    if (q.limit !== undefined) qb.take(q.limit);
    return qb.getMany();
  }

  /**
   * Id, next due time and jitter of every enabled job: all a new leader loads (1M jobs stay a few
   * tens of MB); the rest of a job is read when it comes due. Raw rows, not entities, for speed.
   */
  async enabledDueTimes(): Promise<{ ids: number[]; dueMs: (number | null)[]; jitterSeconds: number[] }> {
    const rows = await this.jobs
      .createQueryBuilder('j')
      .select('j.id', 'id')
      .addSelect('j.next_run_at', 'at')
      .addSelect('j.jitter_seconds', 'jitter')
      .where('j.enabled = :on', { on: true })
      .getRawMany<{ id: number | string; at: Date | string | null; jitter: number | string }>();
    const ids = new Array<number>(rows.length);
    const dueMs = new Array<number | null>(rows.length);
    const jitterSeconds = new Array<number>(rows.length);
    rows.forEach((r, i) => {
      ids[i] = Number(r.id);
      dueMs[i] = r.at === null ? null : rawTimeMs(r.at);
      jitterSeconds[i] = Number(r.jitter);
    });
    return { ids, dueMs, jitterSeconds };
  }

  findByIds(ids: number[]): Promise<CronJobEntity[]> {
    return ids.length ? this.jobs.findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  async insert(fields: Omit<CronJobEntity, 'id' | 'updatedAt'>): Promise<CronJobEntity> {
    try {
      return await retryOnLockConflict(() => this.jobs.save(this.jobs.create(fields)));
    } catch (e) {
      throw this.clash(e, fields.name);
    }
  }

  async save(job: CronJobEntity): Promise<CronJobEntity> {
    try {
      return await retryOnLockConflict(() => this.jobs.save(job));
    } catch (e) {
      throw this.clash(e, job.name);
    }
  }

  async delete(id: number): Promise<boolean> {
    const r = await retryOnLockConflict(() => this.jobs.delete({ id }));
    return (r.affected ?? 0) > 0;
  }

  /**
   * Moves due times forward for many jobs in one statement per 1000 (a CASE on the id), without
   * touching `updatedAt`: this is the scheduler's bookkeeping, not a change by a user.
   */
  async setNextRuns(next: Map<number, Date | null>, m?: EntityManager): Promise<void> {
    const manager = m ?? this.jobs.manager;
    const entries = [...next];
    for (let i = 0; i < entries.length; i += 1000) {
      const part = entries.slice(i, i + 1000);
      const params: unknown[] = [];
      const cases = part.map(([id, at]) => {
        params.push(id, at === null ? null : dbTime(manager.connection, at));
        return 'WHEN ? THEN ?';
      });
      params.push(...part.map(([id]) => id));
      await manager.query(`UPDATE cronjobs SET next_run_at = CASE id ${cases.join(' ')} END WHERE id IN (${part.map(() => '?').join(',')})`, params);
    }
  }

  private clash(e: unknown, name: string): unknown {
    return isUniqueViolation(e) ? new DomainError('CronJobNameTaken', `name: a cron job named '${name}' already exists`) : e;
  }
}
