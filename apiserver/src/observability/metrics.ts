import { Injectable } from '@nestjs/common';
import type { TaskStatus } from '@cronfleet/shared';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { scheduleLagMs, type SentTask } from './schedule-lag';

/** Schedule lag buckets, seconds: fine at the low end, where a healthy leader is. */
export const LAG_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Task duration buckets, seconds: from a quick HTTP check to a nightly backup. */
export const DURATION_BUCKETS_S = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200];

/** What the scrape reads from the dispatcher and the worker registry of this instance. */
export interface GaugeValues {
  isLeader: boolean;
  heapSize: number | null;
  pending: number | null;
  running: number;
  workersOnline: number;
  /** Every namespace with its quotas and usage, read from the database; absent: the namespace gauges are left out. */
  namespaces?: readonly NamespaceGauges[];
}

export interface NamespaceGauges {
  name: string;
  maxJobs: number | null;
  maxConcurrentTasks: number | null;
  usage: { jobs: number; runningTasks: number };
}

/**
 * The server's Prometheus metrics (one registry per server instance, so two servers in one process
 * do not mix). On the dispatch path only `taskSent` runs: a histogram observation, nothing
 * allocated. A task's end is counted from its lifecycle event, which carries its runner and
 * duration: no read of the tasks table.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly taskEnds = new Counter({
    name: 'cronfleet_task_ends_total',
    help: 'Tasks that reached a final status, as recorded by this instance, by status and runner',
    labelNames: ['status', 'runner'] as const,
    registers: [this.registry],
  });
  private readonly taskDuration = new Histogram({
    name: 'cronfleet_task_duration_seconds',
    help: 'Time from a task starting on its worker to its end, by runner',
    labelNames: ['runner'] as const,
    buckets: DURATION_BUCKETS_S,
    registers: [this.registry],
  });
  private readonly scheduleLag = new Histogram({
    name: 'cronfleet_schedule_lag_seconds',
    help: 'Time from when a task was due to be sent (due time plus jitter, or runAt) to the leader sending it; misfire runs excluded',
    buckets: LAG_BUCKETS_S,
    registers: [this.registry],
  });
  private readonly leader = new Gauge({ name: 'cronfleet_leader', help: '1 while this instance holds the leader lease and dispatches, else 0', registers: [this.registry] });
  private readonly heapEntries = new Gauge({
    name: 'cronfleet_dispatcher_heap_entries',
    help: "Entries in the leader's timer heap (jobs' next due times, delayed tasks, watchdogs, worker silence checks); 0 on a standby",
    registers: [this.registry],
  });
  private readonly pending = new Gauge({ name: 'cronfleet_tasks_pending', help: "Tasks due and waiting in the leader's queue for a worker; 0 on a standby", registers: [this.registry] });
  private readonly running = new Gauge({ name: 'cronfleet_tasks_running', help: 'Tasks sent to workers and not yet ended, as this instance counts them', registers: [this.registry] });
  private readonly workersOnline = new Gauge({ name: 'cronfleet_workers_online', help: 'Workers connected to the cluster, as this instance knows them', registers: [this.registry] });
  // Per namespace, from the database at each scrape: the same on every instance (aggregate with max, not sum).
  private readonly nsJobs = new Gauge({ name: 'cronfleet_namespace_jobs', help: 'Cron jobs in the namespace (cluster-wide, from the database)', labelNames: ['namespace'] as const, registers: [this.registry] });
  private readonly nsRunning = new Gauge({
    name: 'cronfleet_namespace_running_tasks',
    help: "The namespace's tasks running or sent to a worker (cluster-wide, from the database)",
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });
  private readonly nsMaxJobs = new Gauge({ name: 'cronfleet_namespace_max_jobs', help: "The namespace's maxJobs quota; absent when it has none", labelNames: ['namespace'] as const, registers: [this.registry] });
  private readonly nsMaxRunning = new Gauge({
    name: 'cronfleet_namespace_max_concurrent_tasks',
    help: "The namespace's maxConcurrentTasks quota; absent when it has none",
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });

  private readonly retentionDeleted = new Counter({
    name: 'cronfleet_retention_deleted_tasks_total',
    help: "Finished tasks deleted by this instance's retention sweeps, by reason: age (historyDays) or limit (historyLimit)",
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly retentionDeletedRuns = new Counter({
    name: 'cronfleet_retention_deleted_workflow_runs_total',
    help: "Ended workflow runs deleted (with their step tasks) by this instance's retention sweeps, past the server's history defaults",
    registers: [this.registry],
  });
  private readonly retentionSweeps = new Counter({ name: 'cronfleet_retention_sweeps_total', help: 'Retention sweeps run by this instance (the leader, or POST /retention/run)', registers: [this.registry] });
  private readonly retentionLastSweep = new Gauge({ name: 'cronfleet_retention_last_sweep_timestamp_seconds', help: "End of this instance's last retention sweep, Unix time; 0 before the first", registers: [this.registry] });
  private readonly retentionLastDuration = new Gauge({ name: 'cronfleet_retention_last_sweep_duration_seconds', help: "Length of this instance's last retention sweep, pauses between batches included", registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The leader sent a task to a worker at `sentAtMs`; `jitterMs` is its job's fixed delay. */
  taskSent(task: SentTask, jitterMs: number, sentAtMs: number): void {
    const lag = scheduleLagMs(task, jitterMs, sentAtMs);
    if (lag !== null) this.scheduleLag.observe(lag / 1000);
  }

  /** This instance recorded a task's final status; `durationMs` from its start (null: it never started). */
  taskEnded(status: TaskStatus, runner: string, durationMs: number | null): void {
    this.taskEnds.inc({ status, runner });
    if (durationMs !== null) this.taskDuration.observe({ runner }, durationMs / 1000);
  }

  /** Due times recorded as `skipped` when they were created (concurrency policy, no broadcast target): no row to look up. */
  tasksSkipped(runner: string, count = 1): void {
    this.taskEnds.inc({ status: 'skipped', runner }, count);
  }

  /** A retention sweep ended. */
  retentionSwept(r: { byAge: number; byLimit: number; workflowRuns: number; durationMs: number }): void {
    this.retentionDeleted.inc({ reason: 'age' }, r.byAge);
    this.retentionDeleted.inc({ reason: 'limit' }, r.byLimit);
    this.retentionDeletedRuns.inc(r.workflowRuns);
    this.retentionSweeps.inc();
    this.retentionLastSweep.set(Date.now() / 1000);
    this.retentionLastDuration.set(r.durationMs / 1000);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The metrics in Prometheus' text format, with the gauges set to `g`. */
  async render(g: GaugeValues): Promise<string> {
    this.leader.set(g.isLeader ? 1 : 0);
    this.heapEntries.set(g.heapSize ?? 0);
    this.pending.set(g.pending ?? 0);
    this.running.set(g.running);
    this.workersOnline.set(g.workersOnline);
    if (g.namespaces) this.setNamespaces(g.namespaces);
    return this.registry.metrics();
  }

  /** Namespace gauges as they are now: a deleted namespace or a removed quota leaves no series behind. */
  private setNamespaces(list: readonly NamespaceGauges[]): void {
    for (const g of [this.nsJobs, this.nsRunning, this.nsMaxJobs, this.nsMaxRunning]) g.reset();
    for (const n of list) {
      this.nsJobs.set({ namespace: n.name }, n.usage.jobs);
      this.nsRunning.set({ namespace: n.name }, n.usage.runningTasks);
      if (n.maxJobs !== null) this.nsMaxJobs.set({ namespace: n.name }, n.maxJobs);
      if (n.maxConcurrentTasks !== null) this.nsMaxRunning.set({ namespace: n.name }, n.maxConcurrentTasks);
    }
  }
}
