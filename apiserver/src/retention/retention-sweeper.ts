import { keepsEverything, pauseAfterBatchMs, planRetention, type JobRetention, type RetentionDefaults, type RetentionPlan } from './core/retention-plan';

/** A position in (finishedAt, id) order: where an age scan goes on, or the newest task a count limit deletes. */
export interface FinishedMark {
  id: number;
  finishedAt: Date;
}

/** A finished task found by the default age scan, with what decides whether the default applies to it. */
export interface FinishedRow extends FinishedMark {
  cronjobId: number | null;
  workflowRunId: number | null;
}

/**
 * The reads and deletes a sweep needs (implemented on the database by RetentionRepository). A
 * `group` is a job id, or null for one-shot tasks (no job, not part of a workflow run). Every read
 * returns at most `limit` rows, found through an index; every delete takes ids.
 */
export interface RetentionStore {
  /** Jobs that set `historyLimit` or `historyDays`. */
  jobsWithOwnRetention(): Promise<JobRetention[]>;
  /** Ids of jobs after `afterId`, ascending. */
  jobIdsAfter(afterId: number, limit: number): Promise<number[]>;
  /** Tasks that ended before `cutoff`, in (finishedAt, id) order, after `after`. */
  finishedBefore(cutoff: Date, after: FinishedMark | null, limit: number): Promise<FinishedRow[]>;
  /** Ids of a job's tasks that ended before `cutoff`. */
  jobFinishedBefore(cronjobId: number, cutoff: Date, limit: number): Promise<number[]>;
  /** The newest finished task of `group` past the newest `keep`, or null when it has at most `keep`. */
  firstBeyond(group: number | null, keep: number): Promise<FinishedMark | null>;
  /** Ids of finished tasks of `group` at or before `mark` in (finishedAt, id) order. */
  finishedUpTo(group: number | null, mark: FinishedMark, limit: number): Promise<number[]>;
  /** Deletes these tasks (their output goes with them) unless they are live; returns how many went. */
  deleteFinished(ids: readonly number[]): Promise<number>;
  /** Ids of workflow runs that ended before `cutoff`, oldest first. */
  runsEndedBefore(cutoff: Date, limit: number): Promise<number[]>;
  /** Ids of workflows after `afterId`, ascending. */
  workflowIdsAfter(afterId: number, limit: number): Promise<number[]>;
  /** The newest ended run of a workflow past its newest `keep` ended runs, or null. */
  runBeyond(workflowId: number, keep: number): Promise<FinishedMark | null>;
  /** Ids of a workflow's ended runs at or before `mark` in (finishedAt, id) order. */
  runsUpTo(workflowId: number, mark: FinishedMark, limit: number): Promise<number[]>;
  /** Deletes these runs with their step tasks and output, unless a run is running or still has a live task; returns how many went. */
  deleteEndedRuns(ids: readonly number[]): Promise<number>;
}

export interface SweepResult {
  /** Tasks deleted, in all. */
  deleted: number;
  /** Of them, because they were older than their job's (or the default) `historyDays`. */
  byAge: number;
  /** Of them, because newer tasks of their job filled its `historyLimit`. */
  byLimit: number;
  /** Ended workflow runs deleted (with their step tasks, which `deleted` does not count), by the server's defaults. */
  workflowRuns: number;
  /** DELETE statements run. */
  batches: number;
  durationMs: number;
  /** False when the sweep was stopped before the end (leadership lost, shutdown); the next one goes on. */
  completed: boolean;
}

export interface SweeperOptions {
  /** Ids per DELETE. Default 500. */
  batchSize?: number;
  /** Waits after a DELETE that took `batchMs`; default {@link pauseAfterBatchMs}. */
  pause?: (batchMs: number) => Promise<void>;
  /** Checked before every statement: true ends the sweep where it is. */
  shouldStop?: () => boolean;
  now?: () => number;
}

/** Job ids read per query when the default count limit applies to every job. */
const JOB_PAGE = 1000;
/** Runs per DELETE: a run takes its step tasks (up to a group's 1,000 members) and their output along. */
const RUN_BATCH = 20;

class Stopped extends Error {}

/**
 * One retention sweep: deletes finished tasks past their job's (or the server's) `historyDays`,
 * then past its `historyLimit`, in batches of at most `batchSize` ids, each one short DELETE by
 * primary key (its own transaction; the output rows go with it by the foreign key's cascade), with
 * a pause after each, so the dispatcher's writes to `tasks` never wait long. Ids are found through
 * the `(finished_at)` and `(cronjob_id, finished_at)` indexes, never by a scan of the table; live
 * tasks have no `finished_at` and the DELETE itself refuses them too. Tasks of workflow runs are
 * left alone: a run's view and its engine read them.
 */
export class RetentionSweeper {
  private readonly batchSize: number;
  private readonly pause: (batchMs: number) => Promise<void>;
  private readonly shouldStop: () => boolean;
  private readonly now: () => number;
  private result!: SweepResult;

  constructor(
    private readonly store: RetentionStore,
    opts: SweeperOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 500;
    this.pause = opts.pause ?? ((ms) => new Promise((r) => setTimeout(r, pauseAfterBatchMs(ms))));
    this.shouldStop = opts.shouldStop ?? (() => false);
    this.now = opts.now ?? Date.now;
  }

  async sweep(defaults: RetentionDefaults): Promise<SweepResult> {
    const started = this.now();
    this.result = { deleted: 0, byAge: 0, byLimit: 0, workflowRuns: 0, batches: 0, durationMs: 0, completed: false };
    try {
      const plan = planRetention(defaults, await this.store.jobsWithOwnRetention(), started);
      if (!keepsEverything(plan)) {
        await this.byDefaultAge(plan);
        for (const [jobId, cutoff] of plan.ownCutoffMs) await this.byJobAge(jobId, new Date(cutoff));
        await this.byCount(plan);
        await this.runsByAge(plan);
        await this.runsByCount(plan);
      }
      this.result.completed = true;
    } catch (e) {
      if (!(e instanceof Stopped)) throw e;
    }
    this.result.durationMs = this.now() - started;
    return this.result;
  }

  /**
   * Everything that ended before the default cutoff, in (finishedAt, id) order from a cursor, so a
   * task kept (its job keeps longer, it belongs to a workflow run) is read once per sweep, not once
   * per batch.
   */
  private async byDefaultAge(plan: RetentionPlan): Promise<void> {
    if (plan.defaultCutoffMs === null) return;
    const cutoff = new Date(plan.defaultCutoffMs);
    let after: FinishedMark | null = null;
    for (;;) {
      this.checkStop();
      const rows = await this.store.finishedBefore(cutoff, after, this.batchSize);
      if (rows.length === 0) return;
      const doomed = rows.filter((r) => r.workflowRunId === null && !(r.cronjobId !== null && plan.ownCutoffMs.has(r.cronjobId))).map((r) => r.id);
      if (doomed.length) this.result.byAge += await this.delete(doomed);
      const last = rows[rows.length - 1];
      after = { id: last.id, finishedAt: last.finishedAt };
      if (rows.length < this.batchSize) return;
    }
  }

  private async byJobAge(jobId: number, cutoff: Date): Promise<void> {
    for (;;) {
      this.checkStop();
      const ids = await this.store.jobFinishedBefore(jobId, cutoff, this.batchSize);
      if (ids.length === 0) return;
      const n = await this.delete(ids);
      this.result.byAge += n;
      if (ids.length < this.batchSize || n === 0) return;
    }
  }

  /** Each job's count limit (every job's, when there is a default), then one-shot tasks'. */
  private async byCount(plan: RetentionPlan): Promise<void> {
    if (plan.defaultLimit === null) {
      for (const [jobId, keep] of plan.ownLimits) await this.trim(jobId, keep);
      return;
    }
    for (let after = 0; ; ) {
      this.checkStop();
      const ids = await this.store.jobIdsAfter(after, JOB_PAGE);
      for (const id of ids) await this.trim(id, plan.ownLimits.get(id) ?? plan.defaultLimit);
      if (ids.length < JOB_PAGE) break;
      after = ids[ids.length - 1];
    }
    await this.trim(null, plan.defaultLimit);
  }

  /** Deletes a group's finished tasks past its newest `keep`. */
  private async trim(group: number | null, keep: number): Promise<void> {
    this.checkStop();
    const mark = await this.store.firstBeyond(group, keep);
    if (!mark) return;
    for (;;) {
      this.checkStop();
      const ids = await this.store.finishedUpTo(group, mark, this.batchSize);
      if (ids.length === 0) return;
      const n = await this.delete(ids);
      this.result.byLimit += n;
      if (ids.length < this.batchSize || n === 0) return;
    }
  }

  /**
   * Ended workflow runs past the server's `historyDays`, with their step tasks (which the task
   * phases above leave alone: a run's view reads them), a few runs per DELETE.
   */
  private async runsByAge(plan: RetentionPlan): Promise<void> {
    if (plan.defaultCutoffMs === null) return;
    const cutoff = new Date(plan.defaultCutoffMs);
    for (;;) {
      this.checkStop();
      const ids = await this.store.runsEndedBefore(cutoff, RUN_BATCH);
      if (ids.length === 0) return;
      const n = await this.deleteRuns(ids);
      if (ids.length < RUN_BATCH || n === 0) return;
    }
  }

  /** Each workflow's ended runs past the server's `historyLimit` newest. */
  private async runsByCount(plan: RetentionPlan): Promise<void> {
    if (plan.defaultLimit === null) return;
    for (let after = 0; ; ) {
      this.checkStop();
      const ids = await this.store.workflowIdsAfter(after, JOB_PAGE);
      for (const id of ids) await this.trimRuns(id, plan.defaultLimit);
      if (ids.length < JOB_PAGE) return;
      after = ids[ids.length - 1];
    }
  }

  private async trimRuns(workflowId: number, keep: number): Promise<void> {
    this.checkStop();
    const mark = await this.store.runBeyond(workflowId, keep);
    if (!mark) return;
    for (;;) {
      this.checkStop();
      const ids = await this.store.runsUpTo(workflowId, mark, RUN_BATCH);
      if (ids.length === 0) return;
      const n = await this.deleteRuns(ids);
      if (ids.length < RUN_BATCH || n === 0) return;
    }
  }

  private async deleteRuns(ids: readonly number[]): Promise<number> {
    const n = await this.batch(() => this.store.deleteEndedRuns(ids));
    this.result.workflowRuns += n;
    return n;
  }

  private async delete(ids: readonly number[]): Promise<number> {
    const n = await this.batch(() => this.store.deleteFinished(ids));
    this.result.deleted += n;
    return n;
  }

  /** One DELETE, counted, then the pause its length asks for. */
  private async batch(run: () => Promise<number>): Promise<number> {
    this.checkStop();
    const t0 = this.now();
    const n = await run();
    this.result.batches++;
    await this.pause(this.now() - t0);
    return n;
  }

  private checkStop(): void {
    if (this.shouldStop()) throw new Stopped();
  }
}
