import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { RunnerWithSpec, TaskRun } from '@cronfleet/shared';
import { coerceError } from '@cronfleet/shared';
import { CronJobEntity } from '../cronjobs/cronjob.entity';
import { CronJobsRepository } from '../cronjobs/cronjobs.repository';
import { ClusterEvent, ClusterEvents } from '../events/cluster-events';
import { TaskEntity } from '../tasks/task.entity';
import { NewTask, TasksRepository } from '../tasks/tasks.repository';
import { WorkersRegistry } from '../workers/workers.registry';
import { QuaternaryHeap } from './core/heap';
import { nextRunAtMs, parseSchedule, Schedule } from './core/schedule';
import { pickWorker } from './core/worker-choice';
import { LeaderLease } from './lease/leader-lease';

/** setTimeout's limit is 2^31-1 ms (~24.8 days); longer waits are taken in chunks. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A worker that refused a task gets it offered again after this pause, not in a hot loop. */
const REQUEUE_DELAY_MS = 1000;

interface ScheduledJob {
  job: CronJobEntity;
  schedule: Schedule;
}

/**
 * Creates a task for every due time of every enabled cron job and hands pending tasks to workers.
 *
 * Runs only while this instance holds the leader lease. States: standby (empty heap, no timer) →
 * leader (jobs loaded into a 4-ary heap keyed by next due time, one timer armed for the top) →
 * standby again on losing the lease. Every change of state (ticks, job changes, lease changes,
 * worker capacity) runs through one serial chain, so the heap and the queue are never touched by
 * two operations at once and nothing needs polling.
 *
 * Exactly one task per due time: the tasks table has a unique key on (cronjob, due time, attempt),
 * and a task goes to a worker only through a conditional UPDATE, so a racing second dispatcher can
 * neither duplicate a task nor send it twice. Due times missed while no leader ran (or while this one
 * was stalled) collapse into one run at the oldest missed time, then the schedule continues from now.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('dispatcher');
  private readonly heap = new QuaternaryHeap<number>();
  private readonly jobs = new Map<number, ScheduledJob>();
  /** Tasks waiting for a worker, oldest first (Map keeps insertion order). */
  private readonly queue = new Map<number, TaskEntity>();
  private timer: NodeJS.Timeout | null = null;
  private serial: Promise<void> = Promise.resolve();
  private active = false;
  private drainQueued = false;
  private unsubscribe: (() => void) | null = null;
  private readonly requeueTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly lease: LeaderLease,
    private readonly events: ClusterEvents,
    private readonly cronjobs: CronJobsRepository,
    private readonly tasks: TasksRepository,
    private readonly registry: WorkersRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.lease.on('acquired', () => this.enqueue('take over', () => this.becomeLeader()));
    this.lease.on('lost', () => this.enqueue('step down', async () => this.reset()));
    this.unsubscribe = this.events.subscribe((e) => this.enqueue(e.type, () => this.onEvent(e)));
    this.registry.on('capacity', () => this.requestDrain());
    this.lease.start();
  }

  /** Leader or not, jobs in the heap, and the next due time; for health and status pages. */
  status(): { leader: boolean; heapSize: number; pending: number; nextDueAt: string | null } {
    const next = this.heap.peekKey();
    return { leader: this.active, heapSize: this.heap.size, pending: this.queue.size, nextDueAt: next === undefined ? null : new Date(next).toISOString() };
  }

  /** Runs `fn` after everything queued before it; logs and survives its failure. */
  private enqueue(what: string, fn: () => Promise<void>): void {
    this.serial = this.serial.then(fn).catch((e: unknown) => this.logger.error(`${what}: ${coerceError(e).message}`));
  }

  private requestDrain(): void {
    if (this.drainQueued || !this.active) return;
    this.drainQueued = true;
    this.enqueue('dispatch', async () => {
      this.drainQueued = false;
      await this.drain();
    });
  }

  private async becomeLeader(): Promise<void> {
    this.reset();
    const started = Date.now();
    const rows = await this.cronjobs.enabled();
    const ids: number[] = [];
    const keys: number[] = [];
    for (const job of rows) {
      const loaded = this.prepare(job, started);
      if (!loaded) continue;
      this.jobs.set(job.id, loaded.entry);
      ids.push(job.id);
      keys.push(loaded.dueMs);
    }
    this.heap.load(ids, keys);
    for (const t of await this.tasks.unassigned()) this.queue.set(t.id, t);
    this.active = true;
    this.logger.log(`leading: ${this.heap.size} job(s) scheduled, ${this.queue.size} task(s) pending, loaded in ${Date.now() - started} ms`);
    this.arm();
    await this.drain();
  }

  /** The job's entry and first due time: its stored next run (even if missed: it runs once), or the next after now. */
  private prepare(job: CronJobEntity, nowMs: number): { entry: ScheduledJob; dueMs: number } | null {
    let schedule: Schedule;
    try {
      schedule = parseSchedule(job.schedule, job.timezone);
    } catch (e) {
      this.logger.warn(`cron job ${job.id} '${job.name}' not scheduled: ${coerceError(e).message}`);
      return null;
    }
    const dueMs = job.nextRunAt?.getTime() ?? nextRunAtMs(schedule, nowMs, job.createdAt.getTime());
    return dueMs === null ? null : { entry: { job, schedule }, dueMs };
  }

  private reset(): void {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const t of this.requeueTimers) clearTimeout(t);
    this.requeueTimers.clear();
    this.heap.clear();
    this.jobs.clear();
    this.queue.clear();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const dueMs = this.heap.peekKey();
    if (!this.active || dueMs === undefined) return;
    const delay = Math.min(Math.max(0, dueMs - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.enqueue('tick', () => this.tick());
    }, delay);
  }

  private async tick(): Promise<void> {
    if (!this.active) return;
    const now = Date.now();
    const due: NewTask[] = [];
    const nextRuns = new Map<number, Date | null>();
    for (let key = this.heap.peekKey(); key !== undefined && key <= now; key = this.heap.peekKey()) {
      const id = this.heap.peek()!;
      const { job, schedule } = this.jobs.get(id)!;
      due.push({ cronjobId: id, cronjobName: job.name, scheduledAt: new Date(key), trigger: 'schedule', runner: job.runner, spec: job.spec, timeoutSeconds: job.timeoutSeconds });
      const anchor = job.createdAt.getTime();
      let next = nextRunAtMs(schedule, key, anchor);
      if (next !== null && next <= now) next = nextRunAtMs(schedule, now, anchor);
      if (next === null) {
        this.heap.remove(id);
        this.jobs.delete(id);
      } else {
        this.heap.update(id, next);
      }
      nextRuns.set(id, next === null ? null : new Date(next));
    }
    if (due.length > 0) {
      const created = await this.tasks.createDue(due);
      await this.cronjobs.setNextRuns(nextRuns);
      for (const t of created) this.queue.set(t.id, t);
    }
    this.arm();
    if (due.length > 0) await this.drain();
  }

  /** Hands queued tasks to workers with room, oldest first; tasks no worker can take stay queued. */
  private async drain(): Promise<void> {
    if (!this.active || this.queue.size === 0) return;
    const workers = this.registry.snapshots();
    if (workers.length === 0) return;
    for (const task of [...this.queue.values()]) {
      if (!workers.some((w) => w.running < w.capacity)) break;
      const worker = pickWorker({ runner: task.runner }, workers);
      if (!worker) continue;
      this.queue.delete(task.id);
      if (!(await this.tasks.claim(task.id, worker.id))) continue; // cancelled, or taken by another dispatcher
      worker.running++;
      this.registry.reserve(worker.id, task.id);
      void this.send(task, worker.id);
    }
  }

  private async send(task: TaskEntity, workerId: number): Promise<void> {
    const ack = await this.registry.sendRun(workerId, toRunMessage(task));
    if (ack.accepted) return;
    this.logger.warn(`worker ${workerId} refused task ${task.id}: ${ack.error.code}: ${ack.error.message}`);
    const back = await this.tasks.unclaim(task.id, workerId).catch(() => false);
    this.registry.release(workerId, task.id);
    if (!back) return;
    const t = setTimeout(() => {
      this.requeueTimers.delete(t);
      this.enqueue('requeue', async () => {
        if (!this.active) return;
        this.queue.set(task.id, task);
        await this.drain();
      });
    }, REQUEUE_DELAY_MS);
    this.requeueTimers.add(t);
  }

  private async onEvent(e: ClusterEvent): Promise<void> {
    if (!this.active) return; // a standby reloads everything from the database when it takes over
    switch (e.type) {
      case 'cronjob.changed': {
        const job = await this.cronjobs.findById(e.id);
        this.heap.remove(e.id);
        this.jobs.delete(e.id);
        if (job?.enabled && job.nextRunAt) {
          const loaded = this.prepare(job, Date.now());
          if (loaded) {
            this.jobs.set(job.id, loaded.entry);
            this.heap.push(job.id, loaded.dueMs);
          }
        }
        this.arm();
        return;
      }
      case 'cronjob.deleted':
        this.heap.remove(e.id);
        this.jobs.delete(e.id);
        for (const [id, t] of this.queue) if (t.cronjobId === e.id) this.queue.delete(id);
        this.arm();
        return;
      case 'task.pending': {
        const t = await this.tasks.findById(e.id);
        if (t && t.status === 'pending' && t.workerId === null) this.queue.set(t.id, t);
        await this.drain();
        return;
      }
      case 'task.cancelled':
        this.queue.delete(e.id);
        return;
    }
  }

  /**
   * Stops dispatching and gives the lease up, so a standby takes over at once; the first step of a
   * graceful stop, before the workers are stopped. Safe to call more than once.
   */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.lease.stop();
    this.reset();
    await this.serial;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}

function toRunMessage(t: TaskEntity): TaskRun {
  return {
    taskId: t.id,
    cronjobId: t.cronjobId,
    cronjobName: t.cronjobName,
    attempt: t.attempt,
    scheduledAtMs: t.scheduledAt.getTime(),
    timeoutSeconds: t.timeoutSeconds,
    ...({ runner: t.runner, spec: t.spec } as RunnerWithSpec),
  };
}
