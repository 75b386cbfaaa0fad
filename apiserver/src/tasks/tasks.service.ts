import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { TaskOutput, TaskUpdate } from '@cronfleet/shared';
import { FINAL_TASK_STATUSES } from '@cronfleet/shared';
import { DomainError, notFound } from '../common/errors';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG } from '../config/tokens';
import { ClusterEvents } from '../events/cluster-events';
import { TaskReportHandler, WorkersRegistry } from '../workers/workers.registry';
import { ListTasksQuery, toTaskView, TaskView } from './dto/task.dto';
import { TasksRepository } from './tasks.repository';

/** Task history, what workers report about tasks, and killing them. */
@Injectable()
export class TasksService implements TaskReportHandler, OnModuleInit {
  private readonly logger = new Logger('tasks');
  /** Bytes of output stored per live task on this instance, to enforce the cap without re-reading. */
  private readonly outputBytes = new Map<number, number>();

  constructor(
    private readonly repo: TasksRepository,
    private readonly registry: WorkersRegistry,
    private readonly events: ClusterEvents,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  onModuleInit(): void {
    this.registry.setReportHandler(this);
  }

  async get(id: number): Promise<TaskView> {
    const t = await this.repo.findById(id);
    if (!t) throw notFound('Task', id);
    return toTaskView(t);
  }

  async list(q: ListTasksQuery): Promise<{ items: TaskView[]; nextCursor: string | null }> {
    const rows = await this.repo.list({ cronjobId: q.cronjobId, status: q.status, beforeId: q.cursor, limit: q.limit });
    const nextCursor = rows.length === q.limit ? String(rows[rows.length - 1].id) : null;
    return { items: rows.map(toTaskView), nextCursor };
  }

  async readOutput(id: number): Promise<string> {
    if (!(await this.repo.findById(id))) throw notFound('Task', id);
    return this.repo.readOutput(id);
  }

  /**
   * Kills a task: a pending one is ended here; a running one is killed by its worker (whole process
   * group), which then reports it `killed`.
   */
  async kill(id: number): Promise<void> {
    const t = await this.repo.findById(id);
    if (!t) throw notFound('Task', id);
    if (FINAL_TASK_STATUSES.includes(t.status)) throw new DomainError('TaskNotRunning', `task ${id} has already finished (${t.status})`);
    if (t.workerId === null) {
      const error = { code: 'Killed', message: 'killed before it started', retryable: false };
      if (await this.repo.finish(id, null, { status: 'killed', at: new Date(), error })) {
        await this.events.publish({ type: 'task.cancelled', id });
        return;
      }
      return this.kill(id); // it was given to a worker meanwhile: kill it there
    }
    const ack = await this.registry.sendKill(t.workerId, id, 'killed through the API');
    if (ack === null) {
      throw new DomainError('WorkerUnavailable', `worker ${t.workerId} running task ${id} is not connected to this server or did not confirm the kill`);
    }
    if (!ack.found) {
      // The worker does not run it (it finished a moment ago, or was lost): settle the record.
      await this.repo.markLost(t.workerId, [], new Date()).catch(() => undefined);
    }
  }

  async update(workerId: number, msg: TaskUpdate): Promise<boolean> {
    const at = new Date(msg.atMs);
    if (msg.status === 'running') {
      await this.repo.markRunning(msg.taskId, workerId, at);
      return true;
    }
    const done = await this.repo.finish(msg.taskId, workerId, {
      status: msg.status,
      at,
      exitCode: msg.exitCode,
      signal: msg.signal,
      error: msg.error,
    });
    if (!done) this.logger.debug?.(`task ${msg.taskId}: final report from worker ${workerId} ignored (not live on it)`);
    this.outputBytes.delete(msg.taskId);
    this.registry.release(workerId, msg.taskId);
    return true;
  }

  async reconcile(workerId: number, stillRunning: readonly number[]): Promise<void> {
    const lost = await this.repo.markLost(workerId, stillRunning, new Date());
    for (const id of lost) {
      this.registry.release(workerId, id);
      this.logger.warn(`task ${id} lost: worker ${workerId} no longer runs it`);
    }
  }

  async output(_workerId: number, msg: TaskOutput): Promise<void> {
    const used = this.outputBytes.get(msg.taskId) ?? 0;
    const cap = this.config.maxOutputBytes;
    if (used >= cap) return;
    const size = Buffer.byteLength(msg.data);
    let data = msg.data;
    if (used + size > cap) {
      data = Buffer.from(msg.data).subarray(0, cap - used).toString() + `\n[cronfleet: output truncated at ${cap} bytes]\n`;
    }
    this.outputBytes.set(msg.taskId, used + size);
    await this.repo.appendOutput(msg.taskId, msg.seq, data);
  }
}
