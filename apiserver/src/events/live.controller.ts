import { Controller, Get, Query, Res } from '@nestjs/common';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { EventStream } from '../tasks/task-output.service';
import { LiveFilter, LiveFilterSchema } from './live-event';
import { LiveEvents } from './live-events';
import { streamLiveEvents } from './live-sse';

@Controller('sse')
export class LiveController {
  constructor(private readonly live: LiveEvents) {}

  /** Server-Sent Events of the live event bus, filtered by `cronjobId`, `taskId` and `type` (types or prefixes, comma separated). */
  @Get('events')
  events(@Query(new ZodValidationPipe(LiveFilterSchema, 'query')) filter: LiveFilter, @Res() res: EventStream): void {
    streamLiveEvents(this.live, filter, res);
  }
}
