import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { GroupCommit, type Settled } from '../common/group-commit';
import { insertAll } from '../database/bulk-insert';
import { dbTime } from '../database/columns';
import { AuditEntryEntity } from './audit-entry.entity';
import type { AuditQuery } from '@cronfleet/shared';

/** audit_log rows: appended, read newest first. */
@Injectable()
export class AuditRepository {
  /**
   * Entries of concurrent calls go in together, one INSERT (one commit) per group: an entry each was
   * one commit per mutating request, the largest part of a one-shot task's cost (bench:api).
   */
  private readonly appends = new GroupCommit<Omit<AuditEntryEntity, 'id'>, void>(async (entries) => {
    await insertAll(this.entries.manager, AuditEntryEntity, entries);
    return entries.map((): Settled<void> => ({ ok: true, value: undefined }));
  }, { maxItems: 500 });

  constructor(@InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>) {}

  /** Resolves once the entry is stored (with the others of its group). */
  append(entry: Omit<AuditEntryEntity, 'id'>): Promise<void> {
    return this.appends.push(entry);
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
