import type { z } from 'zod';
import type { RouteAccess } from './access';

/** Every REST route is under this prefix, except the ones marked `unprefixed` (probes, scrapers, docs). */
export const API_PREFIX = '/api/v1';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A response of a route other than its success answer: a JSON body, another content type, or no body. */
export interface ResponseDoc {
  description: string;
  /** The JSON body. */
  schema?: z.ZodType;
  /** Content type of a non-JSON body, e.g. text/plain. */
  contentType?: string;
  /** Further content types of the same status (e.g. text/event-stream for `follow=true`). */
  alsoContentTypes?: string[];
}

/**
 * One REST route, stated once: the server registers, validates and documents it from this (OpenAPI
 * is generated from the routes), and `@cronfleet/client` calls it, typed by the same schemas.
 *
 * - `path` is below {@link API_PREFIX} unless `unprefixed`, with parameters as `:name`
 *   (`/cronjobs/:id/run`).
 * - `params`, `query` and `body` are the zod schemas the server validates with; a client sends their
 *   input form (`z.input`), the server's handler receives their output (`z.output`). `params` is a
 *   `z.object` of the path parameters, one member per `:name`: the server checks each on its own,
 *   naming it (`id: must be a number ...`).
 * - `status` is the success status and `result` its JSON body (none for 204 or a non-JSON answer,
 *   given by `resultContentType`), `resultDescription` what that answer means. `result` describes the
 *   answer for documentation and typing; the server does not validate its own answers at run time.
 * - `alsoAnswers` are further success answers of the route by status (`POST /tasks` answers 200 for
 *   an existing `idempotencyKey`), documented and not typed: `RouteResult` is the `status` answer's.
 * - `errors` are the route's own error answers by status; 400 (for a route with input) and 401
 *   (for one that needs a token) are added to every route that has them. A string is a description of
 *   the error body `{ statusCode, error, code, message }`.
 * - `access` and `scope` ({@link RouteAccess}) are who may call it: the least role (or `public`: no
 *   token), and how it meets a token scoped to one namespace. The server's guard enforces them and
 *   nothing else, and the OpenAPI document states the role (`x-cronfleet-role`); a route without
 *   them does not compile.
 */
export type RouteContract = RouteShape & RouteAccess;

/** What a route is apart from who may call it. */
export interface RouteShape {
  method: HttpMethod;
  path: string;
  unprefixed?: boolean;
  tag: string;
  summary: string;
  description?: string;
  /** The path parameters, one member per `:name` of `path`. */
  params?: z.ZodObject;
  query?: z.ZodType;
  body?: z.ZodType;
  status: number;
  result?: z.ZodType;
  /** What the success answer is, for the OpenAPI document (`created, with its nextRunAt`). */
  resultDescription?: string;
  /** Content type of a non-JSON success answer (text/plain, text/event-stream). */
  resultContentType?: string;
  /** Further content types of the success status (e.g. text/event-stream for `follow=true`). */
  alsoContentTypes?: string[];
  /** Other success answers by status, e.g. 200 `{ taskId }` of `POST /tasks` for a known idempotencyKey. */
  alsoAnswers?: Record<number, ResponseDoc>;
  errors?: Record<number, ResponseDoc | string>;
}

/** The names of a path's parameters: `'id' | 'version'` of `/cronjobs/:id/versions/:version`. */
export type PathParams<P extends string> = P extends `${string}:${infer N}/${infer Rest}` ? N | PathParams<`/${Rest}`> : P extends `${string}:${infer N}` ? N : never;

/** A route whose `scope` names its resource by a parameter its path does not have is refused: the type then asks for one it has. */
type ScopeFits<R extends RouteContract> = R['scope'] extends { param: infer P } ? ([P] extends [PathParams<R['path']>] ? unknown : { scope: { param: PathParams<R['path']> } }) : unknown;

/**
 * Declares a route, keeping its literal types (method, path, schemas) for the typed client; a
 * `scope` naming a path parameter the path does not have does not compile.
 */
export function defineRoute<const R extends RouteContract>(route: R & ScopeFits<R>): R {
  return route;
}

/** The full path of a route as the server serves it: `/api/v1/cronjobs/:id/run`. */
export function fullPath(route: Pick<RouteContract, 'path' | 'unprefixed'>): string {
  return route.unprefixed ? route.path : `${API_PREFIX}${route.path === '/' ? '' : route.path}`;
}

type InputOf<S> = S extends z.ZodType ? z.input<S> : never;

/** What a caller gives a route: `params`, `query` and `body` where the route has them (input forms). */
export type RouteInput<R extends RouteContract> = ([R['params']] extends [z.ZodType] ? { params: InputOf<R['params']> } : { params?: undefined }) &
  ([R['query']] extends [z.ZodType] ? { query?: InputOf<R['query']> } : { query?: undefined }) &
  ([R['body']] extends [z.ZodType] ? { body: InputOf<R['body']> } : { body?: undefined });

/** What a route answers on success: its `result` as JSON (output form), else nothing readable as JSON. */
export type RouteResult<R extends RouteContract> = [R['result']] extends [z.ZodType] ? z.output<R['result']> : R['resultContentType'] extends string ? string : void;

/** A group of routes by name, e.g. `{ create, list, get }` of the cron jobs. */
export type RouteGroup = Record<string, RouteContract>;
