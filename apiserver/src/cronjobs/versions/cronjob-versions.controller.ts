import { Controller, Req } from '@nestjs/common';
import type { HttpRequest } from '../../auth/http-request';
import { Route, RouteParam, RouteQuery } from '../../common/route.decorator';
import { callerOf } from '../cronjobs.controller';
import { CronJobsService } from '../cronjobs.service';
import { CRONJOB_VERSION_ROUTES, CRONJOB_VERSIONS_BY_NAME_ROUTES, type ListVersionsQuery, type VersionsByNameQuery } from '@cronfleet/shared';
import { listNamespace } from '../../auth/namespace-scope';

/** A cron job's versions: the list, one with its definition, and a rollback to one. */
@Controller()
export class CronJobVersionsController {
  constructor(private readonly jobs: CronJobsService) {}

  @Route(CRONJOB_VERSION_ROUTES.list)
  list(@RouteParam('id') id: number, @RouteQuery() q: ListVersionsQuery) {
    return this.jobs.versions(id, q);
  }

  @Route(CRONJOB_VERSION_ROUTES.get)
  get(@RouteParam('id') id: number, @RouteParam('version') version: number) {
    return this.jobs.version(id, version);
  }

  @Route(CRONJOB_VERSION_ROUTES.rollback)
  rollback(@RouteParam('id') id: number, @RouteParam('version') version: number, @Req() req: HttpRequest) {
    return this.jobs.rollback(id, version, callerOf(req));
  }
}

/** Cron jobs by name in their versions: how a deleted job's versions are found without its id. */
@Controller()
export class CronJobVersionsByNameController {
  constructor(private readonly jobs: CronJobsService) {}

  /** A scoped token's own namespace only (and never a job whose namespace was not recorded). */
  @Route(CRONJOB_VERSIONS_BY_NAME_ROUTES.list)
  list(@RouteQuery() q: VersionsByNameQuery, @Req() req: HttpRequest) {
    return this.jobs.versionsByName(q, listNamespace(req.actor, q.namespace));
  }
}
