import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { isNamespaceInUse, isUniqueViolation, retryOnLockConflict } from '../database/columns';
import { DomainError } from '../common/errors';
import type { NamespaceUsage } from '@cronfleet/shared';
import { NamespaceEntity } from './namespace.entity';

/**
 * Live tasks that hold a worker's slot: running, or claimed for a worker and not yet started. The
 * IN comes first so the planner takes the (status) index's range over the few live rows, never a
 * scan of the history (this runs at every /metrics scrape).
 */
const HOLDS_A_SLOT = "t.status IN ('pending', 'running') AND (t.status = 'running' OR t.worker_id IS NOT NULL)";

/** Namespace rows, and the counts their quotas and usage figures are made of. */
@Injectable()
export class NamespacesRepository {
  constructor(@InjectRepository(NamespaceEntity) private readonly namespaces: Repository<NamespaceEntity>) {}

  find(name: string): Promise<NamespaceEntity | null> {
    return this.namespaces.findOneBy({ name });
  }

  list(): Promise<NamespaceEntity[]> {
    return this.namespaces.find({ order: { name: 'ASC' } });
  }

  async insert(fields: Pick<NamespaceEntity, 'name' | 'description' | 'maxJobs' | 'maxConcurrentTasks'>): Promise<NamespaceEntity> {
    try {
      // insert, not save: save() of an existing primary key would overwrite that namespace.
      await this.namespaces.insert(fields);
      return (await this.find(fields.name))!;
    } catch (e) {
      if (isUniqueViolation(e)) throw new DomainError('NamespaceExists', `name: namespace '${fields.name}' already exists`);
      throw e;
    }
  }

  save(n: NamespaceEntity): Promise<NamespaceEntity> {
    return this.namespaces.save(n);
  }

  /** Quotas of running tasks, for the dispatcher: namespace → maxConcurrentTasks, for those that have one. */
  async concurrencyLimits(): Promise<Map<string, number>> {
    const rows = await this.namespaces.createQueryBuilder('n').select(['n.name', 'n.maxConcurrentTasks']).where('n.max_concurrent_tasks IS NOT NULL').getMany();
    return new Map(rows.map((r) => [r.name, r.maxConcurrentTasks!]));
  }

  /** Jobs, workflows and slot-holding tasks per namespace (all namespaces, or just `only`). */
  async usage(only?: string): Promise<Map<string, NamespaceUsage>> {
    const m = this.namespaces.manager;
    const where = only === undefined ? '' : ' WHERE t.namespace = ?';
    const params = only === undefined ? [] : [only];
    const [jobs, workflows, running] = await Promise.all([
      m.query(`SELECT t.namespace AS ns, COUNT(*) AS n FROM cronjobs t${where} GROUP BY t.namespace`, params),
      m.query(`SELECT t.namespace AS ns, COUNT(*) AS n FROM workflows t${where} GROUP BY t.namespace`, params),
      m.query(`SELECT t.namespace AS ns, COUNT(*) AS n FROM tasks t WHERE ${HOLDS_A_SLOT}${only === undefined ? '' : ' AND t.namespace = ?'} GROUP BY t.namespace`, params),
    ]);
    const out = new Map<string, NamespaceUsage>();
    const at = (ns: string) => {
      let u = out.get(ns);
      if (!u) out.set(ns, (u = { jobs: 0, workflows: 0, runningTasks: 0 }));
      return u;
    };
    for (const r of jobs as { ns: string; n: number | string }[]) at(r.ns).jobs = Number(r.n);
    for (const r of workflows as { ns: string; n: number | string }[]) at(r.ns).workflows = Number(r.n);
    for (const r of running as { ns: string; n: number | string }[]) at(r.ns).runningTasks = Number(r.n);
    return out;
  }

  /** What still lives in a namespace, as phrases ("2 cron jobs"); empty when it can be deleted. */
  async contents(name: string, m: EntityManager = this.namespaces.manager): Promise<string[]> {
    const count = async (sql: string) => Number(((await m.query(sql, [name])) as { n: number | string }[])[0].n);
    // One after the other: inside a transaction they share its one connection.
    const jobs = await count('SELECT COUNT(*) AS n FROM cronjobs WHERE namespace = ?');
    const workflows = await count('SELECT COUNT(*) AS n FROM workflows WHERE namespace = ?');
    const tokens = await count('SELECT COUNT(*) AS n FROM api_tokens WHERE namespace = ? AND revoked_at IS NULL');
    const workers = await count("SELECT COUNT(*) AS n FROM workers WHERE namespace = ? AND status <> 'offline'");
    const live = await count("SELECT COUNT(*) AS n FROM tasks WHERE namespace = ? AND status IN ('pending', 'running')");
    const parts: string[] = [];
    const say = (n: number, one: string, many: string) => n > 0 && parts.push(`${n} ${n === 1 ? one : many}`);
    say(jobs, 'cron job', 'cron jobs');
    say(workflows, 'workflow', 'workflows');
    say(tokens, 'live API token', 'live API tokens');
    say(workers, 'worker serving it', 'workers serving it');
    say(live, 'unfinished task', 'unfinished tasks');
    return parts;
  }

  /**
   * Deletes the namespace, when it holds nothing, and what is left of it: finished one-shot tasks,
   * and revoked tokens and offline workers that named it (they could not be used again anyway).
   * Returns what it still holds (nothing: deleted), or null when there is no such namespace.
   *
   * The row is locked (MySQL) before its contents are counted, and a cron job or workflow written
   * into it meanwhile makes the final DELETE fail (a foreign key on MySQL, a trigger on SQLite):
   * a create racing the delete either fails or makes the delete answer 409, never an orphan.
   */
  async deleteIfEmpty(name: string): Promise<string[] | null> {
    try {
      return await retryOnLockConflict(() =>
        this.namespaces.manager.transaction(async (m) => {
          const lock = m.connection.options.type === 'mysql' ? ' FOR UPDATE' : '';
          if (((await m.query(`SELECT name FROM namespaces WHERE name = ?${lock}`, [name])) as unknown[]).length === 0) return null;
          const left = await this.contents(name, m);
          if (left.length > 0) return left;
          await m.query('DELETE FROM tasks WHERE namespace = ?', [name]);
          await m.query('DELETE FROM api_tokens WHERE namespace = ?', [name]);
          await m.query('DELETE FROM workers WHERE namespace = ?', [name]);
          await m.query('DELETE FROM namespaces WHERE name = ?', [name]);
          return [];
        }),
      );
    } catch (e) {
      if (!isNamespaceInUse(e)) throw e;
      const left = await this.contents(name);
      return left.length > 0 ? left : ['cron jobs or workflows created while it was being deleted'];
    }
  }

  /**
   * The cron jobs in `name`, counted inside a job's insert transaction when it has a `maxJobs`; on
   * MySQL the namespace row is then locked first, so two inserts racing for the last place cannot
   * both see room. Without a quota nothing is locked or counted: job creates do not queue on it.
   */
  async jobsIn(m: EntityManager, name: string): Promise<{ maxJobs: number | null; jobs: number } | null> {
    const repo = m.getRepository(NamespaceEntity);
    const plain = (await m.query('SELECT max_jobs AS maxJobs FROM namespaces WHERE name = ?', [name])) as { maxJobs: number | string | null }[];
    if (plain.length === 0) return null;
    if (plain[0].maxJobs === null) return { maxJobs: null, jobs: 0 };
    const qb = repo.createQueryBuilder('n').where('n.name = :name', { name });
    if (m.connection.options.type === 'mysql') qb.setLock('pessimistic_write');
    const ns = await qb.getOne();
    if (!ns) return null;
    const rows = (await m.query('SELECT COUNT(*) AS n FROM cronjobs WHERE namespace = ?', [name])) as { n: number | string }[];
    return { maxJobs: ns.maxJobs, jobs: Number(rows[0].n) };
  }
}
