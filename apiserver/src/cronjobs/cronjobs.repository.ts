import { inNamespaceLabel } from '@cronfleet/shared';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { DomainError, notFound } from '../common/errors';
import { dbTime, isNamespaceGone, isUniqueViolation, rawTimeMs, retryOnLockConflict } from '../database/columns';
import { unknownNamespace } from '../namespaces/namespaces.service';
import { insertAll, insertOne } from '../database/bulk-insert';
import { CronJobEntity } from './cronjob.entity';
import type { JobParam } from '@cronfleet/shared';
import { CronJobVersionEntity } from './versions/cronjob-version.entity';
import type { VersionDraft } from './versions/cronjob-history';

/** Cron job rows. A name clash surfaces as `CronJobNameTaken`, whichever writer won the race. */
@Injectable()
export class CronJobsRepository {
  private turns: Promise<unknown> = Promise.resolve();

  constructor(@InjectRepository(CronJobEntity) private readonly jobs: Repository<CronJobEntity>) {}

  findById(id: number): Promise<CronJobEntity | null> {
    return this.jobs.findOneBy({ id });
  }

  /** Id, name and triggers of every job of `namespace` that triggers others (its chain graph: triggers stay within a namespace). */
  withTriggers(namespace: string): Promise<Pick<CronJobEntity, 'id' | 'name' | 'triggers'>[]> {
    return this.jobs.createQueryBuilder('j').select(['j.id', 'j.name', 'j.triggers']).where('j.triggers IS NOT NULL AND j.namespace = :namespace', { namespace }).getMany();
  }

  /** Of these names, the jobs of `namespace` that have one, each with the params it declares. */
  async paramsByName(names: readonly string[], namespace: string): Promise<Map<string, JobParam[]>> {
    if (names.length === 0) return new Map();
    const rows = await this.jobs.find({ select: { name: true, params: true }, where: { name: In([...names]), namespace } });
    return new Map(rows.map((r) => [r.name, r.params ?? []]));
  }

  /** Of these job ids, the ones in `namespace`. */
  async idsIn(ids: readonly number[], namespace: string): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.jobs.find({ select: { id: true }, where: { id: In([...ids]), namespace } });
    return rows.map((r) => r.id);
  }

  list(q: { q?: string; enabled?: boolean; namespace?: string; limit?: number; cursor?: number } = {}): Promise<CronJobEntity[]> {
    const qb = this.jobs.createQueryBuilder('j').orderBy('j.id', 'ASC');
    if (q.namespace !== undefined) qb.andWhere('j.namespace = :namespace', { namespace: q.namespace });
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

  /**
   * Inserts a job and its first versions (`drafts`, numbered from 1) in one transaction, once
   * `room` (the namespace's quota check) passed: inside it on MySQL, where it locks the namespace's
   * row; on SQLite in the job writes' turn, just before it (see write).
   */
  async insertWithHistory(fields: Omit<CronJobEntity, 'id' | 'updatedAt' | 'version'>, drafts: readonly VersionDraft[], room?: (m: EntityManager) => Promise<void>): Promise<CronJobEntity> {
    return this.write({ id: null, name: fields.name, namespace: fields.namespace, room }, async (m) => {
      const job = await insertOne(m, CronJobEntity, { ...fields, version: drafts.length, updatedAt: fields.createdAt });
      await this.record(m, job.id, 0, drafts);
      return job;
    });
  }

  /**
   * Saves `next` and the versions `history` makes from the row as it is now, read (and on MySQL
   * locked) in the same transaction, so two changes of a job cannot both take the same number and
   * no change is stored without its version, nor a version without its change.
   */
  async saveWithHistory(next: CronJobEntity, history: (before: CronJobEntity) => VersionDraft[]): Promise<CronJobEntity> {
    const saved = await this.write({ id: next.id, name: next.name, namespace: next.namespace }, async (m) => {
      const before = await this.locked(m, next.id);
      if (!before) return null;
      const drafts = history(before);
      next.version = before.version + drafts.length;
      const row = await m.getRepository(CronJobEntity).save(next);
      await this.record(m, next.id, before.version, drafts);
      return row;
    });
    if (!saved) throw notFound('CronJob', next.id);
    return saved;
  }

  /** Deletes a job (its tasks go by the foreign key's cascade) after writing the versions `history` makes; false if there was none. */
  async deleteWithHistory(id: number, history: (before: CronJobEntity) => VersionDraft[]): Promise<boolean> {
    return this.write(null, async (m) => {
      const before = await this.locked(m, id);
      if (!before) return false;
      await this.record(m, id, before.version, history(before));
      await m.getRepository(CronJobEntity).delete({ id });
      return true;
    });
  }

  /**
   * One transaction, tried again when it lost a lock race; a name another job has is refused
   * before it starts. On SQLite TypeORM runs every query of the process on one connection, so
   * transactions at once share it: one that rolls back would take the dispatcher's writes of that
   * moment with it. There, job writes take turns (they are rare), the name is checked in the turn,
   * before the transaction, and nothing foreseeable throws inside it (a missing job is returned, not
   * thrown), so only a failing database rolls back. On MySQL a name race still ends in the unique
   * key, reported the same way.
   */
  private async write<T>(
    named: { id: number | null; name: string; namespace: string; room?: (m: EntityManager) => Promise<void> } | null,
    fn: (m: EntityManager) => Promise<T>,
  ): Promise<T> {
    const room = named?.room;
    const run = async () => {
      // On MySQL the unique key on (namespace, name) refuses a taken name inside the transaction (see clash).
      if (named && !this.mysql) await this.checkNameFree(named.id, named.name, named.namespace);
      if (room && !this.mysql) await room(this.jobs.manager);
      const body = room && this.mysql ? async (m: EntityManager) => (await room(m), fn(m)) : fn;
      return retryOnLockConflict(() => this.jobs.manager.transaction(body));
    };
    const turn = this.mysql ? run() : this.turns.catch(() => undefined).then(run);
    if (!this.mysql) this.turns = turn;
    try {
      return await turn;
    } catch (e) {
      throw named === null ? e : this.clash(e, named.name, named.namespace);
    }
  }

  private async checkNameFree(id: number | null, name: string, namespace: string): Promise<void> {
    const holder = await this.jobs.findOne({ select: { id: true }, where: { name, namespace } });
    if (holder && holder.id !== id) throw nameTaken(name, namespace);
  }

  private locked(m: EntityManager, id: number): Promise<CronJobEntity | null> {
    const qb = m.getRepository(CronJobEntity).createQueryBuilder('j').where('j.id = :id', { id });
    if (this.mysql) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  private async record(m: EntityManager, cronjobId: number, after: number, drafts: readonly VersionDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    await insertAll(m, CronJobVersionEntity, drafts.map((d, i) => ({ ...d, cronjobId, version: after + i + 1 })));
  }

  private get mysql(): boolean {
    return this.jobs.manager.connection.options.type === 'mysql';
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

  private clash(e: unknown, name: string, namespace: string): unknown {
    if (isNamespaceGone(e)) return unknownNamespace(namespace);
    return isUniqueViolation(e) ? nameTaken(name, namespace) : e;
  }
}

const nameTaken = (name: string, namespace: string) =>
  new DomainError('CronJobNameTaken', `name: a cron job named '${name}' already exists${inNamespaceLabel(namespace)}`);
