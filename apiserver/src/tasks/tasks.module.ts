import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TaskAnnouncer } from './lifecycle/task-announcer';
import { TaskEvents } from './lifecycle/task-events';
import { TaskLifecycle } from './lifecycle/task-lifecycle';
import { TaskReportWriter } from './lifecycle/task-report-writer';
import { TaskRetries } from './lifecycle/task-retries';
import { TaskOutputEntity } from './task-output.entity';
import { TaskOutputService } from './task-output.service';
import { TaskEntity } from './task.entity';
import { TasksController } from './tasks.controller';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';

/**
 * Tasks: their rows and output, the REST face, and the lifecycle (the only writer of a task's
 * status, publishing TaskEvents). Knows nothing of workers, notifications or workflows: those
 * import it and subscribe.
 */
@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity, TaskOutputEntity])],
  controllers: [TasksController],
  providers: [TasksRepository, TasksService, TaskOutputService, TaskEvents, TaskReportWriter, TaskLifecycle, TaskRetries, TaskAnnouncer],
  exports: [TasksRepository, TasksService, TaskOutputService, TaskEvents, TaskLifecycle],
})
export class TasksModule {}
