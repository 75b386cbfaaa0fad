import { z } from 'zod';
import { resource } from '../access';
import { defineRoute } from '../contract';
import { fromDecimal } from '../decimal';
import { NamespaceQuerySchema } from '../namespaces';
import { WorkerDetailSchema, WorkerViewSchema } from '../views';
import { listOf } from './common';

/** `:id` of the `/workers/:id` routes. */
export const WorkerIdParamSchema = fromDecimal(z.number({ error: 'must be a number' }).int('must be an integer').positive('must be positive'));

const NO_WORKER = 'no worker with this id (WorkerNotFound)';
const params = z.object({ id: WorkerIdParamSchema });

/** `/workers`: the worker fleet, drain, revoke and re-enrolment. */
export const WORKER_ROUTES = {
  list: defineRoute({
    method: 'GET',
    path: '/workers',
    access: 'viewer',
    scope: 'scoped',
    tag: 'workers',
    summary: 'List workers',
    query: NamespaceQuerySchema,
    status: 200,
    result: listOf(WorkerViewSchema),
    resultDescription: 'every worker the cluster knows',
  }),
  get: defineRoute({
    method: 'GET',
    path: '/workers/:id',
    access: 'viewer',
    scope: resource('worker'),
    tag: 'workers',
    summary: 'Read a worker with its live tasks',
    params,
    status: 200,
    result: WorkerDetailSchema,
    resultDescription: 'the worker',
    errors: { 404: NO_WORKER },
  }),
  drain: defineRoute({
    method: 'POST',
    path: '/workers/:id/drain',
    access: 'operator',
    scope: resource('worker'),
    tag: 'workers',
    summary: 'No new tasks for a worker',
    params,
    status: 200,
    result: WorkerDetailSchema,
    resultDescription: 'the worker, drained',
    errors: { 404: NO_WORKER },
  }),
  undrain: defineRoute({
    method: 'POST',
    path: '/workers/:id/undrain',
    access: 'operator',
    scope: resource('worker'),
    tag: 'workers',
    summary: 'A drained worker takes tasks again',
    params,
    status: 200,
    result: WorkerDetailSchema,
    resultDescription: 'the worker',
    errors: { 404: NO_WORKER },
  }),
  revoke: defineRoute({
    method: 'POST',
    path: '/workers/:id/revoke',
    // Who may join the fleet under a name: an admin's, as tokens are.
    access: 'admin',
    // A worker's identity is the cluster's: a shared worker serves every namespace.
    scope: 'cluster',
    tag: 'workers',
    summary: "Revoke a worker's credential",
    description: 'Its connection is cut on whichever server holds it, and every later hello under its name is refused (`WorkerRevoked`) until it is re-enrolled. Its running tasks end as for any worker gone.',
    params,
    status: 200,
    result: WorkerDetailSchema,
    resultDescription: 'the worker, enrolment.state revoked',
    errors: { 404: NO_WORKER, 409: 'the worker is revoked already (WorkerAlreadyRevoked)' },
  }),
  reenrol: defineRoute({
    method: 'POST',
    path: '/workers/:id/reenrol',
    // Who may join the fleet under a name, as revoke.
    access: 'admin',
    // The worker's identity is the cluster's, as for revoke.
    scope: 'cluster',
    tag: 'workers',
    summary: "Open a worker's enrolment again",
    description: 'The next hello under its name (with the worker token) is issued a fresh credential; the old one stops working. For a rebuilt host or a lost state directory; refused while the worker is online.',
    params,
    status: 200,
    result: WorkerDetailSchema,
    resultDescription: 'the worker, enrolment.state open',
    errors: {
      404: NO_WORKER,
      409: 'the worker is online (WorkerStillConnected: revoke it first to cut it off), or its enrolment is open already (WorkerEnrolmentOpen)',
    },
  }),
  remove: defineRoute({
    method: 'DELETE',
    path: '/workers/:id',
    access: 'admin',
    scope: resource('worker'),
    tag: 'workers',
    summary: 'Forget an offline worker',
    params,
    status: 204,
    resultDescription: 'forgotten',
    errors: { 404: NO_WORKER, 409: 'the worker is online or unreachable (WorkerStillConnected)' },
  }),
};
