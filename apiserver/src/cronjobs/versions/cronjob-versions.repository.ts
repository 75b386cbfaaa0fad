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

  /**
   * The latest version of each job whose latest version is named `name` (in `namespace` when
   * given): a deleted job's is its deletion. Newest first, `limit` rows at most.
   */
  latestNamed(name: string, namespace: string | undefined, limit: number): Promise<CronJobVersionEntity[]> {
    const qb = this.versions
      .createQueryBuilder('v')
      .where('v.name = :name', { name })
      .andWhere('v.version = (SELECT MAX(w.version) FROM cronjob_versions w WHERE w.cronjob_id = v.cronjob_id)')
      .orderBy('v.at', 'DESC')
      .addOrderBy('v.id', 'DESC')
      .take(limit);
    if (namespace !== undefined) qb.andWhere('v.namespace = :namespace', { namespace });
    return qb.getMany();
  }

  async any(cronjobId: number): Promise<boolean> {
    return (await this.versions.count({ where: { cronjobId }, take: 1 })) > 0;
  }
}
