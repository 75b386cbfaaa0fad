import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { CronJobEntity } from '../../cronjobs/cronjob.entity';
import type { Triggers } from '@cronfleet/shared';
import { TaskEntity } from '../../tasks/task.entity';

/** What the chainer reads: which ended tasks belong to jobs with triggers, and the jobs they name. */
@Injectable()
export class ChainsRepository {
  constructor(
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    @InjectRepository(CronJobEntity) private readonly jobs: Repository<CronJobEntity>,
  ) {}

  /** Of these tasks, those whose job has triggers, with the triggers: one query per batch of task ends. */
  async withTriggers(taskIds: readonly number[]): Promise<Map<number, { cronjobName: string; namespace: string; triggers: Triggers }>> {
    if (taskIds.length === 0) return new Map();
    const rows = await this.tasks
      .createQueryBuilder('t')
      .innerJoin(CronJobEntity, 'j', 'j.id = t.cronjobId')
      .select('t.id', 'id')
      .addSelect('j.name', 'name')
      .addSelect('j.namespace', 'namespace')
      .addSelect('j.triggers', 'triggers')
      .where('t.id IN (:...ids)', { ids: taskIds })
      .andWhere('j.triggers IS NOT NULL')
      .getRawMany<{ id: number | string; name: string; namespace: string; triggers: string | Triggers | null }>();
    const out = new Map<number, { cronjobName: string; namespace: string; triggers: Triggers }>();
    for (const r of rows) {
      const triggers = typeof r.triggers === 'string' ? (JSON.parse(r.triggers) as Triggers | null) : r.triggers;
      if (triggers) out.set(Number(r.id), { cronjobName: r.name, namespace: r.namespace, triggers });
    }
    return out;
  }

  /** The jobs of `namespace` with these names: triggers name jobs of their own namespace. */
  jobsByName(names: readonly string[], namespace: string): Promise<CronJobEntity[]> {
    return names.length ? this.jobs.findBy({ name: In([...names]), namespace }) : Promise.resolve([]);
  }
}
