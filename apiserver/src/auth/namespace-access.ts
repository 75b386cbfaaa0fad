import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DEFAULT_NAMESPACE, type Actor, type ResourceKind, type RouteScope } from '@cronfleet/shared';
import type { DataSource } from 'typeorm';
import { DomainError, notFound, type NotFoundKind } from '../common/errors';
import type { HttpRequest } from './http-request';

const TABLE: Record<Exclude<ResourceKind, 'namespace' | 'workflow'>, string> = {
  cronjob: 'cronjobs',
  task: 'tasks',
  workflowRun: 'workflow_runs',
  worker: 'workers',
  token: 'api_tokens',
};

const ID = /^[1-9][0-9]{0,15}$/;

/** The namespace a workflow name is looked up in: `?namespace=`, else the token's, else `default`. */
export function nameNamespace(req: Pick<HttpRequest, 'actor'> & { query?: unknown }): string {
  const asked = (req.query as { namespace?: unknown } | undefined)?.namespace;
  return typeof asked === 'string' && asked !== '' ? asked : (req.actor?.namespace ?? DEFAULT_NAMESPACE);
}

/**
 * Applies a route's `scope` (its contract's, see RouteScope in `@cronfleet/shared`) to a scoped
 * token's request, after its role was checked: one indexed read by primary key for a route that
 * names a resource, none otherwise. Cluster-wide tokens never come here. `key` names the route in
 * a refusal (`POST /api/v1/scheduler/stop`).
 */
@Injectable()
export class NamespaceAccess {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async check(actor: Actor & { namespace: string }, scope: RouteScope, key: string, req: HttpRequest & { query?: unknown }, mutating: boolean): Promise<void> {
    if (scope === 'any' || scope === 'scoped') return;
    if (scope === 'cluster') {
      throw new DomainError('OutsideNamespace', `${key} acts on the whole cluster and needs a cluster-wide token; token '${actor.name}' is scoped to namespace '${actor.namespace}'`);
    }
    const ref = req.params?.[scope.param] ?? '';
    const found = await this.namespaceOf(scope.kind, ref, req);
    if (found === undefined || found === actor.namespace) return; // absent: the route answers 404 itself
    if (found === null && scope.kind === 'worker') {
      if (!mutating) return; // a shared worker runs this namespace's tasks too: it may be seen
      throw new DomainError('OutsideNamespace', `worker ${ref} serves every namespace: changing it needs a cluster-wide token; token '${actor.name}' is scoped to namespace '${actor.namespace}'`);
    }
    throw notFound(KIND[scope.kind], ref);
  }

  /** The namespace of the resource (null: shared by all), or undefined when there is none. */
  private async namespaceOf(kind: ResourceKind, ref: string, req: HttpRequest & { query?: unknown }): Promise<string | null | undefined> {
    if (kind === 'namespace') return ref;
    if (kind === 'workflow') {
      if (ID.test(ref)) {
        const byId = await this.read('workflows', Number(ref));
        if (byId !== undefined) return byId;
      }
      // By name it is looked up in one namespace (nameNamespace): a scoped token may only name its own.
      return nameNamespace(req);
    }
    if (!ID.test(ref)) return undefined;
    const found = await this.read(TABLE[kind], Number(ref));
    if (found !== undefined || kind !== 'cronjob') return found;
    // A deleted job's versions stay, in its namespace: that of its last version (null, not recorded: no scoped token's).
    const versions = (await this.db.query('SELECT namespace FROM cronjob_versions WHERE cronjob_id = ? ORDER BY version DESC LIMIT 1', [Number(ref)])) as { namespace: string | null }[];
    return versions.length === 0 ? undefined : versions[0].namespace;
  }

  private async read(table: string, id: number): Promise<string | null | undefined> {
    const rows = (await this.db.query(`SELECT namespace FROM ${table} WHERE id = ?`, [id])) as { namespace: string | null }[];
    return rows.length === 0 ? undefined : rows[0].namespace;
  }
}

/** What each kind of resource is called in its `…NotFound`: one in another namespace is answered as absent. */
const KIND: Record<ResourceKind, NotFoundKind> = {
  cronjob: 'CronJob',
  task: 'Task',
  workflow: 'Workflow',
  workflowRun: 'WorkflowRun',
  worker: 'Worker',
  token: 'ApiToken',
  namespace: 'Namespace',
};
