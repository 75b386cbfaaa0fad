import type { RouteContract, RouteGroup, RouteInput, RouteResult } from '@cronfleet/shared/api';
import type { CallOptions } from './transport';

/** Route groups by name, as the shared contract collects them: `{ cronjobs: CRONJOB_ROUTES, tasks: TASK_ROUTES, ... }`. */
export type ApiGroups = Record<string, RouteGroup>;

/**
 * The arguments of a call to route `R`: its input (`{ params, query, body }` as the route has them,
 * in their input forms) and call options. The input may be left out when the route needs none.
 */
export type CallArgs<R extends RouteContract> = {} extends RouteInput<R> ? [input?: RouteInput<R>, options?: CallOptions] : [input: RouteInput<R>, options?: CallOptions];

/** A route as a method: `client.tasks.get({ params: { id: 7 } })` resolves to the route's result. */
export type BoundRoute<R extends RouteContract> = (...args: CallArgs<R>) => Promise<RouteResult<R>>;

/** A group's routes as methods of the same names. */
export type BoundGroup<G extends RouteGroup> = { readonly [N in keyof G]: BoundRoute<G[N]> };

/** Every group's routes as methods: `client.cronjobs.create(...)`, `client.tasks.cancel(...)`. */
export type BoundRoutes<A extends ApiGroups> = { readonly [K in keyof A]: BoundGroup<A[K]> };

/** Calls one route: what a client's `call` is. */
export type RouteCaller = <R extends RouteContract>(route: R, ...args: CallArgs<R>) => Promise<RouteResult<R>>;

/**
 * Makes each route of each group a method that calls it through `call`: the methods are generated
 * from the groups (no method is written by hand), typed by the routes' own schemas.
 */
export function bindRoutes<A extends ApiGroups>(call: RouteCaller, groups: A): BoundRoutes<A> {
  const bound: Record<string, Record<string, unknown>> = {};
  for (const [groupName, group] of Object.entries(groups)) {
    const methods: Record<string, unknown> = {};
    for (const [routeName, route] of Object.entries(group)) {
      methods[routeName] = (...args: CallArgs<RouteContract>) => call(route, ...args);
    }
    bound[groupName] = Object.freeze(methods);
  }
  return Object.freeze(bound) as BoundRoutes<A>;
}
