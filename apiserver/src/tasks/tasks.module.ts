import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationsModule } from '../notifications/notifications.module';
import { WorkersModule } from '../workers/workers.module';
import { TaskOutputEntity } from './task-output.entity';
import { TaskEntity } from './task.entity';
import { TasksController } from './tasks.controller';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';
import { TaskOutputService } from './task-output.service';
import { TaskReportWriter } from './task-report-writer';
import { TaskEnds } from './task-ends';

@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity, TaskOutputEntity]), WorkersModule, NotificationsModule],
  controllers: [TasksController],
  providers: [TasksRepository, TasksService, TaskReportWriter, TaskOutputService, TaskEnds],
  exports: [TasksRepository, TasksService, TaskEnds],
})
export class TasksModule {}
