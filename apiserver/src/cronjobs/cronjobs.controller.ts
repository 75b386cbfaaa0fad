import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { CronJobsService, MAX_PREVIEW } from './cronjobs.service';
import { CreateCronJob, CreateCronJobSchema, CronJobIdParamSchema, UpdateCronJob, UpdateCronJobSchema } from './dto/cronjob.dto';
import { RunNow, RunNowSchema } from './dto/policies.dto';

const JobId = new ZodValidationPipe(CronJobIdParamSchema, 'id');
export const CountQuerySchema = z
  .object({
    count: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(MAX_PREVIEW, `must be at most ${MAX_PREVIEW}`).default(5),
  })
  .strict();

@Controller('cronjobs')
export class CronJobsController {
  constructor(private readonly jobs: CronJobsService) {}

  @Post()
  create(@Body(new ZodValidationPipe(CreateCronJobSchema)) dto: CreateCronJob) {
    return this.jobs.create(dto);
  }

  @Get()
  list() {
    return this.jobs.list();
  }

  @Get(':id')
  get(@Param('id', JobId) id: number) {
    return this.jobs.get(id);
  }

  @Patch(':id')
  update(@Param('id', JobId) id: number, @Body(new ZodValidationPipe(UpdateCronJobSchema)) dto: UpdateCronJob) {
    return this.jobs.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', JobId) id: number): Promise<void> {
    await this.jobs.remove(id);
  }

  @Post(':id/run')
  @HttpCode(202)
  run(@Param('id', JobId) id: number, @Body(new ZodValidationPipe(RunNowSchema)) overrides: RunNow) {
    return this.jobs.runNow(id, overrides);
  }

  @Post(':id/pause')
  @HttpCode(200)
  pause(@Param('id', JobId) id: number) {
    return this.jobs.setEnabled(id, false);
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@Param('id', JobId) id: number) {
    return this.jobs.setEnabled(id, true);
  }

  @Get(':id/next')
  next(@Param('id', JobId) id: number, @Query(new ZodValidationPipe(CountQuerySchema, 'query')) q: { count: number }) {
    return this.jobs.nextRuns(id, q.count);
  }
}
