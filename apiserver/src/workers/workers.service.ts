import { Injectable } from '@nestjs/common';
import type { WorkerStatus } from './worker.entity';
import { WorkersRepository } from './workers.repository';

export interface WorkerView {
  id: number;
  name: string;
  hostname: string;
  version: string;
  status: WorkerStatus;
  capacity: number;
  running: number;
  labels: Record<string, string>;
  runners: string[];
  lastHeartbeatAt: string | null;
}

@Injectable()
export class WorkersService {
  constructor(private readonly repo: WorkersRepository) {}

  async list(): Promise<WorkerView[]> {
    const [workers, running] = await Promise.all([this.repo.list(), this.repo.runningCounts()]);
    return workers.map((w) => ({
      id: w.id,
      name: w.name,
      hostname: w.hostname,
      version: w.version,
      status: w.status,
      capacity: w.capacity,
      running: running.get(w.id) ?? 0,
      labels: w.labels,
      runners: w.runners,
      lastHeartbeatAt: w.lastHeartbeatAt ? w.lastHeartbeatAt.toISOString() : null,
    }));
  }
}
