import { inNamespaceLabel } from '@cronfleet/shared';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { DomainError } from '../common/errors';
import { dbTime, isNamespaceGone, isUniqueViolation, retryOnLockConflict } from '../database/columns';
import { unknownNamespace } from '../namespaces/namespaces.service';
import { WorkflowEntity } from './workflow.entity';

/** Workflow rows. A name clash surfaces as `WorkflowNameTaken`, whichever writer won the race. */
@Injectable()
export class WorkflowsRepository {
  constructor(@InjectRepository(WorkflowEntity) private readonly workflows: Repository<WorkflowEntity>) {}

  findById(id: number): Promise<WorkflowEntity | null> {
    return this.workflows.findOneBy({ id });
  }

  /**
   * By id or name: an all-digit reference is an id first, then a name in `namespace`, so a workflow
   * named `2024` stays reachable (names are unique per namespace, so a name finds at most one).
   */
  async findByRef(ref: string, namespace: string): Promise<WorkflowEntity | null> {
    if (/^[1-9][0-9]{0,9}$/.test(ref)) {
      const byId = await this.workflows.findOneBy({ id: Number(ref) });
      if (byId) return byId;
    }
    return this.workflows.findOneBy({ name: ref, namespace });
  }

  list(q: { q?: string; namespace?: string; limit?: number; cursor?: number } = {}): Promise<WorkflowEntity[]> {
    const qb = this.workflows.createQueryBuilder('w').orderBy('w.id', 'ASC');
    if (q.namespace !== undefined) qb.andWhere('w.namespace = :namespace', { namespace: q.namespace });
    if (q.q !== undefined) qb.andWhere("LOWER(w.name) LIKE :q ESCAPE '!'", { q: `%${q.q.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%` });
    if (q.cursor !== undefined) qb.andWhere('w.id > :cursor', { cursor: q.cursor });
    if (q.limit !== undefined) qb.take(q.limit);
    return qb.getMany();
  }

  /** Enabled workflows with a schedule: what the leader's workflow scheduler loads. */
  scheduled(): Promise<WorkflowEntity[]> {
    return this.workflows.find({ where: { enabled: true, schedule: Not(IsNull()) } });
  }

  async insert(fields: Omit<WorkflowEntity, 'id' | 'createdAt' | 'updatedAt'> & { createdAt: Date }): Promise<WorkflowEntity> {
    try {
      return await retryOnLockConflict(() => this.workflows.save(this.workflows.create(fields)));
    } catch (e) {
      throw this.clash(e, fields.name, fields.namespace);
    }
  }

  async save(w: WorkflowEntity): Promise<WorkflowEntity> {
    try {
      return await retryOnLockConflict(() => this.workflows.save(w));
    } catch (e) {
      throw this.clash(e, w.name, w.namespace);
    }
  }

  async delete(id: number): Promise<boolean> {
    const r = await retryOnLockConflict(() => this.workflows.delete({ id }));
    return (r.affected ?? 0) > 0;
  }

  /**
   * Moves a workflow's next due time from `expected` to `next`, unless someone changed it meanwhile
   * (an edit through the API, which then announces the change): the scheduler's bookkeeping, so
   * `updatedAt` stays as it is.
   */
  async advanceNextRun(id: number, expected: Date, next: Date | null): Promise<boolean> {
    const ds = this.workflows.manager.connection;
    const r = await this.workflows
      .createQueryBuilder()
      .update()
      .set({ nextRunAt: next, updatedAt: () => 'updated_at' })
      .where('id = :id AND next_run_at = :expected', { id, expected: dbTime(ds, expected) })
      .execute();
    return r.affected === 1;
  }

  private clash(e: unknown, name: string, namespace: string): unknown {
    if (isNamespaceGone(e)) return unknownNamespace(namespace);
    return isUniqueViolation(e) ? new DomainError('WorkflowNameTaken', `name: a workflow named '${name}' already exists${inNamespaceLabel(namespace)}`) : e;
  }
}
