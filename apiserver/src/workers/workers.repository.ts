import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { WorkerHello } from '@cronfleet/shared';
import { Repository } from 'typeorm';
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

  /** Creates or refreshes the worker named in a hello and marks it online. */
  async register(hello: WorkerHello, now: Date): Promise<WorkerEntity> {
    const fields = {
      hostname: hello.hostname,
      version: hello.version,
      capacity: hello.capacity,
      labels: hello.labels,
      runners: hello.runners,
      status: 'online' as const,
      lastHeartbeatAt: now,
    };
    const existing = await this.findByName(hello.name);
    if (existing) {
      await this.workers.update({ id: existing.id }, fields);
      return { ...existing, ...fields };
    }
    return this.workers.save(this.workers.create({ name: hello.name, ...fields }));
  }

  async heartbeat(id: number, now: Date): Promise<void> {
    await this.workers.update({ id }, { lastHeartbeatAt: now, status: 'online' });
  }

  async markOffline(id: number): Promise<void> {
    await this.workers.update({ id }, { status: 'offline' });
  }

  list(): Promise<WorkerEntity[]> {
    return this.workers.find({ order: { name: 'ASC' } });
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
