// Routes stated in the specs with defineRoute, shaped like the server's own (the shared contract's
// groups are not there yet): the client binds whatever groups it is given.
import { z } from 'zod';
import { defineRoute, resource } from '@cronfleet/shared/api';

const id = z.object({ id: z.number().int().positive() });
const taskBody = z.object({
  runner: z.string(),
  spec: z.record(z.string(), z.unknown()),
  delaySeconds: z.number().optional(),
  runAt: z.string().optional(),
  idempotencyKey: z.string().optional(),
});

export const TASK_ROUTES = {
  create: defineRoute({ method: 'POST', path: '/tasks', access: 'admin', scope: 'scoped', tag: 'tasks', summary: 'A one-shot task', body: taskBody, status: 202, result: z.object({ taskId: z.number() }) }),
  createBatch: defineRoute({
    method: 'POST',
    path: '/tasks/batch',
    access: 'admin',
    scope: 'scoped',
    tag: 'tasks',
    summary: 'Up to 1,000 tasks',
    body: z.object({ tasks: z.array(z.unknown()), atomic: z.boolean().optional() }),
    status: 200,
    result: z.object({ items: z.array(z.union([z.object({ taskId: z.number(), created: z.boolean() }), z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().nullable() }) })])) }),
  }),
  get: defineRoute({ method: 'GET', path: '/tasks/:id', access: 'viewer', scope: resource('task'), tag: 'tasks', summary: 'A task', params: id, status: 200, result: z.object({ id: z.number(), status: z.string() }) }),
  cancel: defineRoute({ method: 'DELETE', path: '/tasks/:id', access: 'operator', scope: resource('task'), tag: 'tasks', summary: 'Cancel a task', params: id, status: 204 }),
  output: defineRoute({ method: 'GET', path: '/tasks/:id/output', access: 'viewer', scope: resource('task'), tag: 'tasks', summary: 'Output', params: id, query: z.object({ follow: z.enum(['true', 'false']).optional() }), status: 200, resultContentType: 'text/plain' }),
};

export const CRONJOB_ROUTES = {
  timeline: defineRoute({
    method: 'GET',
    path: '/cronjobs/timeline',
    access: 'viewer',
    scope: 'scoped',
    tag: 'cronjobs',
    summary: 'Latest runs of some jobs',
    query: z.object({ ids: z.union([z.string(), z.array(z.number())]), limit: z.number().optional() }),
    status: 200,
    result: z.object({ items: z.array(z.unknown()) }),
  }),
  get: defineRoute({ method: 'GET', path: '/workflows/:ref', access: 'viewer', scope: resource('workflow', 'ref'), tag: 'workflows', summary: 'A workflow by id or name', params: z.object({ ref: z.string() }), status: 200, result: z.object({ name: z.string() }) }),
};

export const PROBE_ROUTES = {
  healthz: defineRoute({ method: 'GET', path: '/healthz', unprefixed: true, access: 'public', tag: 'probes', summary: 'Liveness', status: 200, result: z.object({ status: z.string() }) }),
};

export const ROUTES = { tasks: TASK_ROUTES, cronjobs: CRONJOB_ROUTES, probes: PROBE_ROUTES };
