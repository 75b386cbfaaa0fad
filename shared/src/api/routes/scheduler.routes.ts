import { defineRoute } from '../contract';
import { SchedulerStatusSchema } from '../views';

/** `/scheduler`: who dispatches, how far behind it is, and the cluster-wide pause switch. */
export const SCHEDULER_ROUTES = {
  status: defineRoute({
    method: 'GET',
    path: '/scheduler',
    access: 'viewer',
    scope: 'any',
    tag: 'scheduler',
    summary: 'Who dispatches and how far behind',
    status: 200,
    result: SchedulerStatusSchema,
    resultDescription: 'heap figures are null unless this instance leads',
  }),
  stop: defineRoute({
    method: 'POST',
    path: '/scheduler/stop',
    access: 'operator',
    scope: 'cluster',
    tag: 'scheduler',
    summary: 'Pause dispatch on every instance',
    status: 200,
    result: SchedulerStatusSchema,
    resultDescription: 'paused',
  }),
  start: defineRoute({
    method: 'POST',
    path: '/scheduler/start',
    access: 'operator',
    scope: 'cluster',
    tag: 'scheduler',
    summary: 'Resume dispatch on every instance',
    status: 200,
    result: SchedulerStatusSchema,
    resultDescription: 'resumed',
  }),
};
