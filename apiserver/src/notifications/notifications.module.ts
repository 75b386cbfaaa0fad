import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CronJobEntity } from '../cronjobs/cronjob.entity';
import { TaskEntity } from '../tasks/task.entity';
import { TasksModule } from '../tasks/tasks.module';
import { NotificationsRepository } from './notifications.repository';
import { TaskNotifier } from './task-notifier';

/** Per-job notifications (webhooks, email) when a task ends; following the task lifecycle's events. */
@Module({
  imports: [TypeOrmModule.forFeature([CronJobEntity, TaskEntity]), TasksModule],
  providers: [NotificationsRepository, TaskNotifier],
  exports: [TaskNotifier],
})
export class NotificationsModule {}
