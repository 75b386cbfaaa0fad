import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { HttpRequest } from '../auth/http-request';
import { TokenSessions } from '../auth/token-sessions';
import { listNamespace } from '../namespaces/scope';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { StreamReply } from '../common/event-stream';
import { LiveFilter, LiveFilterSchema } from './live-event';
import { LiveFeed } from './live-feed';
import { streamLiveEvents } from './live-sse';

@Controller('sse')
export class LiveController {
  constructor(
    private readonly live: LiveFeed,
    private readonly sessions: TokenSessions,
  ) {}

  /**
   * Server-Sent Events of the live event bus, filtered by `cronjobId`, `taskId`, `namespace` and
   * `type` (types or prefixes, comma separated); a scoped token's stream is its namespace's only.
   */
  @Get('events')
  events(@Query(new ZodValidationPipe(LiveFilterSchema, 'query')) filter: LiveFilter, @Req() req: HttpRequest, @Res() res: StreamReply): void {
    // The stream is written by hand: Fastify sends nothing more for this request.
    res.hijack();
    const close = streamLiveEvents(this.live, { ...filter, namespace: listNamespace(req.actor, filter.namespace) }, res.raw);
    res.raw.on('close', this.sessions.hold(req.actor, close));
  }
}
