import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { WorkerHello, WorkerStats } from '@cronfleet/shared';
import { In, Not, Repository } from 'typeorm';
import { dbTime } from '../database/columns';
import { TaskEntity } from '../tasks/task.entity';
import { WorkerEntity } from './worker.entity';

/** Worker rows: registration on hello, heartbeats, online/offline. */
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

  /** Creates or refreshes the worker named in a hello and marks it online on `instanceId`. */
  async register(hello: WorkerHello, instanceId: string, now: Date): Promise<WorkerEntity> {
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
    };
    const existing = await this.findByName(hello.name);
    if (existing) {
      await this.workers.update({ id: existing.id }, fields);
      return { ...existing, ...fields };
    }
    return this.workers.save(this.workers.create({ name: hello.name, ...fields }));
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
   * worker that said hello meanwhile stays). True if this call declared it.
   */
  async markOffline(id: number, lastHeartbeatAt: Date | null): Promise<boolean> {
    const qb = this.workers.createQueryBuilder().update().set({ status: 'offline', instanceId: null }).where("id = :id AND status <> 'offline'", { id });
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
