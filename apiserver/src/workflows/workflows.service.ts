import { Injectable } from '@nestjs/common';
import { DomainError, notFound } from '../common/errors';
import { nextRunAtMs, parseSchedule, patternMatches, resolveParams, type ListWorkflowsQuery, type ListRunsQuery, type RunWorkflow, type RunSummary, type RunView, type WorkflowView } from '@cronfleet/shared';
import { ClusterEvents } from '../cluster/cluster-events';
import { LiveFeed } from '../live/live-feed';
import { checkDefinition } from './check-definition';
import type { WorkflowDefinition } from '@cronfleet/shared';
import { toRunSummary, toWorkflowView } from './workflow.view';
import { WorkflowEngine } from './engine/run-engine';
import { WorkflowRunsService } from './workflow-runs.service';
import type { WorkflowEntity } from './workflow.entity';
import { WorkflowRunsRepository } from './workflow-runs.repository';
import { WorkflowsRepository } from './workflows.repository';
import { NamespacesService } from '../namespaces/namespaces.service';

/** The next due time of a definition from `fromMs` on (`@every` on a grid anchored at creation); null when it does not run by itself. */
export function nextDue(def: Pick<WorkflowDefinition, 'schedule' | 'timezone' | 'enabled'>, fromMs: number, anchorMs: number): Date | null {
  if (!def.enabled || def.schedule === null) return null;
  const next = nextRunAtMs(parseSchedule(def.schedule, def.timezone), fromMs, anchorMs);
  return next === null ? null : new Date(next);
}

/** Workflow definitions: create, read, replace, delete, and starting a run on demand. */
@Injectable()
export class WorkflowsService {
  constructor(
    private readonly repo: WorkflowsRepository,
    private readonly runs: WorkflowRunsRepository,
    private readonly runService: WorkflowRunsService,
    private readonly engine: WorkflowEngine,
    private readonly events: ClusterEvents,
    private readonly live: LiveFeed,
    private readonly namespaces: NamespacesService,
  ) {}

  /** `namespace`: where it goes, already checked against the caller's scope (auth/namespace-scope.ts). */
  async create(def: WorkflowDefinition, namespace: string): Promise<WorkflowView> {
    await this.namespaces.assertExists(namespace);
    const now = new Date();
    const w = await this.repo.insert({
      name: def.name,
      namespace,
      description: def.description,
      definition: { steps: def.steps, params: def.params },
      schedule: def.schedule,
      timezone: def.timezone,
      enabled: def.enabled,
      nextRunAt: nextDue(def, now.getTime(), now.getTime()),
      createdAt: now,
    });
    await this.changed(w, 'workflow.created');
    return toWorkflowView(w);
  }

  async list(q: ListWorkflowsQuery): Promise<{ items: WorkflowView[]; nextCursor: string | null }> {
    const rows = await this.repo.list(q);
    const full = q.limit !== undefined && rows.length === q.limit;
    return { items: rows.map(toWorkflowView), nextCursor: full ? String(rows[rows.length - 1].id) : null };
  }

  /** `ns`: the namespace a name is looked up in (an id is found in any). */
  async get(ref: string, ns: string): Promise<WorkflowView> {
    return toWorkflowView(await this.load(ref, ns));
  }

  /**
   * Replaces a workflow's definition (`PUT`): the body is checked once the workflow is found, so an
   * unknown one is a 404 whatever the body. Runs under way keep the steps they started with. A new
   * schedule, zone or enabled state counts from now.
   */
  async replace(ref: string, ns: string, body: unknown): Promise<WorkflowView> {
    const w = await this.load(ref, ns);
    const def = checkDefinition(body);
    if (def.namespace !== undefined && def.namespace !== w.namespace) {
      throw new DomainError('ValidationFailed', `namespace: a workflow never moves (it is in '${w.namespace}'); create it in '${def.namespace}' and delete this one`);
    }
    const timing = def.schedule !== w.schedule || def.timezone !== w.timezone || def.enabled !== w.enabled;
    const next: WorkflowEntity = { ...w, name: def.name, description: def.description, definition: { steps: def.steps, params: def.params }, schedule: def.schedule, timezone: def.timezone, enabled: def.enabled };
    if (timing) next.nextRunAt = nextDue(def, Date.now(), w.createdAt.getTime());
    const saved = await this.repo.save(next);
    await this.changed(saved, 'workflow.updated');
    return toWorkflowView(saved);
  }

  /** Deletes a workflow with its runs and their tasks; refused while a run is running. */
  async remove(ref: string, ns: string): Promise<void> {
    const w = await this.load(ref, ns);
    const running = await this.runs.runningOf(w.id);
    if (running.length) {
      throw new DomainError('WorkflowBusy', `workflow '${w.name}' has ${running.length} running run(s) (${running.join(', ')}): kill them first (POST /workflow-runs/${running[0]}/kill)`);
    }
    if (!(await this.repo.delete(w.id))) throw notFound('Workflow', ref);
    await this.events.publish({ type: 'workflow.changed', id: w.id });
    this.live.workflow({ type: 'workflow.deleted', data: { workflowId: w.id, name: w.name, namespace: w.namespace } });
  }

  /**
   * Runs a workflow now (also when it is disabled); its first steps' tasks exist when this answers.
   * `params`: values for the workflow's declared params, checked as a cron job's run now checks them
   * (a 400 naming `params.<NAME>`, nothing started), defaults filled in.
   */
  async run(ref: string, ns: string, body: RunWorkflow = {}): Promise<RunView> {
    const w = await this.load(ref, ns);
    const params = resolveParams(w.definition.params ?? [], body.params ?? {}, patternMatches, 'this workflow');
    if (!params.ok) throw new DomainError('ValidationFailed', params.problems.join('; '));
    const { run } = await this.engine.startRun(w, 'api', null, params.values);
    return this.runService.get(run.id);
  }

  async runsOf(ref: string, ns: string, q: Omit<ListRunsQuery, 'workflowId'>): Promise<{ items: RunSummary[]; nextCursor: string | null }> {
    const w = await this.load(ref, ns);
    const rows = await this.runs.list({ workflowId: w.id, status: q.status, beforeId: q.cursor, limit: q.limit });
    return { items: rows.map(toRunSummary), nextCursor: rows.length === q.limit ? String(rows[rows.length - 1].id) : null };
  }

  private async changed(w: WorkflowEntity, type: 'workflow.created' | 'workflow.updated'): Promise<void> {
    await this.events.publish({ type: 'workflow.changed', id: w.id });
    this.live.workflow({ type, data: { workflowId: w.id, name: w.name, enabled: w.enabled, namespace: w.namespace } });
  }

  private async load(ref: string, ns: string): Promise<WorkflowEntity> {
    const w = await this.repo.findByRef(ref, ns);
    if (!w) throw notFound('Workflow', ref);
    return w;
  }
}
