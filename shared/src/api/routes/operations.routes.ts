import { z } from 'zod';
import { defineRoute } from '../contract';
import { LoaderStatusSchema } from '../loader-status';
import { HealthSchema, ReadinessSchema, SweepReportSchema } from '../views';

/** `/healthz` and `/readyz`: probes, without a token, at the root. */
export const HEALTH_ROUTES = {
  health: defineRoute({
    method: 'GET',
    path: '/healthz',
    unprefixed: true,
    access: 'public',
    tag: 'operations',
    summary: 'Liveness: the server and its database answer',
    status: 200,
    result: HealthSchema,
    resultDescription: 'alive',
    errors: { 500: 'the database does not answer' },
  }),
  ready: defineRoute({
    method: 'GET',
    path: '/readyz',
    unprefixed: true,
    access: 'public',
    tag: 'operations',
    summary: 'Readiness: database, migrations and Redis',
    status: 200,
    result: ReadinessSchema,
    resultDescription: 'ready',
    errors: { 503: { description: 'not ready: `notReady` names the failed checks, `checks` says why', schema: ReadinessSchema } },
  }),
};

/** `/metrics`: the Prometheus scrape, without a token like /healthz. */
export const METRICS_ROUTES = {
  scrape: defineRoute({
    method: 'GET',
    path: '/metrics',
    unprefixed: true,
    access: 'public',
    tag: 'operations',
    summary: 'Prometheus metrics',
    status: 200,
    resultContentType: 'text/plain',
    resultDescription: 'Prometheus text format 0.0.4',
  }),
};

/** `/api/docs`: Swagger UI and the OpenAPI document, without a token (the API's shape is no secret, its data is). */
export const DOCS_ROUTES = {
  page: defineRoute({
    method: 'GET',
    path: '/api/docs',
    unprefixed: true,
    access: 'public',
    tag: 'operations',
    summary: 'Swagger UI for this document',
    status: 200,
    resultContentType: 'text/html',
    resultDescription: 'an HTML page',
  }),
  openapi: defineRoute({
    method: 'GET',
    path: '/api/docs/openapi.json',
    unprefixed: true,
    access: 'public',
    tag: 'operations',
    summary: 'This OpenAPI 3.1 document',
    status: 200,
    result: z.object({ openapi: z.literal('3.1.0') }).catchall(z.unknown()),
    resultDescription: 'the document',
  }),
  file: defineRoute({
    method: 'GET',
    path: '/api/docs/:file',
    unprefixed: true,
    access: 'public',
    tag: 'operations',
    summary: "Swagger UI's script, style sheet and icons",
    params: z.object({ file: z.string() }),
    status: 200,
    resultContentType: 'application/octet-stream',
    resultDescription: 'the file',
    errors: { 404: 'not one of its files' },
  }),
};

/** `/loader`: the job files this instance loads. */
export const LOADER_ROUTES = {
  status: defineRoute({
    method: 'GET',
    path: '/loader',
    access: 'viewer',
    scope: 'cluster',
    tag: 'operations',
    summary: 'Job files: each file of CRONFLEET_JOBS_DIR and CRONFLEET_CONFIG with its status (ok or error) and the jobs it manages',
    status: 200,
    result: LoaderStatusSchema,
    resultDescription: 'the files this instance loads',
  }),
};

/** `/retention`: one retention sweep on demand. */
export const RETENTION_ROUTES = {
  run: defineRoute({
    method: 'POST',
    path: '/retention/run',
    // Deletes task history now: what the leader's timer does, on demand.
    access: 'admin',
    scope: 'cluster',
    tag: 'operations',
    summary: 'Run one retention sweep now',
    description:
      "Deletes finished tasks (with their output) older than their job's `historyDays` or past its newest `historyLimit` (null: the server's CRONFLEET_HISTORY_DAYS / CRONFLEET_HISTORY_LIMIT), " +
      'as the leader does every CRONFLEET_RETENTION_INTERVAL_SECONDS, in batches of at most 500 with a pause after each. Live tasks and workflow step tasks are never deleted.',
    status: 200,
    result: SweepReportSchema,
    resultDescription: 'what the sweep deleted',
  }),
};
