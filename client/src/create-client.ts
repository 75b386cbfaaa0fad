import { API_ROUTES, type RouteContract, type RouteInput, type RouteResult } from '@cronfleet/shared/api';
import { bindRoutes, type ApiGroups, type BoundRoutes, type CallArgs } from './bind-routes';
import { CronfleetApiError } from './cronfleet-api-error';
import { liveEvents, type LiveEventMessage, type LiveEventOptions } from './live-events';
import { hasTaskRoutes, taskHelpers, type TaskHelpersOf } from './task-helpers';
import { followTaskOutput, type FollowOutputOptions, type TaskOutputEvent } from './task-output';
import { Transport, type Answer, type CallOptions, type ClientOptions } from './transport';

/** The route groups a client gets when `routes` is not given: every route of the server. */
const DEFAULT_ROUTES = API_ROUTES;
/** The type of {@link DEFAULT_ROUTES}. */
export type DefaultRoutes = typeof DEFAULT_ROUTES;

/** What every client has, whatever its route groups. */
export interface ClientCore {
  /** The server's root the client calls, normalised (`http://localhost:8080`). */
  readonly baseUrl: string;
  /** Calls any route: `client.call(TASK_ROUTES.get, { params: { id: 7 } })`. Retries, errors and results as the bound methods. */
  call<R extends RouteContract>(route: R, ...args: CallArgs<R>): Promise<RouteResult<R>>;
  /** Like {@link call}, with the success status and headers too (`POST /tasks` answers 202 when it made the task, 200 when it existed). */
  answer<R extends RouteContract>(route: R, ...args: CallArgs<R>): Promise<Answer<RouteResult<R>>>;
  /** The live events (`GET /api/v1/sse/events`), filtered, as an async iterable; see {@link liveEvents}. */
  events(options?: LiveEventOptions): AsyncIterable<LiveEventMessage>;
  /** One task's output as it comes (`GET /api/v1/tasks/:id/output?follow=true`), then its end; see {@link followTaskOutput}. */
  followOutput(taskId: number, options?: FollowOutputOptions): AsyncIterable<TaskOutputEvent>;
}

/** A client: the core methods, a method per route of each group, and the task helpers when there is a `tasks` group. */
export type CronfleetClient<A extends ApiGroups = DefaultRoutes> = ClientCore & BoundRoutes<A> & TaskHelpersOf<A>;

/** Options of {@link createClient}: how to reach the server, and the routes to bind. */
export interface CreateClientOptions<A extends ApiGroups> extends ClientOptions {
  /** The route groups to make methods of, e.g. `API_ROUTES` or `{ tasks: TASK_ROUTES }`. */
  routes?: A;
}

/** The names a route group may not take: the client's own members. */
const RESERVED = new Set(['baseUrl', 'call', 'answer', 'events', 'followOutput', 'enqueue', 'enqueueBatch']);

/**
 * A client of a Cronfleet server. Each route of each group in `routes` becomes a method
 * (`client.tasks.create({ body })`, typed by the route); `call` reaches any other route. Every
 * failure is a {@link CronfleetApiError}: check its `code`. Requests are retried on 429 and 503
 * (honouring `Retry-After`) and, where safe, when no answer came; see {@link ClientOptions}.
 * Needs only `fetch`, `AbortController` and `TextDecoder`: Node 20 or a browser.
 */
export function createClient<A extends ApiGroups = DefaultRoutes>(options: CreateClientOptions<A>): CronfleetClient<A> {
  const transport = new Transport(options);
  const groups = (options.routes ?? DEFAULT_ROUTES) as A;
  const clash = Object.keys(groups).find((name) => RESERVED.has(name));
  if (clash) throw new CronfleetApiError({ status: null, code: 'InvalidInput', message: `routes: a group may not be named '${clash}' (a method of the client)`, retryable: false });

  const answer = <R extends RouteContract>(route: R, ...[input, callOptions]: CallArgs<R>): Promise<Answer<RouteResult<R>>> =>
    transport.send<RouteResult<R>>(route, (input ?? {}) as RouteInput<R>, callOptions as CallOptions | undefined);
  const call = async <R extends RouteContract>(route: R, ...args: CallArgs<R>): Promise<RouteResult<R>> => (await answer(route, ...args)).result;

  const core: ClientCore = {
    baseUrl: transport.root,
    call,
    answer,
    events: (eventOptions) => liveEvents(transport, eventOptions),
    followOutput: (taskId, followOptions) => followTaskOutput(transport, taskId, followOptions),
  };
  const helpers = hasTaskRoutes(groups.tasks) ? taskHelpers(transport, groups.tasks) : {};
  return Object.freeze({ ...core, ...helpers, ...bindRoutes(call, groups) }) as unknown as CronfleetClient<A>;
}
