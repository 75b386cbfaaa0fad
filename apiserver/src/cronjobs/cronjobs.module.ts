import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TasksModule } from '../tasks/tasks.module';
import { CronJobEntity } from './cronjob.entity';
import { CronJobsController } from './cronjobs.controller';
import { CronJobsRepository } from './cronjobs.repository';
import { CronJobsService } from './cronjobs.service';
import { SchedulesController } from './schedules.controller';
import { CronJobHistory } from './versions/cronjob-history';
import { CronJobVersionEntity } from './versions/cronjob-version.entity';
import { CronJobVersionsByNameController, CronJobVersionsController } from './versions/cronjob-versions.controller';
import { CronJobVersionsRepository } from './versions/cronjob-versions.repository';

@Module({
  imports: [TypeOrmModule.forFeature([CronJobEntity, CronJobVersionEntity]), TasksModule],
  controllers: [CronJobsController, CronJobVersionsController, CronJobVersionsByNameController, SchedulesController],
  providers: [CronJobsRepository, CronJobsService, CronJobHistory, CronJobVersionsRepository],
  exports: [CronJobsRepository, CronJobsService],
})
export class CronJobsModule {}
