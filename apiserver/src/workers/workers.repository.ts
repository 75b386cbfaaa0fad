import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { WorkerHello, WorkerStats } from '@cronfleet/shared';
import { In, IsNull, Not, Repository } from 'typeorm';
import { dbTime, isUniqueViolation } from '../database/columns';
import { TaskEntity } from '../tasks/task.entity';
import { WorkerEntity } from './worker.entity';

/** Worker rows: registration on hello, enrolment, heartbeats, online/offline. */
@Injectable()
export class WorkersRepository {
  constructor(
    @InjectRepository(WorkerEntity) private readonly workers: Repository<WorkerEntity>,
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
  ) {}

  findByName(name: string): Promise<WorkerEntity | null> {
    return this.workers.findOneBy({ name });
  }

  findById(id: number): Promise<WorkerEntity | null> {
    return this.workers.findOneBy({ id });
  }

  /**
   * Writes the row of an admitted hello and marks the worker online on `instanceId`: creates it (a new
   * name) or refreshes it, only if its enrolment is still what the admission saw in `seen` (so a
   * revoke, a re-enrolment or another process's enrolment in between wins). With `credentialHash`
   * the name is enrolled with that credential. Null when the row changed meanwhile.
   */
  async register(hello: WorkerHello, instanceId: string, now: Date, seen: WorkerEntity | null, credentialHash: string | null): Promise<WorkerEntity | null> {
    const fields = {
      hostname: hello.hostname,
      version: hello.version,
      capacity: hello.capacity,
      labels: hello.labels,
      runners: hello.runners,
      namespace: hello.namespace ?? null,
      status: 'online' as const,
      instanceId,
      shuttingDown: hello.draining,
      lastHeartbeatAt: now,
      sessionId: hello.sessionId ?? null,
      ...(credentialHash !== null ? { enrolment: 'enrolled' as const, credentialHash, enrolledAt: now, revokedAt: null } : {}),
    };
    if (seen === null) {
      try {
        return await this.workers.save(this.workers.create({ name: hello.name, enrolment: 'open', credentialHash: null, enrolledAt: null, revokedAt: null, ...fields }));
      } catch (e) {
        if (isUniqueViolation(e)) return null;
        throw e;
      }
    }
    const res = await this.workers.update({ id: seen.id, enrolment: seen.enrolment, credentialHash: seen.credentialHash ?? IsNull() }, fields);
    return res.affected === 1 ? { ...seen, ...fields } : null;
  }

  /** Revokes its credential: later hellos are refused. False when it was revoked already. */
  async revoke(id: number, now: Date): Promise<boolean> {
    const res = await this.workers.update({ id, enrolment: Not('revoked') }, { enrolment: 'revoked', credentialHash: null, revokedAt: now });
    return res.affected === 1;
  }

  /**
   * Opens its enrolment: the next hello of a worker that keeps credentials is issued a fresh one,
   * and the old credential stops working. Only while it is not online (checked in the same write).
   * False when its enrolment was open already or it is online.
   */
  async reopenEnrolment(id: number): Promise<boolean> {
    const res = await this.workers.update({ id, enrolment: Not('open'), status: Not('online') }, { enrolment: 'open', credentialHash: null, enrolledAt: null, revokedAt: null });
    return res.affected === 1;
  }

  async heartbeat(id: number, beat: { at: Date; shuttingDown: boolean; stats: WorkerStats | null }): Promise<void> {
    await this.workers.update({ id }, { lastHeartbeatAt: beat.at, shuttingDown: beat.shuttingDown, ...(beat.stats ? { stats: beat.stats } : {}) });
  }

  /** Its connection to `instanceId` dropped (unless it has said hello elsewhere since). */
  async markUnreachable(id: number, instanceId: string): Promise<void> {
    await this.workers.update({ id, instanceId }, { status: 'unreachable', instanceId: null });
  }

  /**
   * Declares a worker offline if its last heartbeat is still `lastHeartbeatAt` (compare-and-set, so a
   * worker that said hello meanwhile stays). True if this call declared it. A worker that was shutting
   * down has finished doing so (a cleanly stopped worker stayed `offline` and `draining`); an
   * operator's drain stays.
   */
  async markOffline(id: number, lastHeartbeatAt: Date | null): Promise<boolean> {
    const qb = this.workers.createQueryBuilder().update().set({ status: 'offline', instanceId: null, shuttingDown: false }).where("id = :id AND status <> 'offline'", { id });
    if (lastHeartbeatAt === null) qb.andWhere('last_heartbeat_at IS NULL');
    else qb.andWhere('last_heartbeat_at = :at', { at: dbTime(this.workers.manager.connection, lastHeartbeatAt) });
    return (await qb.execute()).affected === 1;
  }

  async setDrained(id: number, drained: boolean): Promise<boolean> {
    return ((await this.workers.update({ id }, { drained })).affected ?? 0) === 1;
  }

  async remove(id: number): Promise<void> {
    await this.workers.delete({ id });
  }

  /** Workers not offline: the ones the leader watches and may send tasks to. */
  notOffline(): Promise<WorkerEntity[]> {
    return this.workers.find({ where: { status: Not('offline') } });
  }

  list(): Promise<WorkerEntity[]> {
    return this.workers.find({ order: { name: 'ASC' } });
  }

  /** A worker's live tasks (sent to it or running), oldest first. */
  liveTasks(id: number): Promise<TaskEntity[]> {
    return this.tasks.find({ where: { workerId: id, status: In(['pending', 'running']) }, order: { id: 'ASC' }, take: 1000 });
  }

  /** Running tasks per worker, counted from the tasks table so every instance answers the same. */
  async runningCounts(): Promise<Map<number, number>> {
    const rows = await this.tasks
      .createQueryBuilder('t')
      .select('t.worker_id', 'workerId')
      .addSelect('COUNT(*)', 'n')
      .where("t.status = 'running'")
      .andWhere('t.worker_id IS NOT NULL')
      .groupBy('t.worker_id')
      .getRawMany<{ workerId: number | string; n: number | string }>();
    return new Map(rows.map((r) => [Number(r.workerId), Number(r.n)]));
  }
}
