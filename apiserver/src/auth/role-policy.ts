import type { Role } from '@cronfleet/shared';

/** The least a caller needs for a route: a role, or `public` (no token at all). */
export type Access = Role | 'public';

/**
 * THE role policy: every route by `METHOD /path` (of its contract in `@cronfleet/shared` API_ROUTES) and the least role
 * that may call it. The global guard (auth.guard.ts) enforces this table and nothing else; a route
 * missing here is refused to everyone but admins, and role-policy.spec.ts fails until it is added.
 */
export const ROUTE_ACCESS: Record<string, Access> = {
  'GET /api/v1/cronjobs': 'viewer',
  'GET /api/v1/cronjobs/timeline': 'viewer',
  'GET /api/v1/cronjobs/{id}': 'viewer',
  'GET /api/v1/cronjobs/{id}/next': 'viewer',
  'POST /api/v1/cronjobs': 'admin',
  'PATCH /api/v1/cronjobs/{id}': 'admin',
  'DELETE /api/v1/cronjobs/{id}': 'admin',
  'POST /api/v1/cronjobs/{id}/run': 'operator',
  'POST /api/v1/cronjobs/{id}/pause': 'operator',
  'POST /api/v1/cronjobs/{id}/resume': 'operator',
  'GET /api/v1/cronjobs/{id}/versions': 'viewer',
  'GET /api/v1/cronjobs/{id}/versions/{version}': 'viewer',
  'GET /api/v1/cronjob-versions': 'viewer',
  // Changes the job's definition, as PATCH does.
  'POST /api/v1/cronjobs/{id}/versions/{version}/rollback': 'admin',
  'GET /api/v1/schedules/preview': 'viewer',

  'GET /api/v1/tasks': 'viewer',
  'GET /api/v1/tasks/{id}': 'viewer',
  'GET /api/v1/tasks/{id}/output': 'viewer',
  // A one-shot task carries its own command: defining what runs is an admin's.
  'POST /api/v1/tasks': 'admin',
  'POST /api/v1/tasks/batch': 'admin',
  'DELETE /api/v1/tasks/{id}': 'operator',
  'POST /api/v1/tasks/{id}/kill': 'operator',
  'POST /api/v1/tasks/{id}/stop': 'operator',
  'POST /api/v1/tasks/{id}/retry': 'operator',

  'GET /api/v1/workflows': 'viewer',
  'GET /api/v1/workflows/{idOrName}': 'viewer',
  'GET /api/v1/workflows/{idOrName}/runs': 'viewer',
  // A workflow's steps carry their own commands: defining them is an admin's, as for cron jobs.
  'POST /api/v1/workflows': 'admin',
  'PUT /api/v1/workflows/{idOrName}': 'admin',
  'DELETE /api/v1/workflows/{idOrName}': 'admin',
  'POST /api/v1/workflows/{idOrName}/runs': 'operator',
  'GET /api/v1/workflow-runs': 'viewer',
  'GET /api/v1/workflow-runs/{id}': 'viewer',
  'POST /api/v1/workflow-runs/{id}/kill': 'operator',
  'POST /api/v1/workflow-runs/{id}/stop': 'operator',
  'POST /api/v1/workflow-runs/{id}/retry': 'operator',

  'GET /api/v1/sse/events': 'viewer',

  'GET /api/v1/workers': 'viewer',
  'GET /api/v1/workers/{id}': 'viewer',
  'POST /api/v1/workers/{id}/drain': 'operator',
  'POST /api/v1/workers/{id}/undrain': 'operator',
  'DELETE /api/v1/workers/{id}': 'admin',
  // Who may join the fleet under a name: an admin's, as tokens are.
  'POST /api/v1/workers/{id}/revoke': 'admin',
  'POST /api/v1/workers/{id}/reenrol': 'admin',

  'GET /api/v1/scheduler': 'viewer',
  'POST /api/v1/scheduler/stop': 'operator',
  'POST /api/v1/scheduler/start': 'operator',

  'GET /api/v1/loader': 'viewer',
  // Deletes task history now: what the leader's timer does, on demand.
  'POST /api/v1/retention/run': 'admin',

  'POST /api/v1/tokens': 'admin',
  'GET /api/v1/tokens': 'admin',
  'GET /api/v1/tokens/self': 'viewer',
  'DELETE /api/v1/tokens/{id}': 'admin',
  'GET /api/v1/audit': 'admin',

  'GET /api/v1/namespaces': 'viewer',
  'GET /api/v1/namespaces/{name}': 'viewer',
  // Quotas bound every team at once: a cluster-wide admin's (namespace-access.ts).
  'POST /api/v1/namespaces': 'admin',
  'PATCH /api/v1/namespaces/{name}': 'admin',
  'DELETE /api/v1/namespaces/{name}': 'admin',

  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /api/docs': 'public',
  'GET /api/docs/openapi.json': 'public',
  'GET /api/docs/{file}': 'public',
};

/**
 * The least role that may send free-form `args` or `env` with `POST /api/v1/cronjobs/{id}/run`: they
 * change what runs (an operator could turn `echo report` into any command, or set LD_PRELOAD), which
 * is defining the job. Others vary a run only through the job's declared `params`.
 */
export const RUN_OVERRIDES_ROLE: Role = 'admin';

/** `POST /api/v1/cronjobs/{id}/run` from a method and the route's pattern (`/api/v1/cronjobs/:id/run`). */
export function routeKey(method: string, routePath: string): string {
  return `${method.toUpperCase()} ${routePath.replace(/:(\w+)/g, '{$1}')}`;
}

/** What the table asks for this route; admin for a route it does not list (closed by default). */
export function accessFor(key: string): Access {
  return Object.prototype.hasOwnProperty.call(ROUTE_ACCESS, key) ? ROUTE_ACCESS[key] : 'admin';
}
