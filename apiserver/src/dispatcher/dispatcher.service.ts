import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { coerceError, type SerializedError, jitterMs, nextRunAtMs, parseSchedule, NamespaceQuotas } from '@cronfleet/shared';
import type { ServerConfig } from '../config/config';
import { INSTANCE_ID, SERVER_CONFIG } from '../config/tokens';
import { CronJobEntity } from '../cronjobs/cronjob.entity';
import { CronJobsRepository } from '../cronjobs/cronjobs.repository';
import { ClusterEvent, ClusterEvents } from '../cluster/cluster-events';
import type { TaskEntity } from '../tasks/task.entity';
import { TasksRepository } from '../tasks/tasks.repository';
import { TaskLifecycle, WATCHDOG_GRACE_MS } from '../tasks/lifecycle/task-lifecycle';
import { WorkersRegistry } from '../workers/workers.registry';
import { WorkersRepository } from '../workers/workers.repository';
import { WorkersService } from '../workers/workers.service';
import { planDue } from './due-plan';
import { QuaternaryHeap } from './heap';
import { DueRuns, ScheduledJob } from './due-runs';
import { LeaderLease } from '../cluster/lease/leader-lease';
import { PendingQueue } from './pending-queue';
import { NamespacesService } from '../namespaces/namespaces.service';
import { FencedOutError, SchedulerStateRepository } from './scheduler-state.repository';
import { TaskSender } from './task-sender';
import { Metrics } from '../observability/metrics';
import { TaskTracing } from '../observability/task-tracing';

/** setTimeout's limit is 2^31-1 ms (~24.8 days); longer waits are taken in chunks. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Parsed jobs kept between their runs; past this the cache starts over (1M jobs would not fit). */
const JOB_CACHE_LIMIT = 200_000;
/**
 * Heap entries are `id * 4 + kind`, so one heap and one timer serve all four: a job's next due time,
 * a task's run-at time (or, once it waits for a worker, its starting deadline), a running task's
 * watchdog, and the time by which a worker must have sent a heartbeat.
 */
const enum Kind {
  Job = 0,
  DelayedTask = 1,
  Watchdog = 2,
  WorkerSilence = 3,
}
const entry = (kind: Kind, id: number) => id * 4 + kind;
/**
 * A job's tasks are created this long before its due time, so that at the due time only the claim
 * and the send remain (the inserts take a few round trips). Its concurrency policy is decided then too.
 */
export const LOOKAHEAD_MS = 250;
/** A heap entry whose handling failed on a database error comes due again this much later. */
const TICK_RETRY_MS = 1000;
/** After a failed claim (the database unreachable), its tasks wait this long before the next try, doubling up to the max. */
const CLAIM_BACKOFF_MIN_MS = 100;
const CLAIM_BACKOFF_MAX_MS = 5000;
/** How many times a cluster event is handled before it is given up (with an error in the log). */
const EVENT_ATTEMPTS = 30;
/** Heap key of a job due at `dueMs`: its fixed jitter added, the lookahead taken off. */
const jobKey = (dueMs: number, jitter: number) => dueMs + jitter - LOOKAHEAD_MS;

/**
 * The leader's scheduler: creates a task for every due time of every enabled cron job, releases
 * delayed tasks at their time, times out tasks whose worker went silent, and hands pending tasks
 * to workers.
 *
 * States: standby (empty heap, no timer) → leader (on the lease's `acquired`: epoch written to the
 * database, jobs, delayed tasks and watchdogs loaded into one 4-ary heap, one timer armed for its
 * top) → standby (lease `lost`, or fenced out by a newer leader). Paused (cluster-wide) keeps the
 * heap but arms no timer and sends nothing; on resume, what came due meanwhile is a misfire.
 * Ticks, job changes, lease changes and worker capacity run through one serial chain, so nothing
 * polls and no two async operations interleave their reads and writes of the heap and queue.
 *
 * A job's tasks are created LOOKAHEAD_MS before its due time (on a second chain, so that slow
 * inserts never hold up a send) and wait in the heap as send entries; at the due time only the
 * fenced claim and the emit remain.
 *
 * Exactly one task per due time: the unique key on (cronjob, due time, attempt); dispatcher writes
 * run in a transaction fenced by the lease epoch; a task reaches a worker only through a
 * conditional, fenced claim.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('dispatcher');
  private readonly heap = new QuaternaryHeap<number>();
  private readonly jobs = new Map<number, ScheduledJob>();
  private readonly pending = new PendingQueue();
  /** Per-namespace caps on tasks running at once (namespaces' maxConcurrentTasks). */
  private readonly quotas = new NamespaceQuotas();
  /** Namespace of each task a worker holds, kept only while some namespace has a concurrency quota. */
  private namespaceOf = new Map<number, string>();
  /** The pause after the last failed claim; 0 once a claim succeeds. */
  private claimBackoffMs = 0;
  /** Queued tasks whose pending reason has not been worked out yet. */
  private readonly unexplained = new Set<number>();
  /** Tasks created ahead of their due time, waiting in the heap to be sent. */
  private readonly early = new Map<number, TaskEntity>();
  private timer: NodeJS.Timeout | null = null;
  private serial: Promise<void> = Promise.resolve();
  /** Task creation for due jobs (see createSoon): the batch being written and the jobs waiting for the next. */
  private creating: Promise<void> = Promise.resolve();
  private creatingBusy = false;
  private dueBuffer: { id: number; key: number }[] = [];
  /** Bumped on every reset: work started under an older generation is dropped when it completes. */
  private generation = 0;
  private active = false;
  private paused = false;
  /** A drain is already queued on the serial chain: capacity events arriving meanwhile add nothing. */
  private drainQueued = false;
  /** `cronjob.changed` events not taken yet (see jobChanged). */
  private changedJobs = new Set<number>();
  /** `task.pending` events not taken yet (see taskPending). */
  private newTasks: { id: number; runAtMs: number | undefined }[] = [];
  /** Claimed tasks to be looked at again (see resendClaimedLater). */
  private readonly resendDue = new Set<number>();
  /**
   * Per job, the heap key of its earliest due time whose tasks could not be written (the database
   * failed): its next batch plans from there, so those due times go through its misfire policy
   * rather than being passed over as if they had run.
   */
  private readonly unwritten = new Map<number, number>();
  private epoch = 0;
  private lagMs = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly lease: LeaderLease,
    private readonly events: ClusterEvents,
    private readonly cronjobs: CronJobsRepository,
    private readonly tasks: TasksRepository,
    private readonly lifecycle: TaskLifecycle,
    private readonly registry: WorkersRegistry,
    private readonly state: SchedulerStateRepository,
    private readonly sender: TaskSender,
    private readonly dueRuns: DueRuns,
    private readonly workers: WorkersService,
    private readonly workerRows: WorkersRepository,
    @Inject(INSTANCE_ID) private readonly instanceId: string,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    private readonly metrics: Metrics,
    private readonly tracing: TaskTracing,
    private readonly namespaces: NamespacesService,
  ) {}

  onApplicationBootstrap(): void {
    this.lease.on('acquired', (epoch) => this.enqueue('take over', () => this.becomeLeader(epoch)));
    this.lease.on('lost', () => this.enqueue('step down', async () => this.reset()));
    this.unsubscribe = this.events.subscribe((e) => {
      // Capacity changes reach the dispatcher through the registry's `capacity` event.
      if (e.type === 'worker.released' || e.type === 'worker.changed' || e.type === 'worker.offline' || e.type === 'worker.cut' || e.type === 'live') return;
      if (e.type === 'task.pending') return this.taskPending(e.id, e.runAtMs);
      if (e.type === 'cronjob.changed') return this.jobChanged(e.id);
      this.enqueue(e.type, () => this.handleEvent(e, 1));
    });
    this.registry.on('capacity', () => this.requestDrain());
    this.sender.on('unacked', (t) => {
      if (this.active) this.resendClaimedLater([t.id]);
    });
    this.sender.on('requeue', (t) => this.enqueue('requeue', async () => {
      if (!this.active) return;
      this.queue(t);
      await this.drain();
    }));
    // startServer starts the lease once the server listens (a server that cannot serve must not lead).
  }

  status() {
    const next = this.heap.peekKey();
    return {
      isLeader: this.active,
      epoch: this.active ? this.epoch : null,
      heapSize: this.active ? this.heap.size : null,
      pending: this.active ? this.pending.size : null,
      nextDueAt: this.active && next !== undefined ? new Date(this.heap.peek()! % 4 === Kind.Job ? next + LOOKAHEAD_MS : next).toISOString() : null,
      lagMs: this.active ? this.lagMs : null,
    };
  }

  private enqueue(what: string, fn: () => Promise<void>): void {
    this.serial = this.serial.then(fn).catch((e: unknown) => this.failed(what, e));
  }

  private async failed(what: string, e: unknown): Promise<void> {
    if (e instanceof FencedOutError) {
      this.logger.warn(`${what}: ${e.message}; stepping down`);
      this.reset();
      await this.lease.resign('fenced out by a newer leader');
      return;
    }
    this.logger.error(`${what}: ${coerceError(e).message}`);
  }

  private requestDrain(): void {
    if (this.drainQueued || !this.active) return;
    this.drainQueued = true;
    this.enqueue('dispatch', async () => {
      this.drainQueued = false;
      await this.drain();
    });
  }

  private async becomeLeader(leaseEpoch: number): Promise<void> {
    this.reset();
    const started = Date.now();
    this.epoch = leaseEpoch;
    if (!(await this.state.takeOver(this.epoch, this.instanceId))) {
      // The database has seen a higher epoch (e.g. Redis lost its counter): move beyond it.
      this.epoch = await this.lease.advanceEpochBeyond((await this.state.read()).epoch);
      if (!(await this.state.takeOver(this.epoch, this.instanceId))) throw new FencedOutError(this.epoch, (await this.state.read()).epoch);
    }
    this.paused = (await this.state.read()).paused;
    // Only ids, due times and jitter: a job's schedule, spec and policies are read when it comes due.
    const { ids: jobIds, dueMs, jitterSeconds } = await this.cronjobs.enabledDueTimes();
    const ids: number[] = [];
    const keys: number[] = [];
    const unscheduled: number[] = [];
    jobIds.forEach((id, i) => {
      const due = dueMs[i];
      if (due === null) unscheduled.push(id);
      else {
        ids.push(entry(Kind.Job, id));
        keys.push(jobKey(due, jitterMs(id, jitterSeconds[i])));
      }
    });
    // Delayed tasks wait in the heap as (id, run-at) only; the row is read when they come due.
    const waiting = await this.tasks.unassignedRunTimes();
    const dueNow: number[] = [];
    waiting.ids.forEach((id, i) => {
      if (waiting.runAtMs[i] > started) {
        ids.push(entry(Kind.DelayedTask, id));
        keys.push(waiting.runAtMs[i]);
      } else dueNow.push(id);
    });
    for (const t of await this.tasks.runningWithTimeout()) {
      ids.push(entry(Kind.Watchdog, t.id));
      keys.push((t.startedAt ?? t.scheduledAt).getTime() + t.timeoutSeconds! * 1000 + WATCHDOG_GRACE_MS);
    }
    // Every worker not yet offline, wherever it is connected: its load, and when it must have been heard of.
    const [workerRows, live] = await Promise.all([this.workerRows.notOffline(), this.tasks.liveByWorker()]);
    this.registry.load(workerRows, live);
    for (const w of workerRows) {
      ids.push(entry(Kind.WorkerSilence, w.id));
      keys.push((w.lastHeartbeatAt ?? w.createdAt).getTime() + this.silenceMs());
    }
    this.heap.load(ids, keys);
    await this.loadQuotas();
    for (const t of await this.tasks.findByIds(dueNow)) this.queue(t);
    for (const job of await this.cronjobs.findByIds(unscheduled)) this.schedule(job, started);
    this.active = true;
    this.logger.log(`leading (epoch ${this.epoch}${this.paused ? ', paused' : ''}): ${jobIds.length} job(s), ${this.heap.size} timer(s), ${this.pending.size} pending task(s), loaded in ${Date.now() - started} ms`);
    this.resendClaimedLater([...live.values()].flat());
    this.arm();
    await this.drain();
  }

  /**
   * A task claimed for a worker whose `task:run` never arrived (the leader died, or lost the
   * database, between the claim and the worker's ack) stays `pending` with its worker set, and no
   * one would send it while that worker stays connected (found by the chaos suite); the same for a
   * task whose worker did not answer its `task:run` (TaskSender `unacked`). `afterMs` (default one
   * ack timeout) later, whatever of `ids` is still so is sent again to the same worker: `task:run`
   * is idempotent there (a task it runs, or whose result it still holds, is acked, not started
   * again); a refusal takes it back to the queue, no answer repeats this until the worker answers or
   * is declared offline. One found pending with no worker (a claim that failed) is queued again.
   */
  private resendClaimedLater(taskIds: number[], afterMs = this.config.ackTimeoutSeconds * 1000): void {
    // Claims fail again and again while the database is down: each task is looked at once.
    const ids = taskIds.filter((id) => !this.resendDue.has(id));
    if (ids.length === 0) return;
    for (const id of ids) this.resendDue.add(id);
    const generation = this.generation;
    setTimeout(() => this.enqueue('resend claimed tasks', async () => {
      for (const id of ids) this.resendDue.delete(id);
      if (!this.active || generation !== this.generation) return;
      let rows: TaskEntity[];
      try {
        rows = await this.tasks.findByIds(ids);
      } catch (e) {
        const pauseMs = this.backOff();
        this.logger.warn(`looking at ${ids.length} claimed task(s) again: ${coerceError(e).message}; retrying in ${pauseMs} ms`);
        this.resendClaimedLater(ids, pauseMs);
        return;
      }
      let queued = false;
      for (const t of rows) {
        if (t.status !== 'pending' || generation !== this.generation) continue;
        if (t.workerId === null) {
          if (!this.pending.get(t.id)) {
            this.queue(t);
            queued = true;
          }
          continue;
        }
        this.logger.warn(`task ${t.id}: claimed for worker ${t.workerId} but not started after ${Math.round(afterMs / 100) / 10} s; sending it again`);
        this.registry.reserve(t.workerId, t.id);
        this.sender.send(t, t.workerId, true);
      }
      if (queued) await this.drain();
    }), afterMs).unref();
  }

  /**
   * The pause before claims are tried again after the database failed one: doubles from
   * CLAIM_BACKOFF_MIN_MS up to CLAIM_BACKOFF_MAX_MS while failures follow each other; a claim that
   * succeeds resets it.
   */
  private backOff(): number {
    this.claimBackoffMs = Math.min(Math.max(CLAIM_BACKOFF_MIN_MS, this.claimBackoffMs * 2), CLAIM_BACKOFF_MAX_MS);
    return this.claimBackoffMs;
  }

  /** Parses a job into the cache; null (and a warning) when its schedule is unusable. */
  private remember(job: CronJobEntity): ScheduledJob | null {
    try {
      const s: ScheduledJob = { job, schedule: parseSchedule(job.schedule, job.timezone), jitterMs: jitterMs(job.id, job.jitterSeconds) };
      if (this.jobs.size >= JOB_CACHE_LIMIT) this.jobs.clear();
      this.jobs.set(job.id, s);
      return s;
    } catch (e) {
      this.logger.warn(`cron job ${job.id} '${job.name}' not scheduled: ${coerceError(e).message}`);
      return null;
    }
  }

  /** (Re)schedules a job from its row: its stored next run (if missed: a misfire, handled when due) or the next after now. */
  private schedule(job: CronJobEntity, nowMs: number): void {
    this.heap.remove(entry(Kind.Job, job.id));
    this.jobs.delete(job.id);
    if (!job.enabled) return;
    const s = this.remember(job);
    const dueMs = s && (job.nextRunAt?.getTime() ?? nextRunAtMs(s.schedule, nowMs, job.createdAt.getTime()));
    if (s && dueMs !== null) this.heap.push(entry(Kind.Job, job.id), jobKey(dueMs, s.jitterMs));
  }

  private reset(): void {
    this.generation++;
    this.dueBuffer = [];
    this.newTasks = [];
    this.changedJobs = new Set();
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sender.cancelRequeues();
    this.heap.clear();
    this.jobs.clear();
    this.pending.clear();
    this.unexplained.clear();
    this.early.clear();
    this.resendDue.clear();
    this.unwritten.clear();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const dueMs = this.heap.peekKey();
    if (!this.active || this.paused || dueMs === undefined) return;
    const delay = Math.min(Math.max(0, dueMs - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.enqueue('tick', () => this.tick());
    }, delay);
  }

  private async tick(): Promise<void> {
    if (!this.active || this.paused) return;
    const now = Date.now();
    const dueJobs: { id: number; key: number }[] = [];
    const delayed: number[] = [];
    const expired: number[] = [];
    const silent: number[] = [];
    const pastDeadline: number[] = [];
    for (let key = this.heap.peekKey(); key !== undefined && key <= now; key = this.heap.peekKey()) {
      const id = this.heap.pop()!;
      const kind = id % 4;
      const ref = (id - kind) / 4;
      if (kind === Kind.DelayedTask) {
        // A task already waiting for a worker has reached its starting deadline instead.
        if (this.pending.has(ref)) pastDeadline.push(ref);
        else {
          delayed.push(ref);
          this.lagMs = now - key;
        }
      } else if (kind === Kind.Watchdog) expired.push(ref);
      else if (kind === Kind.WorkerSilence) silent.push(ref);
      else dueJobs.push({ id: ref, key });
    }
    if (dueJobs.length > 0) this.createSoon(dueJobs);
    // Tasks this leader created ahead are in memory; others (delayed, retries) are read.
    const unread: number[] = [];
    for (const id of delayed) {
      const t = this.early.get(id);
      this.early.delete(id);
      if (t) this.queue(t);
      else unread.push(id);
    }
    // What was popped must not be lost when the database fails meanwhile (found by the chaos suite:
    // a retry, or a silent worker's check, dropped by a failed tick was never looked at again).
    const again = (kind: Kind, ids: number[], e: unknown): void => {
      this.logger.warn(`tick: ${ids.length} entr${ids.length === 1 ? 'y' : 'ies'} put back for ${TICK_RETRY_MS} ms: ${coerceError(e).message}`);
      if (this.active) for (const id of ids) this.heap.push(entry(kind, id), Date.now() + TICK_RETRY_MS);
    };
    try {
      for (const t of await this.tasks.findByIds(unread)) if (t.status === 'pending' && t.workerId === null) this.queue(t);
    } catch (e) {
      again(Kind.DelayedTask, unread, e);
    }
    for (const [i, id] of expired.entries()) {
      try {
        const t = await this.lifecycle.expire(id);
        if (t?.workerId != null) void this.registry.sendKill(t.workerId, id, 'server watchdog timeout');
      } catch (e) {
        again(Kind.Watchdog, expired.slice(i), e);
        break;
      }
    }
    for (const [i, id] of pastDeadline.entries()) {
      try {
        await this.skipPastDeadline(id);
      } catch (e) {
        again(Kind.DelayedTask, pastDeadline.slice(i), e);
        break;
      }
    }
    for (const [i, id] of silent.entries()) {
      let next: number | null;
      try {
        next = await this.workers.checkSilence(id, now);
      } catch (e) {
        again(Kind.WorkerSilence, silent.slice(i), e);
        break;
      }
      if (next !== null && this.active) this.heap.push(entry(Kind.WorkerSilence, id), next);
    }
    this.arm();
    await this.drain();
  }

  /**
   * Creating tasks takes a few round trips, so it runs beside the serial chain (sends due meanwhile
   * are not held up behind it), one batch at a time: jobs that come due while a batch is written
   * wait and go together into the next one.
   */
  private createSoon(dueJobs: { id: number; key: number }[]): void {
    for (const d of dueJobs) this.dueBuffer.push(d);
    if (this.creatingBusy) return;
    this.creatingBusy = true;
    const generation = this.generation;
    this.creating = (async () => {
      try {
        while (this.dueBuffer.length > 0 && generation === this.generation) {
          const batch = this.dueBuffer;
          this.dueBuffer = [];
          await this.runDueJobs(batch, Date.now(), generation);
        }
      } catch (e) {
        await this.failed('creating tasks', e);
      } finally {
        this.creatingBusy = false;
      }
    })();
  }

  /** Creates the tasks of jobs that came due and moves each job to its next due time. */
  private async runDueJobs(dueJobs: { id: number; key: number }[], now: number, generation: number): Promise<void> {
    if (generation !== this.generation) return;
    const unknown = dueJobs.filter((d) => !this.jobs.has(d.id)).map((d) => d.id);
    let loaded: CronJobEntity[];
    try {
      loaded = await this.cronjobs.findByIds(unknown);
    } catch (e) {
      // Jobs not read yet (a new leader reads each when it first comes due) go back to the heap at
      // their own due times a moment later, as a failed tick's entries do: dropped here, they were
      // never due again (found by the chaos suite: a MariaDB restart right after a take-over).
      setTimeout(
        () =>
          this.enqueue('retry due jobs', async () => {
            if (!this.active || generation !== this.generation) return;
            for (const d of dueJobs) if (this.heap.keyOf(entry(Kind.Job, d.id)) === undefined) this.heap.push(entry(Kind.Job, d.id), d.key);
            this.arm();
          }),
        TICK_RETRY_MS,
      );
      throw e;
    }
    for (const job of loaded) if (job.enabled) this.remember(job);
    const due: { job: ScheduledJob; missed: number[]; onTime: number[] }[] = [];
    const nextRuns = new Map<number, Date | null>();
    const planned: { id: number; key: number }[] = [];
    for (const d of dueJobs) {
      const id = d.id;
      const job = this.jobs.get(id);
      if (!job) continue; // deleted, disabled or unparseable since it was loaded
      const key = Math.min(d.key, this.unwritten.get(id) ?? Infinity);
      planned.push({ id, key });
      // Tasks carry the due time itself; they are sent at due time + jitter. A due time up to
      // LOOKAHEAD_MS ahead is planned as if it had come (it is on time).
      const dueMs = key - job.jitterMs + LOOKAHEAD_MS;
      const plan = planDue(job.schedule, dueMs, Math.max(now - job.jitterMs, dueMs), {
        anchorMs: job.job.createdAt.getTime(),
        misfire: job.job.misfirePolicy === 'catchUp' ? { kind: 'catchUp', limit: job.job.catchUpLimit } : { kind: job.job.misfirePolicy },
        startingDeadlineSeconds: job.job.startingDeadlineSeconds,
      });
      due.push({ job, missed: plan.missed, onTime: plan.onTime });
      if (plan.nextMs !== null) this.heap.push(entry(Kind.Job, id), jobKey(plan.nextMs, job.jitterMs));
      nextRuns.set(id, plan.nextMs === null ? null : new Date(plan.nextMs));
    }
    if (due.length === 0) return;
    let created: TaskEntity[];
    try {
      created = await this.dueRuns.create(due, nextRuns, this.epoch, this.registry.snapshots());
    } catch (e) {
      if (!(e instanceof FencedOutError)) this.retryDueJobsLater(planned, generation);
      throw e;
    }
    for (const { id } of planned) this.unwritten.delete(id);
    if (generation !== this.generation) return; // stepped down meanwhile: the successor loads these rows
    const sendAt = new Map(due.map((d) => [d.job.job.id, d.job.jitterMs]));
    const later = Date.now();
    for (const t of created) {
      const at = t.scheduledAt.getTime() + (sendAt.get(t.cronjobId!) ?? 0);
      if (at <= later) this.queue(t);
      else {
        this.early.set(t.id, t);
        this.heap.push(entry(Kind.DelayedTask, t.id), at);
      }
    }
    this.arm();
    this.requestDrain();
  }

  /**
   * The tasks of these due jobs were not written (the database failed, and with it the move of
   * next_run_at): each job remembers the earliest due time not written and comes due again a moment
   * later, planning from there, so its misfire policy decides about the due times meanwhile instead
   * of the leader moving on as if they had run (found by the chaos suite: a MariaDB restart lost
   * every due time of the batch being written, catchUp jobs too). A due time written after all is
   * not made twice: the tasks' unique key.
   */
  private retryDueJobsLater(planned: { id: number; key: number }[], generation: number): void {
    for (const { id, key } of planned) this.unwritten.set(id, Math.min(key, this.unwritten.get(id) ?? Infinity));
    setTimeout(() => this.enqueue('retry due jobs', async () => {
      if (!this.active || generation !== this.generation) return;
      for (const { id } of planned) {
        // Written by a later batch meanwhile, or the job is gone.
        const key = this.unwritten.get(id);
        if (key === undefined || !this.jobs.has(id)) continue;
        // At the unwritten due time itself (in the past: due at once), a real due time of the job.
        const now = this.heap.keyOf(entry(Kind.Job, id));
        if (now === undefined || now > key) this.heap.push(entry(Kind.Job, id), key);
      }
      this.arm();
    }), TICK_RETRY_MS).unref();
  }

  /**
   * Hands queued tasks to workers with room: priority first, then oldest; what no worker can take
   * waits, with the reason recorded on the task. Capacity is reserved here, synchronously; the claim
   * (one fenced UPDATE per worker) and the send then run without holding the serial chain, so one
   * round trip never delays the next.
   */
  private async drain(): Promise<void> {
    if (!this.active || this.paused || this.pending.size === 0) return;
    const workers = this.registry.snapshots();
    const hasRoom = () => workers.some((w) => w.online && !w.draining && w.running < w.capacity);
    const quotas = this.quotas.active ? this.quotas : null;
    if (quotas) quotas.begin(this.heldNamespaces());
    const waiting: TaskEntity[] = [];
    const byWorker = new Map<number, TaskEntity[]>();
    const reasons = new Map<string, number[]>();
    while (this.pending.size > 0 && hasRoom()) {
      const task = this.pending.shift()!;
      // Reserved for (or sent to) a worker already: queued again while its claim stands, a second
      // claim of its batch would count it as claimed once more and send it twice (the long chaos
      // run saw a worker run a task again after delivering its result).
      if (this.registry.holds(task.id)) continue;
      const overQuota = quotas ? quotas.admit(task.namespace) : null;
      if (overQuota !== null) {
        waiting.push(task);
        this.explain(task, overQuota, reasons);
        continue;
      }
      const choice = this.sender.choose(task, workers);
      if (!choice.worker) {
        quotas?.undo(task.namespace);
        waiting.push(task);
        this.explain(task, choice.reason, reasons);
        continue;
      }
      const worker = choice.worker;
      worker.running++;
      this.registry.reserve(worker.id, task.id);
      if (quotas) this.namespaceOf.set(task.id, task.namespace);
      const batch = byWorker.get(worker.id);
      if (batch) batch.push(task);
      else byWorker.set(worker.id, [task]);
    }
    for (const t of waiting) this.pending.add(t);
    // Tasks that arrived while no worker had room have not been told why they wait yet.
    if (this.unexplained.size > 0) {
      for (const id of this.unexplained) {
        const t = this.pending.get(id);
        if (t) {
          const choice = this.sender.choose(t, workers);
          if (choice.reason !== undefined) this.explain(t, choice.reason, reasons);
        }
      }
      this.unexplained.clear();
    }
    for (const [reason, ids] of reasons) {
      void this.tasks.setPendingReason(ids, reason).catch((e: unknown) => this.logger.warn(`recording why ${ids.length} task(s) wait: ${coerceError(e).message}`));
    }
    for (const [workerId, tasks] of byWorker) void this.claimAndSend(workerId, tasks, this.generation);
  }

  /**
   * Reads the namespaces' concurrency quotas; with any, also the namespace of every task holding a
   * slot now, so that tasks sent before (by this leader or another) count against them.
   */
  private async loadQuotas(): Promise<void> {
    const limits = await this.namespaces.concurrencyLimits();
    this.quotas.setLimits(limits);
    this.namespaceOf = limits.size > 0 ? await this.tasks.namespacesOfLive() : new Map();
  }

  /** The namespaces of the tasks the workers hold now; forgets the tasks they no longer hold. */
  private heldNamespaces(): string[] {
    const out: string[] = [];
    const next = new Map<number, string>();
    for (const id of this.registry.heldTasks()) {
      const ns = this.namespaceOf.get(id);
      if (ns === undefined) continue;
      out.push(ns);
      next.set(id, ns);
    }
    this.namespaceOf = next;
    return out;
  }

  /** Notes why a task waits, to be written once per change. */
  private explain(t: TaskEntity, reason: string, out: Map<string, number[]>): void {
    this.unexplained.delete(t.id);
    if (t.pendingReason === reason) return;
    t.pendingReason = reason;
    const ids = out.get(reason);
    if (ids) ids.push(t.id);
    else out.set(reason, [t.id]);
  }

  /**
   * Queues a task for a worker. A scheduled run of a job with startingDeadlineSeconds gets a heap
   * entry at its deadline: if it still waits then, it is skipped (see skipPastDeadline).
   */
  private queue(t: TaskEntity): void {
    this.pending.add(t);
    if (t.pendingReason === null) this.unexplained.add(t.id);
    const deadline = t.cronjobId !== null && (t.trigger === 'schedule' || t.trigger === 'misfire') ? this.jobs.get(t.cronjobId)?.job.startingDeadlineSeconds : null;
    if (deadline) this.heap.push(entry(Kind.DelayedTask, t.id), t.scheduledAt.getTime() + deadline * 1000);
  }

  private async skipPastDeadline(id: number): Promise<void> {
    const t = this.pending.get(id);
    if (!t) return;
    this.pending.delete(id);
    this.sender.forget(id);
    const deadline = this.jobs.get(t.cronjobId ?? 0)?.job.startingDeadlineSeconds;
    const error: SerializedError = {
      code: 'StartingDeadlineExceeded',
      message: `skipped: not started within startingDeadlineSeconds${deadline ? ` (${deadline} s)` : ''} of its due time${t.pendingReason ? `; it waited because ${t.pendingReason}` : ''}`,
      retryable: false,
    };
    if (await this.lifecycle.skip(t, error)) this.logger.warn(`task ${id} of cron job ${t.cronjobId}: ${error.message}`);
  }

  /** A worker not heard of for this long is offline. */
  private silenceMs(): number {
    return 3 * this.config.heartbeatSeconds * 1000;
  }

  private async claimAndSend(workerId: number, tasks: TaskEntity[], generation: number): Promise<void> {
    const claimedSinceMs = this.tracing.tracer ? Date.now() : undefined;
    let claimed: Set<number>;
    try {
      claimed = new Set(await this.lifecycle.claim(tasks.map((t) => t.id), workerId, this.epoch));
    } catch (e) {
      // While the database is down every claim fails at once: the tasks are looked at again after a
      // pause that doubles up to CLAIM_BACKOFF_MAX_MS, not straight into the next failing claim.
      const pauseMs = this.backOff();
      this.logger.warn(`claiming ${tasks.length} task(s) for worker ${workerId}: ${coerceError(e).message}; looked at again in ${pauseMs} ms`);
      for (const t of tasks) this.registry.release(workerId, t.id);
      // The claim may have been written although its answer was lost, so the tasks are not simply
      // queued again: a later claim of a batch holding one whose claim was written counted it as
      // claimed a second time, and its worker ran it twice (found by the chaos suite). Each is read
      // again instead: sent to the worker it was claimed for, or queued again if it was not claimed.
      if (generation === this.generation) this.resendClaimedLater(tasks.map((t) => t.id), pauseMs);
      return;
    }
    this.claimBackoffMs = 0;
    const now = Date.now();
    for (const task of tasks) {
      if (!claimed.has(task.id)) {
        this.registry.release(workerId, task.id); // cancelled, taken, or this leader is fenced out
        continue;
      }
      if (task.timeoutSeconds !== null && generation === this.generation) {
        this.heap.push(entry(Kind.Watchdog, task.id), now + task.timeoutSeconds * 1000 + WATCHDOG_GRACE_MS);
      }
      this.sender.send(task, workerId, false, claimedSinceMs);
      this.metrics.taskSent(task, this.jobs.get(task.cronjobId ?? 0)?.jitterMs ?? 0, now);
    }
    this.arm();
  }

  /**
   * An event whose handling failed on the database (a new retry's `task.pending` read during a
   * restart) is handled again a moment later rather than dropped: a dropped `task.pending` left the
   * task waiting until the next change of leader (found by the chaos suite).
   */
  private async handleEvent(e: ClusterEvent, attempt: number): Promise<void> {
    try {
      await this.onEvent(e);
    } catch (err) {
      this.againLater(e.type, err, attempt, 'handled again', (next) => this.handleEvent(e, next));
    }
  }

  /**
   * What an event asked of the leader failed (a database error): done again TICK_RETRY_MS later on
   * the serial chain, unless leadership changed meanwhile. A fence, or the last of EVENT_ATTEMPTS,
   * is thrown to the chain instead. `again` gets the next attempt's number.
   */
  private againLater(what: string, err: unknown, attempt: number, done: string, again: (attempt: number) => Promise<void>): void {
    if (err instanceof FencedOutError || attempt >= EVENT_ATTEMPTS) throw err;
    this.logger.warn(`${what}: ${coerceError(err).message}; ${done} in ${TICK_RETRY_MS} ms`);
    const generation = this.generation;
    setTimeout(() => {
      if (generation === this.generation) this.enqueue(what, () => again(attempt + 1));
    }, TICK_RETRY_MS).unref();
  }

  /**
   * A task was made. New tasks are taken together, once per turn of the serial chain: one due later
   * goes into the heap as (id, run-at), as a new leader loads it, and is read when it comes due; the
   * others are read with one SELECT (one each put every create behind a round trip of the leader's:
   * bench:api).
   */
  private taskPending(id: number, runAtMs: number | undefined): void {
    this.newTasks.push({ id, runAtMs });
    if (this.newTasks.length === 1) this.enqueue('task.pending', () => this.takeNewTasks(1));
  }

  /**
   * A job was created or changed. As new tasks, the changes are taken together, once per turn of
   * the serial chain, and the jobs read with one SELECT: one read each was a statement per job
   * created (bench:api). A job deleted meanwhile is not found, and its own event comes after.
   */
  private jobChanged(id: number): void {
    this.changedJobs.add(id);
    if (this.changedJobs.size === 1) this.enqueue('cronjob.changed', () => this.takeChangedJobs(1));
  }

  private async takeChangedJobs(attempt: number): Promise<void> {
    const ids = [...this.changedJobs];
    this.changedJobs = new Set();
    if (!this.active) return; // a standby reloads everything from the database when it takes over
    try {
      const jobs = await this.cronjobs.findByIds(ids);
      const now = Date.now();
      for (const job of jobs) this.schedule(job, now);
    } catch (err) {
      this.againLater('cronjob.changed', err, attempt, `${ids.length} job(s) read again`, (next) => {
        for (const id of ids) this.changedJobs.add(id);
        return this.takeChangedJobs(next);
      });
    }
    this.arm();
    await this.drain();
  }

  private async takeNewTasks(attempt: number): Promise<void> {
    const batch = this.newTasks;
    this.newTasks = [];
    if (!this.active) return; // a standby reloads everything from the database when it takes over
    const now = Date.now();
    const read: number[] = [];
    for (const t of batch) {
      if (t.runAtMs !== undefined && t.runAtMs > now) this.heap.push(entry(Kind.DelayedTask, t.id), t.runAtMs);
      else read.push(t.id);
    }
    try {
      for (const t of await this.tasks.findByIds(read)) {
        if (t.status !== 'pending' || t.workerId !== null) continue;
        if (t.runAt && t.runAt.getTime() > Date.now()) this.heap.push(entry(Kind.DelayedTask, t.id), t.runAt.getTime());
        else this.queue(t);
      }
    } catch (err) {
      // Read again a moment later rather than dropped: a dropped one waited until the next change of leader.
      this.againLater('task.pending', err, attempt, `${read.length} new task(s) read again`, (next) => {
        this.newTasks.push(...read.map((id) => ({ id, runAtMs: undefined })));
        return this.takeNewTasks(next);
      });
    }
    this.arm();
    await this.drain();
  }

  private async onEvent(e: ClusterEvent): Promise<void> {
    if (e.type === 'scheduler.paused' || e.type === 'scheduler.resumed') {
      this.paused = e.type === 'scheduler.paused';
      this.logger.log(`dispatch ${this.paused ? 'paused' : 'resumed'} cluster-wide`);
      this.arm();
      if (!this.paused) await this.drain();
      return;
    }
    if (!this.active) return; // a standby reloads everything from the database when it takes over
    switch (e.type) {
      case 'cronjob.deleted':
        this.heap.remove(entry(Kind.Job, e.id));
        this.jobs.delete(e.id);
        this.pending.deleteWhere((t) => t.cronjobId === e.id);
        break;
      case 'worker.online':
      case 'worker.disconnected': {
        // Watch it: checked against its heartbeats in the database three intervals from now.
        const id = e.type === 'worker.online' ? e.worker.id : e.id;
        this.heap.push(entry(Kind.WorkerSilence, id), Date.now() + this.silenceMs());
        if (e.type === 'worker.online') this.sender.forgetWorker(id);
        break;
      }
      case 'namespace.changed':
        await this.loadQuotas();
        break;
      case 'task.cancelled':
        this.sender.forget(e.id);
        this.pending.delete(e.id);
        this.early.delete(e.id);
        this.heap.remove(entry(Kind.DelayedTask, e.id));
        break;
    }
    this.arm();
    await this.drain();
  }

  /** Pauses or resumes dispatch on every instance (`POST /scheduler/stop|start`). */
  async setPaused(paused: boolean): Promise<void> {
    await this.state.setPaused(paused);
    await this.events.publish({ type: paused ? 'scheduler.paused' : 'scheduler.resumed' });
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
    await this.creating;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
