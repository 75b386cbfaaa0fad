import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { coerceError, retryDelayMs, defaultParams, paramEnv, memberTask } from '@cronfleet/shared';
import { Batcher } from '../../common/batcher';
import { LeaderLease } from '../../cluster/lease/leader-lease';
import { LiveFeed } from '../../live/live-feed';
import { TaskEvents } from '../../tasks/lifecycle/task-events';
import { TaskLifecycle } from '../../tasks/lifecycle/task-lifecycle';
import type { TaskEntity } from '../../tasks/task.entity';
import type { NewTask } from '../../tasks/tasks.repository';
import { TaskControl } from '../../workers/task-control';
import { planRun, type NewStepTask } from '../core/run-plan';
import { planStepOf, stepTaskOf } from '../workflow.view';
import type { WorkflowRunEntity, WorkflowRunTrigger } from '../workflow-run.entity';
import type { WorkflowEntity } from '../workflow.entity';
import { type StepTaskRow, WorkflowRunsRepository } from '../workflow-runs.repository';

/** Task ends are collected this long, then one query finds the runs they belong to. */
const LOOKUP_DELAY_MS = 20;
const LOOKUP_BATCH = 500;
/** Stops remembered at most; past this the memory starts over (a stop sent twice does no harm). */
const MAX_STOPS_REMEMBERED = 10_000;
/**
 * The leader looks at every running run this often: a safety net for an end no server followed up
 * (one died between recording a task's end and advancing its run; an end announced only live).
 */
export const SWEEP_MS = 30_000;

/** How a run's live tasks are ended: kill (SIGKILL) or stop (SIGTERM, then SIGKILL after the grace). */
export interface StopHow {
  action: 'kill' | 'stop';
  graceSeconds?: number;
}

/**
 * Advances workflow runs: after each end of a step task (a TaskEvent, on the server that recorded it),
 * when a run starts or is retried, on taking over the lease (every running run), and every SWEEP_MS
 * on the leader. Advancing reads the run and its step tasks as stored, asks the core's planRun what
 * follows, creates those tasks (idempotency key `wf:<run>:<step>:<attempt>[:<member>]`, so a step
 * starts once per run and attempt whoever advances), stops the members a decided group no longer
 * needs, and ends the run with a conditional update once nothing is left to run. Nothing here is
 * kept between calls but a queue per run, so any server can advance any run, and a new leader
 * resumes a run where its tasks say it is, without running a finished step again.
 */
@Injectable()
export class WorkflowEngine implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('workflows');
  private readonly ends = new Batcher<number>((ids) => this.endsBatch(ids), LOOKUP_DELAY_MS, LOOKUP_BATCH);
  /** One advance at a time per run on this server; a request meanwhile makes it go round once more. */
  private readonly busy = new Map<number, { again: boolean; done: Promise<void> }>();
  /** Member tasks a stop was sent for, so that every advance does not send it again. */
  private readonly stopSent = new Set<number>();
  private sweep: NodeJS.Timeout | null = null;
  /** A take-over or sweep is going through the running runs: the next sweep waits for its turn. */
  private resuming = false;
  private unsubscribeTasks: (() => void) | null = null;
  private readonly onAcquired = (): void => this.lead();
  private readonly onLost = (): void => this.standBy();

  constructor(
    private readonly runs: WorkflowRunsRepository,
    private readonly lifecycle: TaskLifecycle,
    private readonly control: TaskControl,
    private readonly live: LiveFeed,
    private readonly taskEvents: TaskEvents,
    private readonly lease: LeaderLease,
  ) {}

  onModuleInit(): void {
    // Every end of a step task (cancel and kill before it started too), on the server that recorded
    // it; an attempt its policy retries does not reach here: step tasks have none (the run retries).
    this.unsubscribeTasks = this.taskEvents.subscribe((e) => {
      if (e.type === 'ended' && e.task.workflowRunId !== null) this.ends.add(e.task.id);
    });
    this.lease.on('acquired', this.onAcquired);
    this.lease.on('lost', this.onLost);
    if (this.lease.isLeader) this.lead();
  }

  async onApplicationShutdown(): Promise<void> {
    this.lease.off('acquired', this.onAcquired);
    this.lease.off('lost', this.onLost);
    this.unsubscribeTasks?.();
    this.standBy();
    await this.ends.flush();
    await Promise.all([...this.busy.values()].map((b) => b.done));
  }

  /**
   * Starts a run of `w` with its steps as they are now and advances it (its first steps' tasks exist
   * when this resolves). A scheduled due time that has a run already gives that run, `created: false`.
   * `params`: the run's values, already resolved against the workflow's params (resolveParams); by
   * default (a scheduled run) the defaults.
   */
  async startRun(w: WorkflowEntity, trigger: WorkflowRunTrigger, scheduledAt: Date | null, params?: Record<string, string>): Promise<{ run: WorkflowRunEntity; created: boolean }> {
    const values = params ?? defaultParams(w.definition.params);
    const { run, created } = await this.runs.create({ workflowId: w.id, workflowName: w.name, namespace: w.namespace, trigger, scheduledAt, status: 'running', definition: w.definition, params: values, startedAt: new Date() });
    if (!created) return { run, created };
    this.logger.log(`workflow ${w.name}: run ${run.id} started (${trigger}${scheduledAt ? ` for ${scheduledAt.toISOString()}` : ''})`);
    await this.advance(run.id);
    return { run, created };
  }

  /** Advances a run; resolves once this server has done what its stored state asks for. Never throws. */
  advance(runId: number): Promise<void> {
    const b = this.busy.get(runId);
    if (b) {
      b.again = true;
      return b.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      do {
        entry.again = false;
        await this.advanceOnce(runId).catch((e: unknown) => this.logger.warn(`workflow run ${runId}: not advanced: ${coerceError(e).message}`));
      } while (entry.again);
      this.busy.delete(runId);
    })();
    this.busy.set(runId, entry);
    return entry.done;
  }

  /**
   * Ends the live tasks of a run that was just marked killed: pending ones not yet given to a worker
   * are cancelled, the others killed or stopped. Returns what could not be done, one line each.
   */
  async stopTasks(runId: number, how: StopHow, reason: string): Promise<string[]> {
    const live = await this.runs.liveTasks(runId);
    const problems = await Promise.all(live.map((t) => this.stopTask(t, how, reason)));
    return problems.filter((p): p is string => p !== null);
  }

  publishRun(run: Pick<WorkflowRunEntity, 'id' | 'workflowId' | 'workflowName' | 'namespace'>, status: string): void {
    this.live.workflow({ type: 'workflow.run', data: { runId: run.id, workflowId: run.workflowId, workflowName: run.workflowName, namespace: run.namespace, status, atMs: Date.now() } });
  }

  private async advanceOnce(runId: number): Promise<void> {
    const run = await this.runs.findById(runId);
    if (!run || run.status !== 'running') return;
    const rows = await this.runs.stepTasks(runId);
    const plan = planRun(run.definition.steps.map(planStepOf), rows.map(stepTaskOf), run.retryFrom ?? {});
    const made: TaskEntity[] = [];
    for (const c of plan.create) {
      const t = await this.createStepTask(run, c, rows);
      if (t) made.push(t);
    }
    for (const id of plan.stop) {
      if (this.stopSent.has(id)) continue;
      if (this.stopSent.size >= MAX_STOPS_REMEMBERED) this.stopSent.clear();
      this.stopSent.add(id);
      const row = rows.find((r) => r.id === id)!;
      void this.stopTask(row, { action: 'kill' }, 'its group step has its outcome: no longer needed').then((problem) => {
        if (problem) this.logger.warn(`workflow run ${runId}: ${problem}`);
      });
    }
    if (made.length) {
      // A kill that marked the run while these were made finds them only if it listed the run's
      // tasks after they existed; one of the two of us sees the other, and stops them.
      const now = await this.runs.findById(runId);
      if (now?.status !== 'running') {
        await Promise.all(made.map((t) => this.stopTask(t, { action: 'kill' }, `workflow run ${runId} is ${now?.status ?? 'gone'}`)));
        return;
      }
      this.logger.log(`workflow run ${runId} (${run.workflowName}): started ${made.map((t) => `${t.workflowStep}${t.workflowItem === null ? '' : `[${t.workflowItem}]`}#${t.attempt} as task ${t.id}`).join(', ')}`);
      this.publishRun(run, 'running');
    }
    if (plan.outcome !== 'running' && plan.create.length === 0 && (await this.runs.finish(runId, plan.outcome, new Date()))) {
      this.logger.log(`workflow run ${runId} (${run.workflowName}) ended ${plan.outcome}`);
      this.publishRun(run, plan.outcome);
    }
  }

  /** The task of one step (or member) and attempt; null when it exists already (another advancer made it). */
  private async createStepTask(run: WorkflowRunEntity, c: NewStepTask, rows: readonly StepTaskRow[]): Promise<TaskEntity | null> {
    const step = run.definition.steps.find((s) => s.id === c.step)!;
    const member = memberTask(step, c.item);
    const delayMs = c.retryOf && step.retry ? (retryDelayMs(step.retry, c.retryOf.attemptsMade) ?? 0) : 0;
    const now = Date.now();
    const itemEnv = c.item === null ? {} : { CRONFLEET_ITEM_INDEX: String(c.item), ...(member.input === null ? {} : { CRONFLEET_ITEM: member.input }) };
    const row: NewTask = {
      cronjobId: null,
      cronjobName: null,
      namespace: run.namespace,
      scheduledAt: new Date(now),
      runAt: delayMs > 0 ? new Date(now + delayMs) : null,
      trigger: c.retryOf ? 'retry' : 'workflow',
      attempt: c.attempt,
      runner: member.runner,
      spec: member.spec,
      timeoutSeconds: step.timeoutSeconds,
      // The run retries its steps itself (attempt n+1 after a failure), so a step's task has no policy of its own.
      retry: null,
      retryOf: c.retryOf?.taskId ?? null,
      previousWorkerId: c.retryOf ? (rows.find((r) => r.id === c.retryOf!.taskId)?.workerId ?? null) : null,
      workerSelector: step.workerSelector,
      // The run's values over the step's env (checkDefinition refuses a step env naming a declared param's variable).
      env: { ...step.env, ...paramEnv(run.params ?? {}), CRONFLEET_WORKFLOW: run.workflowName, CRONFLEET_WORKFLOW_RUN_ID: String(run.id), CRONFLEET_WORKFLOW_STEP: step.id, ...itemEnv },
      idempotencyKey: `wf:${run.id}:${step.id}:${c.attempt}${c.item === null ? '' : `:${c.item}`}`,
      workflowRunId: run.id,
      workflowStep: step.id,
      workflowItem: c.item,
    };
    const { task, created } = await this.lifecycle.submit(row, c.retryOf ? 'retry' : 'workflow');
    return created ? task : null;
  }

  /** Ends one task; null when done (or it had ended), else why not. */
  private async stopTask(t: Pick<TaskEntity, 'id' | 'status' | 'workerId'>, how: StopHow, reason: string): Promise<string | null> {
    try {
      if (t.status === 'pending' && t.workerId === null) {
        try {
          await this.lifecycle.cancel(t.id);
          return null;
        } catch (e) {
          if ((e as { code?: string }).code !== 'TaskNotRunning') throw e;
          // It reached a worker meanwhile: end it there.
        }
      }
      if (how.action === 'kill') await this.control.kill(t.id, reason);
      else await this.control.stop(t.id, how.graceSeconds, reason);
      return null;
    } catch (e) {
      if ((e as { code?: string }).code === 'TaskNotRunning') return null; // it has ended by itself
      return `task ${t.id}: ${coerceError(e).message}`;
    }
  }

  private async endsBatch(taskIds: number[]): Promise<void> {
    let runIds: number[];
    try {
      runIds = await this.runs.runsOfTasks(taskIds);
    } catch (e) {
      this.logger.warn(`${taskIds.length} task end(s): workflow runs not advanced (the leader's sweep will): ${coerceError(e).message}`);
      return;
    }
    for (const id of taskIds) this.stopSent.delete(id);
    await Promise.all(runIds.map((id) => this.advance(id)));
  }

  private lead(): void {
    this.standBy();
    this.sweep = setInterval(() => void this.resumeAll('sweep'), SWEEP_MS);
    this.sweep.unref();
    void this.resumeAll('take-over');
  }

  private standBy(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
  }

  /** Advances every running run, one after the other. */
  private async resumeAll(why: 'take-over' | 'sweep'): Promise<void> {
    if (this.resuming && why === 'sweep') return;
    this.resuming = true;
    try {
      const ids = await this.runs.runningIds();
      if (why === 'take-over' && ids.length) this.logger.log(`take-over: resuming ${ids.length} running workflow run(s)`);
      for (const id of ids) await this.advance(id);
    } catch (e) {
      this.logger.warn(`${why}: running workflow runs not read: ${coerceError(e).message}`);
    } finally {
      this.resuming = false;
    }
  }
}
