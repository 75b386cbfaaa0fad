import { defineRoute } from '../contract';
import { PreviewQuerySchema } from '../schedules';
import { NextRunsSchema } from '../views';

/** `/schedules`: a schedule tried before it is saved. */
export const SCHEDULE_ROUTES = {
  preview: defineRoute({
    method: 'GET',
    path: '/schedules/preview',
    access: 'viewer',
    scope: 'any',
    tag: 'cronjobs',
    summary: 'Try a schedule before saving it',
    description:
      'Its next due times, each strictly after `from` (default now). An `@every` schedule runs on a grid that starts at `anchor` (default `from`): ' +
      "give an existing job's `createdAt` to see its own next runs, as `GET /cronjobs/:id/next` does.",
    query: PreviewQuerySchema,
    status: 200,
    result: NextRunsSchema,
    resultDescription: 'ISO-8601 instants, soonest first',
  }),
};
