import type { RouteContract, RouteGroup, RouteInput, RouteResult } from '@cronfleet/shared/api';
import type { Answer, CallOptions, Transport } from './transport';

/** The name of `POST /tasks/batch` in the task routes: the tasks controller's handler name. */
const BATCH = 'createBatch';

/**
 * The task routes the helpers need: `create` (`POST /tasks`, 202 `{ taskId }`, 200 for a repeated
 * idempotency key) and `createBatch` (`POST /tasks/batch`, 200 `{ items }`). A client made with a
 * `tasks` group holding them has {@link TaskHelpers}.
 */
export type TaskRoutes = RouteGroup & { create: RouteContract } & { [BATCH]: RouteContract };

/** The body of one task, as `POST /tasks` takes it (and each item of a batch). */
export type TaskInput<G extends TaskRoutes> = RouteInput<G['create']> extends { body: infer B } ? B : never;

/** Options of {@link TaskHelpers.enqueueBatch}. */
export interface EnqueueBatchOptions extends CallOptions {
  /** All or nothing: one task refused refuses the request with that task's error, and none is made. Default false. */
  atomic?: boolean;
}

/** Thin helpers over the task routes, for an application that hands Cronfleet delayed tasks. */
export interface TaskHelpers<G extends TaskRoutes> {
  /**
   * Creates one task (now, at `runAt`, or after `delaySeconds`). `created` is false when a task with
   * the same `idempotencyKey` existed (the server answered 200 with its id, and made nothing).
   * A task with an idempotency key is sent again after a dropped connection; one without is not
   * (it may have been made).
   */
  enqueue(task: TaskInput<G>, options?: CallOptions): Promise<RouteResult<G['create']> & { created: boolean }>;
  /**
   * Creates up to 1,000 tasks in one request: one answer per task, in order, `{ taskId, created }`
   * or `{ error: { code, message, field } }`. Sent again after a dropped connection only when every
   * task has an idempotency key.
   */
  enqueueBatch(tasks: readonly TaskInput<G>[], options?: EnqueueBatchOptions): Promise<RouteResult<G[typeof BATCH]>>;
}

/** The helpers a client made with route groups `A` has: {@link TaskHelpers} when `A.tasks` has the task routes, else none. */
export type TaskHelpersOf<A> = A extends { tasks: infer G extends TaskRoutes } ? TaskHelpers<G> : {};

/** Whether `group` holds the routes the task helpers call. */
export function hasTaskRoutes(group: RouteGroup | undefined): group is TaskRoutes {
  return !!group && typeof group.create === 'object' && typeof group[BATCH] === 'object';
}

/** The task helpers over `routes`, sending through `transport`. */
export function taskHelpers<G extends TaskRoutes>(transport: Transport, routes: G): TaskHelpers<G> {
  return {
    async enqueue(task, options) {
      const answer = (await transport.send(routes.create, { body: task }, options)) as Answer<RouteResult<G['create']> & object>;
      return { ...answer.result, created: answer.status === 202 };
    },
    async enqueueBatch(tasks, options = {}) {
      const { atomic, ...callOptions } = options;
      const body = atomic === undefined ? { tasks } : { tasks, atomic };
      return (await transport.send<RouteResult<G[typeof BATCH]>>(routes[BATCH], { body }, callOptions)).result;
    },
  };
}
