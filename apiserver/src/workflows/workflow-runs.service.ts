import { Injectable, Logger } from '@nestjs/common';
import { DomainError, notFound } from '../common/errors';
import { planRun } from './core/run-plan';
import { resetForRetry, type StepState } from './core/run-state';
import { type ListRunsQuery, type RunSummary, type RunView } from '@cronfleet/shared';
import { planStepOf, stepTaskOf, toRunSummary, toRunView } from './workflow.view';
import { type StopHow, WorkflowEngine } from './engine/run-engine';
import type { WorkflowRunEntity } from './workflow-run.entity';
import { WorkflowRunsRepository } from './workflow-runs.repository';

/** Workflow runs: their state per step, and kill, stop and retry. */
@Injectable()
export class WorkflowRunsService {
  private readonly logger = new Logger('workflows');

  constructor(
    private readonly runs: WorkflowRunsRepository,
    private readonly engine: WorkflowEngine,
  ) {}

  async get(id: number): Promise<RunView> {
    const run = await this.load(id);
    return toRunView(run, await this.runs.stepTasks(id));
  }

  async list(q: ListRunsQuery): Promise<{ items: RunSummary[]; nextCursor: string | null }> {
    const rows = await this.runs.list({ workflowId: q.workflowId, namespace: q.namespace, status: q.status, beforeId: q.cursor, limit: q.limit });
    return { items: rows.map(toRunSummary), nextCursor: rows.length === q.limit ? String(rows[rows.length - 1].id) : null };
  }

  /**
   * Kills (SIGKILL) or stops (SIGTERM, then SIGKILL after the grace) a running run: it is marked
   * `killed` first, so no further step starts, then its running step tasks are ended and its pending
   * ones cancelled; the steps it did not reach are `skipped`. 409 once it has ended; 504 if a worker
   * did not confirm (the run is killed all the same; the task records the unconfirmed request).
   */
  async kill(id: number, how: StopHow): Promise<RunView> {
    const run = await this.load(id);
    const reason = how.action === 'kill' ? 'killed through the API' : 'stopped through the API';
    if (run.status !== 'running' || !(await this.runs.finish(id, 'killed', new Date(), reason))) throw ended(await this.load(id));
    this.logger.log(`workflow run ${id} (${run.workflowName}) ${how.action === 'kill' ? 'killed' : 'stopped'} through the API`);
    const problems = await this.engine.stopTasks(id, how, reason);
    this.engine.publishRun(run, 'killed');
    if (problems.length) throw new DomainError('WorkerDidNotConfirm', `workflow run ${id} is killed, but not every step task confirmed it: ${problems.join('; ')}`);
    return this.get(id);
  }

  /**
   * Runs a failed, killed or cancelled run again from where it failed: its steps that did not
   * succeed (and what depends on them) go back to waiting and get new attempts; succeeded steps
   * keep their result and do not run again.
   */
  async retry(id: number): Promise<RunView> {
    const run = await this.load(id);
    if (run.status === 'running' || run.status === 'success') {
      throw new DomainError('WorkflowRunNotRetryable', `workflow run ${id} ${run.status === 'running' ? 'is still running' : 'succeeded'}: only a failed, killed or cancelled run can be retried`);
    }
    const rows = await this.runs.stepTasks(id);
    const floors = { ...(run.retryFrom ?? {}) };
    const plan = planRun(run.definition.steps.map(planStepOf), rows.map(stepTaskOf), floors);
    const states = new Map<string, StepState>(run.definition.steps.map((s) => [s.id, plan.states.get(s.id) ?? 'waiting']));
    for (const [step, state] of resetForRetry(states)) {
      const attempts = rows.filter((r) => r.workflowStep === step).map((r) => r.attempt);
      if (state === 'waiting' && attempts.length) floors[step] = Math.max(...attempts) + 1;
    }
    if (!(await this.runs.restart(id, run.status, floors, run.retries + 1))) {
      throw new DomainError('WorkflowRunNotRetryable', `workflow run ${id} changed meanwhile (someone else retried it); read it again`);
    }
    this.logger.log(`workflow run ${id} (${run.workflowName}) retried from its failed steps`);
    this.engine.publishRun(run, 'running');
    await this.engine.advance(id);
    return this.get(id);
  }

  private async load(id: number): Promise<WorkflowRunEntity> {
    const run = await this.runs.findById(id);
    if (!run) throw notFound('WorkflowRun', id);
    return run;
  }
}

function ended(run: WorkflowRunEntity): DomainError {
  return new DomainError('WorkflowRunEnded', `workflow run ${run.id} has already ended (${run.status})`);
}
