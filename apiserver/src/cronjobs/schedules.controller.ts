import { Controller } from '@nestjs/common';
import { SCHEDULE_ROUTES, type PreviewQuery } from '@cronfleet/shared';
import { Route, RouteQuery } from '../common/route.decorator';
import { preview } from './cronjobs.service';

export { PreviewQuerySchema, type PreviewQuery } from '@cronfleet/shared';

/**
 * Try a schedule before saving it: its next due times, each strictly after `from` (default now);
 * an `@every` schedule on the grid that starts at `anchor` (default `from`), as the dispatcher runs
 * a job's on the grid of its `createdAt`.
 */
@Controller()
export class SchedulesController {
  @Route(SCHEDULE_ROUTES.preview)
  preview(@RouteQuery() q: PreviewQuery) {
    return previewOf(q, Date.now());
  }
}

export function previewOf(q: PreviewQuery, nowMs: number): { next: string[] } {
  const fromMs = q.from ? Date.parse(q.from) : nowMs;
  return preview(q.schedule, q.timezone, fromMs, q.count, q.anchor ? Date.parse(q.anchor) : fromMs);
}
