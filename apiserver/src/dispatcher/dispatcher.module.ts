import { Module } from '@nestjs/common';
import { GaugeReader } from '../observability/gauge-reader';
import { CronJobsModule } from '../cronjobs/cronjobs.module';
import { TasksModule } from '../tasks/tasks.module';
import { WorkersModule } from '../workers/workers.module';
import { DispatcherService } from './dispatcher.service';
import { DueRuns } from './due-runs';
import { SchedulerGauges } from './scheduler-gauges';
import { SchedulerStateRepository } from './scheduler-state.repository';
import { SchedulerController } from './scheduler.controller';
import { TaskSender } from './task-sender';

@Module({
  imports: [CronJobsModule, TasksModule, WorkersModule],
  controllers: [SchedulerController],
  providers: [DispatcherService, DueRuns, SchedulerStateRepository, TaskSender, { provide: GaugeReader, useClass: SchedulerGauges }],
  exports: [DispatcherService, GaugeReader],
})
export class DispatcherModule {}
