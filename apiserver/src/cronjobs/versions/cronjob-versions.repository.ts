import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CronJobVersionEntity } from './cronjob-version.entity';

/** Reads of `cronjob_versions` (they are written by CronJobsRepository, in the transaction of each change). */
@Injectable()
export class CronJobVersionsRepository {
  constructor(@InjectRepository(CronJobVersionEntity) private readonly versions: Repository<CronJobVersionEntity>) {}

  /** Newest first, versions below `beforeVersion` when given; `limit` rows at most. */
  page(cronjobId: number, limit: number, beforeVersion?: number): Promise<CronJobVersionEntity[]> {
    const qb = this.versions.createQueryBuilder('v').where('v.cronjob_id = :cronjobId', { cronjobId }).orderBy('v.version', 'DESC').take(limit);
    if (beforeVersion !== undefined) qb.andWhere('v.version < :beforeVersion', { beforeVersion });
    return qb.getMany();
  }

  find(cronjobId: number, version: number): Promise<CronJobVersionEntity | null> {
    return this.versions.findOneBy({ cronjobId, version });
  }

  async any(cronjobId: number): Promise<boolean> {
    return (await this.versions.count({ where: { cronjobId }, take: 1 })) > 0;
  }
}
