import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { HttpRequest } from '../../auth/http-request';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { callerOf } from '../cronjobs.controller';
import { CronJobsService } from '../cronjobs.service';
import { CronJobIdParamSchema, type ListVersionsQuery, ListVersionsQuerySchema, VersionParamSchema, type VersionsByNameQuery, VersionsByNameQuerySchema } from '@cronfleet/shared';
import { listNamespace } from '../../namespaces/scope';

const JobId = new ZodValidationPipe(CronJobIdParamSchema, 'id');
const Version = new ZodValidationPipe(VersionParamSchema, 'version');

/** A cron job's versions: the list, one with its definition, and a rollback to one. */
@Controller('cronjobs/:id/versions')
export class CronJobVersionsController {
  constructor(private readonly jobs: CronJobsService) {}

  @Get()
  list(@Param('id', JobId) id: number, @Query(new ZodValidationPipe(ListVersionsQuerySchema, 'query')) q: ListVersionsQuery) {
    return this.jobs.versions(id, q);
  }

  @Get(':version')
  get(@Param('id', JobId) id: number, @Param('version', Version) version: number) {
    return this.jobs.version(id, version);
  }

  @Post(':version/rollback')
  @HttpCode(200)
  rollback(@Param('id', JobId) id: number, @Param('version', Version) version: number, @Req() req: HttpRequest) {
    return this.jobs.rollback(id, version, callerOf(req));
  }
}

/** Cron jobs by name in their versions: how a deleted job's versions are found without its id. */
@Controller('cronjob-versions')
export class CronJobVersionsByNameController {
  constructor(private readonly jobs: CronJobsService) {}

  /** A scoped token's own namespace only (and never a job whose namespace was not recorded). */
  @Get()
  list(@Query(new ZodValidationPipe(VersionsByNameQuerySchema, 'query')) q: VersionsByNameQuery, @Req() req: HttpRequest) {
    return this.jobs.versionsByName(q, listNamespace(req.actor, q.namespace));
  }
}
