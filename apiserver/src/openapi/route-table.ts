import { z } from 'zod';
import { AuditPageSchema } from '../audit/dto/audit.dto';
import { ApiTokenViewSchema, CreatedApiTokenSchema } from '../auth/dto/api-token.dto';
import { LoaderStatusSchema } from '../jobfiles/dto/loader-status.dto';
import { COMPONENT_SCHEMAS, ControlResultSchema, HealthSchema, NextRunsSchema, ReadinessSchema, TaskIdSchema, TimelineSchema } from './response-schemas';

type Component = keyof typeof COMPONENT_SCHEMAS;

/** A response of a route: JSON (a component by name, or a zod schema), another content type, or no body. */
export interface ResponseDoc {
  description: string;
  json?: Component | z.ZodType;
  /** Content type of a non-JSON body, e.g. text/plain. */
  contentType?: string;
}

/**
 * What the code cannot say about a route. Method, path, token and request schemas come from the
 * controllers themselves (see nest-routes.ts); errors 400 (for routes that validate input) and
 * 401 (for routes that need the token) are added to every route that has them.
 */
export interface RouteDoc {
  tag: string;
  summary: string;
  description?: string;
  /** By status. An error (4xx, 5xx) given as text has the error body `{ statusCode, error, code, message }`. */
  responses: Record<number, ResponseDoc | string>;
}

const json = (schema: Component | z.ZodType, description: string): ResponseDoc => ({ description, json: schema });
const list = (item: Component) => z.object({ items: z.array(COMPONENT_SCHEMAS[item]) });
const page = (item: Component) => z.object({ items: z.array(COMPONENT_SCHEMAS[item]), nextCursor: z.string().nullable() });

const NO_JOB = 'no cron job with this id (CronJobNotFound)';
const NO_TASK = 'no task with this id (TaskNotFound)';
const NO_WORKER = 'no worker with this id (WorkerNotFound)';
const CONTROL = {
  200: json(ControlResultSchema, 'the worker confirmed'),
  404: NO_TASK,
  409: 'the task has already ended (TaskNotRunning)',
  504: 'the worker did not confirm in time (WorkerDidNotConfirm); recorded on the task as control.state unconfirmed',
};

/** Every route the server registers, by `METHOD /path`; route-table.spec.ts fails when one is missing here or gone there. */
export const ROUTE_TABLE: Record<string, RouteDoc> = {
  'POST /api/v1/cronjobs': {
    tag: 'cronjobs',
    summary: 'Create a cron job',
    description: "`spec` is checked against the runner's schema and `schedule` parsed in `timezone`; an expression that can never fire is refused.",
    responses: { 201: json('CronJob', 'created, with its nextRunAt'), 409: 'a cron job with this name exists (CronJobNameTaken)' },
  },
  'GET /api/v1/cronjobs': {
    tag: 'cronjobs',
    summary: 'List cron jobs',
    description: 'By id. Without `limit` every cron job; with it one page, and `nextCursor` (pass as `cursor`) while more may follow. `q` matches part of the name in any case.',
    responses: { 200: json(page('CronJob'), 'cron jobs') },
  },
  'GET /api/v1/cronjobs/timeline': {
    tag: 'cronjobs',
    summary: 'Latest runs of several cron jobs',
    description: 'For each of `ids` (at most 100) its latest `limit` tasks by due time, newest first: the success/failure strips of the dashboard.',
    responses: { 200: json(TimelineSchema, 'runs per cron job') },
  },
  'GET /api/v1/cronjobs/{id}': { tag: 'cronjobs', summary: 'Read a cron job', responses: { 200: json('CronJob', 'the cron job'), 404: NO_JOB } },
  'PATCH /api/v1/cronjobs/{id}': {
    tag: 'cronjobs',
    summary: 'Change a cron job',
    description: 'Any subset of the create fields; `secretEnv` replaces all secret variables (null removes them).',
    responses: { 200: json('CronJob', 'the changed cron job'), 404: NO_JOB, 409: 'another cron job has this name (CronJobNameTaken)' },
  },
  'DELETE /api/v1/cronjobs/{id}': { tag: 'cronjobs', summary: 'Delete a cron job and its task history', responses: { 204: { description: 'deleted' }, 404: NO_JOB } },
  'POST /api/v1/cronjobs/{id}/run': {
    tag: 'cronjobs',
    summary: 'Run a cron job now',
    description: "Also when it is paused; the body's `args` and `env` override the spec for this run.",
    responses: { 202: json(TaskIdSchema, 'the task was created'), 404: NO_JOB },
  },
  'POST /api/v1/cronjobs/{id}/pause': { tag: 'cronjobs', summary: 'Stop scheduling a cron job', responses: { 200: json('CronJob', 'the cron job, enabled: false'), 404: NO_JOB } },
  'POST /api/v1/cronjobs/{id}/resume': { tag: 'cronjobs', summary: 'Schedule a cron job again from now', responses: { 200: json('CronJob', 'the cron job, enabled: true'), 404: NO_JOB } },
  'GET /api/v1/cronjobs/{id}/next': { tag: 'cronjobs', summary: "A cron job's next due times", responses: { 200: json(NextRunsSchema, 'ISO-8601 instants, soonest first'), 404: NO_JOB } },
  'GET /api/v1/schedules/preview': {
    tag: 'cronjobs',
    summary: 'Try a schedule before saving it',
    description: 'Its next due times, each strictly after `from` (default now).',
    responses: { 200: json(NextRunsSchema, 'ISO-8601 instants, soonest first') },
  },
  'POST /api/v1/tasks': {
    tag: 'tasks',
    summary: 'Create a one-shot task',
    description: 'Runs at `runAt` or after `delaySeconds` (now when neither is given), outside any cron job.',
    responses: { 202: json(TaskIdSchema, 'the task was created'), 200: json(TaskIdSchema, 'a task with this idempotencyKey exists: its id') },
  },
  'GET /api/v1/tasks': {
    tag: 'tasks',
    summary: 'List tasks, newest first',
    responses: { 200: json(z.object({ items: z.array(COMPONENT_SCHEMAS.Task), nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` for the next page; null on the last' }) }), 'one page') },
  },
  'GET /api/v1/tasks/{id}': { tag: 'tasks', summary: 'Read a task', responses: { 200: json('Task', 'the task'), 404: NO_TASK } },
  'DELETE /api/v1/tasks/{id}': {
    tag: 'tasks',
    summary: 'Cancel a task that has not reached a worker',
    responses: { 204: { description: 'cancelled' }, 404: NO_TASK, 409: 'it reached a worker or has ended (TaskNotRunning); kill it instead' },
  },
  'GET /api/v1/tasks/{id}/output': {
    tag: 'tasks',
    summary: "A task's output",
    description: 'stdout and stderr as text; with `follow=true`, Server-Sent Events: `output` events `{ seq, data }` (what is stored, then live) until `end` `{ status }`.',
    responses: { 200: { description: 'the output as text, or an event stream with follow=true', contentType: 'text/plain' }, 404: NO_TASK },
  },
  'POST /api/v1/tasks/{id}/kill': { tag: 'tasks', summary: "SIGKILL to a task's process group", responses: CONTROL },
  'POST /api/v1/tasks/{id}/stop': { tag: 'tasks', summary: 'SIGTERM to a task, SIGKILL after the grace', responses: CONTROL },
  'POST /api/v1/tasks/{id}/retry': {
    tag: 'tasks',
    summary: 'Run a finished task again as its next attempt',
    responses: { 202: json(TaskIdSchema, 'the new attempt was created'), 404: NO_TASK, 409: 'the task has not ended yet (TaskNotRunning)' },
  },
  'GET /api/v1/sse/events': {
    tag: 'events',
    summary: 'Live events (Server-Sent Events)',
    description:
      'Each event as `event: <type>` and `data: <json>`: task.created|started|output|finished, cronjob.created|updated|deleted, worker.online|offline|drained, scheduler.leader; `: ping` every 15 s. ' +
      '`type` takes types or prefixes (`task.`), comma separated; `cronjobId` and `taskId` pass only events carrying that id. A client more than 1 MiB behind gets an `error` event and is dropped.',
    responses: { 200: { description: 'an event stream', contentType: 'text/event-stream' } },
  },
  'GET /api/v1/workers': { tag: 'workers', summary: 'List workers', responses: { 200: json(list('Worker'), 'every worker the cluster knows') } },
  'GET /api/v1/workers/{id}': { tag: 'workers', summary: 'Read a worker with its live tasks', responses: { 200: json('WorkerDetail', 'the worker'), 404: NO_WORKER } },
  'POST /api/v1/workers/{id}/drain': { tag: 'workers', summary: 'No new tasks for a worker', responses: { 200: json('WorkerDetail', 'the worker, drained'), 404: NO_WORKER } },
  'POST /api/v1/workers/{id}/undrain': { tag: 'workers', summary: 'A drained worker takes tasks again', responses: { 200: json('WorkerDetail', 'the worker'), 404: NO_WORKER } },
  'DELETE /api/v1/workers/{id}': {
    tag: 'workers',
    summary: 'Forget an offline worker',
    responses: { 204: { description: 'forgotten' }, 404: NO_WORKER, 409: 'the worker is online or unreachable (WorkerStillConnected)' },
  },
  'GET /api/v1/scheduler': { tag: 'scheduler', summary: 'Who dispatches and how far behind', responses: { 200: json('SchedulerStatus', 'heap figures are null unless this instance leads') } },
  'POST /api/v1/scheduler/stop': { tag: 'scheduler', summary: 'Pause dispatch on every instance', responses: { 200: json('SchedulerStatus', 'paused') } },
  'POST /api/v1/scheduler/start': { tag: 'scheduler', summary: 'Resume dispatch on every instance', responses: { 200: json('SchedulerStatus', 'resumed') } },
  'GET /api/v1/loader': {
    tag: 'operations',
    summary: 'Job files: each file of CRONFLEET_JOBS_DIR and CRONFLEET_CONFIG with its status (ok or error) and the jobs it manages',
    responses: { 200: json(LoaderStatusSchema, 'the files this instance loads') },
  },
  'POST /api/v1/tokens': {
    tag: 'tokens',
    summary: 'Create an API token',
    description: 'Roles: `viewer` (read), `operator` (also run, pause, kill, drain, scheduler stop/start), `admin` (everything). The token (`cft_…`) is in this answer only; the server keeps its SHA-256.',
    responses: { 201: json(CreatedApiTokenSchema, 'created, with its secret'), 409: 'a token with this name exists (ApiTokenNameTaken)' },
  },
  'GET /api/v1/tokens/self': {
    tag: 'tokens',
    summary: 'The caller: its token id (null for the configured admin token), name and role',
    responses: { 200: json(z.object({ tokenId: z.number().int().positive().nullable(), name: z.string(), role: z.enum(['viewer', 'operator', 'admin']) }), 'the caller') },
  },
  'GET /api/v1/tokens': { tag: 'tokens', summary: 'List API tokens (never their secrets), revoked ones too', responses: { 200: json(z.object({ items: z.array(ApiTokenViewSchema) }), 'every token') } },
  'DELETE /api/v1/tokens/{id}': {
    tag: 'tokens',
    summary: 'Revoke an API token',
    description: 'It is refused (401) from the next request on, on every server; the row stays for the audit log.',
    responses: { 204: { description: 'revoked (also when it already was)' }, 404: 'no token with this id (ApiTokenNotFound)' },
  },
  'GET /api/v1/audit': {
    tag: 'tokens',
    summary: 'The audit log of mutating calls, newest first',
    description: 'Every POST, PATCH, PUT and DELETE that passed the token check: who (token name and id, or `admin`), role, method, path, target id, status answered, client address, time. Request bodies are never kept.',
    responses: { 200: json(AuditPageSchema, 'one page') },
  },
  'GET /healthz': { tag: 'operations', summary: 'Liveness: the server and its database answer', responses: { 200: json(HealthSchema, 'alive'), 500: 'the database does not answer' } },
  'GET /readyz': {
    tag: 'operations',
    summary: 'Readiness: database, migrations and Redis',
    responses: { 200: json(ReadinessSchema, 'ready'), 503: json(ReadinessSchema, 'not ready: `notReady` names the failed checks, `checks` says why') },
  },
  'GET /metrics': { tag: 'operations', summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text format 0.0.4', contentType: 'text/plain' } } },
  'GET /api/docs': { tag: 'operations', summary: 'Swagger UI for this document', responses: { 200: { description: 'an HTML page', contentType: 'text/html' } } },
  'GET /api/docs/openapi.json': { tag: 'operations', summary: 'This OpenAPI 3.1 document', responses: { 200: { description: 'the document', contentType: 'application/json' } } },
  'GET /api/docs/{file}': { tag: 'operations', summary: "Swagger UI's script, style sheet and icons", responses: { 200: { description: 'the file', contentType: 'application/octet-stream' }, 404: 'not one of its files' } },
};
