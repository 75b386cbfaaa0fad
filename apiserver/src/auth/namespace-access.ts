import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DEFAULT_NAMESPACE } from '@cronfleet/shared';
import type { DataSource } from 'typeorm';
import { DomainError, notFound, type NotFoundKind } from '../common/errors';
import type { HttpRequest } from './http-request';
import type { Actor } from '@cronfleet/shared';

/** The kinds of resource a route can name by a path parameter, each with the table its namespace is in. */
type Kind = 'cronjob' | 'task' | 'workflow' | 'workflowRun' | 'worker' | 'token' | 'namespace';

/**
 * How a route meets a scoped token (one whose token names a namespace):
 * - `any`: nothing namespaced in it (a schedule preview, who am I);
 * - `scoped`: a list, a create or a stream whose controller narrows it to the token's namespace
 *   (auth/namespace-scope.ts);
 * - `cluster`: acts on the whole cluster: a scoped token is refused (403);
 * - `{ kind, param }`: names one resource by that path parameter: one in another namespace is
 *   answered 404, as if absent.
 */
export type RouteScope = 'any' | 'scoped' | 'cluster' | { kind: Kind; param: string };

const on = (kind: Kind, param = 'id'): RouteScope => ({ kind, param });

/**
 * THE namespace policy, by route as in role-policy.ts. A route missing here is refused to scoped
 * tokens (closed by default); role-policy.spec.ts fails until every route is listed.
 */
export const ROUTE_SCOPE: Record<string, RouteScope> = {
  'GET /api/v1/cronjobs': 'scoped',
  'GET /api/v1/cronjobs/timeline': 'scoped',
  'GET /api/v1/cronjobs/{id}': on('cronjob'),
  'GET /api/v1/cronjobs/{id}/next': on('cronjob'),
  'POST /api/v1/cronjobs': 'scoped',
  'PATCH /api/v1/cronjobs/{id}': on('cronjob'),
  'DELETE /api/v1/cronjobs/{id}': on('cronjob'),
  'POST /api/v1/cronjobs/{id}/run': on('cronjob'),
  'POST /api/v1/cronjobs/{id}/pause': on('cronjob'),
  'POST /api/v1/cronjobs/{id}/resume': on('cronjob'),
  'GET /api/v1/cronjobs/{id}/versions': on('cronjob'),
  'GET /api/v1/cronjobs/{id}/versions/{version}': on('cronjob'),
  'GET /api/v1/cronjob-versions': 'scoped',
  'POST /api/v1/cronjobs/{id}/versions/{version}/rollback': on('cronjob'),
  'GET /api/v1/schedules/preview': 'any',

  'GET /api/v1/tasks': 'scoped',
  'GET /api/v1/tasks/{id}': on('task'),
  'GET /api/v1/tasks/{id}/output': on('task'),
  'POST /api/v1/tasks': 'scoped',
  'POST /api/v1/tasks/batch': 'scoped',
  'DELETE /api/v1/tasks/{id}': on('task'),
  'POST /api/v1/tasks/{id}/kill': on('task'),
  'POST /api/v1/tasks/{id}/stop': on('task'),
  'POST /api/v1/tasks/{id}/retry': on('task'),

  'GET /api/v1/workflows': 'scoped',
  'GET /api/v1/workflows/{idOrName}': on('workflow', 'idOrName'),
  'GET /api/v1/workflows/{idOrName}/runs': on('workflow', 'idOrName'),
  'POST /api/v1/workflows': 'scoped',
  'PUT /api/v1/workflows/{idOrName}': on('workflow', 'idOrName'),
  'DELETE /api/v1/workflows/{idOrName}': on('workflow', 'idOrName'),
  'POST /api/v1/workflows/{idOrName}/runs': on('workflow', 'idOrName'),
  'GET /api/v1/workflow-runs': 'scoped',
  'GET /api/v1/workflow-runs/{id}': on('workflowRun'),
  'POST /api/v1/workflow-runs/{id}/kill': on('workflowRun'),
  'POST /api/v1/workflow-runs/{id}/stop': on('workflowRun'),
  'POST /api/v1/workflow-runs/{id}/retry': on('workflowRun'),

  'GET /api/v1/sse/events': 'scoped',

  'GET /api/v1/workers': 'scoped',
  'GET /api/v1/workers/{id}': on('worker'),
  'POST /api/v1/workers/{id}/drain': on('worker'),
  'POST /api/v1/workers/{id}/undrain': on('worker'),
  'DELETE /api/v1/workers/{id}': on('worker'),
  // A worker's identity is the cluster's: a shared worker serves every namespace.
  'POST /api/v1/workers/{id}/revoke': 'cluster',
  'POST /api/v1/workers/{id}/reenrol': 'cluster',

  'GET /api/v1/scheduler': 'any',
  'POST /api/v1/scheduler/stop': 'cluster',
  'POST /api/v1/scheduler/start': 'cluster',
  'GET /api/v1/loader': 'cluster',
  'POST /api/v1/retention/run': 'cluster',

  'POST /api/v1/tokens': 'scoped',
  'GET /api/v1/tokens': 'scoped',
  'GET /api/v1/tokens/self': 'any',
  'DELETE /api/v1/tokens/{id}': on('token'),
  'GET /api/v1/audit': 'cluster',

  'GET /api/v1/namespaces': 'scoped',
  'GET /api/v1/namespaces/{name}': on('namespace', 'name'),
  'POST /api/v1/namespaces': 'cluster',
  'PATCH /api/v1/namespaces/{name}': 'cluster',
  'DELETE /api/v1/namespaces/{name}': 'cluster',
};

const TABLE: Record<Exclude<Kind, 'namespace' | 'workflow'>, string> = {
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
 * Applies ROUTE_SCOPE to a scoped token's request, after its role was checked: one indexed read
 * by primary key for a route that names a resource, none otherwise. Cluster-wide tokens never
 * come here.
 */
@Injectable()
export class NamespaceAccess {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async check(actor: Actor & { namespace: string }, key: string, req: HttpRequest & { query?: unknown }, mutating: boolean): Promise<void> {
    const scope = Object.prototype.hasOwnProperty.call(ROUTE_SCOPE, key) ? ROUTE_SCOPE[key] : 'cluster';
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
  private async namespaceOf(kind: Kind, ref: string, req: HttpRequest & { query?: unknown }): Promise<string | null | undefined> {
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
const KIND: Record<Kind, NotFoundKind> = {
  cronjob: 'CronJob',
  task: 'Task',
  workflow: 'Workflow',
  workflowRun: 'WorkflowRun',
  worker: 'Worker',
  token: 'ApiToken',
  namespace: 'Namespace',
};
