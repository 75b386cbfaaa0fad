import { Injectable } from '@nestjs/common';
import { notFound, DomainError } from '../common/errors';
import { validSpec } from '../common/runner-spec';
import { describeIssues, CreateTask, type CreateTaskBatch, CreateTaskSchema, ListTasksQuery, type TaskBatchItem, TaskView } from '@cronfleet/shared';
import { describeError } from '../common/http-exception.filter';
import type { Actor } from '@cronfleet/shared';
import { createNamespace } from '../auth/namespace-scope';
import { toTaskView } from './task.view';
import { NOT_MADE, TaskLifecycle } from './lifecycle/task-lifecycle';
import type { TaskEntity } from './task.entity';
import { type NewTask, TasksRepository } from './tasks.repository';

/** The REST face of tasks: history, output, one-shot tasks, cancel and retry (changes go through TaskLifecycle). */
@Injectable()
export class TasksService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly lifecycle: TaskLifecycle,
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
    const { task, created } = await this.lifecycle.submitOneShot(oneShot(dto, namespace));
    return { taskId: task.id, created };
  }

  /**
   * `POST /tasks/batch`: each item checked and made on its own, answered in order with its task or
   * its error (naming the field as `tasks.<i>.<field>`); `atomic`: the first refusal refuses all
   * (thrown, the status of that refusal), and none is made.
   */
  async createBatch(batch: CreateTaskBatch, actor: Actor | undefined): Promise<{ items: TaskBatchItem[] }> {
    const items: (TaskBatchItem | null)[] = [];
    const rows: NewTask[] = [];
    const at: number[] = [];
    batch.tasks.forEach((raw, i) => {
      try {
        const parsed = CreateTaskSchema.safeParse(raw ?? {});
        if (!parsed.success) throw new DomainError('ValidationFailed', describeIssues(parsed.error, 'task'));
        rows.push(oneShot(parsed.data, createNamespace(actor, parsed.data.namespace)));
        at.push(i);
        items.push(null);
      } catch (e) {
        if (batch.atomic) throw itemError(e, i);
        items.push(itemAnswer(e, i));
      }
    });
    const settled = await this.lifecycle.submitMany(rows, batch.atomic);
    if (batch.atomic) {
      const k = settled.findIndex((s) => !s.ok && s.error !== NOT_MADE);
      if (k >= 0) throw itemError((settled[k] as { error: unknown }).error, at[k]);
    }
    settled.forEach((s, k) => {
      items[at[k]] = s.ok ? { taskId: s.value.task.id, created: s.value.created } : itemAnswer(s.error, at[k]);
    });
    return { items: items as TaskBatchItem[] };
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

/** The task row of a one-shot task (POST /tasks, an item of POST /tasks/batch); its spec checked for its runner (400 naming the field). */
function oneShot(dto: CreateTask, namespace: string): NewTask {
  const spec = validSpec(dto.runner, dto.spec);
  const at = dto.runAt !== undefined ? Date.parse(dto.runAt) : Date.now() + (dto.delaySeconds ?? 0) * 1000;
  return {
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
  };
}

/** An item's error with its fields named from the batch: `spec.command: …` → `tasks.3.spec.command: …`. */
function itemError(e: unknown, i: number): unknown {
  if (!(e instanceof DomainError)) return e;
  // Each `field: problem` of the message (describeIssues joins them with '; ').
  return new DomainError(e.code, e.message.replace(/(^|; )([\w.]+): /g, (_, sep: string, field: string) => `${sep}tasks.${i}${field === 'task' ? '' : `.${field}`}: `));
}

/** The answer of an item that was refused: code, message and the first field it names. */
function itemAnswer(e: unknown, i: number): TaskBatchItem {
  const d = describeError(itemError(e, i));
  const field = /^([\w.-]+): /.exec(d.message)?.[1] ?? null;
  return { error: { code: d.code, message: d.message, field } };
}
