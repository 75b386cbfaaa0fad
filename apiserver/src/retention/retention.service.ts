import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { coerceError } from '@cronfleet/shared';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG } from '../config/tokens';
import { LeaderLease } from '../cluster/lease/leader-lease';
import { Metrics } from '../observability/metrics';
import { RetentionRepository } from './retention.repository';
import { RetentionSweeper, type SweepResult } from './retention-sweeper';

/** The first sweep after taking the lead waits this long (at most the interval): the new leader loads its jobs first. */
const FIRST_SWEEP_DELAY_MS = 60_000;

export type SweepTrigger = 'timer' | 'api';

/** What `POST /retention/run` answers: the sweep's counts and the defaults it applied. */
export interface SweepReport extends SweepResult {
  defaults: { historyDays: number | null; historyLimit: number | null };
}

/**
 * Runs retention sweeps: on the leader only, on a timer (states: standby, no timer → leading: first
 * sweep a minute after `acquired`, then every `retentionIntervalSeconds` → standby on `lost`, where
 * a sweep under way stops after its current batch), and on demand through the API on any instance.
 * Sweeps of one instance never overlap: each waits for the one before. Two instances sweeping at
 * once (an API call on a standby) only delete the same rows twice, which is harmless.
 */
@Injectable()
export class RetentionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('retention');
  private timer: NodeJS.Timeout | null = null;
  private leading = false;
  private stopping = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly onAcquired = (): void => {
    this.leading = true;
    this.arm(Math.min(FIRST_SWEEP_DELAY_MS, this.config.retentionIntervalSeconds * 1000));
  };
  private readonly onLost = (): void => {
    this.leading = false;
    this.disarm();
  };

  constructor(
    private readonly lease: LeaderLease,
    private readonly repo: RetentionRepository,
    private readonly metrics: Metrics,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  onModuleInit(): void {
    this.lease.on('acquired', this.onAcquired);
    this.lease.on('lost', this.onLost);
    if (this.lease.isLeader) this.onAcquired();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.lease.off('acquired', this.onAcquired);
    this.lease.off('lost', this.onLost);
    this.disarm();
    await this.chain.catch(() => undefined);
  }

  /** One sweep now (after any sweep under way on this instance), whether or not this instance leads. */
  runNow(): Promise<SweepReport> {
    return this.run('api');
  }

  private run(trigger: SweepTrigger): Promise<SweepReport> {
    const next = this.chain.catch(() => undefined).then(() => this.sweep(trigger));
    this.chain = next;
    return next;
  }

  private async sweep(trigger: SweepTrigger): Promise<SweepReport> {
    const defaults = { historyDays: this.config.historyDays, historyLimit: this.config.historyLimit };
    const sweeper = new RetentionSweeper(this.repo, { shouldStop: () => this.stopping || (trigger === 'timer' && !this.leading) });
    const r = await sweeper.sweep({ days: defaults.historyDays, limit: defaults.historyLimit });
    this.metrics.retentionSwept(r);
    const how = r.completed ? '' : ' (stopped before the end: no longer the leader, or shutting down)';
    this.logger.log(
      `retention sweep (${trigger}): deleted ${r.deleted} finished task(s), ${r.byAge} past their age and ${r.byLimit} past their job's count, and ${r.workflowRuns} ended workflow run(s), in ${r.batches} batch(es), ${r.durationMs} ms${how}`,
    );
    return { ...r, defaults };
  }

  private arm(ms: number): void {
    this.disarm();
    if (this.config.retentionIntervalSeconds === 0 || this.stopping) return;
    this.timer = setTimeout(() => void this.background(), ms);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async background(): Promise<void> {
    this.timer = null;
    if (!this.leading || this.stopping) return;
    try {
      await this.run('timer');
    } catch (e) {
      this.logger.error(`retention sweep failed: ${coerceError(e).message}`);
    }
    if (this.leading) this.arm(this.config.retentionIntervalSeconds * 1000);
  }
}
