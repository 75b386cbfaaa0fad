import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { CronJobsService } from './cronjobs.service';
import { CreateCronJob, CreateCronJobSchema, CronJobIdParamSchema, UpdateCronJob, UpdateCronJobSchema } from './dto/cronjob.dto';

const JobId = new ZodValidationPipe(CronJobIdParamSchema, 'id');

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
  run(@Param('id', JobId) id: number) {
    return this.jobs.runNow(id);
  }
}
