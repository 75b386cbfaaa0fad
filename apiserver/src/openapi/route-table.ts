import { z } from 'zod';
import { AuditPageSchema, ApiTokenViewSchema, CreatedApiTokenSchema, LoaderStatusSchema, NamespaceViewSchema, TaskBatchAnswerSchema, COMPONENT_SCHEMAS, ControlResultSchema, HealthSchema, NextRunsSchema, ReadinessSchema, SweepReportSchema, TaskIdSchema, TimelineSchema } from '@cronfleet/shared';

type Component = keyof typeof COMPONENT_SCHEMAS;

/** A response of a route: JSON (a component by name, or a zod schema), another content type, or no body. */
export interface ResponseDoc {
  description: string;
  json?: Component | z.ZodType;
  /** Content type of a non-JSON body, e.g. text/plain. */
  contentType?: string;
  /** Further content types of the same status (e.g. text/event-stream for `follow=true`), each a string. */
  alsoContentTypes?: string[];
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
const NO_VERSION = 'no cron job with this id (CronJobNotFound), or it has no such version (CronJobVersionNotFound)';
const NO_TASK = 'no task with this id (TaskNotFound)';
const NO_WORKER = 'no worker with this id (WorkerNotFound)';
const NO_WORKFLOW = 'no workflow with this id or name (WorkflowNotFound)';
const NO_RUN = 'no workflow run with this id (WorkflowRunNotFound)';
const runPage = z.object({ items: z.array(COMPONENT_SCHEMAS.WorkflowRunSummary), nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` for the next page; null on the last' }) });
const RUN_CONTROL = {
  200: json('WorkflowRun', 'the run, killed: its running steps ended, the rest skipped'),
  404: NO_RUN,
  409: 'the run has already ended (WorkflowRunEnded)',
  504: 'a worker did not confirm in time (WorkerDidNotConfirm); the run is killed all the same',
};
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
    description:
      "`spec` is checked against the runner's schema and `schedule` parsed in `timezone`; an expression that can never fire is refused. " +
      'A `runner` other than the built-ins (command, script, docker, http) is a plugin runner: its `spec` is checked here only as a JSON object ' +
      '(at most 64 KiB, 32 levels), and by the plugin on the worker; the job is saved even when no worker offers the runner yet, and its tasks wait ' +
      "(pendingReason `no online worker supports runner '<name>'`) until one does.",
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
    description:
      "Also when it is paused. `params`: values of the job's declared params (any role that may run), checked against them " +
      '(a 400 names the param: unknown, required, not one of the enum, not matching the pattern), defaults filled in, given to the task as ' +
      'environment CRONFLEET_PARAM_<NAME>. `args` and `env` override the spec for this run and need the admin role.',
    responses: { 202: json(TaskIdSchema, 'the task was created'), 403: "the token's role is below operator, or `args`/`env` were sent by a token below admin", 404: NO_JOB },
  },
  'POST /api/v1/cronjobs/{id}/pause': { tag: 'cronjobs', summary: 'Stop scheduling a cron job', responses: { 200: json('CronJob', 'the cron job, enabled: false'), 404: NO_JOB } },
  'POST /api/v1/cronjobs/{id}/resume': { tag: 'cronjobs', summary: 'Schedule a cron job again from now', responses: { 200: json('CronJob', 'the cron job, enabled: true'), 404: NO_JOB } },
  'GET /api/v1/cronjobs/{id}/next': { tag: 'cronjobs', summary: "A cron job's next due times", responses: { 200: json(NextRunsSchema, 'ISO-8601 instants, soonest first'), 404: NO_JOB } },
  'GET /api/v1/cronjobs/{id}/versions': {
    tag: 'cronjobs',
    summary: "A cron job's versions, newest first",
    description: 'One per create, change (pause and resume included), rollback and delete: who, when, what changed. Also for a deleted job. `limit` per page (default 20), `cursor` the previous page\'s `nextCursor`.',
    responses: { 200: json(page('CronJobVersionSummary'), 'one page'), 404: NO_JOB },
  },
  'GET /api/v1/cronjob-versions': {
    tag: 'cronjobs',
    summary: 'Cron jobs by name in their versions, deleted ones included',
    description:
      "The jobs whose latest version is named `name` (in `namespace` when given), each with its latest version, newest first: a deleted job's is its deletion " +
      '(`deleted: true`), and its versions can then be read with `GET /cronjobs/{id}/versions` although the job is gone. `namespace` is null for a job deleted ' +
      'before versions recorded it; a token scoped to a namespace sees only its own. `limit` 1-100 (default 20).',
    responses: {
      200: json(
        z.object({
          items: z.array(
            z.object({
              cronjobId: z.number().int(),
              name: z.string().nullable(),
              namespace: z.string().nullable(),
              deleted: z.boolean(),
              version: z.number().int(),
              at: z.string(),
            }),
          ),
        }),
        'the jobs found, newest first',
      ),
    },
  },
  'GET /api/v1/cronjobs/{id}/versions/{version}': {
    tag: 'cronjobs',
    summary: 'One version of a cron job, with its whole definition',
    responses: { 200: json('CronJobVersion', 'the version'), 404: NO_VERSION },
  },
  'POST /api/v1/cronjobs/{id}/versions/{version}/rollback': {
    tag: 'cronjobs',
    summary: "Write an older version's definition again, as a new version",
    description:
      "Through the checks of an update: a definition whose triggers name a job deleted since, or that no longer passes today's checks, is refused naming the field. Secret values and webhook headers are those of that version; the pause state stays as it is. " +
      '`version` is the new version, null when the job already had that definition.',
    responses: {
      200: json(z.object({ cronjob: COMPONENT_SCHEMAS.CronJob, version: COMPONENT_SCHEMAS.CronJobVersionSummary.nullable() }), 'the job as it is now, and the version written'),
      404: NO_VERSION,
      409: 'another cron job has the name of that version (CronJobNameTaken)',
    },
  },
  'GET /api/v1/schedules/preview': {
    tag: 'cronjobs',
    summary: 'Try a schedule before saving it',
    description:
      'Its next due times, each strictly after `from` (default now). An `@every` schedule runs on a grid that starts at `anchor` (default `from`): ' +
      "give an existing job's `createdAt` to see its own next runs, as `GET /cronjobs/:id/next` does.",
    responses: { 200: json(NextRunsSchema, 'ISO-8601 instants, soonest first') },
  },
  'POST /api/v1/tasks': {
    tag: 'tasks',
    summary: 'Create a one-shot task',
    description:
      'Runs at `runAt` or after `delaySeconds` (now when neither is given), outside any cron job. `runner` may name a plugin runner ' +
      '(its `spec` a JSON object the plugin checks on the worker); the task waits until an online worker offers it.',
    responses: { 202: json(TaskIdSchema, 'the task was created'), 200: json(TaskIdSchema, 'a task with this idempotencyKey exists: its id') },
  },
  'POST /api/v1/tasks/batch': {
    tag: 'tasks',
    summary: 'Create up to 1,000 one-shot tasks',
    description:
      'Each item is a `POST /tasks` body, checked and made on its own: the answer holds one entry per item, in order, `{ taskId, created }` ' +
      '(`created: false` when its `idempotencyKey` names an existing task) or `{ error: { code, message, field } }` (fields named `tasks.<i>.<field>`), ' +
      'so one bad item does not refuse the others. With `atomic: true` all are made or none: the first refusal is the answer (400, 403 or 404 as for one task). ' +
      'Answered once every task made is durable.',
    responses: { 200: json(TaskBatchAnswerSchema, 'one entry per item, in order') },
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
    responses: { 200: { description: 'the output as text, or an event stream with follow=true', contentType: 'text/plain', alsoContentTypes: ['text/event-stream'] }, 404: NO_TASK },
  },
  'POST /api/v1/tasks/{id}/kill': { tag: 'tasks', summary: "SIGKILL to a task's process group", responses: CONTROL },
  'POST /api/v1/tasks/{id}/stop': { tag: 'tasks', summary: 'SIGTERM to a task, SIGKILL after the grace', responses: CONTROL },
  'POST /api/v1/tasks/{id}/retry': {
    tag: 'tasks',
    summary: "Run a finished task's run again as the attempt after its latest one",
    responses: {
      202: json(TaskIdSchema, 'the new attempt was created'),
      404: NO_TASK,
      409: "the task has not ended yet (TaskNotRunning), or its run's latest attempt is live or was just retried (RetryExists, naming that attempt)",
    },
  },
  'POST /api/v1/workflows': {
    tag: 'workflows',
    summary: 'Create a workflow',
    description:
      'Steps with `id`, `runner` and `spec` (one task) or `group` (`items`: `[{ runner, spec }]`, or `forEach` inputs with one `runner` and `spec`; with `succeedWhen` all, any or `{ atLeast: K }` and `maxParallel`), ' +
      '`dependsOn`, `when` (success, failure, always), `retry`, `timeoutSeconds`, `workerSelector`, `env`; an optional `schedule` in `timezone`; ' +
      "`params`, declared and checked as a cron job's (what a run may set, given to every task of a run as CRONFLEET_PARAM_<NAME>; a scheduled, enabled workflow's required params need a default; no step's `env` or spec `env` may set a declared param's variable). " +
      "Unknown dependencies, duplicate ids, cycles (named: `a → b → a`) and specs that do not fit their runner are refused naming the field (`steps[2].dependsOn[0]: no step has the id 'x'`).",
    responses: { 201: json('Workflow', 'created, with its nextRunAt'), 409: 'a workflow with this name exists (WorkflowNameTaken)' },
  },
  'GET /api/v1/workflows': {
    tag: 'workflows',
    summary: 'List workflows',
    description: 'By id. Without `limit` every workflow; with it one page, and `nextCursor` (pass as `cursor`) while more may follow. `q` matches part of the name in any case.',
    responses: { 200: json(z.object({ items: z.array(COMPONENT_SCHEMAS.Workflow), nextCursor: z.string().nullable() }), 'workflows') },
  },
  'GET /api/v1/workflows/{idOrName}': { tag: 'workflows', summary: 'Read a workflow by id or name', responses: { 200: json('Workflow', 'the workflow'), 404: NO_WORKFLOW } },
  'PUT /api/v1/workflows/{idOrName}': {
    tag: 'workflows',
    summary: 'Replace a workflow',
    description: 'The whole definition, as for create (the name may change). Runs under way keep the steps they started with; a changed schedule counts from now.',
    responses: { 200: json('Workflow', 'the workflow as stored now'), 404: NO_WORKFLOW, 409: 'another workflow has this name (WorkflowNameTaken)' },
  },
  'DELETE /api/v1/workflows/{idOrName}': {
    tag: 'workflows',
    summary: 'Delete a workflow with its runs and their tasks',
    responses: { 204: { description: 'deleted' }, 404: NO_WORKFLOW, 409: 'a run of it is running (WorkflowBusy): kill it first' },
  },
  'POST /api/v1/workflows/{idOrName}/runs': {
    tag: 'workflows',
    summary: 'Run a workflow now',
    description:
      "Also when it is disabled. Answers once its first steps are started, with the run. `params`: values of the workflow's declared params (any role that may run), " +
      'checked as for a cron job\'s run now (a 400 names the param: unknown, required, not one of the enum, not matching the pattern; nothing starts), defaults filled in, ' +
      'kept on the run (`params` of the run view) and given to every task of the run (each step, group member and retry) as environment CRONFLEET_PARAM_<NAME>.',
    responses: { 202: json('WorkflowRun', 'the run'), 404: NO_WORKFLOW },
  },
  'GET /api/v1/workflows/{idOrName}/runs': { tag: 'workflows', summary: "A workflow's runs, newest first", responses: { 200: json(runPage, 'one page'), 404: NO_WORKFLOW } },
  'GET /api/v1/workflow-runs': { tag: 'workflows', summary: 'Workflow runs of every workflow (or of `workflowId`), newest first', responses: { 200: json(runPage, 'one page') } },
  'GET /api/v1/workflow-runs/{id}': {
    tag: 'workflows',
    summary: 'A workflow run with the state of each step',
    description: 'Each step with its `dependsOn` and `when` (the edges to draw), its state (waiting, running, success, failed, skipped, cancelled), its tasks (attempts, group members, status, times), and for a group the member counts.',
    responses: { 200: json('WorkflowRun', 'the run'), 404: NO_RUN },
  },
  'POST /api/v1/workflow-runs/{id}/kill': { tag: 'workflows', summary: 'Kill a run: SIGKILL its running steps, skip the rest', responses: RUN_CONTROL },
  'POST /api/v1/workflow-runs/{id}/stop': { tag: 'workflows', summary: 'Stop a run: SIGTERM its running steps (SIGKILL after the grace), skip the rest', responses: RUN_CONTROL },
  'POST /api/v1/workflow-runs/{id}/retry': {
    tag: 'workflows',
    summary: 'Run a failed, killed or cancelled run again from its failed steps',
    description: 'Steps that succeeded keep their result and do not run again; the others get new attempts.',
    responses: { 202: json('WorkflowRun', 'the run, running again'), 404: NO_RUN, 409: 'the run is running or succeeded (WorkflowRunNotRetryable)' },
  },
  'GET /api/v1/sse/events': {
    tag: 'events',
    summary: 'Live events (Server-Sent Events)',
    description:
      'Each event as `event: <type>` and `data: <json>`: task.created|started|output|finished, cronjob.created|updated|deleted, worker.online|offline|drained, scheduler.leader, workflow.created|updated|deleted, workflow.run; `: ping` every 15 s. ' +
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
  'POST /api/v1/workers/{id}/revoke': {
    tag: 'workers',
    summary: "Revoke a worker's credential",
    description: 'Its connection is cut on whichever server holds it, and every later hello under its name is refused (`WorkerRevoked`) until it is re-enrolled. Its running tasks end as for any worker gone.',
    responses: { 200: json('WorkerDetail', 'the worker, enrolment.state revoked'), 404: NO_WORKER, 409: 'the worker is revoked already (WorkerAlreadyRevoked)' },
  },
  'POST /api/v1/workers/{id}/reenrol': {
    tag: 'workers',
    summary: "Open a worker's enrolment again",
    description: 'The next hello under its name (with the worker token) is issued a fresh credential; the old one stops working. For a rebuilt host or a lost state directory; refused while the worker is online.',
    responses: {
      200: json('WorkerDetail', 'the worker, enrolment.state open'),
      404: NO_WORKER,
      409: 'the worker is online (WorkerStillConnected: revoke it first to cut it off), or its enrolment is open already (WorkerEnrolmentOpen)',
    },
  },
  'GET /api/v1/scheduler': { tag: 'scheduler', summary: 'Who dispatches and how far behind', responses: { 200: json('SchedulerStatus', 'heap figures are null unless this instance leads') } },
  'POST /api/v1/scheduler/stop': { tag: 'scheduler', summary: 'Pause dispatch on every instance', responses: { 200: json('SchedulerStatus', 'paused') } },
  'POST /api/v1/scheduler/start': { tag: 'scheduler', summary: 'Resume dispatch on every instance', responses: { 200: json('SchedulerStatus', 'resumed') } },
  'GET /api/v1/loader': {
    tag: 'operations',
    summary: 'Job files: each file of CRONFLEET_JOBS_DIR and CRONFLEET_CONFIG with its status (ok or error) and the jobs it manages',
    responses: { 200: json(LoaderStatusSchema, 'the files this instance loads') },
  },
  'POST /api/v1/retention/run': {
    tag: 'operations',
    summary: 'Run one retention sweep now',
    description:
      "Deletes finished tasks (with their output) older than their job's `historyDays` or past its newest `historyLimit` (null: the server's CRONFLEET_HISTORY_DAYS / CRONFLEET_HISTORY_LIMIT), " +
      'as the leader does every CRONFLEET_RETENTION_INTERVAL_SECONDS, in batches of at most 500 with a pause after each. Live tasks and workflow step tasks are never deleted.',
    responses: { 200: json(SweepReportSchema, 'what the sweep deleted') },
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
    responses: {
      200: json(
        z.object({ tokenId: z.number().int().positive().nullable(), name: z.string(), role: z.enum(['viewer', 'operator', 'admin']), namespace: z.string().nullable().meta({ description: 'null: cluster-wide' }) }),
        'the caller',
      ),
    },
  },
  'GET /api/v1/tokens': { tag: 'tokens', summary: 'List API tokens (never their secrets), revoked ones too', responses: { 200: json(z.object({ items: z.array(ApiTokenViewSchema) }), 'every token') } },
  'DELETE /api/v1/tokens/{id}': {
    tag: 'tokens',
    summary: 'Revoke an API token',
    description: 'It is refused (401) from the next request on, on every server; the row stays for the audit log.',
    responses: { 204: { description: 'revoked (also when it already was)' }, 404: 'no token with this id (ApiTokenNotFound)' },
  },
  'GET /api/v1/namespaces': {
    tag: 'namespaces',
    summary: 'List namespaces with their quotas and usage',
    description: 'A token scoped to a namespace sees only that one.',
    responses: { 200: json(z.object({ items: z.array(NamespaceViewSchema) }), 'every namespace the token may see') },
  },
  'GET /api/v1/namespaces/{name}': {
    tag: 'namespaces',
    summary: 'One namespace: quotas (maxJobs, maxConcurrentTasks) and usage (jobs, workflows, running tasks)',
    responses: { 200: json(NamespaceViewSchema, 'the namespace'), 404: 'no such namespace, or outside the token (NamespaceNotFound)' },
  },
  'POST /api/v1/namespaces': {
    tag: 'namespaces',
    summary: 'Create a namespace',
    description: 'Needs an admin token that is cluster-wide. Cron jobs, workflows, one-shot tasks, tokens and workers then name it in `namespace`.',
    responses: { 201: json(NamespaceViewSchema, 'created'), 403: 'not a cluster-wide admin token (OutsideNamespace)', 409: 'a namespace with this name exists (NamespaceExists)' },
  },
  'PATCH /api/v1/namespaces/{name}': {
    tag: 'namespaces',
    summary: 'Change a namespace’s description or quotas (null: no limit)',
    description: 'A lower `maxJobs` deletes nothing: it refuses new jobs until the namespace is under it. A lower `maxConcurrentTasks` stops nothing running: new tasks wait.',
    responses: { 200: json(NamespaceViewSchema, 'changed'), 403: 'not a cluster-wide admin token (OutsideNamespace)', 404: 'no such namespace (NamespaceNotFound)' },
  },
  'DELETE /api/v1/namespaces/{name}': {
    tag: 'namespaces',
    summary: 'Delete an empty namespace',
    description: 'Refused while it holds cron jobs, workflows, live tokens, workers serving it or unfinished tasks; its finished one-shot tasks go with it. `default` is never deleted.',
    responses: { 204: { description: 'deleted' }, 403: 'not a cluster-wide admin token (OutsideNamespace)', 404: 'no such namespace (NamespaceNotFound)', 409: 'it is not empty, or it is `default` (NamespaceNotEmpty)' },
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
  'GET /api/docs/openapi.json': { tag: 'operations', summary: 'This OpenAPI 3.1 document', responses: { 200: json(z.object({ openapi: z.literal('3.1.0') }).catchall(z.unknown()), 'the document') } },
  'GET /api/docs/{file}': { tag: 'operations', summary: "Swagger UI's script, style sheet and icons", responses: { 200: { description: 'the file', contentType: 'application/octet-stream' }, 404: 'not one of its files' } },
};
