import type { Role } from './roles';

/**
 * The least a caller needs for a route (its contract's `access`): a role (see {@link Role}), or
 * `public`: no token at all (probes, metrics, the API's docs).
 */
export type Access = 'public' | Role;

/** The kinds of resource a route can name by a path parameter; the server knows the namespace of each. */
export type ResourceKind = 'cronjob' | 'task' | 'workflow' | 'workflowRun' | 'worker' | 'token' | 'namespace';

/**
 * How a route meets a token scoped to one namespace (its contract's `scope`); a cluster-wide token
 * is never checked by it:
 * - `any`: nothing namespaced in it (a schedule preview, who am I);
 * - `scoped`: a list, a create or a stream whose handler narrows it to the token's namespace;
 * - `cluster`: acts on the whole cluster: a scoped token is refused (403 OutsideNamespace);
 * - `{ kind, param }`: names one resource of `kind` by the path parameter `param`: one in another
 *   namespace is answered 404, as if absent.
 */
export type RouteScope = 'any' | 'scoped' | 'cluster' | { kind: ResourceKind; param: string };

/** The scope of a route that names one resource of `kind` by its path parameter `param` (default `id`). */
export function resource<K extends ResourceKind>(kind: K): { kind: K; param: 'id' };
export function resource<K extends ResourceKind, const P extends string>(kind: K, param: P): { kind: K; param: P };
export function resource(kind: ResourceKind, param = 'id'): RouteScope {
  return { kind, param };
}

/**
 * Who may call a route, stated by its contract: `public` routes take no token and so meet no
 * namespace; every other one names its least role and how it meets a namespace-scoped token.
 */
export type RouteAccess = { access: 'public'; scope?: undefined } | { access: Role; scope: RouteScope };

/**
 * The least role that may send free-form `args` or `env` with `POST /cronjobs/:id/run` (whose own
 * access is operator): they change what runs (an operator could turn `echo report` into any
 * command, or set LD_PRELOAD), which is defining the job. Others vary a run only through the job's
 * declared `params`.
 */
export const RUN_OVERRIDES_ROLE: Role = 'admin';
