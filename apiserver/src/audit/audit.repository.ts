import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { dbTime } from '../database/columns';
import { AuditEntryEntity } from './audit-entry.entity';
import type { AuditQuery } from './dto/audit.dto';

/** audit_log rows: appended, read newest first. */
@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>) {}

  async append(entry: Omit<AuditEntryEntity, 'id'>): Promise<void> {
    await this.entries.insert(entry);
  }

  /** Newest first, `limit + 1` rows so the caller knows whether there is a next page. */
  page(q: AuditQuery): Promise<AuditEntryEntity[]> {
    const ds = this.entries.manager.connection;
    const qb = this.entries.createQueryBuilder('a').orderBy('a.id', 'DESC').take(q.limit + 1);
    if (q.actor !== undefined) qb.andWhere('a.actor = :actor', { actor: q.actor });
    if (q.since) qb.andWhere('a.at >= :since', { since: dbTime(ds, q.since) });
    if (q.until) qb.andWhere('a.at < :until', { until: dbTime(ds, q.until) });
    if (q.cursor !== undefined) qb.andWhere('a.id < :cursor', { cursor: Number(q.cursor) });
    return qb.getMany();
  }
}
