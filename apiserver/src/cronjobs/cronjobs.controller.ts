import { Controller, Req } from '@nestjs/common';
import { CRONJOB_ROUTES as R, type CreateCronJob, type ListCronJobsQuery, type TimelineQuery, type UpdateCronJob, type RunNow, BOOTSTRAP_ADMIN } from '@cronfleet/shared';
import { Route, RouteBody, RouteParam, RouteQuery } from '../common/route.decorator';
import { CronJobsService } from './cronjobs.service';
import type { HttpRequest } from '../auth/http-request';
import { authorOf, type ChangeAuthor } from './versions/cronjob-history';
import { createNamespace, listNamespace } from '../auth/namespace-scope';

/** Who calls: recorded with the version a change writes. */
export const callerOf = (req: HttpRequest): ChangeAuthor => authorOf(req.actor ?? BOOTSTRAP_ADMIN);

@Controller()
export class CronJobsController {
  constructor(private readonly jobs: CronJobsService) {}

  @Route(R.create)
  create(@RouteBody() dto: CreateCronJob, @Req() req: HttpRequest) {
    return this.jobs.create(dto, callerOf(req), createNamespace(req.actor, dto.namespace));
  }

  /** Every cron job by id; with `limit`, a page (`nextCursor` for the next), `q` and `enabled` filter. */
  @Route(R.list)
  list(@RouteQuery() q: ListCronJobsQuery, @Req() req: HttpRequest) {
    return this.jobs.list({ ...q, namespace: listNamespace(req.actor, q.namespace) });
  }

  /** The latest runs of each given job, newest first: the dashboard's success/failure strips. */
  @Route(R.timeline)
  timeline(@RouteQuery() q: TimelineQuery, @Req() req: HttpRequest) {
    return this.jobs.timeline(q.ids, q.limit, listNamespace(req.actor, undefined));
  }

  @Route(R.get)
  get(@RouteParam('id') id: number) {
    return this.jobs.get(id);
  }

  @Route(R.update)
  update(@RouteParam('id') id: number, @RouteBody() dto: UpdateCronJob, @Req() req: HttpRequest) {
    return this.jobs.update(id, dto, callerOf(req));
  }

  @Route(R.remove)
  async remove(@RouteParam('id') id: number, @Req() req: HttpRequest): Promise<void> {
    await this.jobs.remove(id, callerOf(req));
  }

  @Route(R.run)
  run(@RouteParam('id') id: number, @RouteBody() body: RunNow, @Req() req: HttpRequest) {
    return this.jobs.runNow(id, body, req.actor ?? BOOTSTRAP_ADMIN);
  }

  @Route(R.pause)
  pause(@RouteParam('id') id: number, @Req() req: HttpRequest) {
    return this.jobs.setEnabled(id, false, callerOf(req));
  }

  @Route(R.resume)
  resume(@RouteParam('id') id: number, @Req() req: HttpRequest) {
    return this.jobs.setEnabled(id, true, callerOf(req));
  }

  @Route(R.next)
  next(@RouteParam('id') id: number, @RouteQuery() q: { count: number }) {
    return this.jobs.nextRuns(id, q.count);
  }
}
