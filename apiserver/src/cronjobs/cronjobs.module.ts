import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TasksModule } from '../tasks/tasks.module';
import { CronJobEntity } from './cronjob.entity';
import { CronJobsController } from './cronjobs.controller';
import { CronJobsRepository } from './cronjobs.repository';
import { CronJobsService } from './cronjobs.service';
import { SchedulesController } from './schedules.controller';

@Module({
  imports: [TypeOrmModule.forFeature([CronJobEntity]), TasksModule],
  controllers: [CronJobsController, SchedulesController],
  providers: [CronJobsRepository, CronJobsService],
  exports: [CronJobsRepository, CronJobsService],
})
export class CronJobsModule {}
