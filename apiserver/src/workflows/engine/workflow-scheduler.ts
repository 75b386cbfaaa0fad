import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { coerceError, lastRunAtMs, nextRunAtMs, parseSchedule } from '@cronfleet/shared';
import { LeaderLease } from '../../cluster/lease/leader-lease';
import { ClusterEvents } from '../../cluster/cluster-events';
import type { WorkflowEntity } from '../workflow.entity';
import { WorkflowsRepository } from '../workflows.repository';
import { WorkflowEngine } from './run-engine';

/** setTimeout's limit is 2^31-1 ms (~24.8 days); longer waits are taken in chunks. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Starts the runs of scheduled workflows, on the leader only (the holder of the same lease the
 * dispatcher follows). States: standby (nothing loaded, no timer) → leading (on `acquired`: every
 * enabled scheduled workflow's next due time loaded, one timer armed for the soonest) → standby (on
 * `lost`). A due time starts one run with trigger `schedule`; due times missed while no leader ran
 * (found on take-over: `next_run_at` in the past) start one run, for the latest of them, as a cron
 * job's `runOnce` misfire policy does. The unique key on (workflow, scheduled_at) keeps a due time to
 * one run however many leaders, stale or new, reach it. Changes made on any server arrive as the
 * cluster event `workflow.changed`; everything runs through one serial chain.
 */
@Injectable()
export class WorkflowScheduler implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('workflows');
  /** Next due time (epoch ms) per workflow id. */
  private readonly due = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private serial: Promise<void> = Promise.resolve();
  private active = false;
  private unsubscribe: (() => void) | null = null;
  private readonly onAcquired = (): void => this.enqueue('take over', () => this.takeOver());
  private readonly onLost = (): void => this.enqueue('step down', async () => this.stepDown());

  constructor(
    private readonly lease: LeaderLease,
    private readonly events: ClusterEvents,
    private readonly workflows: WorkflowsRepository,
    private readonly engine: WorkflowEngine,
  ) {}

  onModuleInit(): void {
    this.lease.on('acquired', this.onAcquired);
    this.lease.on('lost', this.onLost);
    this.unsubscribe = this.events.subscribe((e) => {
      if (e.type === 'workflow.changed') this.enqueue('workflow changed', () => this.reload(e.id));
    });
    if (this.lease.isLeader) this.onAcquired();
  }

  async onApplicationShutdown(): Promise<void> {
    this.lease.off('acquired', this.onAcquired);
    this.lease.off('lost', this.onLost);
    this.unsubscribe?.();
    this.stepDown();
    await this.serial;
  }

  private enqueue(what: string, fn: () => Promise<void>): void {
    this.serial = this.serial.then(fn).catch((e: unknown) => this.logger.error(`workflow scheduler: ${what}: ${coerceError(e).message}`));
  }

  private async takeOver(): Promise<void> {
    this.stepDown();
    this.active = true;
    const now = Date.now();
    const all = await this.workflows.scheduled();
    for (const w of all) await this.fire(w, now);
    this.logger.log(`scheduling ${this.due.size} workflow(s)`);
    this.arm();
  }

  private stepDown(): void {
    this.active = false;
    this.due.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async reload(id: number): Promise<void> {
    if (!this.active) return;
    const w = await this.workflows.findById(id);
    if (!w || !w.enabled || !w.schedule || !w.nextRunAt) this.due.delete(id);
    else this.due.set(id, w.nextRunAt.getTime());
    this.arm();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (!this.active) return;
    const now = Date.now();
    for (const [id, at] of [...this.due]) {
      if (at > now) continue;
      const w = await this.workflows.findById(id);
      if (!w || !w.enabled || !w.schedule) this.due.delete(id);
      else await this.fire(w, now);
    }
    this.arm();
  }

  /** Starts the run a workflow's passed due time asks for, moves its next due time on, and remembers it. */
  private async fire(w: WorkflowEntity, now: number): Promise<void> {
    this.due.delete(w.id);
    if (!w.schedule || !w.nextRunAt) return;
    const dueMs = w.nextRunAt.getTime();
    if (dueMs > now) {
      this.due.set(w.id, dueMs);
      return;
    }
    let schedule;
    try {
      schedule = parseSchedule(w.schedule, w.timezone);
    } catch (e) {
      this.logger.error(`workflow ${w.name}: schedule '${w.schedule}' no longer parses (${coerceError(e).message}); not scheduled`);
      return;
    }
    const anchor = w.createdAt.getTime();
    // Several due times passed (no leader for a while, a late timer): the latest one runs, once.
    const latest = lastRunAtMs(schedule, now, anchor);
    const runFor = latest !== null && latest > dueMs ? latest : dueMs;
    try {
      await this.engine.startRun(w, 'schedule', new Date(runFor));
    } catch (e) {
      this.logger.error(`workflow ${w.name}: run for ${new Date(runFor).toISOString()} not started: ${coerceError(e).message}; trying again in 1 s`);
      this.due.set(w.id, now + 1000);
      return;
    }
    const next = nextRunAtMs(schedule, Math.max(now, runFor), anchor);
    if (await this.workflows.advanceNextRun(w.id, w.nextRunAt, next === null ? null : new Date(next))) {
      if (next !== null) this.due.set(w.id, next);
      return;
    }
    // Changed meanwhile (edited, or moved by another leader): take what is stored now.
    const fresh = await this.workflows.findById(w.id);
    if (fresh?.enabled && fresh.schedule && fresh.nextRunAt) this.due.set(w.id, fresh.nextRunAt.getTime());
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.active || this.due.size === 0) return;
    const soonest = Math.min(...this.due.values());
    const wait = Math.min(Math.max(0, soonest - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.enqueue('due workflows', () => this.tick()), wait);
    this.timer.unref();
  }
}
