import { Controller, Req, Res } from '@nestjs/common';
import { LIVE_ROUTES } from '@cronfleet/shared';
import type { HttpRequest } from '../auth/http-request';
import { TokenSessions } from '../auth/token-sessions';
import { listNamespace } from '../auth/namespace-scope';
import { Route, RouteQuery } from '../common/route.decorator';
import type { StreamReply } from '../common/event-stream';
import type { LiveFilter } from '@cronfleet/shared';
import { LiveFeed } from './live-feed';
import { streamLiveEvents } from './live-sse';

@Controller()
export class LiveController {
  constructor(
    private readonly live: LiveFeed,
    private readonly sessions: TokenSessions,
  ) {}

  /**
   * Server-Sent Events of the live event bus, filtered by `cronjobId`, `taskId`, `namespace` and
   * `type` (types or prefixes, comma separated); a scoped token's stream is its namespace's only.
   */
  @Route(LIVE_ROUTES.events)
  events(@RouteQuery() filter: LiveFilter, @Req() req: HttpRequest, @Res() res: StreamReply): void {
    // The stream is written by hand: Fastify sends nothing more for this request.
    res.hijack();
    const close = streamLiveEvents(this.live, { ...filter, namespace: listNamespace(req.actor, filter.namespace) }, res.raw);
    res.raw.on('close', this.sessions.hold(req.actor, close));
  }
}
