import { Injectable } from '@nestjs/common';
import { describeIssues, RunnerName, RunnerSpecSchemas } from '@cronfleet/shared';
import { z } from 'zod';
import { DomainError, notFound } from '../common/errors';
import { nextRunAtMs, parseSchedule, Schedule } from '../dispatcher/core/schedule';
import { ClusterEvents } from '../events/cluster-events';
import { TasksRepository } from '../tasks/tasks.repository';
import { CronJobEntity } from './cronjob.entity';
import { CronJobsRepository } from './cronjobs.repository';
import { CreateCronJob, CronJobView, toCronJobView, UpdateCronJob } from './dto/cronjob.dto';

/** Parses a job's schedule, turning the core's InvalidScheduleError into a 400 that names the field. */
export function scheduleOf(job: Pick<CronJobEntity, 'schedule' | 'timezone'>): Schedule {
  try {
    return parseSchedule(job.schedule, job.timezone);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === 'InvalidSchedule') throw new DomainError('InvalidSchedule', err.message ?? 'invalid schedule');
    throw e;
  }
}

/** The next due time of a job after `afterMs`; `@every` schedules run on a grid anchored at creation. */
export function nextRunOf(job: Pick<CronJobEntity, 'schedule' | 'timezone' | 'createdAt'>, afterMs: number, schedule = scheduleOf(job)): Date | null {
  const next = nextRunAtMs(schedule, afterMs, job.createdAt.getTime());
  return next === null ? null : new Date(next);
}

function validSpec(runner: RunnerName, spec: unknown): Record<string, unknown> {
  const r = RunnerSpecSchemas[runner].safeParse(spec);
  if (!r.success) {
    const prefixed = r.error.issues.map((i) => ({ ...i, path: ['spec', ...i.path] }));
    throw new DomainError('ValidationFailed', describeIssues(new z.ZodError(prefixed), 'spec'));
  }
  return r.data as Record<string, unknown>;
}

@Injectable()
export class CronJobsService {
  constructor(
    private readonly repo: CronJobsRepository,
    private readonly tasks: TasksRepository,
    private readonly events: ClusterEvents,
  ) {}

  async create(dto: CreateCronJob): Promise<CronJobView> {
    const spec = validSpec(dto.runner, dto.spec);
    const schedule = scheduleOf(dto);
    const now = new Date();
    const job = await this.repo.insert({
      ...dto,
      spec,
      createdAt: now,
      nextRunAt: dto.enabled ? nextRunOf({ ...dto, createdAt: now }, now.getTime(), schedule) : null,
    });
    await this.events.publish({ type: 'cronjob.changed', id: job.id });
    return toCronJobView(job);
  }

  async list(): Promise<{ items: CronJobView[] }> {
    return { items: (await this.repo.list()).map(toCronJobView) };
  }

  async get(id: number): Promise<CronJobView> {
    return toCronJobView(await this.load(id));
  }

  async update(id: number, dto: UpdateCronJob): Promise<CronJobView> {
    const job = await this.load(id);
    if (dto.runner !== undefined && dto.runner !== job.runner && dto.spec === undefined) {
      throw new DomainError('ValidationFailed', `spec: required when runner changes to '${dto.runner}'`);
    }
    const next: CronJobEntity = { ...job, ...stripUndefined(dto) } as CronJobEntity;
    if (dto.spec !== undefined) next.spec = validSpec(next.runner as RunnerName, dto.spec);
    const schedule = scheduleOf(next);
    next.nextRunAt = next.enabled ? nextRunOf(next, Date.now(), schedule) : null;
    const saved = await this.repo.save(next);
    await this.events.publish({ type: 'cronjob.changed', id });
    return toCronJobView(saved);
  }

  async remove(id: number): Promise<void> {
    if (!(await this.repo.delete(id))) throw notFound('CronJob', id);
    await this.events.publish({ type: 'cronjob.deleted', id });
  }

  /** Runs a job now, outside its schedule (also when it is disabled). */
  async runNow(id: number): Promise<{ taskId: number }> {
    const job = await this.load(id);
    const task = await this.tasks.createOne({
      cronjobId: job.id,
      cronjobName: job.name,
      scheduledAt: new Date(),
      trigger: 'manual',
      runner: job.runner,
      spec: job.spec,
      timeoutSeconds: job.timeoutSeconds,
    });
    await this.events.publish({ type: 'task.pending', id: task.id });
    return { taskId: task.id };
  }

  private async load(id: number): Promise<CronJobEntity> {
    const job = await this.repo.findById(id);
    if (!job) throw notFound('CronJob', id);
    return job;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
