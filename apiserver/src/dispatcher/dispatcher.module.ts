import { Module } from '@nestjs/common';
import { CronJobsModule } from '../cronjobs/cronjobs.module';
import { TasksModule } from '../tasks/tasks.module';
import { WorkersModule } from '../workers/workers.module';
import { DispatcherService } from './dispatcher.service';

@Module({
  imports: [CronJobsModule, TasksModule, WorkersModule],
  providers: [DispatcherService],
  exports: [DispatcherService],
})
export class DispatcherModule {}
