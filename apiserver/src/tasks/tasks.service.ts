import { Injectable } from '@nestjs/common';
import { notFound } from '../common/errors';
import { validSpec } from '../common/runner-spec';
import { NamespacesService } from '../namespaces/namespaces.service';
import { CreateTask, ListTasksQuery, toTaskView, TaskView } from './dto/task.dto';
import { TaskLifecycle } from './lifecycle/task-lifecycle';
import type { TaskEntity } from './task.entity';
import { TasksRepository } from './tasks.repository';

/** The REST face of tasks: history, output, one-shot tasks, cancel and retry (changes go through TaskLifecycle). */
@Injectable()
export class TasksService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly lifecycle: TaskLifecycle,
    private readonly namespaces: NamespacesService,
  ) {}

  async get(id: number): Promise<TaskView> {
    return toTaskView(await this.load(id));
  }

  async list(q: ListTasksQuery): Promise<{ items: TaskView[]; nextCursor: string | null }> {
    const rows = await this.repo.list({
      cronjobId: q.cronjobId,
      status: q.status,
      workerId: q.workerId,
      namespace: q.namespace,
      since: q.since === undefined ? undefined : new Date(q.since),
      until: q.until === undefined ? undefined : new Date(q.until),
      beforeId: q.cursor,
      limit: q.limit,
    });
    const nextCursor = rows.length === q.limit ? String(rows[rows.length - 1].id) : null;
    return { items: rows.map(toTaskView), nextCursor };
  }

  async readOutput(id: number): Promise<string> {
    await this.load(id);
    return this.repo.readOutput(id);
  }

  /** A one-shot task of `namespace` (checked against the caller's scope), now or later; idempotent by key. */
  async create(dto: CreateTask, namespace: string): Promise<{ taskId: number; created: boolean }> {
    await this.namespaces.assertExists(namespace);
    const spec = validSpec(dto.runner, dto.spec);
    const at = dto.runAt !== undefined ? Date.parse(dto.runAt) : Date.now() + (dto.delaySeconds ?? 0) * 1000;
    const { task, created } = await this.lifecycle.submit(
      {
        cronjobId: null,
        cronjobName: null,
        namespace,
        scheduledAt: new Date(at),
        runAt: new Date(at),
        trigger: 'api',
        runner: dto.runner,
        spec,
        timeoutSeconds: dto.timeoutSeconds,
        retry: dto.retry,
        priority: dto.priority,
        idempotencyKey: dto.idempotencyKey ?? null,
      },
      'api',
    );
    return { taskId: task.id, created };
  }

  /** `DELETE /tasks/:id`: a task that has not reached a worker. */
  cancel(id: number): Promise<void> {
    return this.lifecycle.cancel(id);
  }

  /** `POST /tasks/:id/retry`: the attempt after its run's latest one (409 while one is live or exists). */
  retry(id: number): Promise<{ taskId: number }> {
    return this.lifecycle.retry(id);
  }

  private async load(id: number): Promise<TaskEntity> {
    const t = await this.repo.findById(id);
    if (!t) throw notFound('Task', id);
    return t;
  }
}
