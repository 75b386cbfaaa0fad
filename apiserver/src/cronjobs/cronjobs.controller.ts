import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { z } from 'zod';
import { fromDecimal, CreateCronJob, CreateCronJobSchema, CronJobIdParamSchema, ListCronJobsQuery, ListCronJobsQuerySchema, TimelineQuery, TimelineQuerySchema, UpdateCronJob, UpdateCronJobSchema, RunNow, RunNowSchema, BOOTSTRAP_ADMIN } from '@cronfleet/shared';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { CronJobsService, MAX_PREVIEW } from './cronjobs.service';
import type { HttpRequest } from '../auth/http-request';
import { authorOf, type ChangeAuthor } from './versions/cronjob-history';
import { createNamespace, listNamespace } from '../namespaces/scope';

const JobId = new ZodValidationPipe(CronJobIdParamSchema, 'id');

/** Who calls: recorded with the version a change writes. */
export const callerOf = (req: HttpRequest): ChangeAuthor => authorOf(req.actor ?? BOOTSTRAP_ADMIN);
export const CountQuerySchema = z
  .object({
    count: fromDecimal(z.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(MAX_PREVIEW, `must be at most ${MAX_PREVIEW}`)).default(5),
  })
  .strict();

@Controller('cronjobs')
export class CronJobsController {
  constructor(private readonly jobs: CronJobsService) {}

  @Post()
  create(@Body(new ZodValidationPipe(CreateCronJobSchema)) dto: CreateCronJob, @Req() req: HttpRequest) {
    return this.jobs.create(dto, callerOf(req), createNamespace(req.actor, dto.namespace));
  }

  /** Every cron job by id; with `limit`, a page (`nextCursor` for the next), `q` and `enabled` filter. */
  @Get()
  list(@Query(new ZodValidationPipe(ListCronJobsQuerySchema, 'query')) q: ListCronJobsQuery, @Req() req: HttpRequest) {
    return this.jobs.list({ ...q, namespace: listNamespace(req.actor, q.namespace) });
  }

  /** The latest runs of each given job, newest first: the dashboard's success/failure strips. */
  @Get('timeline')
  timeline(@Query(new ZodValidationPipe(TimelineQuerySchema, 'query')) q: TimelineQuery, @Req() req: HttpRequest) {
    return this.jobs.timeline(q.ids, q.limit, listNamespace(req.actor, undefined));
  }

  @Get(':id')
  get(@Param('id', JobId) id: number) {
    return this.jobs.get(id);
  }

  @Patch(':id')
  update(@Param('id', JobId) id: number, @Body(new ZodValidationPipe(UpdateCronJobSchema)) dto: UpdateCronJob, @Req() req: HttpRequest) {
    return this.jobs.update(id, dto, callerOf(req));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', JobId) id: number, @Req() req: HttpRequest): Promise<void> {
    await this.jobs.remove(id, callerOf(req));
  }

  @Post(':id/run')
  @HttpCode(202)
  run(@Param('id', JobId) id: number, @Body(new ZodValidationPipe(RunNowSchema)) body: RunNow, @Req() req: HttpRequest) {
    return this.jobs.runNow(id, body, req.actor ?? BOOTSTRAP_ADMIN);
  }

  @Post(':id/pause')
  @HttpCode(200)
  pause(@Param('id', JobId) id: number, @Req() req: HttpRequest) {
    return this.jobs.setEnabled(id, false, callerOf(req));
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@Param('id', JobId) id: number, @Req() req: HttpRequest) {
    return this.jobs.setEnabled(id, true, callerOf(req));
  }

  @Get(':id/next')
  next(@Param('id', JobId) id: number, @Query(new ZodValidationPipe(CountQuerySchema, 'query')) q: { count: number }) {
    return this.jobs.nextRuns(id, q.count);
  }
}
