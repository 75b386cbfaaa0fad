import type { RouteContract, RouteGroup } from '../contract';
import { API_TOKEN_ROUTES, AUDIT_ROUTES } from './api-tokens.routes';
import { CRONJOB_VERSION_ROUTES, CRONJOB_VERSIONS_BY_NAME_ROUTES } from './cronjob-versions.routes';
import { CRONJOB_ROUTES } from './cronjobs.routes';
import { LIVE_ROUTES } from './live.routes';
import { NAMESPACE_ROUTES } from './namespaces.routes';
import { DOCS_ROUTES, HEALTH_ROUTES, LOADER_ROUTES, METRICS_ROUTES, RETENTION_ROUTES } from './operations.routes';
import { SCHEDULE_ROUTES } from './schedules.routes';
import { SCHEDULER_ROUTES } from './scheduler.routes';
import { TASK_ROUTES } from './tasks.routes';
import { WORKER_ROUTES } from './workers.routes';
import { WORKFLOW_RUN_ROUTES } from './workflow-runs.routes';
import { WORKFLOW_ROUTES } from './workflows.routes';

export * from './api-tokens.routes';
export * from './common';
export * from './cronjob-versions.routes';
export * from './cronjobs.routes';
export * from './live.routes';
export * from './namespaces.routes';
export * from './operations.routes';
export * from './schedules.routes';
export * from './scheduler.routes';
export * from './tasks.routes';
export * from './workers.routes';
export * from './workflow-runs.routes';
export * from './workflows.routes';

/**
 * Every REST route of the server, by group and name: the server registers and validates each
 * (apiserver/src/common/route.decorator.ts), the OpenAPI document is generated from them, and
 * `@cronfleet/client` binds them as typed methods (`client.cronjobs.create(...)`). A group's members
 * are named as the handlers that serve them.
 */
export const API_ROUTES = {
  cronjobs: CRONJOB_ROUTES,
  cronjobVersions: CRONJOB_VERSION_ROUTES,
  cronjobVersionsByName: CRONJOB_VERSIONS_BY_NAME_ROUTES,
  schedules: SCHEDULE_ROUTES,
  tasks: TASK_ROUTES,
  workflows: WORKFLOW_ROUTES,
  workflowRuns: WORKFLOW_RUN_ROUTES,
  workers: WORKER_ROUTES,
  scheduler: SCHEDULER_ROUTES,
  namespaces: NAMESPACE_ROUTES,
  tokens: API_TOKEN_ROUTES,
  audit: AUDIT_ROUTES,
  live: LIVE_ROUTES,
  loader: LOADER_ROUTES,
  retention: RETENTION_ROUTES,
  health: HEALTH_ROUTES,
  metrics: METRICS_ROUTES,
  docs: DOCS_ROUTES,
};

/** The type of {@link API_ROUTES}. */
export type ApiRoutes = typeof API_ROUTES;

/** One route of a set of groups, with its group's name and its own. */
export interface NamedRoute {
  group: string;
  name: string;
  route: RouteContract;
}

/** Every route of `groups` (default {@link API_ROUTES}), in their order: `{ group: 'cronjobs', name: 'create', route }`. */
export function routeList(groups: Readonly<Record<string, RouteGroup>> = API_ROUTES): NamedRoute[] {
  return Object.entries(groups).flatMap(([group, routes]) => Object.entries(routes).map(([name, route]) => ({ group, name, route })));
}
