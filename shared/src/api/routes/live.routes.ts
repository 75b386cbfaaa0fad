import { defineRoute } from '../contract';
import { LiveFilterSchema } from '../live';

/** `/sse/events`: the live event bus as Server-Sent Events (also on the socket.io namespace /events). */
export const LIVE_ROUTES = {
  events: defineRoute({
    method: 'GET',
    path: '/sse/events',
    access: 'viewer',
    scope: 'scoped',
    tag: 'events',
    summary: 'Live events (Server-Sent Events)',
    description:
      'Each event as `event: <type>` and `data: <json>`: task.created|started|output|finished, cronjob.created|updated|deleted, worker.online|offline|drained, scheduler.leader, workflow.created|updated|deleted, workflow.run; `: ping` every 15 s. ' +
      '`type` takes types or prefixes (`task.`), comma separated; `cronjobId` and `taskId` pass only events carrying that id. A client more than 1 MiB behind gets an `error` event and is dropped.',
    query: LiveFilterSchema,
    status: 200,
    resultContentType: 'text/event-stream',
    resultDescription: 'an event stream',
  }),
};
